from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.models import Scope
from cooperation.forms import DateInput
from cooperation.processing import SpecialCategoryGround
from cooperation.validators import validate_pesel

from .models import (
    CONSENT_PURPOSES,
    Client,
    ClientStatus,
    DocumentKind,
    LegalBasis,
    WithdrawalForm,
)

PURPOSE_CHOICES = [(p, Scope(p).label) for p in CONSENT_PURPOSES]

CLIENT_FIELDS = [
    "pesel",
    "no_pesel_reason",
    "document_type",
    "document_number",
    "first_name",
    "last_name",
    "phone",
    "email",
    "street",
    "postal_code",
    "city",
    "municipality",
    "education",
    "occupation",
    "skills",
    "household_notes",
]


class ClientForm(forms.ModelForm):
    """Registration and edit. Birth date and sex come from the PESEL, so they are not asked."""

    class Meta:
        model = Client
        fields = CLIENT_FIELDS
        widgets = {
            "skills": forms.Textarea(attrs={"rows": 3}),
            "household_notes": forms.Textarea(attrs={"rows": 3}),
            "pesel": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 11}
            ),
        }

    def clean_pesel(self) -> str:
        pesel = self.cleaned_data["pesel"].strip()
        if pesel:
            validate_pesel(pesel)
        return pesel

    def _post_clean(self) -> None:
        # Model-wide validation (pesel-or-reason, uniqueness) runs in the service,
        # which also derives birth date and sex from the PESEL.
        pass


class ConsentForm(forms.Form):
    """One partner, and what the client agreed to share with it. Each partner is
    offered with the purposes its agreement in force covers (`purposes`: partner
    id -> purposes); the service refuses any other."""

    partner = forms.ModelChoiceField(  # type: ignore[var-annotated]
        label=_("Partner institution"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
    )
    basis = forms.ChoiceField(label=_("Legal basis"), choices=LegalBasis.choices)
    scopes = forms.MultipleChoiceField(
        label=_("What the client agreed to"),
        choices=PURPOSE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only what the agreement with the chosen partner covers can be ticked."),
    )
    special_category_ground = forms.ChoiceField(
        label=_("Ground for health and addiction data (Art. 9(2) GDPR)"),
        choices=[("", _("— none: no health or addiction data —")), *SpecialCategoryGround.choices],
        required=False,
        help_text=_(
            "Choose explicit consent when the client also consented, in writing, to "
            "sharing health and addiction needs in joint plans."
        ),
    )
    given_on = forms.DateField(label=_("Signed on"), widget=DateInput())
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for the standard 12 months."),
    )
    scan = forms.FileField(
        label=_("Scan of the signed consent"),
        required=False,
        help_text=_("Required for written consent. PDF, JPG or PNG."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=250)

    def __init__(self, *args: Any, partners=None, purposes=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.purposes: dict[int, list[str]] = purposes or {}
        field = self.fields["partner"]
        field.queryset = partners  # type: ignore[attr-defined]
        field.label_from_instance = self._partner_label  # type: ignore[attr-defined]

    def clean(self) -> dict:
        data = super().clean()
        partner, scopes = data.get("partner"), data.get("scopes") or []  # type: ignore[union-attr]
        if partner is not None:
            covered = self.purposes.get(partner.pk, [])
            uncovered = [s for s in scopes if s not in covered]
            if uncovered:
                self.add_error(
                    "scopes",
                    _("No agreement in force with %(p)s covers: %(s)s. It covers: %(c)s.")
                    % {
                        "p": partner.name,
                        "s": ", ".join(str(Scope(s).label) for s in uncovered),
                        "c": ", ".join(str(Scope(s).label) for s in covered) or "—",
                    },
                )
        return data  # type: ignore[return-value]

    def _partner_label(self, institution) -> str:
        covered = ", ".join(str(Scope(p).label) for p in self.purposes.get(institution.pk, []))
        return f"{institution.name} — {covered}" if covered else institution.name


class WithdrawConsentForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("The client withdrew consent on"), widget=DateInput())
    withdrawal_form = forms.ChoiceField(
        label=_("How the client withdrew it"),
        choices=WithdrawalForm.choices,
        widget=forms.RadioSelect,
    )


class ShareForm(forms.Form):
    consent = forms.ModelChoiceField(  # type: ignore[var-annotated]
        label=_("Consent or legal basis"), queryset=None, empty_label=None
    )

    def __init__(self, *args: Any, consents=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].queryset = consents  # type: ignore[attr-defined]
        self.fields["consent"].label_from_instance = lambda c: (  # type: ignore[attr-defined]
            f"{c.partner.name} — {c.get_basis_display()} ({c.given_on:%d.%m.%Y}–{c.valid_until:%d.%m.%Y})"
        )


class NoteForm(forms.Form):
    happened_on = forms.DateField(label=_("Date"), widget=DateInput())
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}))
    internal = forms.BooleanField(
        label=_("Internal to my institution"),
        required=False,
        help_text=_("Partners sharing the client will not see it."),
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPG, PNG, ODT or DOCX, up to 10 MB."))


class AccessRequestForm(forms.Form):
    pesel = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why you need access"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=250)


class ClientFilter(django_filters.FilterSet):
    """The client list's search form; `clients.selectors.client_list` applies it to
    the access table (the methods below are for any other queryset of clients)."""

    q = django_filters.CharFilter(label=_("PESEL or name"), method="filter_q")
    held = django_filters.ChoiceFilter(
        label=_("Whose"),
        method="filter_held",
        empty_label=_("all"),
        choices=[("own", _("registered by us")), ("shared", _("shared with us"))],
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ClientStatus.choices, empty_label=_("all")
    )

    class Meta:
        model = Client
        fields = ["q", "held", "status"]

    def __init__(self, *args: Any, institution=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._institution = institution

    def filter_q(self, queryset, name, value):
        from .selectors import client_search

        return client_search(queryset, value)

    def filter_held(self, queryset, name, value):
        if value == "own":
            return queryset.filter(owner=self._institution)
        if value == "shared":
            return queryset.exclude(owner=self._institution)
        return queryset
