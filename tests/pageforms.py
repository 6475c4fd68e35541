"""The forms of a rendered page, read the way a browser would submit them.

Used by the fuzz (tests/test_fuzz.py) and the isolation harness
(tests/test_isolation_writes.py) to learn which fields a form sends, without a
hand-written list per form that would fall behind the templates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

# Inputs a browser never submits by themselves.
_NOT_SENT = {"button", "reset", "image"}


@dataclass
class Field:
    name: str
    kind: str  # the input type, or "select", "textarea", "submit"
    values: list[str] = field(default_factory=list)  # what the page submits as rendered
    options: list[str] = field(default_factory=list)  # select / radio / checkbox / submit choices
    multiple: bool = False
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class PageForm:
    method: str  # "get" or "post"
    action: str  # absolute path, with the query string if any
    multipart: bool
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return urlsplit(self.action).path

    def plausible(self) -> dict[str, list[str]]:
        """What an honest user might send: the rendered values, with the empty
        required ones filled by something of the right shape."""
        body: dict[str, list[str]] = {}
        submits = [f for f in self.fields.values() if f.kind == "submit"]
        for f in self.fields.values():
            if f.kind == "submit" and f is not submits[0]:
                continue  # a browser sends only the button that was pressed
            if f.kind in ("checkbox", "file") or (f.kind == "select" and f.multiple):
                values = list(f.values)
            elif f.kind == "submit":
                values = f.options[:1]
            elif f.kind in ("select", "radio"):
                values = list(f.values) or [plausible_value(f)]
            elif any(f.values) or "required" not in f.attrs:
                values = list(f.values) or [""]
            else:
                values = [plausible_value(f)]
            if values:
                body[f.name] = values
        return body


def plausible_value(f: Field) -> str:
    today = dt.date.today()
    if f.options:
        return next((o for o in f.options if o), "")
    if f.kind == "date":
        return (today + dt.timedelta(days=7)).isoformat()
    if f.kind == "datetime-local":
        return f"{today + dt.timedelta(days=7)}T10:00"
    if f.kind == "time":
        return "10:00"
    if f.kind == "number":
        return f.attrs.get("min") or "1"
    if f.kind == "email":
        return "fuzz@example.pl"
    if f.kind == "tel":
        return "600100200"
    if f.kind == "url":
        return "https://example.pl/"
    if f.kind == "password":
        return "Fuzz-password-2026!"
    return "Tekst próbny"


class _FormParser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self.by_id: dict[str, PageForm] = {}
        self.current: PageForm | None = None
        self.select: Field | None = None
        self.option: dict[str, str] | None = None
        self.option_text = ""
        self.textarea: Field | None = None
        self.pending: list[tuple[str, dict[str, str]]] = []  # inputs with form="id"
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page_url, a["href"]).split("#", 1)[0])
        elif tag == "form":
            action = a.get("action", "")
            self.current = PageForm(
                method=(a.get("method") or "get").lower(),
                action=urljoin(self.page_url, action) if action else self.page_url,
                multipart="multipart" in a.get("enctype", ""),
            )
            self.forms.append(self.current)
            if a.get("id"):
                self.by_id[a["id"]] = self.current
        elif tag in ("input", "button", "select", "textarea"):
            if "form" in a:
                self.pending.append((tag, a))
            if self.current is not None and "form" not in a:
                self._control(self.current, tag, a)
        elif tag == "option" and self.select is not None:
            self.option, self.option_text = a, ""

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea.values[0] += data
        elif self.option is not None:
            self.option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "option":
            self._end_option()
        elif tag == "select":
            self._end_option()
            self.select = None

    def _end_option(self) -> None:
        if self.option is None or self.select is None:
            return
        value = self.option.get("value", self.option_text.strip())
        self.select.options.append(value)
        if "selected" in self.option:
            self.select.values.append(value)
        self.option = None

    def _control(self, form: PageForm, tag: str, a: dict[str, str]) -> None:
        name = a.get("name")
        kind = a.get("type", "text" if tag == "input" else "submit").lower()
        if not name or "disabled" in a:
            return
        if tag == "select":
            self.select = form.fields.setdefault(
                name, Field(name, "select", multiple="multiple" in a, attrs=a)
            )
            return
        if tag == "textarea":
            self.textarea = form.fields.setdefault(name, Field(name, "textarea", [""], attrs=a))
            return
        if tag == "button" or kind == "submit":
            f = form.fields.setdefault(name, Field(name, "submit", attrs=a))
            f.options.append(a.get("value", ""))
            return
        if kind in _NOT_SENT:
            return
        f = form.fields.setdefault(name, Field(name, kind, attrs=a))
        value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
        if kind in ("checkbox", "radio"):
            f.options.append(value)
            f.multiple = f.multiple or kind == "checkbox"
            if "checked" in a:
                f.values.append(value)
        elif kind != "file":
            f.values.append(value)

    def close(self) -> None:
        super().close()
        for tag, a in self.pending:
            form = self.by_id.get(a["form"])
            if form is not None:
                self._control(form, tag, a)


def _parsed(html: str, page_url: str) -> _FormParser:
    parser = _FormParser(page_url)
    parser.feed(html)
    parser.close()
    return parser


def page_forms(html: str, page_url: str) -> list[PageForm]:
    """Every form of the page, in page order."""
    return _parsed(html, page_url).forms


def page_links(html: str, page_url: str) -> list[str]:
    """Every link of the page, made absolute, without the fragment."""
    return _parsed(html, page_url).links
