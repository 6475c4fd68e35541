"""`{% form_token %}`: the hidden one-off token of a create form (cooperation/formtokens.py).

A new token on every render: a form shown again with its errors has had its
token given back, and a page with several forms needs one each.
"""

import uuid

from django import template
from django.utils.html import format_html

from cooperation.formtokens import FIELD

register = template.Library()


@register.simple_tag
def form_token() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4().hex)
