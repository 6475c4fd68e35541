"""Login with allauth: username or e-mail, no sign-up, password reset, audit."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape as html_escape
from django.utils.translation import gettext

from cooperation.models import AuditAction, AuditEvent

from ..factories import PASSWORD


def test_it_logs_in_with_username_and_shows_the_home_page(client, owner) -> None:
    response = client.post(
        reverse("account_login"), {"login": "owner", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == reverse("home")
    assert "MOPS Testowo" in response.content.decode()


def test_it_logs_in_with_email(client, owner) -> None:
    response = client.post(reverse("account_login"), {"login": owner.email, "password": PASSWORD})
    assert response.status_code == 302


def test_a_wrong_password_gives_a_polish_message_and_keeps_the_login(client, owner) -> None:
    response = client.post(reverse("account_login"), {"login": "owner", "password": "nope"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "nie są poprawne" in body or "niepoprawn" in body.lower()
    assert 'value="owner"' in body


def test_logins_logouts_and_failures_are_audited(client, owner) -> None:
    client.post(reverse("account_login"), {"login": "owner", "password": "nope"})
    client.post(reverse("account_login"), {"login": "owner", "password": PASSWORD})
    client.post(reverse("account_logout"))
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == [AuditAction.LOGIN_FAILED, AuditAction.LOGIN, AuditAction.LOGOUT]


def test_there_is_no_public_sign_up(client, db) -> None:
    response = client.get(reverse("account_signup"))
    assert "rejestracja jest zamknięta" in response.content.decode()
    assert "password1" not in response.content.decode()


def test_password_reset_sends_a_link_by_email(client, owner) -> None:
    client.post(reverse("account_reset_password"), {"email": owner.email})
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_pages_require_login(client, db) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_user_without_institution_is_told_so(client, django_user_model) -> None:
    loner = django_user_model.objects.create_user("loner", password=PASSWORD)
    client.force_login(loner)
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "nie jest przypisane do żadnej instytucji" in response.content.decode()


@pytest.mark.parametrize(
    ("weak", "msgid"),
    [
        ("Krotkie-1!", "too short"),
        ("123456789012345", "This password is entirely numeric."),
        ("password12345", "This password is too common."),
    ],
)
def test_weak_passwords_are_refused_in_polish(client, owner, weak, msgid) -> None:
    from django.utils.translation import ngettext

    client.force_login(owner)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": weak, "password2": weak},
    )
    assert response.status_code == 200
    body = response.content.decode()
    if msgid == "too short":
        short = "This password is too short. It must contain at least %d character."
        expected = ngettext(short, short.replace("character.", "characters."), 12) % 12
    else:
        expected = gettext(msgid)
    assert html_escape(expected) in body and "password" not in expected  # shown, in Polish
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
