from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from cooperation.forms import DateInput, ModelMultipleChoiceField
from cooperation.models import Institution

from .models import AttachmentKind, Scope, Status


class ScopeDatesForm(forms.Form):
    """Scope switches and validity dates, with the range checked next to the end field."""

    scopes = forms.MultipleChoiceField(
        label=_("Areas of cooperation"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one area of cooperation.")},
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for an open-ended agreement."),
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")  # type: ignore[union-attr]
        if start and end and end < start:
            self.add_error("valid_until", _("The end date is before the start date."))
        return data  # type: ignore[return-value]


class AgreementForm(ScopeDatesForm):
    title = forms.CharField(label=_("Title"), max_length=250)
    partners = ModelMultipleChoiceField(
        label=_("Partner institutions"),
        queryset=Institution.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one partner institution.")},
    )
    body = forms.CharField(
        label=_("Text of the agreement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("Leave empty to start from the standard text; you can edit it before sending."),
    )
    field_order = ["title", "partners", "scopes", "valid_from", "valid_until", "body"]

    def __init__(self, *args: Any, partners_qs=None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["partners"]
            self.fields["body"].required = True
            self.fields["body"].help_text = ""
        else:
            self.fields["partners"].queryset = partners_qs  # type: ignore[attr-defined]


class SignForm(forms.Form):
    signatory_name = forms.CharField(label=_("Name of the person who signs"), max_length=150)
    signatory_function = forms.CharField(
        label=_("Their function"), max_length=150, help_text=_("For example: Director")
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should change"), widget=forms.Textarea(attrs={"rows": 4})
    )


class TerminateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for termination"), widget=forms.Textarea(attrs={"rows": 4})
    )
    notice_days = forms.IntegerField(
        label=_("Notice period (days)"),
        min_value=0,
        max_value=365,
        initial=30,
        help_text=_("0 ends the agreement today, and partners lose access at once."),
    )


class AnnexForm(ScopeDatesForm):
    description = forms.CharField(
        label=_("What changes and why"), widget=forms.Textarea(attrs={"rows": 4})
    )
    field_order = ["description", "scopes", "valid_from", "valid_until"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].label = _("In force from")
        self.fields["valid_until"].label = _("New end date")


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPG or PNG, up to 10 MB."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class CoordinatorCardForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=None)  # type: ignore[var-annotated]
    is_deputy = forms.BooleanField(label=_("Deputy coordinator"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    office_hours = forms.CharField(
        label=_("Office hours"),
        max_length=200,
        required=False,
        help_text=_("For example: Mon–Fri 8:00–15:00, room 12"),
    )

    def __init__(self, *args: Any, people=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people  # type: ignore[attr-defined]
        self.fields["user"].label_from_instance = lambda u: u.display_name  # type: ignore[attr-defined]


class AgreementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("any")
    )
    partner = django_filters.ModelChoiceFilter(
        label=_("Partner"),
        queryset=Institution.objects.none(),
        field_name="parties__institution",
        empty_label=_("any"),
    )
    expiring = django_filters.BooleanFilter(
        label=_("Ending within 30 days"), method="filter_expiring", widget=forms.CheckboxInput
    )

    def __init__(self, *args: Any, partners_qs=None, expiring_ids=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["partner"].queryset = partners_qs  # type: ignore[attr-defined]
        self._expiring_ids = expiring_ids

    def filter_expiring(self, queryset, name, value):
        return queryset.filter(pk__in=self._expiring_ids) if value else queryset
