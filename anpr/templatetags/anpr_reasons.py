"""``{{ read.recognition_error|recognition_reason }}``: why a read waits for a person, translated."""

from django import template
from django.utils.html import format_html

from anpr import registry
from anpr.reasons import decision_html, reason_html, stage_html
from anpr.retraining import TRAINING_UNAVAILABLE, needs_server_setup, shown_outcome

register = template.Library()


@register.filter
def recognition_reason(value):
    return reason_html(value)


@register.filter
def model_decision(value):
    """What the registry or the retraining recorded about a model version or a run, translated."""
    return decision_html(value)


@register.filter
def run_outcome(run, user=None):
    """How a training run ended, translated; a failure stored as its raw error worded as failures are now.
    ``run|run_outcome:user``: what the server lacks to train (the install commands) is for those who can act
    on it (``registry.may_train``); anyone else reads that training is not available here and whom to ask."""
    outcome = shown_outcome(run)
    if user is not None and needs_server_setup(outcome) and not registry.may_train(user):
        return format_html("{}", TRAINING_UNAVAILABLE)
    return decision_html(outcome)


@register.filter
def training_stage(value):
    """Where a training run is, translated."""
    return stage_html(value)
