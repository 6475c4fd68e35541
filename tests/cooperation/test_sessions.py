"""Sessions end after 30 idle minutes and 12 hours in all; password change logs out everywhere."""

from __future__ import annotations

import time

from django.test import Client as HttpClient
from django.urls import reverse

from ..factories import PASSWORD


def _age(client, *, idle: int = 0, total: int = 0) -> None:
    session = client.session
    now = int(time.time())
    session["last_seen"] = now - idle
    session["started_at"] = now - total
    session.save()


def test_an_idle_session_is_logged_out_with_a_message(client, owner, settings) -> None:
    client.force_login(owner)
    assert client.get(reverse("home")).status_code == 200
    _age(client, idle=settings.SESSION_IDLE_SECONDS + 5)
    response = client.get(reverse("clients:list"), follow=True)
    assert response.request["PATH_INFO"] == reverse("account_login")
    assert "bezczynności" in response.content.decode()


def test_a_session_ends_after_twelve_hours_even_when_active(client, owner, settings) -> None:
    client.force_login(owner)
    client.get(reverse("home"))
    _age(client, idle=10, total=settings.SESSION_MAX_SECONDS + 1)
    assert client.get(reverse("home")).status_code == 302


def test_keepalive_refreshes_the_idle_clock(client, owner, settings) -> None:
    client.force_login(owner)
    client.get(reverse("home"))
    _age(client, idle=settings.SESSION_IDLE_SECONDS - 30)
    assert client.post(reverse("session_keepalive")).status_code == 204
    assert client.get(reverse("home")).status_code == 200


def test_the_page_carries_the_idle_warning(client, owner) -> None:
    client.force_login(owner)
    body = client.get(reverse("home")).content.decode()
    assert 'id="session-warning"' in body and "js/session.js" in body


def test_a_password_change_logs_out_other_sessions(client, owner) -> None:
    other = HttpClient()
    other.force_login(owner)
    client.force_login(owner)
    new = "Zupelnie-nowe-haslo-2026!"
    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    owner.refresh_from_db()
    assert owner.check_password(new)
    assert other.get(reverse("home")).status_code == 302


def test_expired_sessions_are_deleted_every_night(client, owner, settings) -> None:
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.test import Client
    from django.utils import timezone

    from cooperation.tasks import clear_expired_sessions

    client.force_login(owner)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    Client().force_login(owner)  # another browser: a live session, which stays
    assert Session.objects.count() == 2
    clear_expired_sessions.delay()
    assert Session.objects.count() == 1
    assert Session.objects.get().expire_date > timezone.now()
    entry = settings.CELERY_BEAT_SCHEDULE["sessions-clear-expired"]
    assert entry["task"] == "cooperation.tasks.clear_expired_sessions"
