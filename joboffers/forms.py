from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from cooperation.forms import DateInput, ModelMultipleChoiceField

from .models import Answer, JobOffer, OfferKind, OfferStatus, Outcome
from .services import EDITABLE_FIELDS

# Suggestions for the free-text fields. They are stored values printed on
# Polish noticeboards, in the vocabulary CBOP uses, so they are Polish data
# rather than interface text.
CONTRACT_TYPES = [
    "umowa o pracę na czas nieokreślony",
    "umowa o pracę na czas określony",
    "umowa o pracę na okres próbny",
    "umowa zlecenie",
    "umowa o dzieło",
    "umowa o staż",
    "umowa o prace społecznie użyteczne",
]
WORKING_TIMES = [
    "pełny etat",
    "3/4 etatu",
    "1/2 etatu",
    "praca zmianowa",
    "praca w weekendy",
    "10 godzin tygodniowo",
]


class DatalistInput(forms.TextInput):
    """A text input with suggestions (an HTML datalist, no script)."""

    def __init__(self, options: Sequence[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.options = list(options)

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or 'id_' + name}-options"
        html = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}"></option>', ((o,) for o in self.options))
        return html + format_html('<datalist id="{}">{}</datalist>', list_id, options)


class OfferForm(forms.ModelForm):
    class Meta:
        model = JobOffer
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "valid_from": DateInput(),
            "valid_until": DateInput(),
            "contract_type": DatalistInput(CONTRACT_TYPES),
            "working_time": DatalistInput(WORKING_TIMES),
            "duties": forms.Textarea(attrs={"rows": 6}),
            "requirements": forms.Textarea(attrs={"rows": 4}),
            "requirements_welcome": forms.Textarea(attrs={"rows": 3}),
            "how_to_apply": forms.Textarea(attrs={"rows": 3}),
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer_name"].required = True
        self.fields["workplace_county"].help_text = _("Leave empty for your own county.")

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")  # type: ignore[union-attr]
        if start and end and end < start:
            self.add_error("valid_until", _("The end date is before the start date."))
        return data  # type: ignore[return-value]


class PublishForm(forms.Form):
    boards = ModelMultipleChoiceField(
        label=_("Partner boards"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one board.")},
    )

    def __init__(self, *args: Any, boards=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["boards"].queryset = boards  # type: ignore[attr-defined]
        self.fields["boards"].label_from_instance = lambda b: b.institution.name  # type: ignore[attr-defined]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the offer withdrawn?"),
        max_length=250,
        help_text=_("For example: the employer cancelled the offer."),
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CBOP file (JSON)"),
        help_text=_("A list of offers in the format of the CBOP portal."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".json"):
            raise ValidationError(_("Choose a .json file."))
        if upload.size > settings.CBOP_MAX_BYTES:
            raise ValidationError(_("The file is too large."))
        return upload


class ProposalForm(forms.Form):
    offer = forms.ModelChoiceField(label=_("Offer"), queryset=None)  # type: ignore[var-annotated]
    proposed_on = forms.DateField(label=_("Proposed on"), widget=DateInput())
    answer = forms.ChoiceField(label=_("Client's answer"), choices=Answer.choices)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, initial=Outcome.PENDING
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, offers=None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"proposed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offers  # type: ignore[attr-defined]
        self.fields["offer"].label_from_instance = lambda o: f"{o.number} — {o.position}"  # type: ignore[attr-defined]


class ProposalUpdateForm(forms.Form):
    answer = forms.ChoiceField(label=_("Client's answer"), choices=Answer.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class BoardFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=OfferKind.choices, empty_label=_("any")
    )
    municipality = django_filters.ChoiceFilter(
        label=_("Place of work"),
        field_name="workplace_municipality",
        choices=[],
        empty_label=_("anywhere"),
    )
    disabled = django_filters.BooleanFilter(
        label=_("Places for people with disabilities"),
        method="filter_disabled",
        widget=forms.CheckboxInput,
    )
    q = django_filters.CharFilter(label=_("Position"), method="filter_position")

    def __init__(self, *args: Any, municipalities: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["municipality"].extra["choices"] = [(m, m) for m in municipalities]

    def filter_disabled(self, queryset, name, value):
        return queryset.filter(places_disabled__gt=0) if value else queryset

    def filter_position(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(position__icontains=word)
        return queryset


class OfficeOfferFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=OfferStatus.choices, empty_label=_("any")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=OfferKind.choices, empty_label=_("any")
    )
    q = django_filters.CharFilter(label=_("Position"), method="filter_position")

    def filter_position(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(position__icontains=word)
        return queryset
