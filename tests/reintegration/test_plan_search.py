"""The plans list searches like the client list: names without diacritics, PESEL by POST."""

from __future__ import annotations

from django.urls import reverse

from ..clients.test_search import assert_no_pesel_in_addresses


def test_the_plan_list_finds_a_name_typed_without_diacritics(client, plan, owner) -> None:
    client.force_login(owner)
    page = client.post(reverse("reintegration:list"), {"q": "zolkiewska gesla"}, follow=True)
    assert list(page.context["page"]) == [plan]
    nothing = client.post(reverse("reintegration:list"), {"q": "nowak"}, follow=True)
    assert list(nothing.context["page"]) == []


def test_the_plan_list_finds_by_pesel_and_keeps_it_out_of_the_address(client, plan, owner) -> None:
    client.force_login(owner)
    response = client.post(reverse("reintegration:list"), {"q": plan.client.pesel})
    assert_no_pesel_in_addresses(response)
    page = client.get(response["Location"])
    assert list(page.context["page"]) == [plan]
    assert_no_pesel_in_addresses(page)
