from __future__ import annotations

from django import template

from sepi.labels import label

register = template.Library()


@register.filter
def sepi_label(value: object) -> str:
    """`{{ result.status|sepi_label }}`: the translated label of a SEPI contract code."""
    return label(value)
