"""Writes of the notification centre.

`notices_fan_out` turns an event into one notice per person the event's kind
names (once per event id, so a task run twice writes once) and queues the
e-mails of those who chose "at once"; `mailboxes_fan_out` does the same for
the shared mailboxes a kind names (once per event and address); `digest_send`
e-mails one person the notices they chose to get daily. E-mails say only what kind of thing happened
and link to the app: never a name, PESEL, address or need.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cooperation.events import Event
from cooperation.models import Institution, User
from cooperation.permissions import CHANGE, require

from .kinds import ATTACHMENTS, KINDS, Kind
from .models import (
    DEFAULT_DIGEST_HOUR,
    DigestSchedule,
    MailboxEmail,
    Mode,
    Notice,
    Preference,
)
from .selectors import modes_for, notice_target, still_open, unread_key

logger = logging.getLogger(__name__)


def unread_forget(user_ids: Any) -> None:
    cache.delete_many([unread_key(pk) for pk in user_ids])


# --- fan-out --------------------------------------------------------------------------
def notices_fan_out(*, event: Event) -> list[int]:
    """Write the event's notices (once per person and event id) and return the ids of
    notices still to be e-mailed at once. Unknown kinds and vanished targets are
    logged and tell nobody."""
    kind = KINDS.get(event.kind)
    if kind is None:
        logger.warning("notice kind %r is not declared; event %s ignored", event.kind, event.id)
        return []
    target = event.target()
    if target is None:
        logger.info("event %s (%s): its target is gone", event.id, event.kind)
        return []
    people = {u.pk: u for u in kind.recipients(event, target) if u.pk != event.actor_id}
    people = {pk: u for pk, u in people.items() if kind.may_see(u, target)}
    if not people:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        text = str(kind.text(event, target))[:300]
    modes = modes_for(people, kind)
    target_type = ContentType.objects.get_for_model(target)
    Notice.objects.bulk_create(
        [
            Notice(
                recipient_id=pk,
                kind=kind.name,
                event_id=event.id,
                target_type=target_type,
                target_id=target.pk,
                institution_id=event.institution_id,
                text=text,
                in_digest=modes[pk] == Mode.DIGEST,
            )
            for pk in people
        ],
        ignore_conflicts=True,
    )
    unread_forget(people)
    at_once = [pk for pk in people if modes[pk] == Mode.IMMEDIATE]
    return list(
        Notice.objects.filter(
            event_id=event.id, recipient_id__in=at_once, emailed_at__isnull=True
        ).values_list("pk", flat=True)
    )


def mailboxes_fan_out(*, event: Event) -> list[int]:
    """Write the e-mails of the event to the shared mailboxes its kind names (once per
    event and address) and return the ids of those still to be sent. An address that
    is the e-mail of someone the event's notice went to is left out: that person hears
    of it as they chose, not twice. Run after `notices_fan_out`, in its transaction."""
    kind = KINDS.get(event.kind)
    if kind is None or kind.mailboxes is None:
        return []
    target = event.target()
    if target is None:
        return []
    told = {
        e.lower()
        for e in Notice.objects.filter(event_id=event.id).values_list("recipient__email", flat=True)
        if e
    }
    addresses = {a.strip().lower() for a in kind.mailboxes(event, target) if a and a.strip()}
    addresses -= told
    if not addresses:
        return []
    path = kind.url(event, target)
    MailboxEmail.objects.bulk_create(
        [
            MailboxEmail(event_id=event.id, address=address, kind=kind.name, path=path)
            for address in sorted(addresses)
        ],
        ignore_conflicts=True,
    )
    return list(
        MailboxEmail.objects.filter(
            event_id=event.id, address__in=addresses, sent_at__isnull=True
        ).values_list("pk", flat=True)
    )


def mailbox_email_send(*, mailbox_email_id: int) -> bool:
    """E-mail one shared mailbox: the kind's subject and a link, nothing else (the same
    rule as a person's e-mail). Sent once: the row is locked while it is sent and
    stamped, so a second run (a redelivered task, two at once) finds it sent or busy
    and sends nothing. An SMTP error propagates (nothing stamped), for the task to retry.
    The lock, not a stamp claimed before sending (as `digest_send` does), because a
    worker lost mid-send rolls back and its redelivered task still sends."""
    with transaction.atomic():
        row = (
            MailboxEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=mailbox_email_id, sent_at__isnull=True)
            .first()
        )
        kind = KINDS.get(row.kind) if row is not None else None
        if row is None or kind is None:
            return False
        subject, body = mailbox_email(kind, settings.SITE_URL + row.path)
        send_mail(subject, body, None, [row.address])
        MailboxEmail.objects.filter(pk=row.pk).update(sent_at=timezone.now())
    return True


def mailbox_email(kind: Kind, link: str) -> tuple[str, str]:
    """(subject, body) of the e-mail to a shared mailbox: the kind's subject and a link."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(kind.email_subject)
        body = render_to_string(
            "notifications/email/mailbox.txt", {"subject": subject, "link": link}
        )
    return subject, body


def notice_link(notice: Notice) -> str:
    return settings.SITE_URL + reverse("notifications:open", args=[notice.pk])


def notice_email(kind: Kind, notice: Notice) -> tuple[str, str]:
    """(subject, body) of the e-mail of one notice: the kind's subject and a link. The
    notice's own text (which may name the client) never goes into an e-mail."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(kind.email_subject)
        body = render_to_string(
            "notifications/email/notice.txt", {"subject": subject, "link": notice_link(notice)}
        )
    return subject, body


def digest_email(counts: dict[str, int]) -> tuple[str, str]:
    """(subject, body) of a digest: per kind, its e-mail subject and how many; a link."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = [(str(KINDS[name].email_subject), n) for name, n in sorted(counts.items())]
        subject = _("Cooperation: your daily summary of notices")
        body = render_to_string(
            "notifications/email/digest.txt",
            {"lines": lines, "link": settings.SITE_URL + reverse("notifications:list")},
        )
    return subject, body


def notice_email_send(*, notice_id: int, event: Event | None = None) -> bool:
    """E-mail one notice to its person (the kind of thing and a link, nothing else;
    with the event, the kind's attachment if it declares one in `ATTACHMENTS`).
    Sent once: a notice already e-mailed, or one the person may no longer open, is
    skipped. An SMTP error propagates, for the task to retry."""
    notice = Notice.objects.select_related("recipient").filter(pk=notice_id).first()
    if notice is None or notice.emailed_at is not None or not notice.recipient.email:
        return False
    kind = KINDS.get(notice.kind)
    target = notice_target(notice)
    if kind is None or target is None or not kind.may_see(notice.recipient, target):
        return False
    subject, body = notice_email(kind, notice)
    message = EmailMultiAlternatives(subject, body, None, [notice.recipient.email])
    attach = ATTACHMENTS.get(kind.name)
    if attach is not None and event is not None:
        attachment = attach(event, target)
        if attachment is not None:
            message.attach(*attachment)
    message.send()
    Notice.objects.filter(pk=notice.pk).update(emailed_at=timezone.now())
    return True


# --- reading ----------------------------------------------------------------------------
def notice_mark_read(*, notice: Notice, acting_user: User) -> Notice:
    """Mark one of the person's own notices read (reading it again changes nothing)."""
    if notice.recipient_id != acting_user.pk:
        raise PermissionDenied
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
        unread_forget([acting_user.pk])
    return notice


def notices_mark_all_read(*, acting_user: User) -> int:
    """Mark every unread notice of the person read; returns how many."""
    done = Notice.objects.filter(recipient=acting_user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    unread_forget([acting_user.pk])
    return done


# --- preferences --------------------------------------------------------------------------
@transaction.atomic
def preferences_save(*, acting_user: User, modes: dict[str, str]) -> None:
    """Keep the person's choice per kind (only declared kinds, only known modes)."""
    for name, mode in modes.items():
        if name not in KINDS or mode not in Mode.values:
            raise ValidationError(_("Choose how to be told for each kind."))
    for name, mode in modes.items():
        Preference.objects.update_or_create(user=acting_user, kind=name, defaults={"mode": mode})


@transaction.atomic
def digest_hour_set(*, institution: Institution, acting_user: User, hour: int) -> DigestSchedule:
    """The institution's coordinator or administrator sets the hour of its digests."""
    require(acting_user, institution, CHANGE)
    if not 0 <= hour <= 23:
        raise ValidationError({"hour": _("Choose an hour from 0 to 23.")})
    schedule, _created = DigestSchedule.objects.update_or_create(
        institution=institution, defaults={"hour": hour}
    )
    return schedule


# --- the daily digest ---------------------------------------------------------------------
def digest_recipients(*, now: dt.datetime | None = None) -> list[int]:
    """The people whose institution's digest hour is now (Warsaw) and who have notices
    waiting for their digest."""
    hour = timezone.localtime(now).hour
    at_hour = Q(digest_schedule__hour=hour)
    if hour == DEFAULT_DIGEST_HOUR:
        at_hour |= Q(digest_schedule__isnull=True)
    institutions = Institution.objects.filter(at_hour, is_active=True).values("pk")
    return list(
        Notice.objects.filter(
            in_digest=True,
            digest_sent_at__isnull=True,
            recipient__is_active=True,
            recipient__memberships__is_active=True,
            recipient__memberships__institution__in=institutions,
        )
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )


def digest_send(*, user_id: int, now: dt.datetime | None = None) -> int:
    """E-mail the person one digest of their waiting notices, counted by kind, holding
    only what they may still open; every waiting notice is then marked sent, so a
    second run sends nothing. Returns the number of notices in the e-mail."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return 0
    # Claim the waiting notices first: of two runs at once (beat twice, a redelivered
    # task), only the one whose UPDATE took them sends them.
    stamp = now or timezone.now()
    waiting = Notice.objects.filter(recipient=user, in_digest=True, digest_sent_at__isnull=True)
    if not waiting.update(digest_sent_at=stamp):
        return 0
    due = list(Notice.objects.filter(recipient=user, in_digest=True, digest_sent_at=stamp))
    opened = still_open(user, due)
    counts: Counter[str] = Counter(n.kind for n in due if n.pk in opened)
    if counts and user.email:
        subject, body = digest_email(counts)
        try:
            send_mail(subject, body, None, [user.email])
        except Exception:
            # Give them back to the retry of this task.
            Notice.objects.filter(pk__in=[n.pk for n in due]).update(digest_sent_at=None)
            raise
    return sum(counts.values())
