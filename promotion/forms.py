from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import (
    ActionKind,
    CaseOutcome,
    Programme,
    ProgrammeOutcome,
    PromotionCase,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["kind", "institution_name", "started_on", "note"]
        widgets = {"started_on": DATE, "note": forms.Textarea(attrs={"rows": 3})}


class ProgrammeFinishForm(forms.Form):
    outcome = forms.ChoiceField(
        label=capfirst(_("outcome")),
        choices=[
            (ProgrammeOutcome.COMPLETED, ProgrammeOutcome.COMPLETED.label),
            (ProgrammeOutcome.BROKEN_OFF, ProgrammeOutcome.BROKEN_OFF.label),
        ],
    )
    ended_on = forms.DateField(
        label=capfirst(_("ended on")), widget=DATE, initial=timezone.localdate
    )


class ProposeForm(forms.ModelForm):
    target = forms.ModelChoiceField(label=capfirst(_("labour office")), queryset=None)  # type: ignore[var-annotated]

    class Meta:
        model = PromotionCase
        fields = [
            "skills",
            "availability",
            "constraints",
            "preferred_work",
            "long_term_unemployed",
            "disability",
            "single_parent",
            "over_50",
            "under_30",
        ]
        widgets = {
            f: forms.Textarea(attrs={"rows": 3})
            for f in ("skills", "availability", "constraints", "preferred_work")
        }

    def __init__(self, *args: Any, offices: object, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = offices  # type: ignore[attr-defined]
        self.order_fields(["target"])


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label=capfirst(_("action")), choices=ActionKind.choices)
    happened_on = forms.DateField(
        label=capfirst(_("date")), widget=DATE, initial=timezone.localdate
    )
    offer = forms.ModelChoiceField(label=capfirst(_("job offer")), queryset=None, required=False)  # type: ignore[var-annotated]
    note = forms.CharField(
        label=capfirst(_("note")),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, offers: object, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offers  # type: ignore[attr-defined]


class CloseForm(forms.Form):
    # No outcome is chosen for the advisor: a preselected one gets saved unread.
    outcome = forms.ChoiceField(
        label=capfirst(_("outcome")), choices=[("", "---------"), *CaseOutcome.choices]
    )
    note = forms.CharField(
        label=capfirst(_("note")),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
