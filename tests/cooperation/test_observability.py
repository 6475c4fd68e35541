"""Health (one URL), Prometheus metrics (not public) and the JSON request log
(a request id on every line, no personal data)."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import override_settings

from cooperation.requestlog import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


def test_health_reports_the_database_and_the_cache(client, settings) -> None:  # type: ignore[no-untyped-def]
    # The database and the cache only: with tasks queued (the PostgreSQL run) /health/
    # also pings the Celery workers and beat's heartbeat, which no test here runs
    # (the load test checks them against the running stack).
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/health/?format=json")

    assert response.status_code == 200
    checks = response.json()
    assert any(name.startswith("Database") for name in checks)
    assert any(name.startswith("Cache") for name in checks)
    assert set(checks.values()) == {"OK"}


def test_metrics_are_not_there_without_the_token(client) -> None:  # type: ignore[no-untyped-def]
    with override_settings(METRICS_TOKEN=""):
        assert client.get("/metrics").status_code == 404
    with override_settings(METRICS_TOKEN="s3cret"):
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404


def test_metrics_report_request_latency_to_the_scraper(client) -> None:  # type: ignore[no-untyped-def]
    client.get("/healthz/")
    with override_settings(METRICS_TOKEN="s3cret"):
        response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret")

    assert response.status_code == 200
    assert b"django_http_requests_latency_seconds_by_view_method" in response.content


def test_each_request_logs_one_line_with_its_id_and_no_query(client, caplog, owner) -> None:  # type: ignore[no-untyped-def]
    client.force_login(owner)
    with caplog.at_level(logging.INFO, logger="cooperation.request"):
        response = client.get("/clients/?q=Kowalska", HTTP_X_REQUEST_ID="req-123")

    assert response["X-Request-ID"] == "req-123"
    (record,) = [r for r in caplog.records if r.name == "cooperation.request"]
    assert record.request_id == "req-123"
    assert record.route == "/clients/"
    assert record.status == 200
    line = _json_line(record)
    assert "Kowalska" not in line
    assert json.loads(line)["request_id"] == "req-123"


def test_a_made_up_request_id_is_replaced(client, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.INFO, logger="cooperation.request"):
        response = client.get("/healthz/", HTTP_X_REQUEST_ID="<script>")

    assert response["X-Request-ID"] != "<script>"
    assert len(response["X-Request-ID"]) == 32


def test_the_json_line_leaves_out_the_request_and_its_query_string(rf) -> None:  # type: ignore[no-untyped-def]
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/clients/9/",), None
    )
    record.request = rf.get("/clients/9/?q=Nowak+Jan")
    record.status_code = 404

    line = _json_line(record)

    assert "Nowak" not in line
    assert json.loads(line)["message"] == "Not Found: /clients/9/"


def _json_line(record: logging.LogRecord) -> str:
    RequestIdFilter().filter(record)
    formatter = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s")
    return formatter.format(record)
