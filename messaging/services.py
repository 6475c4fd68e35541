"""Writes of messages, information requests and announcements. Each service asks
the policy first, audits what it changes, and tells the other side through an
event (`cooperation.events.emit`, delivered after commit; the notification centre
declares who is told in `notifications/kinds.py`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client, ClientShare
from cooperation import events
from cooperation.audit import audit
from cooperation.models import AuditAction, Institution, User
from cooperation.permissions import VIEW, membership_of, require
from cooperation.services import object_share
from cooperation.uploads import DOCUMENTS, original_filename, validate_upload

from .models import ERASED, Announcement, InformationRequest, Message, RequestStatus
from .permissions import ANSWER, ASK, MESSAGE, POST, WITHDRAW
from .selectors import announcement_partners, request_partners

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile


def _institution(user: User) -> Institution:
    return membership_of(user).institution  # type: ignore[union-attr]


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


# --- the thread about a client -------------------------------------------------------


@transaction.atomic
def message_post(*, client: Client, acting_user: User, text: str) -> Message:
    """Add a message to the client's thread, from an institution that may see the client;
    the people who work on the client in the other institutions sharing it are told."""
    require(acting_user, client, MESSAGE)
    institution = _institution(acting_user)
    message = Message(
        client=client,
        institution=institution,
        author=acting_user,
        text=_required(text, "text", _("Write the message.")),
    )
    message.full_clean()
    message.save()
    audit(actor=acting_user, action=AuditAction.CREATE, obj=message)
    events.emit(
        "messaging.message_posted",
        target=message,
        actor=acting_user,
        institution=institution,
        client=client.pk,
    )
    return message


# --- information requests ------------------------------------------------------------


@transaction.atomic
def request_send(
    *,
    client: Client,
    acting_user: User,
    asked: Institution,
    question: str,
    purpose: str,
    due_on: dt.date,
) -> InformationRequest:
    """Ask one institution that shares the client for information, by a date that is
    not in the past. The asked institution's people who work on the client are told."""
    require(acting_user, client, ASK)
    institution = _institution(acting_user)
    errors = {}
    if asked is None or not request_partners(client, institution).filter(pk=asked.pk).exists():
        errors["asked"] = _("Choose an institution that shares this client with you.")
    if due_on is None:
        errors["due_on"] = _("Give the date by which you need the answer.")
    elif due_on < timezone.localdate():
        errors["due_on"] = _("The date cannot be in the past.")
    if not (question or "").strip():
        errors["question"] = _("Say what you ask about.")
    if not (purpose or "").strip():
        errors["purpose"] = _("Say why you need it.")
    if errors:
        raise ValidationError(errors)
    request = InformationRequest(
        client=client,
        asker=institution,
        asked=asked,
        asked_by=acting_user,
        question=question.strip(),
        purpose=purpose.strip(),
        due_on=due_on,
    )
    request.full_clean()
    request.save()
    audit(actor=acting_user, action=AuditAction.CREATE, obj=request)
    events.emit(
        "messaging.request_sent",
        target=request,
        actor=acting_user,
        institution=institution,
        client=client.pk,
        due_on=due_on.isoformat(),
    )
    return request


def _locked_open(request: InformationRequest) -> InformationRequest:
    locked = InformationRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != RequestStatus.OPEN:
        raise ValidationError(_("This request is no longer open."))
    return locked


@transaction.atomic
def request_answer(
    *, request: InformationRequest, acting_user: User, answer: str
) -> InformationRequest:
    """The asked institution answers; the request is marked answered and the asker told."""
    require(acting_user, request, ANSWER)
    text = _required(answer, "answer", _("Write the answer."))
    request = _locked_open(request)
    request.status, request.answer = RequestStatus.ANSWERED, text
    request.answered_by, request.answered_at = acting_user, timezone.now()
    request.full_clean()
    request.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=request, fields=["status", "answer"])
    events.emit(
        "messaging.request_answered",
        target=request,
        actor=acting_user,
        institution=request.asked_id,
        client=request.client_id,
    )
    return request


@transaction.atomic
def request_withdraw(*, request: InformationRequest, acting_user: User) -> InformationRequest:
    """The asking institution withdraws a request it no longer needs answered."""
    require(acting_user, request, WITHDRAW)
    request = _locked_open(request)
    request.status, request.withdrawn_at = RequestStatus.WITHDRAWN, timezone.now()
    request.save(update_fields=["status", "withdrawn_at"])
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=request, fields=["status"])
    return request


def requests_run_daily(*, today: dt.date | None = None) -> dict[str, int]:
    """Tell both sides once about each open request whose date has passed, and tell the
    chosen partners about announcements whose first day has come.

    Each request is stamped when told, so a day the job did not run is caught up on
    the next (every open request past its date and not yet told, however long ago).
    Told once: the stamp is claimed by one run only (two at once: beat twice, a
    redelivered task), and the event's id is derived from the request and its date."""
    today = today or timezone.localdate()
    overdue = 0
    due = InformationRequest.objects.filter(
        status=RequestStatus.OPEN, due_on__lt=today, overdue_told_on__isnull=True
    )
    for request in due:
        with transaction.atomic():
            claimed = InformationRequest.objects.filter(
                pk=request.pk, overdue_told_on__isnull=True
            ).update(overdue_told_on=today)
            if not claimed:
                continue
            events.emit(
                "messaging.request_overdue",
                target=request,
                key=request.due_on.isoformat(),
                client=request.client_id,
                due_on=request.due_on.isoformat(),
            )
            overdue += 1
    started = 0
    for announcement in Announcement.objects.filter(told_at__isnull=True, shown_from__lte=today):
        with transaction.atomic():
            _announce(announcement, actor=None)
            started += 1
    return {"overdue": overdue, "announced": started}


# --- what other apps' changes mean here ------------------------------------------------


def requests_on_share_ended(*, share: ClientShare, acting_user: User | None, reason: str) -> None:
    """A partner that no longer sees the client leaves its open requests about them: they
    are withdrawn (audited), so neither side waits for an answer that cannot come. The
    thread needs nothing: it follows the client's visibility, and stays with the owner."""
    open_ones = InformationRequest.objects.filter(
        Q(asker=share.partner) | Q(asked=share.partner),
        client=share.client,
        status=RequestStatus.OPEN,
    )
    for request in open_ones:
        request.status, request.withdrawn_at = RequestStatus.WITHDRAWN, timezone.now()
        request.save(update_fields=["status", "withdrawn_at"])
        audit(
            actor=acting_user,
            action=AuditAction.UPDATE,
            obj=request,
            fields=["status"],
            reason=reason,
            institution=share.client.owner,
        )


def messaging_anonymise(*, client: Client, acting_user: User | None) -> None:
    """The client is anonymised: the text of the thread and of the requests goes."""
    Message.objects.filter(client=client).update(text=ERASED)
    InformationRequest.objects.filter(client=client).update(
        question=ERASED, purpose=ERASED, answer=ERASED
    )


# --- announcements across the network --------------------------------------------------


@transaction.atomic
def announcement_post(
    *,
    acting_user: User,
    title: str,
    text: str,
    shown_from: dt.date,
    shown_until: dt.date,
    recipients: Iterable[Institution],
    link: str = "",
    attachment: UploadedFile | None = None,
    for_clients: bool = False,
) -> Announcement:
    """A coordinator posts an announcement to partners it has an agreement in force with
    (all or some of them). It is shown to them, and to its own institution, from
    `shown_from` to `shown_until`; they are told when it starts."""
    require(acting_user, Announcement, POST)
    institution = _institution(acting_user)
    allowed = set(announcement_partners(institution).values_list("pk", flat=True))
    chosen = list(recipients)
    errors: dict[str, str] = {}
    if not chosen:
        errors["recipients"] = _("Choose at least one partner institution.")
    elif any(r.pk not in allowed for r in chosen):
        errors["recipients"] = _("Choose institutions you have an agreement in force with.")
    today = timezone.localdate()
    if shown_from and shown_from < today:
        errors["shown_from"] = _("The date cannot be in the past.")
    if shown_from and shown_until and shown_until < shown_from:
        errors["shown_until"] = _("The end date is before the start date.")
    if errors:
        raise ValidationError(errors)
    announcement = Announcement(
        institution=institution,
        author=acting_user,
        title=_required(title, "title", _("Give a title.")),
        text=_required(text, "text", _("Write the text.")),
        shown_from=shown_from,
        shown_until=shown_until,
        link=(link or "").strip(),
        for_clients=for_clients,
    )
    if attachment:
        validate_upload(attachment, allowed=DOCUMENTS, field="attachment")
        announcement.attachment = attachment  # type: ignore[assignment]
        announcement.attachment_name = original_filename(attachment.name or "")
    announcement.full_clean()
    announcement.save()
    announcement.recipients.set(chosen)
    audit(actor=acting_user, action=AuditAction.CREATE, obj=announcement)
    for partner in chosen:
        object_share(
            obj=announcement,
            institution=partner,
            actions=[VIEW],
            acting_user=acting_user,
            reason="announcement",
        )
    if shown_from <= today:
        _announce(announcement, actor=acting_user)
    return announcement


def _announce(announcement: Announcement, *, actor: User | None) -> None:
    Announcement.objects.filter(pk=announcement.pk).update(told_at=timezone.now())
    events.emit(
        "messaging.announcement_posted",
        target=announcement,
        actor=actor,
        institution=announcement.institution_id,
    )
