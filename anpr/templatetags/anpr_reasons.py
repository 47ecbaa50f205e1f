"""``{{ read.recognition_error|recognition_reason }}``: why a read waits for a person, translated."""

from django import template

from anpr.reasons import decision_html, reason_html, stage_html

register = template.Library()


@register.filter
def recognition_reason(value):
    return reason_html(value)


@register.filter
def model_decision(value):
    """What the registry or the retraining recorded about a model version or a run, translated."""
    return decision_html(value)


@register.filter
def training_stage(value):
    """Where a training run is, translated."""
    return stage_html(value)
