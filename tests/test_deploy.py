"""The one nginx template serves docker-compose and `make stack`: every placeholder
is filled by both, and Debian's nginx accepts the rendered configuration."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))

import stack  # noqa: E402

TEMPLATE = ROOT / "deploy" / "nginx" / "cooperation.conf.template"


def placeholders(path: Path) -> set[str]:
    return set(stack.PLACEHOLDER.findall(path.read_text()))


def test_compose_fills_every_placeholder_of_the_template() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    nginx = compose["services"]["nginx"]

    assert placeholders(TEMPLATE) <= set(nginx["environment"])
    assert any(v.startswith("./deploy/nginx/cooperation.conf.template:") for v in nginx["volumes"])
    assert "ports" not in compose["services"]["web"]  # only nginx is published


def test_the_stack_fills_every_placeholder(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STACK_DIR", str(tmp_path))
    values = stack.nginx_values(stack.settings_env())

    for template in (TEMPLATE, ROOT / "deploy" / "nginx" / "stack.conf.template"):
        assert placeholders(template) <= set(values)
    assert values["NGINX_BODY_MAX_MB"] == "25"


def test_the_template_keeps_secrets_and_queries_out_of_the_access_log() -> None:
    text = TEMPLATE.read_text()
    log_format = text[text.index("log_format") : text.index("server {")]

    assert "$request_uri" not in log_format and "$args" not in log_format
    assert "$cooperation_log_uri" in log_format
    assert re.search(r"location = /metrics \{\s*return 404;", text)
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text


@pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
    reason="Debian's nginx is not installed",
)
def test_nginx_accepts_the_rendered_configuration(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STACK_DIR", str(tmp_path))
    env = stack.settings_env()
    values = stack.nginx_values(env)
    for sub in ("logs", "nginx/client_body", "nginx/proxy", "static"):
        (tmp_path / sub).mkdir(parents=True)
    stack._certificate(tmp_path / "tls")
    (tmp_path / "cooperation.conf").write_text(stack._render(TEMPLATE, values))
    (tmp_path / "nginx.conf").write_text(
        stack._render(ROOT / "deploy" / "nginx" / "stack.conf.template", values)
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"

    result = subprocess.run(
        [
            nginx,
            "-t",
            "-p",
            f"{tmp_path}/nginx",
            "-c",
            f"{tmp_path}/nginx.conf",
            "-e",
            f"{tmp_path}/logs/error.log",
        ],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr


def test_the_stack_refuses_ports_something_else_listens_on(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        monkeypatch.setenv("STACK_DIR", str(tmp_path))
        monkeypatch.setenv("STACK_WEB1_PORT", port)

        assert stack.ports_in_use(stack.settings_env()) == [f"STACK_WEB1_PORT={port}"]


def test_web_processes_import_the_app_once_and_fork_it() -> None:
    """gunicorn --preload in the stack and the image: a web process started again
    (a deploy, the load test's kill) imports and warms the app once, not per worker."""
    commands = stack.procfile()
    for name in ("web1", "web2"):
        assert "--preload" in commands[name]
    assert "--preload" in (ROOT / "Dockerfile").read_text()


def test_the_warm_up_leaves_no_connection_for_the_workers_to_share() -> None:
    import django.db

    from cooperation import wsgi

    wsgi.warm_up()
    assert all(conn.connection is None for conn in django.db.connections.all())
