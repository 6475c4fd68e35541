from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SelfAssessment, Topic

SCORES = [("", _("— choose —")), *((str(n), str(n)) for n in range(1, 6))]


class ReportDraftForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]


class AssessmentForm(forms.Form):
    """A score 1–5 and a comment per topic, then what worked and what to change."""

    what_worked = forms.CharField(
        label=_("What worked"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    what_to_change = forms.CharField(
        label=_("What to change"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args: Any, instance: SelfAssessment | None = None, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        if instance is not None:
            initial |= {
                "what_worked": instance.what_worked,
                "what_to_change": instance.what_to_change,
            }
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = {}
        for topic, label in Topic.choices:
            answer = (instance.answers.get(topic) or {}) if instance else {}
            fields[f"score_{topic}"] = forms.TypedChoiceField(
                label=_("Score: %(topic)s (1 – poor, 5 – very good)") % {"topic": label},
                choices=SCORES,
                coerce=int,
                initial=answer.get("score"),
            )
            fields[f"comment_{topic}"] = forms.CharField(
                label=_("Comment: %(topic)s") % {"topic": label},
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=answer.get("comment", ""),
            )
        self.fields = {**fields, **self.fields}

    def answers(self) -> dict[str, dict[str, object]]:
        data = self.cleaned_data
        return {
            t: {"score": data[f"score_{t}"], "comment": data[f"comment_{t}"]} for t in Topic.values
        }
