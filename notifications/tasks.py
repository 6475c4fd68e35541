"""Celery tasks of the notification centre: thin wrappers calling services.

Fan-out and e-mail run after the action that caused them has committed, in a
worker: a mail server that is down delays an e-mail (retried with backoff) and
never the action. With acks_late (settings) a task a worker lost runs again;
the services make that harmless (one notice per event id, one e-mail per notice,
one e-mail per event and shared mailbox).
"""

from __future__ import annotations

import smtplib
from typing import Any

from celery import shared_task
from django.db import transaction

MAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)
# Every task that talks to the mail server: redelivered if a worker is lost, retried with
# backoff while the server fails, and (with eager tasks, the demo) run after the response.
MAIL_TASK: dict[str, Any] = {
    "acks_late": True,
    "ignore_result": True,
    "after_response": True,
    "autoretry_for": MAIL_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(acks_late=True, ignore_result=True)
def fan_out(event: dict[str, Any]) -> int:
    """Write the notices of one event; queue the e-mails of those who want them at once."""
    from cooperation.events import Event

    from .services import mailboxes_fan_out, notices_fan_out

    told = Event.from_dict(event)
    with transaction.atomic():
        to_email = notices_fan_out(event=told)
        to_mailboxes = mailboxes_fan_out(event=told)
    for notice_id in to_email:
        send_notice_email.delay(notice_id, event)
    for mailbox_email_id in to_mailboxes:
        send_mailbox_email.delay(mailbox_email_id)
    return len(to_email) + len(to_mailboxes)


@shared_task(**MAIL_TASK)
def send_notice_email(notice_id: int, event: dict[str, Any] | None = None) -> bool:
    """E-mail one notice; retried with backoff while the mail server fails. The event
    (when given) lets the kind attach its file, e.g. a meeting's calendar entry."""
    from cooperation.events import Event

    from .services import notice_email_send

    return notice_email_send(notice_id=notice_id, event=Event.from_dict(event) if event else None)


@shared_task(**MAIL_TASK)
def send_mailbox_email(mailbox_email_id: int) -> bool:
    """E-mail one shared mailbox of an event; retried with backoff while the mail
    server fails."""
    from .services import mailbox_email_send

    return mailbox_email_send(mailbox_email_id=mailbox_email_id)


@shared_task(acks_late=True, ignore_result=True)
def digests_hourly() -> int:
    """Beat, every hour: queue the digest of each person whose institution's hour is now."""
    from .services import digest_recipients

    people = digest_recipients()
    for user_id in people:
        send_digest.delay(user_id)
    return len(people)


@shared_task(**MAIL_TASK)
def send_digest(user_id: int) -> int:
    """One person's daily digest; retried with backoff while the mail server fails."""
    from .services import digest_send

    return digest_send(user_id=user_id)
