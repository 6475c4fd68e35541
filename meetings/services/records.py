"""What a meeting leaves behind: attendance, minutes with decisions and action items, shared files."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client
from cooperation import events
from cooperation.audit import audit
from cooperation.models import AuditAction, Membership, User
from cooperation.permissions import CHANGE, require
from cooperation.uploads import OFFICE_FILES, original_filename, validate_upload

from ..models import (
    ActionItem,
    ActionStatus,
    Attendance,
    Decision,
    Event,
    EventKind,
    Material,
    Minutes,
    Occurrence,
    Response,
)
from ..permissions import CASE_DETAILS, ORGANISE
from .common import (
    MATERIAL_MAX_MB,
    RECORDS_OPEN_BEFORE,
    ActionItemData,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

# --- attendance, minutes, action items ----------------------------------------------


def _require_records_open(occurrence: Occurrence) -> None:
    if occurrence.cancelled:
        raise ValidationError(_("This date is cancelled."))
    if timezone.now() < occurrence.starts_at - RECORDS_OPEN_BEFORE:
        raise ValidationError(
            _("Attendance and minutes can be recorded from an hour before the start.")
        )


@transaction.atomic
def attendance_record(*, occurrence: Occurrence, acting_user: User, present: Iterable[int]) -> int:
    """Record who of the invited came (everyone else: absent). Returns how many came."""
    require(acting_user, occurrence.event, ORGANISE)
    event = occurrence.event
    _require_records_open(occurrence)
    present = set(present)
    invitees = {i.user_id: i for i in event.invitees.exclude(response=Response.DECLINED)}
    recorded = {a.user_id: a for a in occurrence.attendance.all()}
    people = {**{u: i.institution_id for u, i in invitees.items()}}
    people |= {u: a.institution_id for u, a in recorded.items()}
    unknown = present - set(people)
    if unknown:
        raise ValidationError(_("Only invited people can be marked present."))
    for user_id, institution_id in people.items():
        Attendance.objects.update_or_create(
            occurrence=occurrence,
            user_id=user_id,
            defaults={
                "present": user_id in present,
                "institution_id": institution_id,
                "recorded_by": acting_user,
            },
        )
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=occurrence, fields=["attendance"])
    return len(present)


def _participant_institutions(event: Event) -> set[int]:
    return set(event.institution_links.values_list("institution_id", flat=True))


@transaction.atomic
def minutes_save(
    *,
    occurrence: Occurrence,
    acting_user: User,
    notes: str,
    decisions: Sequence[str],
    action_items: Sequence[ActionItemData],
) -> Minutes:
    """Write or rewrite the minutes of one date: notes, decisions in order, action items.

    Guarantees: every action item's owner works at a participating
    institution, which becomes the item's institution; an item left out is
    removed; an item's done date is kept while it stays done; new owners are
    e-mailed.
    """
    require(acting_user, occurrence.event, ORGANISE)
    event = occurrence.event
    _require_records_open(occurrence)
    participating = _participant_institutions(event)
    owners = {
        m.user_id: m.institution_id
        for m in Membership.objects.filter(user__in=[a.owner for a in action_items], is_active=True)
    }
    errors = []
    for index, item in enumerate(action_items, start=1):
        if owners.get(item.owner.pk) not in participating:
            errors.append(
                _("Action item %(n)s: its owner must work at an institution taking part.")
                % {"n": index}
            )
        if item.due_date < timezone.localtime(occurrence.starts_at).date():
            errors.append(
                _("Action item %(n)s: the due date is before the meeting.") % {"n": index}
            )
        if item.status not in ActionStatus.values:
            errors.append(_("Action item %(n)s: unknown status.") % {"n": index})
        if not item.description.strip():
            errors.append(_("Action item %(n)s: say what is to be done.") % {"n": index})
    if errors:
        raise ValidationError({"action_items": errors})
    minutes, created = Minutes.objects.get_or_create(
        occurrence=occurrence, defaults={"written_by": acting_user, "notes": notes.strip()}
    )
    if not created:
        minutes.notes = notes.strip()
        minutes.save(update_fields=["notes", "updated_at"])
    minutes.decisions.all().delete()
    Decision.objects.bulk_create(
        [
            Decision(minutes=minutes, text=text.strip(), position=n)
            for n, text in enumerate(decisions)
            if text.strip()
        ]
    )
    new_items = _save_action_items(minutes, action_items, owners)
    audit(
        actor=acting_user,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=minutes,
        fields=["notes", "decisions", "action_items"],
    )
    for given in new_items:
        if given.owner_id != acting_user.pk:
            events.emit("meetings.action_item", target=given, actor=acting_user)
    return minutes


def _save_action_items(
    minutes: Minutes, items: Sequence[ActionItemData], owners: dict[int, int]
) -> list[ActionItem]:
    existing = {i.pk: i for i in minutes.action_items.all()}
    kept, new = [], []  # type: ignore[var-annotated]
    now = timezone.now()
    for position, data in enumerate(items):
        item = existing.get(data.pk) if data.pk else None
        if data.pk and item is None:
            raise ValidationError(
                {"action_items": [_("This action item is not in these minutes.")]}
            )
        item = item or ActionItem(minutes=minutes)
        item.description = data.description.strip()
        item.owner = data.owner
        item.institution_id = owners[data.owner.pk]
        item.due_date = data.due_date
        if data.status == ActionStatus.DONE and item.status != ActionStatus.DONE:
            item.done_at = now
        elif data.status != ActionStatus.DONE:
            item.done_at = None
        item.status = data.status
        item.position = position
        item.full_clean(exclude=["minutes"])
        (kept if item.pk else new).append(item)
    minutes.action_items.exclude(pk__in=[i.pk for i in kept]).delete()
    for item in kept:
        item.save()
    return ActionItem.objects.bulk_create(new)


@transaction.atomic
def action_item_set_status(*, item: ActionItem, acting_user: User, status: str) -> ActionItem:
    """The owner (or the organiser) moves an action item on; done ones leave the home page."""
    require(acting_user, item, CHANGE)
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == item.status:
        return item
    item.status = status
    item.done_at = timezone.now() if status == ActionStatus.DONE else None
    item.save(update_fields=["status", "done_at"])
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=item, fields=["status"])
    return item


# --- materials -----------------------------------------------------------------------


@transaction.atomic
def material_add(*, event: Event, acting_user: User, title: str, file: UploadedFile) -> Material:
    """A participant shares a file with the other participants: a PDF, office
    document or image by its content, stored under a random name."""
    require(acting_user, event, CASE_DETAILS)
    validate_upload(file, allowed=OFFICE_FILES, max_mb=MATERIAL_MAX_MB, field="file")
    filename = original_filename(file.name)  # type: ignore[arg-type]
    material = Material(
        event=event,
        title=title.strip() or filename,
        file=file,
        filename=filename,
        uploaded_by=acting_user,
    )
    material.full_clean()
    material.save()
    audit(actor=acting_user, action=AuditAction.CREATE, obj=material)
    return material


@transaction.atomic
def material_remove(*, material: Material, acting_user: User) -> None:
    require(acting_user, material, CHANGE)
    audit(actor=acting_user, action=AuditAction.DELETE, obj=material)
    material.file.delete(save=False)
    material.delete()


# --- anonymisation of a client -------------------------------------------------------


def case_conferences_anonymise(*, client: Client, acting_user: User) -> int:
    """When a client is anonymised, erase the free text of the case conferences
    about them: titles, agendas, minutes' notes and decisions, action items'
    descriptions, and the files. Dates, institutions and attendance stay as the
    record that the conference took place. Runs inside the anonymisation's
    transaction. Returns how many conferences were erased."""
    conferences = list(Event.objects.filter(client=client))
    erased = _("(erased: the client was anonymised)")
    for event in conferences:
        event.title = str(EventKind.CASE_CONFERENCE.label).capitalize()
        event.agenda = ""
        event.save(update_fields=["title", "agenda", "updated_at"])
        minutes = Minutes.objects.filter(occurrence__event=event)
        minutes.update(notes="")
        Decision.objects.filter(minutes__in=minutes).update(text=erased)
        ActionItem.objects.filter(minutes__in=minutes).update(description=erased)
        for material in event.materials.all():
            material.file.delete(save=False)
            material.delete()
        audit(
            actor=acting_user,
            action=AuditAction.UPDATE,
            obj=event,
            fields=["title", "agenda", "minutes", "materials"],
            reason="client anonymised",
        )
    return len(conferences)
