"""Browsers ask for /favicon.ico on every site: it answers with the icon, and
every page links it."""

from __future__ import annotations

from django.urls import reverse


def test_favicon_ico_is_a_real_icon(client, db) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # the ICO header
    assert "max-age" in response["Cache-Control"]


def test_every_page_links_its_icon(client, owner) -> None:
    for c in (client,):
        body = c.get(reverse("account_login")).content.decode()
        assert 'rel="icon"' in body and "favicon.ico" in body
    client.force_login(owner)
    assert 'rel="icon"' in client.get(reverse("home")).content.decode()
