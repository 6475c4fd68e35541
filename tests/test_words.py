"""Checks that keep whole classes of wording defects out, over all the code:

- a number in a message takes the Polish plural (ngettext / blocktranslate count),
  never "board(s)" or "(liczba: 2)";
- an institution is shown by its name, never by its short code;
- a form label starts with a capital letter.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "agreements",
    "clients",
    "cooperation",
    "joboffers",
    "meetings",
    "partners",
    "promotion",
    "reintegration",
    "sepi",
]
# Another branch rewrites the consent-withdrawal message; it gets ngettext there.
KNOWN: set[str] = set()


def _sources() -> list[Path]:
    files = [p for app in APPS for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]
    return files + list((ROOT / "templates").rglob("*.html"))


def test_no_message_with_a_number_uses_an_english_optional_plural() -> None:
    pattern = re.compile(r"""["']([^"'\n]*%\([a-z_]+\)[sd][^"'\n]*(?<!%)\(s\)[^"'\n]*)["']""")
    found = {
        m.group(1): str(path.relative_to(ROOT))
        for path in _sources()
        for m in pattern.finditer(path.read_text(encoding="utf-8"))
    }
    assert not {k: v for k, v in found.items() if k not in KNOWN}


def test_no_polish_message_dodges_the_plural_with_a_count_in_brackets() -> None:
    catalogue = polib.pofile(str(ROOT / "locale/pl/LC_MESSAGES/django.po"))
    code = "\n".join(p.read_text(encoding="utf-8") for p in _sources())
    dodges = [
        e.msgid
        for e in catalogue
        if re.search(r"\(liczba[^)]*%\(", e.msgstr) and e.msgid in code and e.msgid not in KNOWN
    ]
    assert not dodges


def test_the_polish_catalogue_defines_each_message_once() -> None:
    """Helpers append their entries by hand; a message defined twice makes GNU
    msgfmt refuse the file and leaves which translation wins to chance."""
    catalogue = polib.pofile(str(ROOT / "locale/pl/LC_MESSAGES/django.po"))
    seen: set[tuple[str | None, str]] = set()
    twice = []
    for entry in catalogue:
        key = (entry.msgctxt, entry.msgid)
        if key in seen:
            twice.append(f"line {entry.linenum}: {entry.msgid[:60]}")
        seen.add(key)
    assert not twice, "defined more than once:\n" + "\n".join(twice)


def test_templates_show_institutions_by_name_not_short_code() -> None:
    # Short codes belong in file names and URLs, which templates do not build.
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in (ROOT / "templates").rglob("*.html")
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\{\{[^}]*\.short_name", line)
    ]
    assert not offenders


@pytest.mark.parametrize("app", APPS)
def test_form_labels_start_with_a_capital(app: str) -> None:
    path = ROOT / app / "forms.py"
    if not path.exists():
        pytest.skip("no forms")
    lowercase = re.findall(r"""\blabel=_\(\s*["']([a-ząćęłńóśźż][^"']*)["']""", path.read_text())
    assert not lowercase
