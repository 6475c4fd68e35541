"""Every event the feature apps emit has a declared kind, and no kind's fixed words
(its e-mail subject, its label on the preferences page) carry a placeholder where a
name could go; no feature app sends e-mail itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from meetings.services.common import KINDS as MEETING_KINDS
from notifications.kinds import ATTACHMENTS, KINDS

ROOT = Path(__file__).resolve().parents[2]
APPS = ("agreements", "clients", "indicators", "meetings", "partners", "reintegration", "sepi")


def _sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path, path.read_text(encoding="utf-8")


def _emitted() -> set[str]:
    """Kinds named literally in `events.emit(...)`, and the referral steps passed as
    `notify="..."` (partners emits `referrals.<step>`)."""
    found: set[str] = set()
    for _path, text in _sources():
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Call):
                continue
            emit = getattr(node.func, "attr", None) == "emit" and node.args
            if emit and isinstance(node.args[0], ast.Constant):
                found.add(node.args[0].value)
            for keyword in node.keywords:
                value = keyword.value
                if keyword.arg == "notify" and isinstance(value, ast.Constant) and value.value:
                    found.add(f"referrals.{value.value}")
    return found


def test_every_emitted_kind_is_declared() -> None:
    emitted = _emitted() | set(MEETING_KINDS.values())
    assert len(emitted) > 30
    assert emitted - set(KINDS) == set()
    assert set(ATTACHMENTS) <= set(KINDS)


def test_the_fixed_words_of_a_kind_leave_no_room_for_a_name() -> None:
    for kind in KINDS.values():
        for words in (str(kind.email_subject), str(kind.label), str(kind.group)):
            assert words.strip() and "%(" not in words and "{" not in words, kind.name


def test_no_feature_app_sends_email_itself() -> None:
    senders = re.compile(r"\b(send_mail|EmailMessage|send_messages|send_mass_mail)\b")
    assert [str(path) for path, text in _sources() if senders.search(text)] == []


def test_every_kind_name_and_event_id_fits_the_notice() -> None:
    """PostgreSQL refuses what SQLite stores: the kind and the event id must fit."""
    from cooperation.events import Event
    from notifications.kinds import KINDS
    from notifications.models import Notice

    longest = max(KINDS, key=len)
    assert len(longest) <= Notice._meta.get_field("kind").max_length, longest
    event = Event(kind=longest, target_model="clients.client", target_id=1)
    assert len(event.id) <= Notice._meta.get_field("event_id").max_length
