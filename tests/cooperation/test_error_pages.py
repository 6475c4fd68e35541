"""The demo (DEBUG=1) answers 403, 404 and 500 with the app's Polish pages;
Django's technical pages only for a developer who sets DEBUG_ERROR_PAGES=1."""

from __future__ import annotations

import pytest
from django.test import Client

from cooperation.models import AuditAction, AuditEvent
from tests.factories import ClientFactory

TECHNICAL = ("Using the URLconf", "Traceback", "urlpatterns", "Django tried these URL patterns")


@pytest.fixture
def demo_settings(settings):
    """What `make demo` runs with: DEBUG on, no DEBUG_ERROR_PAGES."""
    settings.DEBUG = True
    settings.DEBUG_ERROR_PAGES = False
    return settings


def _plain(body: bytes) -> str:
    text = body.decode()
    for marker in TECHNICAL:
        assert marker not in text, f"technical page leaked: {marker!r}"
    return text


def test_an_address_no_route_matches_answers_the_polish_404(demo_settings, owner) -> None:
    client = Client()
    client.force_login(owner)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = _plain(response.content)
    assert "Nie znaleziono strony" in text
    assert '<html lang="pl">' in text
    assert "Przejdź do strony głównej" in text or "strony głównej" in text


def test_a_record_whose_access_ended_answers_the_polish_404_and_is_audited(
    demo_settings, owner, foreign
) -> None:
    theirs = ClientFactory(owner=foreign)
    client = Client()
    client.force_login(owner)
    response = client.get(f"/clients/{theirs.pk}/")
    assert response.status_code == 404
    assert "Nie znaleziono strony" in _plain(response.content)
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=owner).exists()


def test_a_forbidden_page_answers_the_polish_403(demo_settings, owner) -> None:
    client = Client()
    client.force_login(owner)
    response = client.get("/people/")  # coordinators only
    assert response.status_code == 403
    assert "Brak dostępu" in _plain(response.content)


@pytest.mark.urls("tests.cooperation.errorpage_urls")
def test_a_bug_answers_the_polish_500(demo_settings, owner) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    response = client.get("/boom/")
    assert response.status_code == 500
    text = _plain(response.content)
    assert "Wystąpił błąd serwera" in text
    assert "kaboom" not in text


def test_an_address_without_its_slash_still_redirects(demo_settings, owner) -> None:
    client = Client()
    client.force_login(owner)
    response = client.get("/clients")
    assert response.status_code == 301
    assert response["Location"] == "/clients/"


def test_a_developer_asks_for_the_technical_pages(settings, owner) -> None:
    settings.DEBUG = True
    settings.DEBUG_ERROR_PAGES = True
    client = Client()
    client.force_login(owner)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Django tried these URL patterns" in response.content.decode()


@pytest.mark.urls("tests.cooperation.errorpage_urls")
def test_a_developer_sees_the_traceback_of_a_500(settings, owner) -> None:
    settings.DEBUG = True
    settings.DEBUG_ERROR_PAGES = True
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    response = client.get("/boom/", headers={"accept": "text/html"})
    assert response.status_code == 500
    assert "kaboom" in response.content.decode()
