"""``{{ read.recognition_error|recognition_reason }}``: why a read waits for a person, translated."""

from django import template

from anpr.reasons import reason_html

register = template.Library()


@register.filter
def recognition_reason(value):
    return reason_html(value)
