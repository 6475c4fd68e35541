from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS, Kind
from .models import Mode, Notice


class NoticeFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        label=_("Unread only"), method="filter_unread", widget=forms.CheckboxInput
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=[], empty_label=_("all kinds"))

    class Meta:
        model = Notice
        fields = ["unread", "kind"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["kind"].extra["choices"] = [(k.name, k.label) for k in KINDS.values()]

    def filter_unread(self, queryset: Any, name: str, value: bool) -> Any:
        return queryset.filter(read_at__isnull=True) if value else queryset


class PreferencesForm(forms.Form):
    """One choice of mode per kind that can reach the person (every declared kind by
    default); the field's name is the kind's."""

    def __init__(
        self,
        *args: Any,
        initial_modes: dict[str, str],
        kinds: Iterable[Kind] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for kind in KINDS.values() if kinds is None else kinds:
            name = kind.name
            self.fields[name] = forms.ChoiceField(
                label=str(kind.label),
                choices=Mode.choices,
                initial=initial_modes.get(name, kind.default_mode),
                widget=forms.RadioSelect,
            )


class DigestHourForm(forms.Form):
    hour = forms.TypedChoiceField(
        label=_("Daily digest is sent at"),
        choices=[(h, f"{h:02d}:00") for h in range(24)],
        coerce=int,
    )
