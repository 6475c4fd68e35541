"""What the demo's console shows: warnings and errors, once each; no progress
lines from WeasyPrint/fontTools, no line per eager task, no traceback for a 403.

The logging configuration is the one settings.py builds for `make demo`'s
environment (DEBUG on by default, no REDIS_URL), read in a subprocess so the
test process's own environment cannot change it."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from cooperation.pdf import render_pdf

ROOT = Path(__file__).resolve().parents[2]
DEMO_ENV_DROPS = {"DEBUG", "LOG_LEVEL", "REDIS_URL", "DATABASE_URL", "CELERY_TASK_ALWAYS_EAGER"}


def _logging_config(**env: str) -> dict:
    base = {k: v for k, v in os.environ.items() if k not in DEMO_ENV_DROPS}
    code = "import json, cooperation.settings as s; print(json.dumps(s.LOGGING))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


@pytest.fixture
def demo_console():
    """The demo's logging config, its console handlers writing into a buffer."""
    config = _logging_config()
    stream = io.StringIO()
    for handler in config["handlers"].values():
        handler["stream"] = stream
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig(django_settings.LOGGING)  # back to this process's own


def _lines(stream: io.StringIO) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if line.strip()]


def test_a_pdf_and_an_eager_task_print_nothing(demo_console, db) -> None:
    from cooperation.tasks import clear_expired_sessions

    pdf = render_pdf("pdf/base.html", {})
    assert pdf.startswith(b"%PDF")
    clear_expired_sessions.delay()
    assert _lines(demo_console) == []


def test_a_refused_request_is_one_line_without_traceback(demo_console, owner) -> None:
    client = Client()
    client.force_login(owner)
    assert client.get("/people/").status_code == 403
    assert client.get("/no-such-page/").status_code == 404
    lines = _lines(demo_console)
    assert lines == ["Forbidden (Permission denied): /people/", "Not Found: /no-such-page/"]


@pytest.mark.urls("tests.cooperation.errorpage_urls")
def test_an_error_keeps_its_traceback_once(demo_console, owner) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    assert client.get("/boom/").status_code == 500
    text = demo_console.getvalue()
    assert text.count("Internal Server Error: /boom/") == 1
    assert text.count("Traceback (most recent call last)") == 1
    assert "RuntimeError: kaboom" in text


def test_an_app_warning_reaches_the_console_once_and_info_does_not(demo_console) -> None:
    log = logging.getLogger("sepi.services")
    log.info("an informative line")
    log.warning("something to look at")
    assert _lines(demo_console) == ["something to look at"]


def test_production_keeps_info_and_a_worker_keeps_its_task_lines() -> None:
    config = _logging_config(
        DEBUG="0",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="example.pl",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert config["root"]["level"] == "INFO"
    assert "celery.app.trace" not in config["loggers"]
    assert config["loggers"]["weasyprint"]["level"] == "WARNING"


def test_log_level_brings_back_the_request_lines() -> None:
    config = _logging_config(LOG_LEVEL="info")
    assert config["loggers"]["django.server"]["level"] == "INFO"
