"""Reading a page's forms as a browser would send them, and recording each write
(shared by the Locust file and the runner, which must not import Locust: gevent)."""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser


class _Forms(HTMLParser):
    """The forms of a page: action, and the values a browser would send unchanged."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}, "options": {}})
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form["fields"][name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                form["fields"][name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            form["options"][name] = []
        elif tag == "option" and self._select:
            value = a.get("value", "")
            form["options"][self._select].append(value if "disabled" not in a else None)
            if "selected" in a:
                form["fields"][self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            form["fields"][name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select and self.forms:
            form = self.forms[-1]
            if not form["fields"].get(self._select):  # none chosen, or the "---------" one
                usable = [v for v in form["options"][self._select] if v]
                if usable:
                    form["fields"][self._select] = usable[0]
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def form_on(html: str, action_part: str, field: str = "") -> dict | None:
    """The form posting to `action_part`, or the one posting to its own page with `field`."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if action_part in form["action"]:
            return form
    for form in parser.forms:
        if field and not form["action"] and field in form["fields"]:
            return form
    return None


def record_write(kind: str, marker: str, status: int, detail: str = "") -> None:
    with open(os.environ.get("LOADTEST_WRITES", "loadtest-writes.jsonl"), "a") as out:
        out.write(json.dumps({"kind": kind, "marker": marker, "status": status, "detail": detail}))
        out.write("\n")
