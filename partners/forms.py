from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from cooperation.forms import DateInput
from cooperation.models import InstitutionKind, PesSubkind

from .models import Category, DeliveryKind, Outcome, Referral, ServiceOffer, Status
from .selectors import services_in_area, services_with_free_places
from .services import NEEDS_MAX_CHARS

OFFER_FIELDS = [
    "name",
    "category",
    "description",
    "target_group",
    "county_wide",
    "municipalities",
    "capacity",
    "free_places",
    "how_to_refer",
    "contact_name",
    "contact_phone",
    "contact_email",
    "is_active",
]


class ServiceOfferForm(forms.ModelForm):
    class Meta:
        model = ServiceOffer
        fields = OFFER_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "how_to_refer": forms.Textarea(attrs={"rows": 3}),
            "capacity": forms.NumberInput(attrs={"min": 0}),
            "free_places": forms.NumberInput(attrs={"min": 0}),
        }

    def _post_clean(self) -> None:
        # Model validation (places within capacity, unique name) runs in the
        # service, so a failed save never leaves the instance half-changed.
        pass


PROVIDER_KINDS = [
    ("ngo", _("Non-governmental organisation")),
    ("pes", _("Social economy entity (any)")),
    (PesSubkind.CIS, PesSubkind.CIS.label),
    (PesSubkind.KIS, PesSubkind.KIS.label),
    (PesSubkind.COOPERATIVE, PesSubkind.COOPERATIVE.label),
]


class DirectoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=_("any")
    )
    area = django_filters.ChoiceFilter(
        label=_("Municipality"), method="filter_area", empty_label=_("any")
    )
    provider_kind = django_filters.ChoiceFilter(
        label=_("Organisation"), choices=PROVIDER_KINDS, method="filter_kind", empty_label=_("any")
    )
    free = django_filters.BooleanFilter(
        label=_("Has free places"), method="filter_free", widget=forms.CheckboxInput
    )

    class Meta:
        model = ServiceOffer
        fields = ["q", "category", "area", "provider_kind", "free"]

    def __init__(self, *args: Any, areas: dict[str, set[str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = areas or {}
        self.filters["area"].extra["choices"] = [(m, m) for m in sorted(self.areas)]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(target_group__icontains=word)
                | Q(provider__name__icontains=word)
            )
        return queryset

    def filter_area(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return services_in_area(queryset, value, self.areas.get(value, set()))

    def filter_kind(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value in (InstitutionKind.NGO, InstitutionKind.PES):
            return queryset.filter(provider__kind=value)
        return queryset.filter(provider__kind=InstitutionKind.PES, provider__pes_subkind=value)

    def filter_free(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return services_with_free_places(queryset) if value else queryset


class ServiceSelect(forms.Select):
    """A select whose options for organisations without the client's consent are disabled."""

    disabled_values: frozenset[str] = frozenset()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


class ReferralForm(forms.Form):
    """The worker picks the service and ticks what the organisation needs to know.
    The name is always sent; nothing else unless ticked.

    Services of organisations the client consented to referrals to come first;
    the others are listed after them, disabled, as needing a consent first."""

    service = forms.ModelChoiceField(  # type: ignore[var-annotated]
        label=_("Service"),
        queryset=None,
        widget=ServiceSelect,
    )
    share_phone = forms.BooleanField(label=_("Phone"), required=False)
    share_address = forms.BooleanField(label=_("Address"), required=False)
    share_birth_year = forms.BooleanField(label=_("Year of birth"), required=False)
    needs = forms.CharField(
        label=_("Needs, in short (optional)"),
        required=False,
        max_length=NEEDS_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only what the organisation needs to help. No diagnoses, no family history. "
            "Shared only if you write something here."
        ),
    )

    def __init__(
        self,
        *args: Any,
        services: QuerySet[ServiceOffer],
        client: Client,
        consented: set[int] | frozenset[int] = frozenset(),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        field.queryset = services  # type: ignore[attr-defined]
        offers = list(services)
        ready = [o for o in offers if o.provider_id in consented]
        waiting = [o for o in offers if o.provider_id not in consented]
        self.needs_consent = list({o.provider_id: o.provider for o in waiting}.values())
        choices: list[Any] = [("", "---------")]
        if ready:
            choices.append(
                (
                    _("The client consented to referrals"),
                    [(o.pk, self._service_label(o)) for o in ready],
                )
            )
        if waiting:
            label = _("needs the client's consent first")
            choices.append(
                (
                    _("Need the client's consent for referrals before they can be chosen"),
                    [(o.pk, f"{self._service_label(o)} — {label}") for o in waiting],
                )
            )
        field.choices = choices  # type: ignore[attr-defined]
        field.widget.disabled_values = frozenset(str(o.pk) for o in waiting)
        # Show the worker the value that would go, next to each box.
        values = {
            "share_phone": client.phone,
            "share_address": client.address,
            "share_birth_year": client.birth_date.year if client.birth_date else "",
        }
        for name, value in values.items():
            field = self.fields[name]
            if value:
                field.help_text = str(value)
            else:
                field.disabled = True
                field.help_text = _("not in the client's record")

    @staticmethod
    def _service_label(offer: ServiceOffer) -> str:
        places = (
            _("free places: %(n)s") % {"n": offer.free_places}
            if offer.capacity is not None
            else _("no place limit")
        )
        return f"{offer.provider.name} — {offer.name} ({offer.get_category_display()}; {places})"

    def shared(self) -> list[str]:
        return [
            name.removeprefix("share_")
            for name in ("share_phone", "share_address", "share_birth_year")
            if self.cleaned_data.get(name)
        ]


class AcceptForm(forms.Form):
    start_date = forms.DateField(label=_("The service starts"), widget=DateInput())
    end_date = forms.DateField(
        label=_("The service ends (planned)"),
        widget=DateInput(),
        help_text=_("After this date you will be asked for the outcome."),
    )
    note = forms.CharField(
        label=_("Message to the referring worker (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. when and where the client should come."),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 3})
    )


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind of service"), choices=DeliveryKind.choices)
    hours = forms.DecimalField(
        label=_("Hours"),
        min_value=Decimal("0.5"),
        max_value=Decimal("24"),
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "max": "24"}),
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=250,
        help_text=_("What was done, in a few words. Visible to the referring worker."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"delivered_on": timezone.localdate(), "hours": 1})
        super().__init__(*args, **kwargs)


class CompleteForm(forms.Form):
    completed_on = forms.DateField(label=_("Completed on"), widget=DateInput())
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    outcome_note = forms.CharField(
        label=_("Outcome, described"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the client achieved, and what the referring worker may do next."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"completed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    direction = django_filters.ChoiceFilter(
        label=_("Direction"),
        choices=[("sent", _("sent by us")), ("received", _("received by us"))],
        method="filter_direction",
        empty_label=_("both"),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Unanswered after the deadline"),
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Referral
        fields = ["status", "direction", "overdue"]

    def __init__(self, *args: Any, institution: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.institution = institution

    def filter_direction(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "sent":
            return queryset.filter(referrer=self.institution)
        return queryset.filter(partner=self.institution)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(status=Status.SENT, respond_by__lt=timezone.localdate())
