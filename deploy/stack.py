"""The production topology on one machine, without Docker (`make stack`, `make loadtest`).

    .venv/bin/python deploy/stack.py prepare [--seed]   # folder, TLS, nginx.conf, env, migrate
    .venv/bin/honcho -f Procfile -e $STACK_DIR/stack.env start

`prepare` makes the stack's folder (STACK_DIR, default /tmp/cooperation-stack): a
self-signed certificate, nginx's configuration rendered from the same template as
docker-compose's (deploy/nginx/), the env file with production settings (DEBUG=0;
only MFA off, as in the demo, and a SEPI simulator), the collected static files, and
the database migrated (and seeded with the demo with --seed). Debian's nginx runs as
an ordinary foreground program with its pid, logs and temporary files in that folder.

`Supervisor` runs the Procfile's lines itself for the load test, which has to kill
and restart single processes (honcho stops everything when one process exits).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_TEMPLATES = ROOT / "deploy" / "nginx"
PLACEHOLDER = re.compile(r"\$\{(NGINX_[A-Z0-9_]+)\}")


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def settings_env() -> dict[str, str]:
    """Ports and paths of the stack, and the app's settings for it."""
    run_dir = Path(_env("STACK_DIR", "/tmp/cooperation-stack"))
    ports = {
        "STACK_HTTPS_PORT": _env("STACK_HTTPS_PORT", "8443"),
        "STACK_HTTP_PORT": _env("STACK_HTTP_PORT", "8088"),
        "STACK_WEB1_PORT": _env("STACK_WEB1_PORT", "8101"),
        "STACK_WEB2_PORT": _env("STACK_WEB2_PORT", "8102"),
        # Its own Redis, not the machine's shared one: the load test restarts it.
        "STACK_REDIS_PORT": _env("STACK_REDIS_PORT", "6390"),
        "STACK_SEPI_PORT": _env("STACK_SEPI_PORT", "8766"),
    }
    secret_file = run_dir / "secret-key"
    secret = secret_file.read_text().strip() if secret_file.exists() else ""
    env = {
        "STACK_DIR": str(run_dir),
        **ports,
        # As the Docker image (GUNICORN_WORKERS=3, sync workers): a request waits for a
        # free process rather than behind a PDF or a login's PBKDF2 in a busy one.
        "STACK_WEB_WORKERS": _env("STACK_WEB_WORKERS", "3"),
        "STACK_WEB_THREADS": _env("STACK_WEB_THREADS", "1"),
        # The app, as in production (docker-compose.yml), on this machine's PostgreSQL.
        "DJANGO_SETTINGS_MODULE": "cooperation.settings",
        "DEBUG": "0",
        "SECRET_KEY": secret or secrets.token_urlsafe(50),
        "DATABASE_URL": _env(
            "STACK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cooperation_stack"
        ),
        "REDIS_URL": f"redis://127.0.0.1:{ports['STACK_REDIS_PORT']}/0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"https://127.0.0.1:{ports['STACK_HTTPS_PORT']}",
        "STATIC_ROOT": str(run_dir / "static"),
        "MEDIA_ROOT": str(run_dir / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(run_dir / "mail"),
        "ALLAUTH_TRUSTED_PROXY_COUNT": "1",
        # A self-signed certificate on 127.0.0.1: no HSTS pinned in the developer's browser.
        "SECURE_HSTS_SECONDS": "0",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "METRICS_TOKEN": _env("METRICS_TOKEN", "stack-metrics"),
        # As `make demo`: coordinators without an authenticator app. Everything else
        # (rate limits, secure cookies, CSP, sessions) is production's.
        "MFA_REQUIRED": _env("MFA_REQUIRED", "0"),
        "SEPI_BACKEND": "http",
        "SEPI_BASE_URL": f"http://127.0.0.1:{ports['STACK_SEPI_PORT']}",
        # A handful of shared demo accounts stand for fifty people in the load test.
        "SEPI_RATE_LIMIT_PER_HOUR": _env("SEPI_RATE_LIMIT_PER_HOUR", "100000"),
        "CELERY_VISIBILITY_TIMEOUT": _env("CELERY_VISIBILITY_TIMEOUT", "3600"),
    }
    return env


def _render(template: Path, values: dict[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        return values[match.group(1)]

    return PLACEHOLDER.sub(fill, template.read_text())


def nginx_values(env: dict[str, str]) -> dict[str, str]:
    run_dir = env["STACK_DIR"]
    upstreams = "\n    ".join(
        f"server 127.0.0.1:{env[name]} max_fails=1 fail_timeout=5s;"
        for name in ("STACK_WEB1_PORT", "STACK_WEB2_PORT")
    )
    upload_mb = int(os.environ.get("UPLOAD_MAX_MB") or 10)
    return {
        "NGINX_UPSTREAMS": upstreams,
        "NGINX_SERVER_NAME": "127.0.0.1 localhost",
        "NGINX_HTTP_PORT": env["STACK_HTTP_PORT"],
        "NGINX_HTTPS_PORT": env["STACK_HTTPS_PORT"],
        "NGINX_TLS_CERT": f"{run_dir}/tls/cert.pem",
        "NGINX_TLS_KEY": f"{run_dir}/tls/key.pem",
        "NGINX_STATIC_ROOT": env["STATIC_ROOT"],
        # The largest upload (meeting materials: 20 MB) and 5 MB for the rest of the form.
        "NGINX_BODY_MAX_MB": str(max(upload_mb, 20) + 5),
        "NGINX_ACCESS_LOG": f"{run_dir}/logs/nginx-access.log",
        "NGINX_RUN_DIR": run_dir,
        # Started as root (CI), nginx would hand its workers to `nobody`, who cannot
        # read this folder: keep them as the user who started it.
        "NGINX_USER_LINE": "user root;" if os.geteuid() == 0 else "",
    }


def _certificate(tls: Path) -> None:
    if (tls / "cert.pem").exists():
        return
    tls.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "30",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(tls / "key.pem"),
            "-out",
            str(tls / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )


def _create_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _static_fresh(static_root: Path) -> bool:
    """Collected after the last change to a static file (compressing them all takes a while)."""
    manifest = static_root / "staticfiles.json"
    if not manifest.exists():
        return False
    sources = [p for p in (ROOT / "static").rglob("*") if p.is_file()]
    return all(p.stat().st_mtime < manifest.stat().st_mtime for p in sources)


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def full_env(env: dict[str, str]) -> dict[str, str]:
    merged = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL"))
    }
    return merged | env


def ports_in_use(env: dict[str, str]) -> list[str]:
    """The stack's ports something else listens on already (a developer's runserver):
    a web process that cannot bind would leave the stack with one web process."""
    taken = []
    for name, value in sorted(env.items()):
        if not (name.startswith("STACK_") and name.endswith("_PORT")):
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", int(value)))
            except OSError:
                taken.append(f"{name}={value}")
    return taken


def prepare(*, seed: bool) -> dict[str, str]:
    """Everything the Procfile's processes need, ready in STACK_DIR; returns the env."""
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        sys.exit("nginx is missing: apt-get install -y nginx (Debian's package; not started)")
    env = settings_env()
    if taken := ports_in_use(env):
        sys.exit(
            f"ports in use by something else: {', '.join(taken)}; "
            "set those variables to free ports (or stop what listens there)"
        )
    run_dir = Path(env["STACK_DIR"])
    for sub in ("logs", "redis", "mail", "media", "nginx/client_body", "nginx/proxy", "tls"):
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
    (run_dir / "secret-key").write_text(env["SECRET_KEY"])
    (run_dir / "secret-key").chmod(0o600)
    _certificate(run_dir / "tls")
    values = nginx_values(env)
    (run_dir / "cooperation.conf").write_text(
        _render(NGINX_TEMPLATES / "cooperation.conf.template", values)
    )
    (run_dir / "nginx.conf").write_text(_render(NGINX_TEMPLATES / "stack.conf.template", values))
    (run_dir / "stack.env").write_text("".join(f"{k}={v}\n" for k, v in sorted(env.items())))
    _create_database(env["DATABASE_URL"])
    menv = full_env(env)
    # Static files (collected and compressed) while the database is migrated and seeded.
    collect = None
    if not _static_fresh(Path(env["STATIC_ROOT"])):
        collect = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
            cwd=ROOT,
            env=menv,
        )
    manage(menv, "migrate", "--no-input", "--verbosity", "0")
    if seed:
        # As `make demo` seeds: tasks run in-process and SEPI answers from the in-process
        # simulator, because the stack's Redis and simulator are not running yet.
        seed_env = {k: v for k, v in menv.items() if k != "REDIS_URL"}
        manage(
            seed_env | {"SEPI_BACKEND": "simulator", "CELERY_TASK_ALWAYS_EAGER": "1"}, "seed_demo"
        )
    if collect is not None and collect.wait() != 0:
        sys.exit("collectstatic failed")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    subprocess.run(  # noqa: S603 - the configuration must be valid before anything starts
        [
            nginx,
            "-t",
            "-q",
            "-p",
            f"{run_dir}/nginx",
            "-c",
            f"{run_dir}/nginx.conf",
            "-e",
            f"{run_dir}/logs/nginx-error.log",
        ],
        check=True,
    )
    return env


def procfile() -> dict[str, str]:
    lines = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            lines[name.strip()] = command.strip()
    return lines


class Supervisor:
    """Starts the Procfile's processes, each in its own process group, logs to files."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = full_env(env)
        self.env["PATH"] = f"/usr/sbin:{self.env.get('PATH', '/usr/bin:/bin')}"
        self.logs = Path(env["STACK_DIR"]) / "logs"
        self.commands = procfile()
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(  # noqa: S603
            ["/bin/sh", "-c", self.commands[name]],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_all(self) -> None:
        for name in self.commands:
            self.start(name)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (a gunicorn master and its workers) and wait
        until every process of it is gone (Redis takes a moment to write its file)."""
        proc = self.procs[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    def stop_all(self) -> None:
        for _name, proc in self.procs.items():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        deadline = time.monotonic() + 20
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["prepare", "env"])
    parser.add_argument("--seed", action="store_true", help="load the demo data (idempotent)")
    args = parser.parse_args()
    if args.command == "env":
        print(" ".join(f"{k}={shlex.quote(v)}" for k, v in settings_env().items()))
        return
    env = prepare(seed=args.seed)
    print(
        f"\n  Cooperation runs at https://127.0.0.1:{env['STACK_HTTPS_PORT']}/ "
        f"(self-signed certificate; health: /health/)\n"
    )


if __name__ == "__main__":
    main()
