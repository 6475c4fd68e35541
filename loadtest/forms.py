"""Reading a page's forms as a browser would send them, and recording each write
(shared by the Locust file and the runner, which must not import Locust: gevent)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from html import unescape
from html.parser import HTMLParser


class _Forms(HTMLParser):
    """The forms of a page: action, and the values a browser would send unchanged."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {
                    "action": a.get("action", ""),
                    "method": a.get("method", "get").lower(),
                    "fields": {},
                    "options": {},
                    "labels": {},
                }
            )
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
            form["labels"][name] = {}
        elif tag == "option" and self._select:
            value = a.get("value", "")
            form["options"][self._select].append(value if "disabled" not in a else None)
            form["labels"][self._select][value] = ""
            self._option = value
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
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data
        elif self._select and self._option is not None and self.forms:
            self.forms[-1]["labels"][self._select][self._option] += data


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


def form_errors(html: str) -> list[str]:
    """The errors a re-shown form tells the person (the form's own and each field's)."""
    found = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
    messages = [unescape(re.sub(r"<[^>]+>", " ", item)).strip() for item in found]
    return [" ".join(m.split()) for m in messages if m]


def link_by_id(html: str, element_id: str) -> str | None:
    """The address of the link with this id, as the page shows it (None when it is not there)."""
    for tag in re.findall(r"<a\b[^>]*>", html):
        if f'id="{element_id}"' in tag and (href := re.search(r'href="([^"]*)"', tag)):
            return unescape(href.group(1))
    return None


def record_write(kind: str, marker: str, status: int, detail: str = "") -> None:
    with open(os.environ.get("LOADTEST_WRITES", "loadtest-writes.jsonl"), "a") as out:
        out.write(json.dumps({"kind": kind, "marker": marker, "status": status, "detail": detail}))
        out.write("\n")


# A lazy part's placeholder (templates/includes/lazy.html), which htmx fills on load.
LAZY = re.compile(r'<div class="lazy[^"]*" hx-get="([^"]+)" hx-trigger="load"[^>]*>.*?</div>', re.S)


def fill_lazy(html: str, fetch: Callable[[str], str]) -> str:
    """The page as a browser shows it once htmx has run: each lazy part's placeholder
    replaced by what `fetch(url)` returns for its URL."""
    return LAZY.sub(lambda found: fetch(unescape(found.group(1))), html)


def record_timing(method: str, name: str, start: float, ms: float, ok: bool) -> None:
    """One request's start (epoch seconds), page name and time, for the figures outside
    the fault windows (loadtest/run.py `outside_faults`); nothing when not asked for."""
    path = os.environ.get("LOADTEST_TIMINGS")
    if path:
        with open(path, "a") as out:
            line = {"t": round(start, 3), "page": f"{method} {name}", "ms": round(ms, 1), "ok": ok}
            out.write(json.dumps(line) + "\n")


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (q in 0–100) of the values; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100), at least the first
    return ordered[int(rank) - 1]


def outside_faults(
    timings: list[dict], faults: list[dict], *, before: float = 2.0, after: float = 15.0
) -> dict[str, dict]:
    """Per page, p50/p95 of the requests that overlap no fault's window (from `before`
    seconds before it to `after` seconds after it ended): the load's steady state, which
    the latency target is about; the whole run's figures keep the faults' tails."""
    windows = [(f["at"] - before, f["until"] + after) for f in faults]
    by_page: dict[str, list[float]] = {}
    for row in timings:
        start, end = row["t"], row["t"] + row["ms"] / 1000
        if any(start <= w_end and end >= w_start for w_start, w_end in windows):
            continue
        by_page.setdefault(row["page"], []).append(row["ms"])
    return {
        page: {
            "requests": len(times),
            "p50_ms": round(percentile(times, 50)),
            "p95_ms": round(percentile(times, 95)),
        }
        for page, times in sorted(by_page.items())
    }
