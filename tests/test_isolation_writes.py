"""An outsider's filled-in POST changes nothing.

test_isolation.py sends an empty POST to every object URL. Here the outsider
sends what the owner's own page sends — its form, read from the page the owner
sees (tests/formpages.py), filled with plausible values, a file where it takes
one — and every row of the project's tables must be as it was. The audit log is
left out: it records the refusal.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from cooperation.models import AuditEvent, Institution, Role, User

from .factories import member
from .formpages import HOSTS, NO_FORM, SCENARIOS, Found, build_page, make_cast, read_page
from .isolation import CASES
from .snapshots import diff, table_rows

# Pages without a form (a PDF, a detail page) get only the empty POST of test_isolation.py.
POST_URLS = sorted(n for n, case in CASES.items() if "post" in case.methods and n not in NO_FORM)


def _owners_forms(client, url_name: str, cast, own: Institution, owner: User) -> list[Found]:
    """The forms submitting to `url_name` on the first page that shows one to
    `own`'s people: its own page, or the page HOSTS names for it."""
    pages = [s for s in SCENARIOS if s.url_name == url_name or s.id == HOSTS.get(url_name)]
    for scenario in pages:
        # A page that shows no such form is undone before the next is built.
        savepoint = transaction.savepoint()
        fresh = Institution.objects.get(pk=own.pk)  # a builder may change its kind
        page = build_page(scenario, fresh, User.objects.get(pk=owner.pk))
        for who in scenario.users:
            found = read_page(client, page, cast, (who,)).found
            if mine := [f for f in found if f.target == url_name and not f.link]:
                transaction.savepoint_commit(savepoint)
                return mine
        transaction.savepoint_rollback(savepoint)
    return []


def _filled_in(found: Found) -> dict[str, list]:
    body: dict[str, list] = dict(found.form.plausible())
    for name, field in found.form.fields.items():
        if field.kind == "file":
            body[name] = [SimpleUploadedFile("skan.pdf", b"%PDF-1.4 obcy plik")]
    return body


@pytest.mark.parametrize("url_name", POST_URLS)
def test_an_outsiders_filled_in_post_changes_nothing(
    client, url_name, own, owner, partner, foreign
) -> None:
    cast = make_cast(own, owner, partner)
    forms = _owners_forms(client, url_name, cast, own, owner)
    assert forms, f"no page shows the owner a form for {url_name}: see tests/formpages.py"
    # A coordinator passes every role gate, so only the object check stands in the way.
    intruders = {
        "other_county": member(foreign, Role.COORDINATOR),
        "same_county_unshared": member(partner, Role.COORDINATOR),
    }
    for label, intruder in intruders.items():
        for found in forms:
            client.force_login(intruder)
            before = table_rows(exclude=[AuditEvent])
            response = client.post(found.form.action, _filled_in(found))
            where = f"POST {found.form.action} by the {label} intruder"
            assert response.status_code in CASES[url_name].outsider_statuses, (
                f"{where} gave {response.status_code}"
            )
            changed = diff(before, table_rows(exclude=[AuditEvent]))
            assert not changed, f"{where} changed {changed}"


def test_the_owners_filled_in_post_does_change_something(client, own, owner, partner) -> None:
    # Guards the check above: the same body from the owner's side is a real write.
    cast = make_cast(own, owner, partner)
    (found,) = _owners_forms(client, "clients:note_add", cast, own, owner)
    client.force_login(owner)
    before = table_rows(exclude=[AuditEvent])
    body = {**_filled_in(found), "text": ["Notatka właściciela"]}
    assert client.post(found.form.action, body).status_code == 302
    assert "clients.CaseNote" in diff(before, table_rows(exclude=[AuditEvent]))
