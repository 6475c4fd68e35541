from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cooperation.forms import DateInput, ModelMultipleChoiceField
from cooperation.models import Institution, User
from cooperation.processing import SpecialCategoryGround
from cooperation.roles import CASEWORK_ROLES, PERSON_ROLES

from .models import (
    BASIC_AREAS,
    CLOSING_OUTCOMES,
    VOCATIONAL_AREAS,
    Area,
    NeedLevel,
    PlanStatus,
    StepStatus,
)


class PersonChoiceField(forms.ModelChoiceField):
    """A person, shown with their institution so two namesakes are told apart."""

    def label_from_instance(self, obj: User) -> str:
        where = getattr(obj, "institution_name", "")
        return f"{obj.display_name} ({where})" if where else obj.display_name


def people_in(institution_ids: Iterable[int], roles: Iterable[str]) -> QuerySet[User]:
    """Active members with one of `roles` in these institutions, annotated with where they work.

    One filter() call, so the annotation follows the same membership row.
    """
    return (
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role__in=list(roles),
            memberships__institution_id__in=list(institution_ids),
        )
        .annotate(institution_name=F("memberships__institution__name"))
        .order_by("last_name", "first_name", "pk")
    )


class PlanForm(forms.Form):
    partners = ModelMultipleChoiceField(
        label=_("Partner institutions taking part"),
        queryset=Institution.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only institutions the client is shared with, under an agreement covering joint plans."
        ),
    )
    social_worker = PersonChoiceField(
        label=_("Social worker"), queryset=User.objects.none(), required=False
    )
    client_advisor = PersonChoiceField(
        label=_("Client advisor"), queryset=User.objects.none(), required=False
    )
    coordinator = PersonChoiceField(
        label=_("Cooperation coordinator"), queryset=User.objects.none(), required=False
    )
    next_review_date = forms.DateField(label=_("Next review"), required=False, widget=DateInput())

    def __init__(
        self,
        *args: Any,
        institution_ids: Iterable[int] = (),
        partners_qs: QuerySet[Institution] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        ids = list(institution_ids)
        for name, role in PERSON_ROLES.items():
            self.fields[name].queryset = people_in(ids, [role])  # type: ignore[attr-defined]
        if partners_qs is None:
            del self.fields["partners"]
        else:
            self.fields["partners"].queryset = partners_qs  # type: ignore[attr-defined]
            if not partners_qs.exists():
                del self.fields["partners"]


class NeedsForm(forms.Form):
    """One level and one note per area, grouped basic first, then vocational."""

    special_category_ground = forms.ChoiceField(
        label=_("Ground for health and addiction data (Art. 9(2) GDPR)"),
        choices=[("", _("— not recorded —")), *SpecialCategoryGround.choices],
        required=False,
        help_text=_(
            "Health and addiction needs are special-category data: they are recorded "
            "and shared only on one of these grounds."
        ),
    )

    def __init__(self, *args: Any, needs: Iterable = (), ground: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["special_category_ground"].initial = ground
        current = {n.area: n for n in needs}
        for area in BASIC_AREAS + VOCATIONAL_AREAS:
            row = current.get(area)
            label = Area(area).label
            self.fields[f"level_{area}"] = forms.ChoiceField(
                label=capfirst(label),
                choices=NeedLevel.choices,
                initial=row.level if row else NeedLevel.NOT_ASSESSED,
            )
            self.fields[f"note_{area}"] = forms.CharField(
                label=_("Note (%(area)s)") % {"area": label},
                required=False,
                initial=row.note if row else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def groups(self) -> list[tuple[str, list[tuple[forms.BoundField, forms.BoundField]]]]:
        def pairs(areas: tuple[str, ...]) -> list[tuple[forms.BoundField, forms.BoundField]]:
            return [(self[f"level_{a}"], self[f"note_{a}"]) for a in areas]

        return [(_("Basic needs"), pairs(BASIC_AREAS)), (_("Vocational"), pairs(VOCATIONAL_AREAS))]  # type: ignore[list-item]

    def assessments(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            area: (data[f"level_{area}"], data.get(f"note_{area}", ""))
            for area in BASIC_AREAS + VOCATIONAL_AREAS
        }


class GoalForm(forms.Form):
    title = forms.CharField(
        label=_("Goal"),
        max_length=250,
        help_text=_("For example: stable housing; a job within six months."),
    )


AREA_CHOICES = [
    ("", "---------"),
    (_("Basic needs"), [(a, Area(a).label) for a in BASIC_AREAS]),
    (_("Vocational"), [(a, Area(a).label) for a in VOCATIONAL_AREAS]),
]


class StepForm(forms.Form):
    goal = forms.ModelChoiceField(label=_("Goal"), queryset=None)  # type: ignore[var-annotated]
    area = forms.ChoiceField(label=_("Area"), choices=AREA_CHOICES)
    title = forms.CharField(label=_("Step"), max_length=250)
    institution = forms.ModelChoiceField(label=_("Owned by"), queryset=Institution.objects.none())
    responsible = PersonChoiceField(
        label=_("Responsible person"),
        queryset=User.objects.none(),
        help_text=_("A person working in the institution that owns the step."),
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=StepStatus.choices)
    outcome = forms.CharField(
        label=_("Outcome"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required once the step is done or dropped."),
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required for a vocational step while a critical basic need has no step "
            "in progress or done."
        ),
    )

    def __init__(
        self,
        *args: Any,
        goals: QuerySet,
        institutions: QuerySet[Institution],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals  # type: ignore[attr-defined]
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]
        self.fields["responsible"].queryset = people_in(  # type: ignore[attr-defined]
            institutions.values_list("pk", flat=True), CASEWORK_ROLES
        )


class ReviewForm(forms.Form):
    held_on = forms.DateField(label=_("Review date"), widget=DateInput())
    progress = forms.CharField(
        label=_("Progress"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What moved since the last review, what did not, and why."),
    )
    next_review_date = forms.DateField(
        label=_("Next review"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty if no further review is planned."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"held_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ParticipantForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=Institution.objects.none(),
        help_text=_(
            "Only institutions the client is shared with, under an agreement covering joint plans."
        ),
    )

    def __init__(self, *args: Any, institutions: QuerySet[Institution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did the plan end?"),
        choices=CLOSING_OUTCOMES,
        widget=forms.RadioSelect,
        help_text=_("Counted in the cooperation's figures, without the client's name."),
    )
    note = forms.CharField(
        label=_("Why the plan is closed"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In a few words: what was achieved, what was not and why."),
    )


class PlanFilterForm(forms.Form):
    q = forms.CharField(label=_("Client's name or PESEL"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("any")), *PlanStatus.choices],
    )
    mine = forms.BooleanField(label=_("Only plans I am responsible for"), required=False)
