"""Celery tasks of the tenancy core: thin wrappers that take ids."""

from __future__ import annotations

from celery import shared_task

from .models import User


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def send_invitation(user_id: int, inviter_id: int) -> None:
    """Send the set-password e-mail; retried with backoff if the mail server is down."""
    from .services import invitation_send

    invitation_send(
        user=User.objects.get(pk=user_id),
        inviter=User.objects.get(pk=inviter_id),
    )


@shared_task
def clear_expired_sessions() -> None:
    """Delete expired sessions every night: each row names a user and an IP trail."""
    from django.core.management import call_command

    call_command("clearsessions")


@shared_task(ignore_result=True, expires=50)
def beat_heartbeat() -> None:
    """Every minute from beat: its time in the cache, read by /health/ (cooperation.health)."""
    from .health import heartbeat_record

    heartbeat_record()
