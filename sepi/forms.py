from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from cooperation.forms import DateInput, DateRangeFilterForm

from .models import Lookup, LookupStatus, Purpose

PURPOSE_CHOICES = [("", _("— choose —")), *Purpose.choices]


class LookupForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Purpose and legal basis"),
        choices=PURPOSE_CHOICES,
        error_messages={"required": _("Choose the purpose and legal basis of the query.")},
    )
    refresh = forms.BooleanField(
        label=_("Ask SEPI again, even though a recent answer is saved"), required=False
    )
    # One key per rendered form: a double click or a resubmitted page gives the same lookup.
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "sepi")
        super().__init__(*args, **kwargs)


class BatchForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Purpose and legal basis"),
        choices=PURPOSE_CHOICES,
        initial=Purpose.PERIODIC_REVIEW,
        error_messages={"required": _("Choose the purpose and legal basis of the query.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "batch")
        super().__init__(*args, **kwargs)


class LookupFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="requested_at", lookup_expr="date__gte", widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="requested_at", lookup_expr="date__lte", widget=DateInput()
    )
    status = django_filters.ChoiceFilter(label=_("Outcome"), choices=LookupStatus.choices)
    purpose = django_filters.ChoiceFilter(label=_("Purpose"), choices=Purpose.choices)

    class Meta:
        model = Lookup
        fields = ["date_from", "date_to", "status", "purpose"]
        form = DateRangeFilterForm
