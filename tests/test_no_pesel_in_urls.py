"""No PESEL in any address the app builds or accepts.

A crawl of the demo as one user of each (institution kind, role), plus the
superuser in the admin: every link, form action, redirect and language-switch
`next` is collected, every search or filter form is submitted with a real
PESEL in its text fields, and none of those addresses may hold an 11-digit
number. A new list whose search puts the query into its address fails here.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import Resolver404, resolve

from clients.models import Client
from cooperation.models import Membership, User
from cooperation.permissions import visible

from .clients.test_search import ELEVEN_DIGITS, addresses
from .formpages import log_in
from .pageforms import PageForm, page_forms, page_links

pytestmark = pytest.mark.django_db

# Downloads (PDFs, CSV, files, calendars) hold no links and are slow to make;
# logging out would end the crawl.
SKIP_NAMES = re.compile(
    r"pdf|export|sheet|digest|print|attachment|document|material|feed|ics|access_log|logout"
)
PAGES_PER_USER = 30
VISITS_PER_SHAPE = 2  # /clients/1/ and /clients/2/ are the same page twice over
TEXT_KINDS = {"text", "search"}


def _skipped(url: str) -> bool:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return True
    return bool(SKIP_NAMES.search(match.url_name or ""))


def _shape(url: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(url).path)


class Crawl:
    def __init__(self, http, pesel: str) -> None:
        self.http, self.pesel = http, pesel
        self.leaks: list[tuple[str, str]] = []  # (where, address)
        self.pages = 0
        self.searched = 0
        self._forms_done: set[tuple[str, str]] = set()

    def note(self, where: str, address: str) -> None:
        if ELEVEN_DIGITS.search(address):
            self.leaks.append((where, address))

    def response(self, where: str, response) -> str | None:
        for hop, _status in getattr(response, "redirect_chain", []):
            self.note(f"redirect from {where}", hop)
        self.note(f"redirect from {where}", response.get("Location", ""))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return None
        html = response.content.decode()
        for address in addresses(html):
            self.note(where, address)
        return html

    def run(self, start: str) -> None:
        queue, seen, shapes = deque([start]), {start}, Counter[str]()
        while queue and self.pages < PAGES_PER_USER:
            url = queue.popleft()
            if shapes[_shape(url)] >= VISITS_PER_SHAPE:
                continue
            shapes[_shape(url)] += 1
            self.pages += 1
            html = self.response(url, self.http.get(url, follow=True))
            if html is None:
                continue
            for form in page_forms(html, f"http://testserver{url}"):
                self.search(url, form)
            for link in page_links(html, f"http://testserver{url}"):
                parts = urlsplit(link)
                local = parts.path + (f"?{parts.query}" if parts.query else "")
                if parts.netloc == "testserver" and local not in seen and not _skipped(local):
                    seen.add(local)
                    queue.append(local)

    def search(self, where: str, form: PageForm) -> None:
        """Submit a filter or search form with the PESEL in every text field."""
        texts = [f.name for f in form.fields.values() if f.kind in TEXT_KINDS]
        if not texts or not (form.method == "get" or "q" in form.fields):
            return
        key = (form.method, _shape(form.action))
        if key in self._forms_done:
            return
        self._forms_done.add(key)
        self.searched += 1
        body = form.plausible() | {name: [self.pesel] for name in texts}
        path = urlsplit(form.action).path
        if form.method == "get":
            response = self.http.get(f"{path}?{urlencode(body, doseq=True)}", follow=True)
        else:
            response = self.http.post(path, body, follow=True)
        self.response(f"{form.method.upper()} {path} from {where}", response)


def _one_user_per_kind_and_role() -> list[User]:
    chosen: dict[tuple[str, str], User] = {}
    for m in Membership.objects.filter(is_active=True).select_related("user", "institution"):
        chosen.setdefault((m.institution.kind, m.role), m.user)
    return list(chosen.values())


# Addresses are built by the same views and middleware on either database; the crawl
# (the demo seeded, then ~480 pages) runs once, on SQLite, to keep CI's time.
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the crawl runs once, in the SQLite run")
def test_no_address_in_the_demo_holds_a_pesel(client, settings) -> None:
    settings.MFA_REQUIRED = False
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    crawled = []
    for user in [*_one_user_per_kind_and_role(), User.objects.get(username="admin")]:
        pesel = (
            visible(Client, user).exclude(pesel="").values_list("pesel", flat=True).first()
            or Client.objects.exclude(pesel="").values_list("pesel", flat=True).first()
        )
        log_in(client, user)
        crawl = Crawl(client, pesel)
        crawl.run("/admin/clients/client/" if user.is_superuser else "/")
        crawled.append((user.username, crawl))
        client.logout()
    leaks = [(name, *leak) for name, crawl in crawled for leak in crawl.leaks]
    assert not leaks, "\n".join(f"{n}: {where} -> {address}" for n, where, address in leaks)
    # Not vacuous: the crawl went wide, and the PESEL searches were made.
    assert sum(c.pages for _n, c in crawled) > 150
    assert sum(c.searched for _n, c in crawled) >= 10
