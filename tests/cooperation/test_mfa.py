"""Two-factor authentication (allauth.mfa: authenticator app and recovery
codes), required for coordinators, administrators and superusers; login rate
limits with Polish lockout messages."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse
from django.utils.translation import gettext

from cooperation.models import AuditAction, AuditEvent, Role
from cooperation.services import membership_create

from ..factories import PASSWORD, UserFactory, member, totp_code


def _login(client, username: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": username, "password": password})


def _code_now(secret: str) -> str:
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def new_coordinator(own):
    """A coordinator who has not set up an authenticator app yet."""
    user = UserFactory(username="nowa.koordynatorka")
    membership_create(user=user, institution=own, role=Role.COORDINATOR)
    return user


def test_a_coordinator_without_an_authenticator_is_sent_to_set_one_up(
    client, new_coordinator
) -> None:
    _login(client, new_coordinator.username)
    for url in (reverse("home"), reverse("clients:list"), reverse("cooperation:audit")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    # Their account pages stay open: they can set it up, change the password, log out.
    assert client.get(reverse("mfa_index")).status_code == 200


def test_setting_up_the_authenticator_app_opens_the_application(
    client, new_coordinator, django_capture_on_commit_callbacks
) -> None:
    _login(client, new_coordinator.username)
    page = client.get(reverse("mfa_activate_totp"), follow=True)
    # allauth asks for the password again before a security change.
    assert page.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    client.post(page.redirect_chain[-1][0], {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200 and 'src="data:image/svg+xml' in page.content.decode()
    secret = client.session["mfa.totp.secret"]

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200 and gettext("Incorrect code.") in wrong.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("mfa_activate_totp"), {"code": _code_now(secret)})
    assert done.status_code == 302
    kinds = set(Authenticator.objects.filter(user=new_coordinator).values_list("type", flat=True))
    assert kinds == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    assert client.get(reverse("clients:list")).status_code == 200
    assert AuditEvent.objects.filter(actor=new_coordinator, action=AuditAction.MFA_ON).exists()


def test_a_social_worker_may_but_need_not_use_two_factor(client, owner) -> None:
    _login(client, owner.username)
    assert client.get(reverse("clients:list")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200


def test_a_superuser_without_an_authenticator_cannot_open_the_admin(client, db) -> None:
    UserFactory(username="root", is_superuser=True, is_staff=True)
    _login(client, "root")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_the_requirement_can_be_switched_off_by_setting(client, settings, new_coordinator) -> None:
    settings.MFA_REQUIRED = False
    _login(client, new_coordinator.username)
    assert client.get(reverse("clients:list")).status_code == 200


def test_login_with_an_authenticator_asks_for_the_code(client, own) -> None:
    coordinator = member(own, Role.COORDINATOR, username="koord")  # enrolled by the factory
    response = _login(client, "koord")
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302  # not logged in yet

    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert gettext("Incorrect code.") in wrong.content.decode()
    assert "_auth_user_id" not in client.session

    right = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert right.status_code == 302
    assert int(client.session["_auth_user_id"]) == coordinator.pk
    assert client.get(reverse("clients:list")).status_code == 200


def test_a_recovery_code_works_once(client, own) -> None:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    coordinator = member(own, Role.COORDINATOR, username="koord")
    codes = RecoveryCodes.activate(coordinator).get_unused_codes()
    _login(client, "koord")
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302
    client.post(reverse("account_logout"))
    _login(client, "koord")
    again = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert gettext("Incorrect code.") in again.content.decode()


def test_a_coordinator_cannot_turn_two_factor_off(client, own) -> None:
    coordinator = member(own, Role.COORDINATOR, username="koord")
    client.force_login(coordinator)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=coordinator, type=Authenticator.Type.TOTP).exists()


# --- rate limits and lockout ------------------------------------------------
def test_five_wrong_passwords_lock_the_account_with_a_polish_message(client, owner) -> None:
    for _ in range(5):
        response = _login(client, owner.username, "zle-haslo")
        assert response.status_code == 200
    locked = _login(client, owner.username)  # even the right password, for 5 minutes
    body = locked.content.decode()
    assert "_auth_user_id" not in client.session
    message = gettext(
        "Too many failed attempts to log in to this account. Wait 5 minutes and try "
        "again, or reset your password with the link below."
    )
    assert message in body and message != gettext(
        "Too many failed login attempts. Try again later."
    )
    assert "Zbyt wiele" in body or "Za dużo" in body  # the Polish catalogue has it
    event = AuditEvent.objects.get(action=AuditAction.LOCKED_OUT)
    assert event.actor == owner and "zle-haslo" not in str(event.__dict__)


def test_another_account_from_the_same_office_is_not_locked(client, owner, colleague) -> None:
    for _ in range(6):
        _login(client, owner.username, "zle-haslo")
    assert _login(client, colleague.username).status_code == 302


def test_too_many_logins_from_one_address_get_a_polish_429_page(client, settings, owner) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    for _ in range(2):
        _login(client, owner.username)
        client.post(reverse("account_logout"))
    response = _login(client, owner.username)
    assert response.status_code == 429
    body = response.content.decode()
    assert '<html lang="pl"' in body and gettext("Too many attempts") in body
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).exists()


def test_rate_limits_count_in_the_shared_cache(settings) -> None:
    # With REDIS_URL every web process counts in Redis (see test_settings for the switch).
    from django.core.cache import cache

    if settings.REDIS_URL:
        assert "RedisCache" in settings.CACHES["default"]["BACKEND"]
    cache.set("probe", 1)
    assert cache.get("probe") == 1
