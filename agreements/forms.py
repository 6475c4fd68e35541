from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from cooperation.forms import DateInput, ModelMultipleChoiceField
from cooperation.models import Institution

from .models import (
    DEFAULT_MEETING_EVERY_MONTHS,
    DEFAULT_NOTICE_DAYS,
    AttachmentKind,
    Scope,
    Status,
)


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


class ProcedureForm(forms.Form):
    """The procedures of the terms (issue 20, part 3), on the draft form."""

    notice_days = forms.IntegerField(
        label=_("Notice period (days)"),
        min_value=0,
        max_value=365,
        initial=DEFAULT_NOTICE_DAYS,
        required=False,
        help_text=_("A party ending the agreement gives notice at least this long before."),
    )
    meeting_every_months = forms.IntegerField(
        label=_("Coordinators meet at least every (months)"),
        min_value=1,
        max_value=12,
        initial=DEFAULT_MEETING_EVERY_MONTHS,
        required=False,
    )

    def clean_notice_days(self) -> int:
        value = self.cleaned_data.get("notice_days")
        return DEFAULT_NOTICE_DAYS if value is None else value

    def clean_meeting_every_months(self) -> int:
        value = self.cleaned_data.get("meeting_every_months")
        return DEFAULT_MEETING_EVERY_MONTHS if value is None else value


class AgreementForm(ScopeDatesForm, ProcedureForm):
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
    field_order = [
        "title",
        "partners",
        "scopes",
        "valid_from",
        "valid_until",
        "notice_days",
        "meeting_every_months",
        "body",
    ]

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
        max_value=3650,
        help_text=_("0 ends the agreement today, and partners lose access at once."),
    )
    without_notice = forms.BooleanField(
        label=_("End without the notice period"),
        required=False,
        help_text=_(
            "Only for a reason that justifies it, e.g. a serious breach of the agreement; "
            "the reason is recorded. To end sooner by agreement, propose an annex with an "
            "earlier end date instead."
        ),
    )

    def __init__(self, *args: Any, notice_days: int = 30, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["notice_days"].initial = notice_days
        self.fields["notice_days"].help_text = _(
            "The notice period in the terms is %(days)s days. "
            "0 ends the agreement today, and partners lose access at once."
        ) % {"days": notice_days}


class SignedCopyForm(forms.Form):
    """The signed document, its date, and who signed for each party."""

    file = forms.FileField(
        label=_("Signed document"),
        help_text=_(
            "A scan of the signed paper original (PDF, JPG, PNG), a PDF signed "
            "electronically, or a signed XML (XAdES) file; up to 10 MB."
        ),
    )
    signed_on = forms.DateField(
        label=_("Date of signing"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "The date of the last signature. For a PDF signed electronically it may be "
            "left empty: it is read from the signatures."
        ),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args: Any, parties=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parties = list(parties)
        for party in self.parties:
            prefix = f"party_{party.pk}"
            self.fields[f"{prefix}_name"] = forms.CharField(
                label=_("Name of the person who signed"),
                max_length=150,
                initial=party.signed_name or party.signatory_name,
                error_messages={"required": _("Give the name of the person who signed.")},
            )
            self.fields[f"{prefix}_function"] = forms.CharField(
                label=_("Function"),
                max_length=150,
                initial=party.signed_function or party.signatory_function,
                error_messages={"required": _("Give their function.")},
            )
            self.fields[f"{prefix}_authority"] = forms.CharField(
                label=_("Basis of authority"),
                max_length=250,
                initial=party.signed_authority,
                help_text=_(
                    "For example: acting for the Starost under authorisation no. …; "
                    "the statute; a power of attorney."
                ),
                error_messages={"required": _("Give the basis of their authority to sign.")},
            )

    def party_fieldsets(self) -> list[tuple[object, list[forms.BoundField]]]:
        return [
            (p, [self[f"party_{p.pk}_{f}"] for f in ("name", "function", "authority")])
            for p in self.parties
        ]

    def service_kwargs(self) -> dict[str, Any]:
        from .services import Signatory

        data = self.cleaned_data
        return {
            "file": data["file"],
            "signed_on": data["signed_on"],
            "note": data["note"],
            "signatories": {
                p.pk: Signatory(
                    data[f"party_{p.pk}_name"],
                    data[f"party_{p.pk}_function"],
                    data[f"party_{p.pk}_authority"],
                )
                for p in self.parties
            },
        }


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
