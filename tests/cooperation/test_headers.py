"""Security headers on every page: CSP without inline code, framing denied, referrer policy."""

from __future__ import annotations

from django.urls import reverse


def test_pages_send_a_strict_content_security_policy(client, owner) -> None:
    client.force_login(owner)
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_page_template_carries_inline_scripts_or_styles() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        if "pdf" in path.parts:
            continue  # PDFs are rendered by WeasyPrint, not by a browser
        text = path.read_text(encoding="utf-8")
        if (
            'style="' in text
            or "<style" in text
            or ("<script" in text and "src=" not in text.split("<script", 1)[1].split(">", 1)[0])
        ):
            offenders.append(str(path.relative_to(root)))
    assert not offenders, offenders


def test_the_ui_is_polish_even_for_an_english_browser(client, owner) -> None:
    client.force_login(owner)
    body = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="pl"' in body and "Wyloguj się" in body


def test_english_is_shown_when_chosen_with_the_switcher(client, owner) -> None:
    client.force_login(owner)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert 'lang="en"' in body and "Log out" in body
