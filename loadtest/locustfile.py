"""People of the four roles using Cooperation through nginx (`make loadtest`).

Each simulated person logs in with a demo account (the login form, CSRF and the
login rate limits as in production; MFA is off in the stack, as in the demo), then
works with 1–5 s between actions: home, the client list and a search, a client's
page, a note, a step in a plan, a SEPI lookup (answered by the simulator through
the Celery workers), a referral, a noticeboard sheet (PDF), the calendar.

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

import urllib3
from forms import form_on, record_write  # loadtest/forms.py, beside this file
from locust import HttpUser, between, task
from requests.adapters import HTTPAdapter

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

PASSWORD = "Wspolpraca-2026!"  # noqa: S105 - the demo's published password
SEARCHES = ["ska", "Now", "Kow", "Wi", "ew", "Zi", "an"]
CLIENT_LINK = re.compile(r'href="/clients/(\d+)/"')
PLAN_LINK = re.compile(r'href="/plans/(\d+)/"')
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
        self.username = random.choice(self.accounts)
        self.client.mount(self.host, OfficeAddress(office_of(self.username)))
        self.login()

    def login(self) -> None:
        """Log in as a person does: the form, then the post; again if it did not work."""
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
                    return
                if response.ok:
                    response.failure("login refused")

    def page(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.ok and "/accounts/login/" in response.url:
                response.failure("logged out")
                self.login()
                return ""
            return response.text if response.ok else ""

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    @task(4)
    def home(self) -> None:
        self.page("/", "home")

    @task(2)
    def calendar(self) -> None:
        self.page("/meetings/", "calendar")


class Caseworker(Person):
    abstract = True

    def client_id(self) -> int | None:
        if not self.clients:
            html = self.page("/clients/", "client list")
            self.clients = sorted({int(pk) for pk in CLIENT_LINK.findall(html)})
        return random.choice(self.clients) if self.clients else None

    @task(3)
    def client_list(self) -> None:
        html = self.page("/clients/", "client list")
        self.clients = sorted({int(pk) for pk in CLIENT_LINK.findall(html)}) or self.clients

    @task(2)
    def client_search(self) -> None:
        self.page(f"/clients/?q={random.choice(SEARCHES)}", "client search")

    @task(4)
    def client_detail(self) -> None:
        if (pk := self.client_id()) is not None:
            self.page(f"/clients/{pk}/", "client detail")

    def _post_write(self, kind: str, url: str, data: dict, name: str) -> None:
        marker = data["_marker"]
        del data["_marker"]
        data["csrfmiddlewaretoken"] = self.csrf()
        with self.client.post(
            url, data=data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            saved = response.status_code in (301, 302, 303)
            if response.status_code == 200:
                # The form again: a rule said no (no consent, a closed plan). Not a failure.
                response.success()
            record_write(kind, marker, response.status_code, "saved" if saved else "")

    @task(1)
    def add_note(self) -> None:
        if (pk := self.client_id()) is None:
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
        plans = PLAN_LINK.findall(self.page("/plans/", "plan list"))
        if not plans:
            return
        url = f"/plans/{random.choice(plans)}/steps/new/"
        form = form_on(self.page(url, "step form"), url, "title")
        if form is None:
            return
        marker = f"loadtest-{uuid.uuid4().hex}"
        data = form["fields"] | {"title": f"Krok {marker}", "_marker": marker}
        data["due_date"] = (date.today() + timedelta(days=14)).isoformat()
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
        if (pk := self.client_id()) is None:
            return
        url = f"/partners/referrals/new/{pk}/"
        form = form_on(self.page(url, "referral form"), url, "service")
        if form is None or not form["fields"].get("service"):
            return
        marker = f"loadtest-{uuid.uuid4().hex}"
        data = form["fields"] | {"needs": f"Wsparcie {marker}", "_marker": marker}
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
        boards = BOARD_LINK.findall(self.page("/joboffers/", "job offers"))
        if not boards:
            return
        html = self.page(f"/joboffers/boards/{boards[0]}/", "board")
        sheets = SHEETS_LINK.findall(html)
        if sheets:
            self.page(sheets[0].replace("&amp;", "&"), "board sheet PDF")


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
        html = self.page("/partners/referrals/", "referral list")
        found = REFERRAL_LINK.findall(html)
        if found:
            self.page(f"/partners/referrals/{random.choice(found)}/", "referral detail")

    @task(1)
    def directory(self) -> None:
        self.page("/partners/", "partner directory")
