"""The registry of object-bearing URLs for the tenant-isolation harness.

Every URL pattern of the project that takes an argument must have a case
here; `test_isolation.py` fails for any that does not. A case builds one
object owned by the given institution (with the given owner user) and
returns the URL kwargs and the strings that must never leak to an outsider
(names, PESEL, phone...).

When an app adds a URL with an argument, add its case below, in the app's
section, using the shared factories.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cooperation.models import Institution, Role, User

from .factories import ClientFactory, member


@dataclass(frozen=True)
class Built:
    kwargs: dict[str, object]
    secrets: list[str]


@dataclass(frozen=True)
class Case:
    url_name: str
    build: Callable[[Institution, User], Built]
    methods: tuple[str, ...] = ("get", "post")


CASES: dict[str, Case] = {}


def register(url_name: str, build: Callable[[Institution, User], Built], **kw: object) -> None:
    CASES[url_name] = Case(url_name, build, **kw)  # type: ignore[arg-type]


# --- cooperation -----------------------------------------------------------
def _membership(institution: Institution, owner: User) -> Built:
    person = member(institution, Role.SOCIAL_WORKER, first_name="Zofia", last_name="Tajemnicza")
    membership = person.memberships.get(is_active=True)
    return Built({"pk": membership.pk}, ["Tajemnicza", person.email])


register("cooperation:person_edit", _membership)
register("cooperation:person_resend", _membership, methods=("post",))


# --- clients ---------------------------------------------------------------
def _client(institution: Institution, owner: User) -> Built:
    client = ClientFactory(owner=institution, created_by=owner, last_name="Utajniona")
    return Built({"pk": client.pk}, [client.last_name, client.pesel, client.phone, client.street])


register("clients:detail", _client)
