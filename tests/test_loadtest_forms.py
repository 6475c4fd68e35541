"""The load test reads pages as a person does (loadtest/forms.py): the forms a page
shows, the links it offers, and the errors of a form shown again."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "loadtest"))

from forms import (  # noqa: E402
    fill_lazy,
    form_errors,
    form_on,
    link_by_id,
    outside_faults,
    percentile,
    record_timing,
)

PAGE = """
<a class="card__more" href="/plans/7/steps/new/?goal=1&amp;x=2" id="step-add">Dodaj krok</a>
<form method="post" novalidate>
  <input type="hidden" name="csrfmiddlewaretoken" value="t">
  <input type="hidden" name="form_token" value="f1">
  <ul class="errorlist" id="id_service_error"><li>Klient ma już otwarte skierowanie.</li></ul>
  <select name="service" id="id_service">
    <option value="">---------</option>
    <optgroup label="Zgoda jest">
      <option value="2">Stowarzyszenie &bdquo;Razem&rdquo; — Grupa wsparcia (wolne miejsca: 5)</option>
    </optgroup>
    <optgroup label="Najpierw zgoda">
      <option value="5" disabled>CIS — Warsztaty (wolne miejsca: 3) — najpierw zgoda</option>
    </optgroup>
  </select>
  <input type="checkbox" name="share_phone">
  <textarea name="needs">ab</textarea>
</form>
"""


def test_a_form_as_a_browser_sends_it() -> None:
    form = form_on(PAGE, "/nowhere/", "service")

    assert form is not None
    assert form["method"] == "post"
    assert form["fields"] == {
        "csrfmiddlewaretoken": "t",
        "form_token": "f1",
        "service": "2",  # the first option a person may choose (the disabled one is not)
        "needs": "ab",
    }
    assert form["options"]["service"] == ["", "2", None]
    assert form["labels"]["service"]["2"].startswith("Stowarzyszenie „Razem” — Grupa wsparcia")


def test_links_only_as_the_page_shows_them() -> None:
    assert link_by_id(PAGE, "step-add") == "/plans/7/steps/new/?goal=1&x=2"
    assert link_by_id(PAGE, "client-refer") is None


def test_the_errors_of_a_form_shown_again() -> None:
    assert form_errors(PAGE) == ["Klient ma już otwarte skierowanie."]
    assert form_errors("<form></form>") == []


def test_lazy_parts_are_filled_as_htmx_would() -> None:
    """The placeholder is the app's own template, so the load test cannot drift from it."""
    from django.template.loader import render_to_string

    placeholder = render_to_string(
        "includes/lazy.html", {"url": "/clients/7/panel/referrals/?a=1&b=2", "label": "Skierowania"}
    )
    asked: list[str] = []

    def fetch(url: str) -> str:
        asked.append(url)
        return '<a id="client-refer" href="/partners/clients/7/refer/">Skieruj</a>'

    page = fill_lazy(f"<main>{placeholder}<p>dalej</p></main>", fetch)
    assert asked == ["/clients/7/panel/referrals/?a=1&b=2"]
    assert link_by_id(page, "client-refer") == "/partners/clients/7/refer/"
    assert "hx-get" not in page and page.endswith("<p>dalej</p></main>")


def test_the_steady_state_leaves_out_what_overlaps_a_fault(tmp_path, monkeypatch) -> None:
    """The latency target is about the load, not the seconds around a kill: the runner
    reports p50/p95 per page both for the whole run and without the requests that
    overlap a fault's window (2 s before it to 15 s after it ended)."""
    timings = tmp_path / "timings.jsonl"
    monkeypatch.setenv("LOADTEST_TIMINGS", str(timings))
    for second in range(100):  # one home page a second, 100 ms each
        record_timing("GET", "home", 1000.0 + second, 100.0, True)
    for k in range(10):  # in flight at the kill (60–62) or within 15 s of it
        record_timing("GET", "home", 1058.5 + k, 9000.0, False)
    record_timing("GET", "home", 1000.0 + 78, 9000.0, True)  # starts after the window
    record_timing("GET", "home", 1000.0 + 56.5, 2000.0, True)  # ends inside the window
    rows = [__import__("json").loads(line) for line in timings.read_text().splitlines()]
    fault = {"fault": "web process killed", "at": 1060.0, "until": 1062.0}
    steady = outside_faults(rows, [fault])
    # 1000+58 … 1000+77 overlap [1058, 1077]; 1000+57 ends at 1057.1, outside; the
    # request started at 56.5 runs to 58.5, inside; the one started at 78 is counted.
    assert steady["GET home"]["requests"] == 100 - 20 + 1
    assert steady["GET home"]["p95_ms"] == 100
    everything = outside_faults(rows, [])
    assert everything["GET home"]["requests"] == 112
    assert everything["GET home"]["p95_ms"] == 9000


def test_percentile_is_the_nearest_rank() -> None:
    assert percentile([], 95) == 0
    assert percentile([5.0], 95) == 5.0
    values = [float(v) for v in range(1, 21)]  # 1 … 20
    assert percentile(values, 95) == 19.0
    assert percentile(values, 50) == 10.0
    assert percentile(values, 100) == 20.0
