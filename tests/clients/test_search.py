"""Client search: names regardless of case and diacritics; a PESEL never in an address."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from clients.models import Client
from clients.names import fold
from clients.selectors import client_search
from clients.services import client_anonymise_expired, client_close, client_update
from cooperation.searches import PARAM

from ..factories import ClientFactory

ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
# Attributes whose value is an address, plus the language switch's `next`.
URL_ATTRS = re.compile(
    r'(?:href|src|action|formaction|hx-get|hx-post)="([^"]*)"|name="next"[^>]*value="([^"]*)"'
)


def addresses(html: str) -> list[str]:
    return [a or b for a, b in URL_ATTRS.findall(html)]


def assert_no_pesel_in_addresses(response) -> None:
    location = response.get("Location", "")
    assert not ELEVEN_DIGITS.search(location), location
    if "html" in response.get("Content-Type", ""):
        leaks = [a for a in addresses(response.content.decode()) if ELEVEN_DIGITS.search(a)]
        assert not leaks, leaks


def names_on(response) -> str:
    return response.content.decode()


def test_fold_lowercases_and_drops_polish_diacritics_including_the_stroke() -> None:
    assert fold("ŚWIĄTKOWSKA Łucja Żółć Ńę") == "swiatkowska lucja zolc ne"


@pytest.mark.parametrize("query", ["świątkowska", "Swiatkowska", "SWIATKOWSKA", "świą", "lucja"])
def test_names_are_found_regardless_of_case_and_diacritics(own, query) -> None:
    wanted = ClientFactory(owner=own, first_name="Łucja", last_name="Świątkowska")
    ClientFactory(owner=own, first_name="Anna", last_name="Nowak")
    assert list(client_search(Client.objects.all(), query)) == [wanted]


def test_every_word_must_match_the_first_or_the_last_name(own) -> None:
    wanted = ClientFactory(owner=own, first_name="Łucja", last_name="Świątkowska")
    ClientFactory(owner=own, first_name="Anna", last_name="Świątkowska")
    assert list(client_search(Client.objects.all(), "swiatkowska LUCJA")) == [wanted]


def test_the_folded_name_follows_an_edit(own, owner) -> None:
    from clients.forms import CLIENT_FIELDS

    c = ClientFactory(owner=own, created_by=owner, first_name="Anna", last_name="Nowak")
    data = {f: getattr(c, f) for f in CLIENT_FIELDS} | {"last_name": "Żółkiewska"}
    client_update(client=c, acting_user=owner, data=data)
    assert list(client_search(Client.objects.all(), "zolkiewska")) == [c]
    assert not client_search(Client.objects.all(), "nowak").exists()


def test_an_anonymised_client_is_no_longer_found_by_the_old_name(own, owner) -> None:
    c = ClientFactory(owner=own, first_name="Łucja", last_name="Świątkowska")
    client_close(client=c, acting_user=owner, closed_on=dt.date(2000, 1, 1))
    client_anonymise_expired(client=c, today=dt.date(2100, 1, 1))
    assert not client_search(Client.objects.all(), "swiatkowska").exists()
    assert Client.objects.get(pk=c.pk).search_name == f"klient #{c.pk} zanonimizowany"


def test_the_list_page_finds_a_name_typed_without_diacritics(client, own, owner) -> None:
    ClientFactory(owner=own, first_name="Łucja", last_name="Świątkowska")
    ClientFactory(owner=own, last_name="Abacka")
    client.force_login(owner)
    page = client.post(reverse("clients:list"), {"q": "swiatkowska"}, follow=True)
    assert "Świątkowska" in names_on(page) and "Abacka" not in names_on(page)


def test_a_pesel_search_posts_and_no_address_on_the_results_holds_the_pesel(
    client, own, owner
) -> None:
    wanted = ClientFactory(owner=own, last_name="Abacka")
    ClientFactory(owner=own, last_name="Bobrowska")
    client.force_login(owner)
    response = client.post(reverse("clients:list"), {"q": wanted.pesel})
    assert response.status_code == 302
    assert_no_pesel_in_addresses(response)
    assert f"?{PARAM}=" in response["Location"]
    page = client.get(response["Location"])
    assert "Abacka" in names_on(page) and "Bobrowska" not in names_on(page)
    assert_no_pesel_in_addresses(page)


def test_a_pesel_search_paginates_without_the_pesel_in_the_links(
    client, own, owner, settings
) -> None:
    settings.PAGE_SIZE = 2
    born = dt.date(1975, 3, 14)
    same_day = [ClientFactory(owner=own, birth_date=born, last_name=f"Dzień{n}") for n in range(3)]
    ClientFactory(owner=own, last_name="Inna")
    client.force_login(owner)
    # The first six digits (the birth date) are a prefix all three share.
    results = client.post(reverse("clients:list"), {"q": same_day[0].pesel[:6]}, follow=True)
    next_link = re.search(r'href="([^"]*)" rel="next"', names_on(results))
    assert next_link and PARAM in next_link.group(1)
    second = client.get(reverse("clients:list") + next_link.group(1).replace("&amp;", "&"))
    shown = {c.last_name for c in [*results.context["page"], *second.context["page"]]}
    assert shown == {c.last_name for c in same_day}
    results = client.post(reverse("clients:list"), {"q": same_day[0].pesel}, follow=True)
    assert [c.pk for c in results.context["page"]] == [same_day[0].pk]
    assert_no_pesel_in_addresses(results)


def test_the_search_survives_a_language_switch(client, own, owner) -> None:
    wanted = ClientFactory(owner=own, last_name="Abacka")
    ClientFactory(owner=own, last_name="Bobrowska")
    client.force_login(owner)
    results = client.post(reverse("clients:list"), {"q": wanted.pesel}, follow=True)
    next_url = re.search(r'name="next" type="hidden" value="([^"]*)"', names_on(results))
    assert next_url and not ELEVEN_DIGITS.search(next_url.group(1))
    switched = client.post(
        reverse("set_language"),
        {"language": "en", "next": next_url.group(1).replace("&amp;", "&")},
        follow=True,
    )
    assert "Abacka" in names_on(switched) and "Bobrowska" not in names_on(switched)
    assert switched.context["page"].object_list[0] == wanted


def test_a_get_with_a_pesel_goes_to_a_clean_address_and_keeps_the_search(
    client, own, owner
) -> None:
    wanted = ClientFactory(owner=own, last_name="Abacka")
    ClientFactory(owner=own, last_name="Bobrowska")
    client.force_login(owner)
    response = client.get(reverse("clients:list"), {"q": wanted.pesel, "status": "active"})
    assert response.status_code == 302
    assert_no_pesel_in_addresses(response)
    assert "status=active" in response["Location"]
    page = client.get(response["Location"])
    assert [c.pk for c in page.context["page"]] == [wanted.pk]


def test_a_pesel_in_a_next_parameter_is_not_reflected(client, own) -> None:
    pesel = ClientFactory(owner=own).pesel
    response = client.get(reverse("account_login"), {"next": f"/clients/?q={pesel}"})
    assert response.status_code == 302
    assert_no_pesel_in_addresses(response)


def test_an_unknown_search_token_shows_the_unfiltered_list(client, own, owner) -> None:
    ClientFactory(owner=own, last_name="Abacka")
    client.force_login(owner)
    page = client.get(reverse("clients:list"), {PARAM: "expired"})
    assert page.status_code == 200 and "Abacka" in names_on(page)


def test_a_pesel_search_on_the_offers_page_posts(client, own, owner) -> None:
    wanted = ClientFactory(owner=own, last_name="Abacka")
    ClientFactory(owner=own, last_name="Bobrowska")
    client.force_login(owner)
    response = client.post(reverse("joboffers:client_search"), {"q": wanted.pesel})
    assert_no_pesel_in_addresses(response)
    page = client.get(response["Location"])
    assert "Abacka" in names_on(page) and "Bobrowska" not in names_on(page)


def test_the_admin_searches_by_pesel_without_keeping_it_in_its_links(
    client, own, admin_user
) -> None:
    wanted = ClientFactory(owner=own, last_name="Świątkowska")
    ClientFactory(owner=own, last_name="Bobrowska")
    client.force_login(admin_user)
    url = reverse("admin:clients_client_changelist")
    response = client.get(url, {"q": wanted.pesel})
    assert response.status_code == 302
    assert_no_pesel_in_addresses(response)
    page = client.get(response["Location"])
    assert list(page.context["cl"].result_list) == [wanted]
    assert_no_pesel_in_addresses(page)
    by_name = client.get(url, {"q": "swiatkowska"})
    assert list(by_name.context["cl"].result_list) == [wanted]


@pytest.mark.parametrize("query", ["nowak", "now", "no", "anna nowak"])
def test_a_name_search_lists_in_name_order_however_it_is_planned(own, owner, query) -> None:
    """Searches of three letters and more sort an expression (so PostgreSQL takes the
    trigram index's matches, not the name index's order): the order is the same."""
    from clients.selectors import client_list_rows

    made = [
        ClientFactory(owner=own, first_name=first, last_name=last)
        for first, last in [("Zofia", "Nowak"), ("Anna", "Nowakowska"), ("Anna", "Nowak")]
    ]
    made.append(ClientFactory(owner=own, first_name="Anna", last_name="Nowak"))
    page = client_list_rows(owner, query=query)
    expected = sorted(
        (c for c in made if all(w in fold(f"{c.first_name} {c.last_name}") for w in query.split())),
        key=lambda c: (c.last_name, c.first_name, c.pk),
    )
    assert page.count() == len(expected)
    assert list(page[0:10]) == expected
