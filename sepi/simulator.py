"""The SEPI simulator: made-up but consistent labour-office data about a person,
served over HTTP with the same contract as our SEPI adapter expects.

Data are derived from the PESEL alone (a hash), so the demo and the tests
are repeatable: about 15% of people are unknown to the office, the others
have registration periods (as unemployed or as job seekers) with the action
plans, contacts, benefits, activation, job proposals and health insurance
that go with them. A person's history is a fixed timeline in absolute dates;
a lookup on a given day shows what had happened by then, so the same person
looked up before and after a deregistration date shows the change.

Faults, to see how the app copes (`FAULTS`):

- per request, by header `X-Sepi-Simulator-Fault: <fault>`;
- per person, by the PESEL's serial digits (positions 7–9): 990 latency,
  991 error, 992 timeout, 993 malformed, 994 schema;
- globally, by `POST /control {"fault": "error", "count": 3}` (the next three
  requests; without `count` until switched off with `{"fault": null}`).

`POST /control` also sets `latency_ms`, `timeout_seconds` and `today` (the
simulator's clock, ISO date) or `{"reset": true}`; `GET /control` shows the
state and how many status requests were served.

Run it with `manage.py sepi_simulator --port 8765`; tests start it in a thread
on a free port with `start()`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import random
import ssl
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

from cooperation.validators import pesel_decode

from .types import (
    SCHEMA,
    ActivationKind,
    ActivationOutcome,
    BenefitKind,
    ContactKind,
    DeregistrationReason,
    LabourStatus,
    ProposalAnswer,
    RegistrationKind,
)

logger = logging.getLogger(__name__)

STATUS_PATH = "/api/v1/status"
CONTROL_PATH = "/control"
FAULT_HEADER = "X-Sepi-Simulator-Fault"
FAULTS = ("latency", "error", "timeout", "malformed", "schema")
PESEL_FAULTS = {
    "990": "latency",
    "991": "error",
    "992": "timeout",
    "993": "malformed",
    "994": "schema",
}
OFFICE = "Powiatowy Urząd Pracy (symulator SEPI)"
WARSAW = ZoneInfo("Europe/Warsaw")

# A person's life is cut into cycles of four years, each generated from
# (PESEL, cycle number) only, so adding days never rewrites the past.
CYCLE_DAYS = 1461
EPOCH = dt.date(2000, 1, 1)
HISTORY_YEARS = 12
PROFILES_FROM, PROFILES_UNTIL = dt.date(2014, 5, 27), dt.date(2019, 6, 1)

TRAININGS = [
    ("Operator wózków jezdniowych z egzaminem UDT", "Ośrodek Szkolenia Zawodowego"),
    ("Kurs obsługi kas fiskalnych", "Centrum Kształcenia Ustawicznego"),
    ("Opiekun osoby starszej", "Fundacja Edukacji Społecznej"),
    ("Spawanie metodą MAG", "Zakład Doskonalenia Zawodowego"),
    ("Kompetencje cyfrowe", "Centrum Kształcenia Ustawicznego"),
]
EMPLOYERS = [
    "Przedsiębiorstwo Handlowe „Świt” sp. z o.o.",
    "Zakład Usług Komunalnych",
    "Piekarnia „Kłos”",
    "Hurtownia Budowlana „Murator”",
    "Dom Pomocy Społecznej",
    "Urząd Gminy",
]
POSITIONS = ["sprzedawca", "magazynier", "pomoc kuchenna", "pracownik gospodarczy", "opiekunka"]


# --- the data -----------------------------------------------------------------


def _rng(pesel: str, *parts: object) -> random.Random:
    digest = hashlib.sha256(":".join([pesel, *map(str, parts)]).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _d(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


@dataclass
class _Period:
    kind: RegistrationKind
    start: dt.date
    end: dt.date  # day of deregistration (planned; hidden until it has passed)
    reason: DeregistrationReason
    contacts: list[tuple[dt.date, ContactKind]] = field(default_factory=list)
    ipd: dt.date | None = None
    benefits: list[tuple[BenefitKind, dt.date, dt.date, str]] = field(default_factory=list)
    activations: list[tuple[ActivationKind, str, str, dt.date, dt.date, ActivationOutcome]] = field(
        default_factory=list
    )
    proposals: list[tuple[dt.date, str, str, ProposalAnswer, dt.date]] = field(default_factory=list)
    profile: str = ""


def is_known(pesel: str) -> bool:
    """About 15% of people have never been registered at the office."""
    return _rng(pesel, "known").random() >= 0.15


def _age_at(pesel: str, day: dt.date) -> int:
    birth = pesel_decode(pesel).birth_date
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _fill(pesel: str, period: _Period, rng: random.Random) -> None:
    """Everything that happened during one registration period."""
    start, end = period.start, period.end
    day = _d(start, rng.randint(3, 20))
    while day < end:
        period.contacts.append((day, rng.choice(list(ContactKind))))
        day = _d(day, rng.randint(25, 70))
    if period.kind == RegistrationKind.JOB_SEEKER:
        return
    # An IPD is prepared for people registered over 120 days or under 30 (2025 act).
    ipd = _d(start, rng.randint(14, 60) if _age_at(pesel, start) < 30 else 120 + rng.randint(0, 14))
    period.ipd = ipd if ipd < end else None
    if rng.random() < 0.55:
        b_from = _d(start, 7)
        period.benefits.append(
            (
                BenefitKind.UNEMPLOYMENT_BENEFIT,
                b_from,
                min(_d(b_from, rng.choice([180, 365])), end),
                "1662.20",
            )
        )
    cursor = _d(start, rng.randint(30, 90))
    for _ in range(rng.randint(0, 2)):
        if cursor >= _d(end, -2):
            break
        kind = rng.choice(list(ActivationKind))
        length = rng.randint(20, 90) if kind == ActivationKind.TRAINING else rng.randint(90, 180)
        a_end = _d(cursor, length)
        if kind == ActivationKind.TRAINING:
            name, provider = rng.choice(TRAININGS)
        else:
            name, provider = rng.choice(POSITIONS), rng.choice(EMPLOYERS)
        outcome = ActivationOutcome.COMPLETED
        if a_end >= end:  # deregistered before the end: cut short
            a_end, outcome = _d(end, -1), ActivationOutcome.INTERRUPTED
        elif rng.random() < 0.15:
            a_end, outcome = _d(cursor, length // 2), ActivationOutcome.INTERRUPTED
        period.activations.append((kind, name, provider, cursor, a_end, outcome))
        stipend = {
            ActivationKind.TRAINING: BenefitKind.TRAINING_STIPEND,
            ActivationKind.INTERNSHIP: BenefitKind.INTERNSHIP_STIPEND,
        }.get(kind)
        if stipend:
            amount = "1990.00" if stipend == BenefitKind.INTERNSHIP_STIPEND else "1994.40"
            period.benefits.append((stipend, cursor, a_end, amount))
        cursor = _d(a_end, rng.randint(20, 120))
    for _ in range(rng.randint(0, 3)):
        proposed = _d(start, rng.randint(10, max(11, (end - start).days - 5)))
        if proposed >= end:
            continue
        answer = rng.choices(
            [ProposalAnswer.ACCEPTED, ProposalAnswer.REFUSED, ProposalAnswer.NO_ANSWER], [3, 2, 1]
        )[0]
        period.proposals.append(
            (
                proposed,
                rng.choice(POSITIONS),
                rng.choice(EMPLOYERS),
                answer,
                _d(proposed, rng.randint(2, 12)),
            )
        )
    period.proposals.sort()
    if period.reason == DeregistrationReason.EMPLOYMENT and rng.random() < 0.5:
        period.benefits.append(
            (BenefitKind.ACTIVATION_ALLOWANCE, end, _d(end, rng.randint(90, 180)), "831.10")
        )
    if start < PROFILES_UNTIL and end > PROFILES_FROM:
        period.profile = rng.choice(["I", "II", "II", "III"])


def _cycle(pesel: str, k: int) -> list[_Period]:
    rng = _rng(pesel, "cycle", k)
    offset = _rng(pesel, "offset").randrange(CYCLE_DAYS)
    cycle_start = _d(EPOCH, offset + k * CYCLE_DAYS)
    cycle_end = _d(cycle_start, CYCLE_DAYS - 20)
    periods: list[_Period] = []
    if rng.random() < 0.15:
        return periods  # a quiet four years
    cursor = _d(cycle_start, rng.randint(0, 240))
    for _ in range(rng.choice([1, 2, 2])):
        length = rng.choice([rng.randint(60, 300), rng.randint(300, 700), rng.randint(700, 1000)])
        end = min(_d(cursor, length), cycle_end)
        if (end - cursor).days < 45:
            break
        period = _Period(
            kind=RegistrationKind.JOB_SEEKER
            if rng.random() < 0.15
            else RegistrationKind.UNEMPLOYED,
            start=cursor,
            end=end,
            reason=rng.choices(list(DeregistrationReason), [45, 10, 15, 10, 15, 5])[0],
        )
        _fill(pesel, period, rng)
        periods.append(period)
        cursor = _d(end, rng.randint(30, 400))
    return periods


def _periods(pesel: str, today: dt.date) -> list[_Period]:
    offset = _rng(pesel, "offset").randrange(CYCLE_DAYS)
    last = ((today - EPOCH).days - offset) // CYCLE_DAYS
    horizon = today.replace(year=today.year - HISTORY_YEARS, day=min(today.day, 28))
    first = ((horizon - EPOCH).days - offset) // CYCLE_DAYS
    periods = [p for k in range(first, last + 1) for p in _cycle(pesel, k)]
    return [p for p in periods if horizon <= p.start <= today]


def _until(day: dt.date, today: dt.date) -> str | None:
    """A date in the future is not known yet: the range is shown as ongoing."""
    return day.isoformat() if day <= today else None


def _status(periods: list[_Period], today: dt.date) -> tuple[LabourStatus, dt.date | None]:
    current = next((p for p in periods if p.start <= today < p.end), None)
    if current is None:
        ended = [p.end for p in periods if p.end <= today]
        return LabourStatus.NOT_REGISTERED, max(ended) if ended else None
    if current.kind == RegistrationKind.JOB_SEEKER:
        return LabourStatus.JOB_SEEKER, current.start
    window = _d(today, -730)
    days = sum(
        (min(p.end, today) - max(p.start, window)).days
        for p in periods
        if p.kind == RegistrationKind.UNEMPLOYED and p.end > window and p.start <= today
    )
    status = LabourStatus.LONG_TERM_UNEMPLOYED if days > 365 else LabourStatus.UNEMPLOYED
    return status, current.start


def _next_review(ipd: dt.date, end: dt.date, today: dt.date) -> str | None:
    review = _d(ipd, 180)
    while review <= today:
        review = _d(review, 180)
    return review.isoformat() if review < end else None


def person_status(pesel: str, *, today: dt.date, at: dt.datetime | None = None) -> dict[str, Any]:
    """The `sepi-status/1` answer about one person, as it would be on `today`."""
    as_of = (at or dt.datetime.combine(today, dt.time(12, 0), tzinfo=WARSAW)).isoformat()
    base: dict[str, Any] = {"schema": SCHEMA, "pesel": pesel, "as_of": as_of}
    if not is_known(pesel):
        return {**base, "found": False}
    periods = _periods(pesel, today)
    status, since = _status(periods, today)
    contacts = [c for p in periods for c in p.contacts if c[0] <= today]
    profile = next((p for p in reversed(periods) if p.profile), None)
    return {
        **base,
        "found": True,
        "office": OFFICE,
        "status": {"code": str(status), "since": since.isoformat() if since else None},
        "registrations": [
            {
                "kind": str(p.kind),
                "from": p.start.isoformat(),
                "to": _until(p.end, today),
                "deregistration_reason": str(p.reason) if p.end <= today else None,
            }
            for p in periods
        ],
        "action_plans": [
            {
                "prepared_on": p.ipd.isoformat(),
                "next_review_on": _next_review(p.ipd, p.end, today) if p.end > today else None,
                "ended_on": _until(p.end, today),
            }
            for p in periods
            if p.ipd and p.ipd <= today
        ],
        "last_contact": {"date": contacts[-1][0].isoformat(), "kind": str(contacts[-1][1])}
        if contacts
        else None,
        "benefits": [
            {
                "kind": str(kind),
                "from": start.isoformat(),
                "to": _until(end, today),
                "monthly_amount": amount,
            }
            for p in periods
            for kind, start, end, amount in p.benefits
            if start <= today
        ],
        "activations": [
            {
                "kind": str(kind),
                "name": name,
                "provider": provider,
                "from": start.isoformat(),
                "to": _until(end, today),
                "outcome": str(outcome if end <= today else ActivationOutcome.ONGOING),
            }
            for p in periods
            for kind, name, provider, start, end, outcome in p.activations
            if start <= today
        ],
        "job_proposals": [
            {
                "proposed_on": proposed.isoformat(),
                "position": position,
                "employer": employer,
                "answer": str(answer if answered <= today else ProposalAnswer.PENDING),
                "answered_on": _until(answered, today),
            }
            for p in periods
            for proposed, position, employer, answer, answered in p.proposals
            if proposed <= today
        ],
        "health_insurance": [
            {"from": p.start.isoformat(), "to": _until(p.end, today)}
            for p in periods
            if p.kind == RegistrationKind.UNEMPLOYED
        ],
        "help_profile": {
            "profile": profile.profile,
            "assigned_on": _d(max(profile.start, PROFILES_FROM), 30).isoformat(),
        }
        if profile and _d(max(profile.start, PROFILES_FROM), 30) < PROFILES_UNTIL
        else None,
    }


def status_changes_on(pesel: str, *, between: tuple[dt.date, dt.date]) -> list[dt.date]:
    """Days in [from, to] on which this person's registration starts or ends (for tests and the demo)."""
    start, end = between
    if not is_known(pesel):
        return []
    days = {d for p in _periods(pesel, end) for d in (p.start, p.end)}
    return sorted(d for d in days if start <= d <= end)


def pesel_fault(pesel: str) -> str | None:
    return PESEL_FAULTS.get(pesel[6:9]) if len(pesel) == 11 else None


def answer(pesel: str, *, today: dt.date, fault: str | None = None) -> tuple[int, bytes]:
    """Status code and body of an answer, with `error`, `malformed` and `schema` faults
    applied (`latency` and `timeout` are about time: the caller waits)."""
    if fault == "error":
        return 500, json.dumps({"error": "internal_error"}).encode()
    body = person_status(pesel, today=today)
    if fault == "malformed":
        return 200, json.dumps(body).encode()[:37]  # cut off mid-answer
    if fault == "schema":
        # Valid JSON, wrong shape: mistyped fields.
        body["found"], body["status"] = "tak", 7
        return 200, json.dumps(body).encode()
    return 200, json.dumps(body, ensure_ascii=False).encode()


# --- the server ---------------------------------------------------------------


@dataclass
class SimulatorState:
    fault: str | None = None
    fault_count: int | None = None  # None: every request while `fault` is set
    latency_ms: int = 0
    timeout_seconds: float = 30.0
    today: dt.date | None = None
    served: int = 0  # status requests answered (after the PESEL and purpose checks)
    received: int = 0  # every status request, refused ones included
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take_fault(self) -> str | None:
        with self.lock:
            fault = self.fault
            if fault and self.fault_count is not None:
                self.fault_count -= 1
                if self.fault_count <= 0:
                    self.fault, self.fault_count = None, None
            return fault

    def clock(self) -> dt.date:
        return self.today or dt.datetime.now(WARSAW).date()

    def as_dict(self) -> dict[str, Any]:
        with self.lock:
            return {
                "fault": self.fault,
                "count": self.fault_count,
                "latency_ms": self.latency_ms,
                "timeout_seconds": self.timeout_seconds,
                "today": self.today.isoformat() if self.today else None,
                "served": self.served,
                "received": self.received,
            }

    def configure(self, data: dict[str, Any]) -> None:
        with self.lock:
            if data.get("reset"):
                self.fault, self.fault_count, self.latency_ms = None, None, 0
                self.timeout_seconds, self.today, self.served = 30.0, None, 0
                self.received = 0
                self.requests.clear()
            if "fault" in data:
                fault = data["fault"]
                if fault is not None and fault not in FAULTS:
                    raise ValueError(f"fault must be one of {FAULTS} or null")
                self.fault, self.fault_count = fault, data.get("count")
            if "latency_ms" in data:
                self.latency_ms = int(data["latency_ms"])
            if "timeout_seconds" in data:
                self.timeout_seconds = float(data["timeout_seconds"])
            if "today" in data:
                self.today = dt.date.fromisoformat(data["today"]) if data["today"] else None


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (our timeout fault) leaves a broken pipe: not news.
        logger.debug("sepi simulator: connection from %s ended abruptly", client_address)

    def __init__(self, address: tuple[str, int], *, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(address, _Handler)
        self.state = SimulatorState()
        self.stopping = threading.Event()
        self.tls = tls is not None
        if tls is not None:
            # HTTPS, as SEPI gateways are; a handshake that fails (no or a wrong
            # client certificate) is an OSError in accept(), which socketserver drops.
            self.socket = tls.wrap_socket(self.socket, server_side=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host}:{port}"  # type: ignore[str-bytes-safe]

    def wait(self, seconds: float) -> None:
        """Sleep, but wake up when the server stops (so tests never hang on a timeout fault)."""
        self.stopping.wait(seconds)


class _Handler(BaseHTTPRequestHandler):
    server: SimulatorServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections close, so their threads end

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        logger.debug("sepi simulator: " + format, *args)  # the path only: no PESEL in logs

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data).encode())

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(min(length, 64 * 1024)) or b"{}")

    def do_GET(self) -> None:  # noqa: N802 - stdlib's name
        if self.path == CONTROL_PATH:
            self._json(200, self.server.state.as_dict())
        elif self.path == "/health":
            self._json(200, {"ok": True})
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:  # noqa: N802 - stdlib's name
        try:
            data = self._body()
        except (ValueError, UnicodeDecodeError):
            self._json(400, {"error": "invalid_json"})
            return
        if self.path == CONTROL_PATH:
            try:
                self.server.state.configure(data)
            except (ValueError, TypeError) as exc:
                self._json(400, {"error": str(exc)})
                return
            self._json(200, self.server.state.as_dict())
        elif self.path == STATUS_PATH:
            self._status(data)
        else:
            self._json(404, {"error": "not_found"})

    def _status(self, data: Any) -> None:
        state = self.server.state
        with state.lock:
            state.received += 1
        pesel = data.get("pesel") if isinstance(data, dict) else None
        purpose = data.get("purpose") if isinstance(data, dict) else None
        try:
            pesel_decode(pesel if isinstance(pesel, str) else "")
        except ValidationError:
            self._json(400, {"error": "invalid_pesel"})
            return
        if not purpose or not isinstance(purpose, str):
            self._json(400, {"error": "purpose_required"})
            return
        fault = self.headers.get(FAULT_HEADER) or state.take_fault() or pesel_fault(pesel)  # type: ignore[arg-type]
        with state.lock:
            state.served += 1
            state.requests.append(
                {
                    "pesel": pesel,
                    "purpose": purpose,
                    "requested_by": data.get("requested_by"),
                    "request_id": self.headers.get("X-Request-Id", ""),
                    "fault": fault,
                }
            )
            latency = state.latency_ms / 1000
        if latency or fault == "latency":
            self.server.wait(latency or 1.5)
        if fault == "timeout":
            self.server.wait(state.timeout_seconds)
            if self.server.stopping.is_set():
                return
        status, body = answer(pesel, today=state.clock(), fault=fault)  # type: ignore[arg-type]
        self._send(status, body)


def tls_context(certfile: str, keyfile: str = "", client_ca: str = "") -> ssl.SSLContext:
    """A server-side TLS context; with `client_ca`, clients must show a certificate it signed."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certfile, keyfile or None)
    if client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(client_ca)
    return context


def start(
    host: str = "127.0.0.1", port: int = 0, *, tls: ssl.SSLContext | None = None
) -> SimulatorServer:
    """Start a simulator in a daemon thread (port 0: a free one). Stop it with `stop()`."""
    server = SimulatorServer((host, port), tls=tls)
    threading.Thread(target=server.serve_forever, name="sepi-simulator", daemon=True).start()
    return server


def stop(server: SimulatorServer) -> None:
    server.stopping.set()
    server.shutdown()
    server.server_close()


def control(base_url: str, **settings: Any) -> dict[str, Any]:
    """Configure a running simulator, e.g. `control(url, fault="error", count=2)`."""
    request = urllib.request.Request(  # noqa: S310 - the simulator's own http URL
        f"{base_url}{CONTROL_PATH}",
        data=json.dumps(settings).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return json.loads(response.read())


def wait_until_up(
    base_url: str, timeout: float = 5.0, *, context: ssl.SSLContext | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(  # noqa: S310
                f"{base_url}/health", timeout=1, context=context
            ):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
