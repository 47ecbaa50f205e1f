"""``{{ read.recognition_error|recognition_reason }}``: why a read waits for a person, translated."""

from django import template

from anpr.reasons import decision_html, reason_html, stage_html
from anpr.retraining import shown_outcome

register = template.Library()


@register.filter
def recognition_reason(value):
    return reason_html(value)


@register.filter
def model_decision(value):
    """What the registry or the retraining recorded about a model version or a run, translated."""
    return decision_html(value)


@register.filter
def run_outcome(run):
    """How a training run ended, translated; a failure stored as its raw error worded as failures are now."""
    return decision_html(shown_outcome(run))


@register.filter
def training_stage(value):
    """Where a training run is, translated."""
    return stage_html(value)
