"""The national job-offer database (CBOP, oferty.praca.gov.pl): reading its
public JSON format. Transport and parsing only; the import is `imports.py`.

A feed is a JSON list of offer records, or the portal's envelope holding
that list (`payload.ofertyPracyPage.content`, or `content`). A record:

    id                              required, the offer's id in CBOP
    stanowisko                      required, position
    miejscePracy                    required, place of work: text, or
                                    {"miejscowosc"/"gmina", "powiat"}
    dataWaznOd, dataWaznDo          required, DD.MM.YYYY
    zakresObowiazkow                required, duties (text or list of lines)
    pracodawca                      employer (text or {"nazwa"}); absent = hidden
    rodzajUmowy, wymiarZatrud       contract type, working time (text)
    wynagrodzenie                   pay: text, or a number of PLN
    wymagania, mileWidziane         requirements (text or list of lines)
    typOfertyEnum                   kind of offer (see KINDS); absent = job
    liczbaWolnychMiejsc             places (default 1)
    liczbaWolnychMiejscDlaNiepeln   places for people with disabilities (default 0)
    kodZawodu                       occupation code (KZiS, six digits)
    telefon, email, osobaKontaktowa contact; the office's phone when absent
    powiat, gmina                   place of work, when given apart

Text is kept exactly as received: CBOP content is CC BY 3.0 PL and is shown
unmodified with its source named. Lists of lines are joined with newlines.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.request
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlparse

from .models import OfferKind

KINDS = {
    "PRACA": OfferKind.JOB,
    "OFERTA_PRACY": OfferKind.JOB,
    "ZATRUDNIENIE": OfferKind.JOB,
    "STAZ": OfferKind.INTERNSHIP,
    "PRACE_INTERWENCYJNE": OfferKind.SUBSIDISED,
    "ROBOTY_PUBLICZNE": OfferKind.SUBSIDISED,
    "PRACA_SUBSYDIOWANA": OfferKind.SUBSIDISED,
    "SUBSYDIOWANA": OfferKind.SUBSIDISED,
    "PRACE_SPOLECZNIE_UZYTECZNE": OfferKind.SOCIALLY_USEFUL,
    "PSU": OfferKind.SOCIALLY_USEFUL,
    "SZKOLENIE": OfferKind.TRAINING,
    "PRZYGOTOWANIE_ZAWODOWE": OfferKind.TRAINING,
}
_DATE = re.compile(r"^\d{2}\.\d{2}\.\d{4}$")
_ENVELOPES = (("payload", "ofertyPracyPage", "content"), ("content",))


class FeedError(Exception):
    """The feed as a whole cannot be read; nothing is imported or expired."""


class RecordError(Exception):
    """One record cannot be imported; the reason is reported and the batch goes on."""


def fetch(url: str, *, timeout: float, max_bytes: int) -> bytes:
    """Read a feed over HTTP(S). A client error (4xx) is a FeedError; network
    failures and server errors are OSError, which a task may retry."""
    if urlparse(url).scheme not in ("http", "https"):
        raise FeedError(f"Only http(s) addresses can be read, not {url!r}.")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, headers={"Accept": "application/json", "User-Agent": "Wspolpraca-CBOP-import/1"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        if exc.code < 500:
            raise FeedError(f"The server answered {exc.code} {exc.reason}.") from exc
        raise
    if len(data) > max_bytes:
        raise FeedError(f"The feed is larger than {max_bytes} bytes.")
    return data


def parse_feed(data: bytes | str) -> list[Any]:
    """The list of records in a feed, or FeedError."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"The feed is not valid JSON in UTF-8: {exc}") from exc
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for path in _ENVELOPES:
            node: Any = document
            for key in path:
                node = node.get(key) if isinstance(node, dict) else None
            if isinstance(node, list):
                return node
    raise FeedError("The feed holds no list of offers.")


def external_id(record: Any) -> str:
    """The record's id as text, or "" when it has none (for the rejection report too)."""
    if not isinstance(record, dict):
        return ""
    value = record.get("id")
    if isinstance(value, bool) or value is None:
        return ""
    return str(value).strip() if isinstance(value, int | str) else ""


def _text(record: dict, key: str, *, required: bool = False) -> str:
    value = record.get(key)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = "\n".join(value)
    if value is None or value == "":
        if required:
            raise RecordError(f"missing {key}")
        return ""
    if not isinstance(value, str):
        raise RecordError(f"{key} is not text")
    if required and not value.strip():
        raise RecordError(f"missing {key}")
    return value


def _date(record: dict, key: str) -> dt.date:
    value = record.get(key)
    if not isinstance(value, str) or not _DATE.match(value):
        raise RecordError(f"{key} is not a date in DD.MM.YYYY: {value!r}")
    try:
        return dt.datetime.strptime(value, "%d.%m.%Y").date()
    except ValueError as exc:
        raise RecordError(f"{key} is not a real date: {value!r}") from exc


def _count(record: dict, key: str, default: int) -> int:
    value = record.get(key, default)
    if value is None or value == "":
        return default
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RecordError(f"{key} is not a whole number: {value!r}")
    return value


def _kind(record: dict) -> str:
    value = record.get("typOfertyEnum")
    if value in (None, ""):
        return OfferKind.JOB
    if not isinstance(value, str) or value.strip().upper() not in KINDS:
        raise RecordError(f"unknown typOfertyEnum: {value!r}")
    return KINDS[value.strip().upper()]


def _place(record: dict) -> tuple[str, str]:
    value = record.get("miejscePracy")
    county = record.get("powiat") if isinstance(record.get("powiat"), str) else ""
    if isinstance(value, dict):
        place = value.get("miejscowosc") or value.get("gmina") or ""
        county = value.get("powiat") or county
        if not isinstance(place, str) or not isinstance(county, str):
            raise RecordError("miejscePracy has fields that are not text")
        value = place
    if isinstance(record.get("gmina"), str) and record["gmina"] and not value:
        value = record["gmina"]
    if not isinstance(value, str) or not value.strip():
        raise RecordError("missing miejscePracy")
    return value, county  # type: ignore[return-value]


def _employer(record: dict) -> str:
    value = record.get("pracodawca")
    if isinstance(value, dict):
        value = value.get("nazwa")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError("pracodawca is not text")
    return value


def _pay(record: dict) -> dict[str, Any]:
    value = record.get("wynagrodzenie")
    if value is None or value == "":
        return {"pay_text": "", "pay_min": None, "pay_max": None}
    if isinstance(value, bool):
        raise RecordError("wynagrodzenie is neither text nor an amount")
    if isinstance(value, int | float):
        try:
            amount = Decimal(str(value)).quantize(Decimal("0.01"))
        except InvalidOperation as exc:
            raise RecordError(f"wynagrodzenie is not an amount: {value!r}") from exc
        return {"pay_text": "", "pay_min": amount, "pay_max": None}
    if not isinstance(value, str):
        raise RecordError("wynagrodzenie is neither text nor an amount")
    return {"pay_text": value, "pay_min": None, "pay_max": None}


def _occupation_code(record: dict) -> str:
    value = record.get("kodZawodu")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:06d}"
    return _text(record, "kodZawodu")


def record_fields(record: Any) -> dict[str, Any]:
    """The offer fields of one record (unvalidated against the model), or RecordError."""
    if not isinstance(record, dict):
        raise RecordError("the record is not a JSON object")
    if not external_id(record):
        raise RecordError("missing id")
    valid_from, valid_until = _date(record, "dataWaznOd"), _date(record, "dataWaznDo")
    if valid_until < valid_from:
        raise RecordError("dataWaznDo is before dataWaznOd")
    municipality, county = _place(record)
    employer = _employer(record)
    return {
        "kind": _kind(record),
        "position": _text(record, "stanowisko", required=True),
        "occupation_code": _occupation_code(record),
        "employer_name": employer,
        "employer_hidden": not employer,
        "workplace_municipality": municipality,
        "workplace_county": county,
        "contract_type": _text(record, "rodzajUmowy"),
        "working_time": _text(record, "wymiarZatrud"),
        **_pay(record),
        "duties": _text(record, "zakresObowiazkow", required=True),
        "requirements": _text(record, "wymagania"),
        "requirements_welcome": _text(record, "mileWidziane"),
        "places": _count(record, "liczbaWolnychMiejsc", 1),
        "places_disabled": _count(record, "liczbaWolnychMiejscDlaNiepeln", 0),
        "valid_from": valid_from,
        "valid_until": valid_until,
        "contact_phone": _text(record, "telefon"),
        "contact_email": _text(record, "email"),
        "contact_advisor": _text(record, "osobaKontaktowa"),
    }
