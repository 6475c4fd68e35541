"""People of the four roles using Cooperation through nginx (`make loadtest`).

Each simulated person logs in with a demo account (the login form, CSRF and the
login rate limits as in production; MFA is off in the stack, as in the demo), then
works with 1–5 s between actions: home, the client list and a search, a client's
page, a note, a step in a plan, a SEPI lookup (answered by the simulator through
the Celery workers), a referral, a noticeboard sheet (PDF), the calendar.

A person only does what the pages show them: the menu's links after logging in,
the links and forms of the page they are on (a plan's "Add a step" link only where
the policy lets them change the plan, the client's "Refer to a partner" link, the
SEPI form on the client's page). So a correct app answers every request with
success; a 403 or a 404 is a failure. A form shown again with an error (a rule said
no) is not a failure, but its error is recorded with the write.

Every write carries a unique marker and is recorded in LOADTEST_WRITES (one JSON
line: kind, marker, status), so the check afterwards can prove each saved write is
in the database once, with its audit row.
"""

from __future__ import annotations

import random
import re
import time
import uuid
from datetime import date, timedelta
from html import unescape

import urllib3
from forms import (  # loadtest/forms.py, beside this file
    fill_lazy,
    form_errors,
    form_on,
    link_by_id,
    record_timing,
    record_write,
)
from locust import HttpUser, between, events, task
from requests.adapters import HTTPAdapter

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


@events.request.add_listener
def timing(
    request_type: str,
    name: str,
    response_time: float,
    exception: Exception | None = None,
    start_time: float | None = None,
    **_: object,
) -> None:
    """Each request's start and time, for the figures outside the fault windows."""
    start = start_time if start_time is not None else time.time() - response_time / 1000
    record_timing(request_type, name, start, response_time, exception is None)


PASSWORD = "Wspolpraca-2026!"  # noqa: S105 - the demo's published password
SEARCHES = ["ska", "Now", "Kow", "Wi", "ew", "Zi", "an"]
NAV = re.compile(r"<nav\b.*?</nav>", re.S)
CLIENT_LINK = re.compile(r'href="/clients/(\d+)/"')
PLAN_LINK = re.compile(r'href="(/plans/\d+/)"')
# A client's referrals on their page: the service, the partner, the status badge.
PANEL_REFERRAL = re.compile(
    r'<li><a href="/partners/referrals/\d+/">([^<]*)</a> — ([^<\n]*)\s*'
    r'<div class="meta">[^<]*<span class="badge ?([^"]*)"'
)
CLOSED_BADGES = ("badge--ok", "badge--muted")  # completed; declined or cancelled
BOARD_LINK = re.compile(r'href="/joboffers/boards/(\d+)/"')
SHEETS_LINK = re.compile(r'href="(/joboffers/boards/\d+/sheets/[^"]*)"')
REFERRAL_LINK = re.compile(r'href="/partners/referrals/(\d+)/"')


class OfficeAddress(HTTPAdapter):
    """Connect from the office's own address (127.0.1.N): the login rate limit counts
    per address, and a county's fifty people sit in several offices, not behind one."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def office_of(username: str) -> str:
    institution = username.split(".", 1)[1]
    return f"127.0.1.{sum(institution.encode()) % 250 + 1}"


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 5)
    accounts: list[str] = []

    def on_start(self) -> None:
        self.client.verify = False  # the stack's self-signed certificate
        self.client.headers["Referer"] = self.host + "/"  # Django's CSRF check over HTTPS
        self.clients: list[int] = []
        self.menu: set[str] = set()
        self.username = random.choice(self.accounts)
        self.client.mount(self.host, OfficeAddress(office_of(self.username)))
        self.login()

    def login(self) -> None:
        """Log in as a person does: the form, then the post; again if it did not work.
        The home page it lands on gives the menu: the only places the person goes."""
        for attempt in range(5):
            if attempt:
                time.sleep(random.uniform(2, 5))
            self.client.get("/accounts/login/", name="login form")
            token = self.client.cookies.get("csrftoken", "")
            with self.client.post(
                "/accounts/login/",
                data={"login": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
                name="login",
                catch_response=True,
            ) as response:
                if response.ok and "/accounts/login/" not in response.url:
                    self.menu = menu_of(response.text) or self.menu
                    return
                if response.ok:
                    response.failure("login refused")

    def page(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.ok and "/accounts/login/" in response.url:
                response.failure("logged out")
                self.login()
                return ""
            html = response.text if response.ok else ""
        return self.lazy_parts(html, name)

    def lazy_parts(self, html: str, name: str) -> str:
        """What a browser's htmx does after the first paint: each lazy home section or
        client panel (`templates/includes/lazy.html`) is fetched from its own URL and
        put in place of its placeholder, so links inside it can be followed."""

        def load(url: str) -> str:
            with self.client.get(
                url, headers={"HX-Request": "true"}, name=f"{name}: lazy part", catch_response=True
            ) as part:
                return part.text if part.ok else ""

        return fill_lazy(html, load)

    def go(self, path: str, name: str) -> str | None:
        """A page of the menu; None (nothing done) when the person's menu has no such link."""
        return self.page(path, name) if path in self.menu else None

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    @task(4)
    def home(self) -> None:
        html = self.page("/", "home")
        self.menu = menu_of(html) or self.menu

    @task(2)
    def calendar(self) -> None:
        self.go("/meetings/", "calendar")


def menu_of(html: str) -> set[str]:
    found = NAV.search(html)
    return set(re.findall(r'href="(/[^"?#]*)"', found.group(0))) if found else set()


class Caseworker(Person):
    abstract = True

    def remember_clients(self, html: str | None) -> None:
        self.clients = sorted({int(pk) for pk in CLIENT_LINK.findall(html or "")}) or self.clients

    def client_id(self) -> int | None:
        if not self.clients:
            self.remember_clients(self.go("/clients/", "client list"))
        return random.choice(self.clients) if self.clients else None

    @task(3)
    def client_list(self) -> None:
        self.remember_clients(self.go("/clients/", "client list"))

    @task(2)
    def client_search(self) -> None:
        """The list's search form posts (a PESEL never reaches an address) and the
        results come back on the list under a token."""
        html = self.go("/clients/", "client list")
        form = form_on(html or "", "/clients/", "q")
        if form is None or "q" not in form["fields"]:
            return
        data = form["fields"] | {"q": random.choice(SEARCHES), "csrfmiddlewaretoken": self.csrf()}
        with self.client.post(
            "/clients/", data=data, name="client search", catch_response=True
        ) as response:
            if response.ok and "?search=" not in response.url:
                response.failure("the search did not come back as results")

    @task(4)
    def client_detail(self) -> None:
        if (pk := self.client_id()) is not None:
            self.page(f"/clients/{pk}/", "client detail")

    def _post_write(self, kind: str, url: str, data: dict, name: str) -> str:
        """Post a form that saves something; the page shown again when a rule said no."""
        marker = data.pop("_marker")
        data["csrfmiddlewaretoken"] = self.csrf()
        with self.client.post(
            url, data=data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            saved = response.status_code in (301, 302, 303)
            detail = "saved" if saved else ""
            if response.status_code == 200:
                # The form again: a rule said no (a closed plan, an open referral). A
                # person reads why; it is not a failed request.
                response.success()
                detail = "; ".join(form_errors(response.text)) or "form shown again"
            record_write(kind, marker, response.status_code, detail)
            return response.text if response.status_code == 200 else ""

    @task(1)
    def add_note(self) -> None:
        if (pk := self.client_id()) is None:
            return
        client_page = self.page(f"/clients/{pk}/", "client detail")
        if 'href="?tab=notes"' not in client_page:
            return
        html = self.page(f"/clients/{pk}/?tab=notes", "client notes")
        form = form_on(html, f"/clients/{pk}/notes/")
        if form is None:
            return
        marker = f"loadtest-{uuid.uuid4().hex}"
        data = form["fields"] | {"text": f"Rozmowa telefoniczna {marker}", "_marker": marker}
        data["happened_on"] = date.today().isoformat()
        self._post_write("note", f"/clients/{pk}/notes/", data, "add note")

    @task(1)
    def add_step(self) -> None:
        """The plan list, a plan, its "Add a step" link (shown only to those who may
        change the plan, and only once it has a goal), the form."""
        plans = PLAN_LINK.findall(self.go("/plans/", "plan list") or "")
        if not plans:
            return
        url = link_by_id(self.page(random.choice(plans), "plan detail"), "step-add")
        if url is None:
            return
        form = form_on(self.page(url, "step form"), url, "title")
        if form is None:
            return
        marker = f"loadtest-{uuid.uuid4().hex}"
        data = form["fields"] | {"title": f"Krok {marker}", "_marker": marker}
        data["due_date"] = (date.today() + timedelta(days=14)).isoformat()
        again = self._post_write("step", url, dict(data), "add step")
        if again and "id_justification_error" in again:
            # A vocational step while a basic need waits: the page asks why; say it.
            form = form_on(again, url, "title")
            if form is not None:
                data = form["fields"] | {
                    "justification": "Klient sam o to prosi; potrzeby podstawowe w toku.",
                    "_marker": marker,
                }
                self._post_write("step", url, data, "add step")

    @task(1)
    def sepi_lookup(self) -> None:
        if (pk := self.client_id()) is None:
            return
        html = self.page(f"/clients/{pk}/", "client detail")
        url = f"/sepi/clients/{pk}/lookup/"
        form = form_on(html, url)
        if form is None:
            return
        key = next((name for name in form["fields"] if name.endswith("request_key")), None)
        if key is None:
            return
        prefix = key.removesuffix("request_key")
        data = form["fields"] | {"csrfmiddlewaretoken": self.csrf(), f"{prefix}refresh": "on"}
        data[key] = uuid.uuid4().hex  # one per lookup, as each rendered form has its own
        with self.client.post(
            url, data=data, headers={"HX-Request": "true"}, name="SEPI lookup", catch_response=True
        ) as response:
            record_write("sepi", data[key], response.status_code)

    @task(1)
    def referral(self) -> None:
        """The client's page, its "Refer to a partner" link, a service the client
        consented to and is not already referred to (their open referrals are listed
        on their page: the app refuses a second open referral to the same service)."""
        if (pk := self.client_id()) is None:
            return
        client_page = self.page(f"/clients/{pk}/", "client detail")
        url = link_by_id(client_page, "client-refer")
        if url is None:
            return
        open_now = {
            f"{unescape(partner).strip()} — {unescape(service).strip()} ("
            for service, partner, badge in PANEL_REFERRAL.findall(client_page)
            if not any(closed in badge for closed in CLOSED_BADGES)
        }
        form = form_on(self.page(url, "referral form"), url, "service")
        if form is None or "service" not in form["options"]:
            return
        labels = form["labels"]["service"]
        free = [
            value
            for value in form["options"]["service"]
            if value and not any(labels.get(value, "").startswith(o) for o in open_now)
        ]
        if not free:
            return  # every service already has an open referral for this client
        marker = f"loadtest-{uuid.uuid4().hex}"
        data = form["fields"] | {
            "service": random.choice(free),
            "needs": f"Wsparcie {marker}",
            "_marker": marker,
        }
        self._post_write("referral", url, data, "referral")


class SocialWorker(Caseworker):
    weight = 4
    accounts = [
        "worker.mops-skarzysko",
        "worker.gops-suchedniow",
        "worker.pcpr-skarzysko",
        "worker.mops-ostrowiec",
    ]

    @task(1)
    def board_sheet(self) -> None:
        html = self.go("/joboffers/", "job offers") or ""
        if 'id="sheets-link"' not in html:
            # The menu's link lands on the person's own board when there is one (the
            # app redirects); otherwise they pick a board from the list.
            boards = BOARD_LINK.findall(html)
            if not boards:
                return
            html = self.page(f"/joboffers/boards/{boards[0]}/", "board")
        sheets = SHEETS_LINK.findall(html)
        if sheets:
            self.page(unescape(sheets[0]), "board sheet PDF")


class ClientAdvisor(Caseworker):
    weight = 2
    accounts = ["advisor.pup-skarzysko", "advisor.pup-ostrowiec"]


class Coordinator(Caseworker):
    weight = 2
    accounts = [
        "coordinator.mops-skarzysko",
        "coordinator.pcpr-skarzysko",
        "coordinator.pup-skarzysko",
        "coordinator.mops-ostrowiec",
        "coordinator.pup-ostrowiec",
    ]


class NgoStaff(Person):
    weight = 2
    accounts = ["staff.ngo-skarzysko", "staff.cis-skarzysko", "staff.ngo-ostrowiec"]

    @task(3)
    def referrals(self) -> None:
        html = self.go("/partners/referrals/", "referral list")
        found = REFERRAL_LINK.findall(html or "")
        if found:
            self.page(f"/partners/referrals/{random.choice(found)}/", "referral detail")

    @task(1)
    def directory(self) -> None:
        self.go("/partners/", "partner directory")
