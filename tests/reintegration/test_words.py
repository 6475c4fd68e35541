"""Plan pages say what is known and name institutions, not their codes."""

from __future__ import annotations

import re

from django.urls import reverse


def _selected(body: str, name: str) -> str | None:
    select = re.search(rf'<select name="{name}".*?</select>', body, re.S)
    assert select, name
    chosen = re.search(r'<option value="(\d*)" selected>', select.group(0))
    return chosen.group(1) if chosen else None


def test_the_social_worker_creating_a_plan_is_its_social_worker(
    client, shared_client, owner
) -> None:
    client.force_login(owner)
    body = client.get(reverse("reintegration:create", args=[shared_client.pk])).content.decode()
    assert _selected(body, "social_worker") == str(owner.pk)
    assert not _selected(body, "client_advisor")


def test_the_people_on_a_plan_are_shown_with_their_institutions_name(
    client, shared_client, owner, own
) -> None:
    client.force_login(owner)
    body = client.get(reverse("reintegration:create", args=[shared_client.pk])).content.decode()
    assert f"({own.name})" in body
    assert f"({own.short_name})" not in body


def test_a_needs_note_is_labelled_once_without_a_double_colon(client, plan, owner) -> None:
    client.force_login(owner)
    body = client.get(reverse("reintegration:needs", args=[plan.pk])).content.decode()
    assert "Notatka (mieszkanie)" in body
    assert "Notatka: " not in body


def test_the_plan_and_its_list_name_institutions_not_their_codes(client, plan, owner, own) -> None:
    client.force_login(owner)
    pages = ("reintegration:detail", "reintegration:history")
    for url in [*(reverse(p, args=[plan.pk]) for p in pages), reverse("reintegration:list")]:
        body = client.get(url).content.decode()
        assert own.name in body
        assert not re.search(rf"(?<![\w/-]){re.escape(own.short_name)}(?![\w-])", body), url
