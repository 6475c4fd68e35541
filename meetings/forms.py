from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cooperation.forms import DateInput, DateRangeFilterForm, ModelMultipleChoiceField
from cooperation.models import Institution, Membership

from . import recurrence
from .models import ActionStatus, EventKind, Response, Room
from .services import ActionItemData, EventData


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class GroupedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes grouped by institution, each group a fieldset with its legend."""

    template_name = "meetings/widgets/grouped_checkboxes.html"


def grouped_people(memberships: Iterable[Membership]) -> list[tuple[str, list[tuple[int, str]]]]:
    groups: dict[str, list[tuple[int, str]]] = {}
    for m in memberships:
        groups.setdefault(m.institution.name, []).append(
            (m.user_id, f"{m.user.display_name} — {m.get_role_display()}")
        )
    return list(groups.items())


def _people_by_id(memberships: Iterable[Membership]) -> dict[int, object]:
    return {m.user_id: m.user for m in memberships}


class StartEndForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput())
    confirm_overlap = forms.BooleanField(
        label=_("The room is booked then — book it anyway"), required=False
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")  # type: ignore[union-attr]
        if start and end and end <= start:
            self.add_error("ends_at", _("The end is before the start."))
        return data  # type: ignore[return-value]


class EventForm(StartEndForm):
    SECTIONS = [
        (_("What"), ["kind", "title", "client", "agenda", "capacity"]),
        (_("When"), ["starts_at", "ends_at", "repeat", "repeat_until", "repeat_count", "rrule"]),
        (_("Where"), ["room", "location", "online_url", "confirm_overlap"]),
        (_("Who"), ["institutions", "people"]),
    ]

    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_(
            "For a case conference do not put the client's name here: it is shown to every participant."
        ),
    )
    client = forms.ModelChoiceField(  # type: ignore[var-annotated]
        label=_("Client (case conference)"),
        queryset=None,
        required=False,
        help_text=_(
            "Only for a case conference. Only people who may see the client see their name."
        ),
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    capacity = forms.IntegerField(
        label=_("Places (trainings)"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("When all places are taken, people who accept go on a waiting list."),
    )
    repeat = forms.ChoiceField(
        label=_("Repeats"), choices=recurrence.Repeat.choices, required=False
    )
    repeat_until = forms.DateField(label=_("Repeat until"), required=False, widget=DateInput())
    repeat_count = forms.IntegerField(
        label=_("Or: number of dates"),
        required=False,
        min_value=2,
        max_value=recurrence.MAX_OCCURRENCES,
    )
    rrule = forms.CharField(
        label=_("Custom rule (RRULE)"),
        required=False,
        max_length=300,
        help_text=_("Only for a custom rule, in iCalendar form, e.g. FREQ=MONTHLY;BYDAY=1TU."),
    )
    room = forms.ModelChoiceField(
        label=_("Room"),
        queryset=Room.objects.none(),
        required=False,
        empty_label=_("— not in one of our rooms —"),
    )
    location = forms.CharField(
        label=_("Place"),
        max_length=250,
        required=False,
        help_text=_("Address or room, if not one of ours."),
    )
    online_url = forms.URLField(
        label=_("Online meeting link"), max_length=500, required=False, assume_scheme="https"
    )
    institutions = ModelMultipleChoiceField(
        label=_("Invited institutions"),
        queryset=Institution.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Institutions with an agreement in force with yours. Their coordinators get the invitation."
        ),
    )
    people = forms.TypedMultipleChoiceField(
        label=_("Invite people by name"),
        coerce=int,
        required=False,
        widget=GroupedCheckboxes,
    )
    field_order = [name for _legend, names in SECTIONS for name in names]

    def __init__(
        self,
        *args: Any,
        institution: Institution,
        partners,
        people,
        clients,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institutions"].queryset = partners  # type: ignore[attr-defined]
        self.fields["client"].queryset = clients  # type: ignore[attr-defined]
        self.fields["client"].label_from_instance = lambda c: (  # type: ignore[attr-defined]
            f"{c.full_name} ({c.masked_pesel or c.pk})"
        )
        self.fields["room"].queryset = Room.objects.filter(institution=institution)  # type: ignore[attr-defined]
        members = list(people)
        self.fields["people"].choices = grouped_people(members)  # type: ignore[attr-defined]
        self._people = _people_by_id(members)
        if editing:
            self.fields["kind"].disabled = True
            self.fields["people"].label = _("Invite more people by name")

    def fieldsets(self):
        for legend, names in self.SECTIONS:
            yield legend, [self[name] for name in names if name in self.fields]

    def clean(self) -> dict:
        data = super().clean()
        start = data.get("starts_at")
        until = data.get("repeat_until")
        repeat = data.get("repeat") or ""
        if start and until and until < start.date():
            self.add_error("repeat_until", _("The series ends before it starts."))
        if repeat == recurrence.Repeat.CUSTOM and not data.get("rrule"):
            self.add_error("rrule", _("Give the rule, or choose another way of repeating."))
        if start and not self.errors:
            try:
                data["rule"] = recurrence.build_rrule(
                    repeat,
                    start,
                    until=until,
                    count=data.get("repeat_count"),
                    custom=data.get("rrule", ""),
                )
            except ValidationError as exc:
                raise exc from None
        return data

    def event_data(self) -> EventData:
        d = self.cleaned_data
        return EventData(
            kind=d["kind"],
            title=d["title"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            rrule=d.get("rule", ""),
            room=d.get("room"),
            location=d.get("location", ""),
            online_url=d.get("online_url", ""),
            agenda=d.get("agenda", ""),
            capacity=d.get("capacity"),
            client=d.get("client"),
        )

    def chosen_people(self) -> list:
        return [self._people[pk] for pk in self.cleaned_data.get("people", [])]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the invited)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RespondForm(forms.Form):
    response = forms.ChoiceField(
        choices=[(r, r) for r in (Response.ACCEPTED, Response.MAYBE, Response.DECLINED)]
    )


class AttendanceForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label=_("Present"), coerce=int, required=False, widget=GroupedCheckboxes
    )

    def __init__(self, *args: Any, people, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups: dict[str, list[tuple[int, str]]] = {}
        for user, institution, answer in people:
            groups.setdefault(institution.name, []).append(
                (user.pk, f"{user.display_name} ({answer})")
            )
        self.fields["present"].choices = list(groups.items())  # type: ignore[attr-defined]


class MinutesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What was discussed. Decisions and action items go below."),
    )


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=_("Decision"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ActionItemForm(forms.Form):
    item_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(
        label=_("What is to be done"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    due_date = forms.DateField(label=_("Due"), required=False, widget=DateInput())
    status = forms.ChoiceField(
        label=_("Status"), choices=ActionStatus.choices, initial=ActionStatus.OPEN
    )

    def __init__(self, *args: Any, owners=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—"), *owners]  # type: ignore[attr-defined]

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("description", "").strip():  # type: ignore[union-attr]
            return data  # type: ignore[return-value] # an empty row is ignored (or, with an id, removes the item)
        if data.get("owner") is None:  # type: ignore[union-attr]
            self.add_error("owner", _("Choose who does it."))
        if data.get("due_date") is None:  # type: ignore[union-attr]
            self.add_error("due_date", _("Give a due date."))
        return data  # type: ignore[return-value]


DecisionFormSet = forms.formset_factory(DecisionForm, extra=2)
ActionItemFormSet = forms.formset_factory(ActionItemForm, extra=2)


def action_items_from(formset, people: dict[int, object]) -> list[ActionItemData]:
    items = []
    for form in formset:
        d = form.cleaned_data
        if not d or not d.get("description", "").strip():
            continue
        items.append(
            ActionItemData(
                description=d["description"],
                owner=people[d["owner"]],  # type: ignore[arg-type]
                due_date=d["due_date"],
                status=d["status"],
                pk=d.get("item_id"),
            )
        )
    return items


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, office documents (ODF, DOCX, XLSX, PPTX) or images, up to 20 MB."),
    )


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)


class CalendarFilterForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=Institution.objects.none(),
        required=False,
        empty_label=_("all"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("all")), *EventKind.choices], required=False
    )

    def __init__(self, *args: Any, institutions=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]


class AgendaFilterForm(CalendarFilterForm, DateRangeFilterForm):
    """The agenda's filters; an upside-down date range is refused next to the end field."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    field_order = ["date_from", "date_to", "institution", "kind"]


def default_agenda_range(today: dt.date) -> tuple[dt.date, dt.date]:
    return today, today + dt.timedelta(days=90)
