"""Tenant isolation, for every object-bearing URL of the project.

For each URL pattern that takes an argument, an object is built in one
institution; a user of another county's institution and a user of a
same-county institution that has been granted nothing both get 404 or 403,
and none of the object's personal data appears in the response.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cooperation.models import Institution, Role, User

from .factories import member
from .isolation import CASES

# Third-party URL trees with their own access rules: allauth's key-bearing
# links (password reset) and the Django admin (staff only, scoped by
# InstitutionScopedAdmin, tested in tests/cooperation/test_admin.py).
EXEMPT_NAMESPACES = {"admin"}
EXEMPT_NAMES = {"account_reset_password_from_key", "account_confirm_email", "set_language"}


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            full_ns = f"{namespace}:{ns}".strip(":") if ns else namespace
            if ns in EXEMPT_NAMESPACES:
                continue
            yield from _walk(p.url_patterns, prefix + str(p.pattern), full_ns)
        elif isinstance(p, URLPattern):
            yield (f"{namespace}:{p.name}" if namespace else p.name), prefix + str(p.pattern)


def object_url_names() -> list[str]:
    names = []
    for name, route in _walk(get_resolver().url_patterns):
        if name in EXEMPT_NAMES or not ("<" in route or "(?P<" in route):
            continue
        names.append(name)
    return sorted(set(names))


def test_every_object_url_has_an_isolation_case() -> None:
    missing = [n for n in object_url_names() if n not in CASES]
    assert not missing, f"Register these URLs in tests/isolation.py: {missing}"


def test_the_harness_sees_the_known_object_urls() -> None:
    # Guards the URL walk itself: if it found nothing, the check above would pass vacuously.
    assert {"clients:detail", "cooperation:person_edit"} <= set(object_url_names())


def _intruders(foreign: Institution, partner: Institution) -> dict[str, User]:
    # A coordinator passes every role gate, so only the object check stands in the way.
    return {
        "other_county": member(foreign, Role.COORDINATOR),
        "same_county_unshared": member(partner, Role.COORDINATOR),
    }


# One test per URL (CI time): the object is built once, both intruders (another
# county's coordinator, and a same-county one granted nothing) are refused it
# without a trace of its data, and then the owner institution can open it, so the
# refusals mean isolation, not a broken URL. The owner goes last: intruders'
# requests change nothing (test_isolation_writes.py), an owner's POST might.
@pytest.mark.parametrize("url_name", sorted(CASES))
def test_outsiders_get_no_object_and_no_data_the_owner_does(  # type: ignore[no-untyped-def]
    client, url_name, own, owner, partner, foreign
) -> None:
    case = CASES[url_name]
    built = case.build(own, owner)
    url = reverse(url_name, kwargs=built.kwargs)
    for kind, intruder in _intruders(foreign, partner).items():
        client.force_login(intruder)
        for method in case.methods:
            response = getattr(client, method)(url)
            assert response.status_code in case.outsider_statuses, (
                f"{kind}: {method.upper()} {url} gave {response.status_code}"
            )
            body = (b"".join(response) if response.streaming else response.content).decode(
                errors="replace"
            )
            leaked = [s for s in built.secrets if s and s in body]
            assert not leaked, f"{kind}: {method.upper()} {url} leaked {leaked}"

    # Each case builds a reachable object, so the 404s above mean isolation, not a broken URL.
    client.force_login(built.viewer or member(own, Role.COORDINATOR))
    response = getattr(client, case.methods[0])(url)
    assert response.status_code in (200, 302)
    if case.outsider_statuses == (200,):
        body = response.content.decode(errors="replace")
        assert all(s in body for s in built.secrets), (
            "the owner's export must contain what the outsider's lacks"
        )


def test_every_client_panel_is_refused_to_outsiders(client, own, owner, partner, foreign) -> None:
    """Each panel of the client page loads from its own URL (lazy panels through htmx):
    an intruder gets 404 and none of the client's data for every one of them, with the
    htmx header or without; the owner's coordinator gets each."""
    from clients.panels import ClientPanel
    from cooperation import hooks

    from .isolation import _client

    panels: list[ClientPanel] = hooks.get_hooks("client_panels")
    assert any(p.lazy for p in panels)
    built = _client(own, owner)
    urls = [reverse("clients:panel", args=[built.kwargs["pk"], p.key]) for p in panels]
    for kind, intruder in _intruders(foreign, partner).items():
        client.force_login(intruder)
        for url in urls:
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(url, headers=headers)
                assert response.status_code == 404, f"{kind}: {url} {headers}"
                leaked = [s for s in built.secrets if s in response.content.decode()]
                assert not leaked, f"{kind}: {url} leaked {leaked}"
    client.force_login(member(own, Role.COORDINATOR))
    for url in urls:
        assert client.get(url).status_code == 200, url
