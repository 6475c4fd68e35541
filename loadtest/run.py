"""`make loadtest`: the stack under load and faults, then the checks; prints and writes JSON.

1. Prepares the stack (deploy/stack.py: TLS, nginx, env, migrate, demo seed) and starts
   every Procfile process: nginx, two gunicorn web processes, two Celery workers, beat,
   its own Redis (never the machine's shared one: it is restarted below) and the SEPI
   simulator; waits until /health/ (through nginx) is green.
2. Runs Locust headless (loadtest/locustfile.py) through nginx.
3. Faults: at --kill-at one web process (gunicorn master and workers) and one Celery
   worker get SIGKILL and are started again; at --redis-at Redis is restarted.
4. Afterwards: the sessions and login rate limits are shared by the web processes;
   the Celery queue drains (a task held by the killed worker is delivered again after
   the visibility timeout); every SEPI lookup finished; every write the load test saved
   is in the database exactly once, with its audit row; 5xx answers only for requests
   that were in flight at a kill or the Redis restart.

Exit status 1 if anything was lost or duplicated, or a 5xx came outside a fault.
The latency target (p95 ≤ 300 ms for the main pages) is reported, not enforced:
the machine is shared and its numbers move with the neighbours' load.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import requests
import urllib3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "loadtest"))

import stack  # noqa: E402
from forms import outside_faults  # noqa: E402  (loadtest/forms.py, as the locustfile has it)

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

# How long before the kill the runner starts opening the pages of its SEPI lookups.
LOOKUPS_LEAD_S = 30
MAIN_PAGES = ("home", "client list", "client search", "client detail", "calendar")
# Shorter than production's hour, so a task held by the killed worker comes back within
# the run; still longer than a SEPI lookup's lease with these timeouts (39 s).
LOADTEST_ENV = {
    "CELERY_VISIBILITY_TIMEOUT": "45",
    "CELERY_UNACKED_RESTORE_SECONDS": "5",
    "SEPI_CONNECT_TIMEOUT": "1",
    "SEPI_READ_TIMEOUT": "3",
    "SEPI_RETRIES": "1",
    "SEPI_BACKOFF_MAX": "1",
    # The demo seed without the boards' kept print-outs: rendering them is most of the
    # seed's time, and the load test asks for sheets made on the spot.
    "DEMO_PRINTS": "0",
}


def log(message: str) -> None:
    print(f"[loadtest {datetime.now(UTC):%H:%M:%S} UTC] {message}", flush=True)


def wait_healthy(base: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    last: dict = {}
    while time.monotonic() < deadline:
        try:
            response = requests.get(f"{base}/health/?format=json", verify=False, timeout=10)
            last = {"status": response.status_code, "checks": response.json()}
            if response.status_code == 200:
                return last
        except (requests.RequestException, ValueError) as exc:
            last = {"error": type(exc).__name__}
        time.sleep(1)
    raise SystemExit(f"the stack did not become healthy: {last}")


def login(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would switch verification back on
    session.verify = False
    session.headers["Referer"] = base + "/"
    session.get(f"{base}/accounts/login/", timeout=30)
    session.post(
        f"{base}/accounts/login/",
        data={
            "login": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
        },
        timeout=30,
    )
    return session


def nginx_lines(path: Path) -> list[dict]:
    lines = []
    for raw in path.read_text().splitlines() if path.exists() else []:
        try:
            lines.append(json.loads(raw))
        except ValueError:
            continue
    return lines


def upstreams_of(lines: list[dict], request_ids: set[str]) -> set[str]:
    return {line["upstream"] for line in lines if line.get("request_id") in request_ids}


def probe_sessions(base: str, access_log: Path) -> dict:
    """One login, twenty pages: every one answered logged in, by both web processes."""
    session = login(base, "worker.mops-skarzysko", "Wspolpraca-2026!")
    ids, logged_in = set(), 0
    for _ in range(20):
        response = session.get(f"{base}/", timeout=30)
        ids.add(response.headers.get("X-Request-ID", ""))
        logged_in += response.ok and "/accounts/login/" not in response.url
    time.sleep(1)
    served_by = upstreams_of(nginx_lines(access_log), ids)
    return {
        "requests": 20,
        "logged_in": logged_in,
        "web_processes": sorted(served_by),
        "shared": logged_in == 20 and len(served_by) >= 2,
    }


def probe_rate_limit(base: str, access_log: Path) -> dict:
    """Wrong passwords for one account: the lock (5 in 5 minutes) counts over both processes."""
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would switch verification back on
    session.verify = False
    session.headers["Referer"] = base + "/"
    session.get(f"{base}/accounts/login/", timeout=30)
    username = f"ratelimit-probe-{int(time.time())}"
    ids, statuses = set(), []
    for _ in range(7):
        response = session.post(
            f"{base}/accounts/login/",
            data={
                "login": username,
                "password": "not-the-password",
                "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
            },
            timeout=30,
        )
        ids.add(response.headers.get("X-Request-ID", ""))
        statuses.append(response.status_code)
    time.sleep(1)
    served_by = upstreams_of(nginx_lines(access_log), ids)
    return {
        "username": username,
        "attempts": 7,
        "statuses": statuses,
        "web_processes": sorted(served_by),
    }


def queue_lookups(base: str, writes_file: Path, count: int, go: threading.Event) -> None:
    """Start SEPI lookups as a social worker would, recorded like the load test's writes.

    The slow part (logging in, opening the client pages under load) is done first;
    the lookups are posted together once `go` is set, right before the kill."""
    sys.path.insert(0, str(ROOT / "loadtest"))
    from forms import form_on, record_write

    os.environ["LOADTEST_WRITES"] = str(writes_file)
    session = login(base, "worker.mops-skarzysko", "Wspolpraca-2026!")
    html = session.get(f"{base}/clients/", timeout=30).text
    ready: list[tuple[str, str, dict]] = []
    for pk in sorted({int(x) for x in re.findall(r'href="/clients/(\d+)/"', html)}):
        url = f"/sepi/clients/{pk}/lookup/"
        form = form_on(session.get(f"{base}/clients/{pk}/", timeout=30).text, url)
        key = form and next((k for k in form["fields"] if k.endswith("request_key")), None)
        if not form or not key:
            continue
        ready.append(
            (url, key, form["fields"] | {key.removesuffix("request_key") + "refresh": "on"})
        )
        if len(ready) == count:
            break
    go.wait(timeout=300)
    for url, key, data in ready:
        data["csrfmiddlewaretoken"] = session.cookies.get("csrftoken", "")
        data[key] = f"fault-{int(time.time() * 1000)}-{url.split('/')[3]}"
        try:
            response = session.post(
                f"{base}{url}", data=data, headers={"HX-Request": "true"}, timeout=30
            )
        except requests.RequestException:  # cut off by the kill
            record_write("sepi", data[key], 0)
        else:
            record_write("sepi", data[key], response.status_code)


def redis_command(port: str, *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        ["redis-cli", "-p", port, *args], capture_output=True, text=True, timeout=10
    )
    return result.stdout.strip()


def read_locust_stats(prefix: Path) -> tuple[dict, dict]:
    pages, total = {}, {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            entry = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "max_ms": float(row["Max Response Time"] or 0),
                "rps": round(float(row["Requests/s"] or 0), 2),
            }
            if row["Name"] == "Aggregated":
                total = entry
            else:
                pages[f"{row['Type']} {row['Name']}"] = entry
    return pages, total


def read_failures(prefix: Path) -> list[dict]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as handle:
        return [
            {
                "method": r["Method"],
                "name": r["Name"],
                "error": r["Error"][:200],
                "count": int(r["Occurrences"]),
            }
            for r in csv.DictReader(handle)
        ]


def classify_5xx(lines: list[dict], faults: list[dict]) -> dict:
    """A 5xx is explained when the request was in flight during a fault's window."""
    explained, unexplained = [], []
    for line in lines:
        # /health/ answers 500 by design while a dependency is down (the runner polls it).
        if int(line.get("status", 0)) < 500 or line.get("uri") == "/health/":
            continue
        end = datetime.fromisoformat(line["time"]).timestamp()
        start = end - float(line.get("request_time", 0))
        # The latest fault it was in flight at (a slow request may span two).
        fault = next(
            (
                f["fault"]
                for f in reversed(faults)
                if start <= f["until"] + 1 and end >= f["at"] - 1
            ),
            None,
        )
        item = {
            "uri": line["uri"],
            "method": line["method"],
            "status": line["status"],
            "fault": fault,
        }
        (explained if fault else unexplained).append(item)
    return {"in_flight_at_faults": explained, "outside_faults": unexplained}


def drain(port: str, timeout: float) -> dict:
    """Wait for the queue to empty and every SEPI lookup to finish."""
    from sepi.models import Lookup, LookupStatus

    deadline = time.monotonic() + timeout
    state: dict = {}
    while time.monotonic() < deadline:
        state = {
            "queued": int(redis_command(port, "LLEN", "celery") or 0),
            "unacked": int(redis_command(port, "HLEN", "unacked") or 0),
            "lookups_pending": Lookup.objects.filter(
                status__in=[LookupStatus.QUEUED, LookupStatus.RUNNING]
            ).count(),
        }
        if not any(state.values()):
            break
        time.sleep(2)
    state["waited_s"] = round(timeout - max(0.0, deadline - time.monotonic()), 1)
    return state


def task_log(logs: Path) -> dict:
    """Every task a worker received finished somewhere (the workers' own log lines)."""
    pattern = re.compile(r"Task ([\w.]+)\[([0-9a-f-]{36})\] (received|succeeded|failed|retry)")
    received, finished, failed = {}, set(), set()
    for path in logs.glob("worker*.log"):
        for match in pattern.finditer(path.read_text(errors="replace")):
            name, task_id, event = match.groups()
            if event == "received":
                received[task_id] = name
            elif event == "succeeded":
                finished.add(task_id)
            elif event == "failed":
                failed.add(task_id)
    lost = {tid: name for tid, name in received.items() if tid not in finished | failed}
    by_name: dict[str, int] = {}
    for name in received.values():
        by_name[name] = by_name.get(name, 0) + 1
    return {
        "received": len(received),
        "succeeded": len(finished),
        "failed": len(failed),
        "by_task": by_name,
        "lost": lost,
    }


def check_writes(writes_file: Path, since: datetime) -> dict:
    """Each saved write is in the database once, with its audit row."""
    from django.contrib.contenttypes.models import ContentType

    from clients.models import CaseNote
    from cooperation.models import AuditAction, AuditEvent
    from partners.models import Referral
    from reintegration.models import Step
    from sepi.models import Lookup

    finders = {
        "note": lambda m: CaseNote.objects.filter(text__contains=m),
        "step": lambda m: Step.objects.filter(title__contains=m),
        "referral": lambda m: Referral.objects.filter(needs__contains=m),
        "sepi": lambda m: Lookup.objects.filter(request_key=m),
    }
    writes = [json.loads(line) for line in writes_file.read_text().splitlines() if line.strip()]
    report: dict = {}
    for kind, find in finders.items():
        mine = [w for w in writes if w["kind"] == kind]
        ok = [
            w
            for w in mine
            if (w["status"] in (301, 302, 303) if kind != "sepi" else w["status"] == 200)
        ]
        rows = {w["marker"]: list(find(w["marker"]).values_list("pk", flat=True)) for w in mine}
        ids = [pk for pks in rows.values() for pk in pks]
        model = find("x").model
        audited = set(
            AuditEvent.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=[str(pk) for pk in ids],
                action=AuditAction.CREATE,
            ).values_list("object_id", flat=True)
        )
        refused: dict[str, int] = {}
        for w in mine:
            if w["status"] == 200 and kind != "sepi":
                reason = w.get("detail") or "form shown again"
                refused[reason] = refused.get(reason, 0) + 1
        report[kind] = {
            "attempted": len(mine),
            "saved_answers": len(ok),
            # Forms shown again with the app's reason (a rule said no): not failures.
            "refused_by_a_rule": refused,
            "rows": len(ids),
            "saved_but_missing": sum(1 for w in ok if not rows[w["marker"]]),
            "duplicates": sum(1 for pks in rows.values() if len(pks) > 1),
            "audit_create_rows": len(audited),
            "rows_without_audit": len(ids) - len(audited) if kind != "sepi" else None,
        }
    from sepi.models import LookupStatus

    lookups = Lookup.objects.filter(
        request_key__in=[w["marker"] for w in writes if w["kind"] == "sepi"]
    )
    report["sepi"]["by_status"] = {
        status: lookups.filter(status=status).count() for status in LookupStatus.values
    }
    report["sepi"]["attempts_over_1"] = lookups.filter(attempts__gt=1).count()
    report["audit_rows_written_during_run"] = AuditEvent.objects.filter(at__gte=since).count()
    return report


def counts() -> dict:
    from django.apps import apps

    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in {"clients", "reintegration", "partners", "sepi", "cooperation"}
        and m._meta.model_name in {"casenote", "step", "referral", "lookup", "auditevent"}
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="Cooperation under load and faults")
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOADTEST_USERS", 50)))
    parser.add_argument(
        "--spawn-rate", type=float, default=float(os.environ.get("LOADTEST_SPAWN_RATE", 1))
    )
    parser.add_argument(
        "--duration", type=int, default=int(os.environ.get("LOADTEST_DURATION", 150))
    )
    parser.add_argument("--kill-at", type=int, default=int(os.environ.get("LOADTEST_KILL_AT", 60)))
    parser.add_argument(
        "--redis-at", type=int, default=int(os.environ.get("LOADTEST_REDIS_AT", 120))
    )
    parser.add_argument("--json", default=os.environ.get("LOADTEST_JSON", "loadtest-results.json"))
    args = parser.parse_args()

    os.environ.update({k: os.environ.get(k, v) for k, v in LOADTEST_ENV.items()})
    # Stopped from outside (CI's timeout): leave through `finally`, which stops the
    # stack's processes (each runs in a session of its own and would be left behind).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped (SIGTERM): the stack is stopped"))
    started = time.monotonic()
    log("preparing the stack (migrate, demo seed, static files, nginx.conf)")
    env = stack.prepare(seed=True)
    prepared_s = round(time.monotonic() - started, 1)
    run_dir = Path(env["STACK_DIR"])
    logs = run_dir / "logs"
    for old in logs.glob("*.log"):
        old.unlink()
    base = f"https://127.0.0.1:{env['STACK_HTTPS_PORT']}"
    sup = stack.Supervisor(env)
    results: dict = {"started_at": datetime.now(UTC).isoformat(timespec="seconds")}
    os.environ.update({k: v for k, v in env.items()})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")
    import django

    django.setup()
    locust: subprocess.Popen[bytes] | None = None
    try:
        log("starting: " + ", ".join(sup.commands))
        sup.start_all()
        wait_healthy(base, timeout=120)
        startup_s = round(time.monotonic() - started - prepared_s, 1)
        # SEPI answers in 1.5 s, as a remote government service may: lookups stay in
        # the workers' hands long enough for the kill to catch one.
        requests.post(
            f"http://127.0.0.1:{env['STACK_SEPI_PORT']}/control",
            json={"latency_ms": 1500},
            timeout=5,
        )
        before = counts()
        since = datetime.now(UTC)
        writes_file = run_dir / "writes.jsonl"
        writes_file.write_text("")
        prefix = run_dir / "locust"
        timings_file = run_dir / "timings.jsonl"
        timings_file.write_text("")
        locust_env = os.environ | {
            "LOADTEST_WRITES": str(writes_file),
            "LOADTEST_TIMINGS": str(timings_file),
        }
        log(f"load: {args.users} people for {args.duration} s")
        locust = subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(ROOT / "loadtest" / "locustfile.py"),
                "--headless",
                "--only-summary",
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-t",
                f"{args.duration}s",
                "--stop-timeout",
                "10",
                "--host",
                base,
                "--csv",
                str(prefix),
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=locust_env,
            stdout=(logs / "locust.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        load_start, load_wall = time.monotonic(), time.time()
        faults = []

        def at(second: int) -> None:
            time.sleep(max(0.0, load_start + second - time.monotonic()))

        if args.kill_at < args.duration:
            # Kill while tasks are in the workers' hands, so there is something to lose:
            # four SEPI lookups (1.5 s each) keep both workers busy. Their pages are
            # opened beforehand (slow under load); they are posted at the kill's second.
            go = threading.Event()
            at(max(0, args.kill_at - LOOKUPS_LEAD_S))
            threading.Thread(
                target=queue_lookups, args=(base, writes_file, 4, go), daemon=True
            ).start()
            at(args.kill_at)
            go.set()
            unacked = 0
            for _ in range(100):  # up to 10 s for a task to be in a worker's hands
                unacked = int(redis_command(env["STACK_REDIS_PORT"], "HLEN", "unacked") or 0)
                if unacked:
                    break
                time.sleep(0.1)
            t = time.time()
            sup.kill("web1")
            sup.kill("worker1")
            sup.start("web1")
            sup.start("worker1")
            faults.append(
                {
                    "fault": "SIGKILL web1 + worker1",
                    "at_s": round(t - load_wall, 1),
                    "at": t,
                    "until": time.time(),
                    "unacked_tasks_at_kill": unacked,
                }
            )
            log(
                f"killed web1 and worker1 {t - load_wall:.0f} s into the load "
                f"(unacked tasks in Redis: {unacked}); started again"
            )
        if args.redis_at < args.duration:
            at(args.redis_at)
            t = time.time()
            sup.kill("redis", sig=15)  # SIGTERM: Redis writes its append-only file and exits
            sup.start("redis")
            for _ in range(50):
                if redis_command(env["STACK_REDIS_PORT"], "PING") == "PONG":
                    break
                time.sleep(0.1)
            faults.append(
                {
                    "fault": "Redis restart",
                    "at_s": round(t - load_wall, 1),
                    "at": t,
                    "until": time.time(),
                }
            )
            log(
                f"restarted Redis {t - load_wall:.0f} s into the load ({time.time() - t:.2f} s down)"
            )
        locust.wait()
        log("load over; probes and checks")
        access_log = logs / "nginx-access.log"
        results["sessions_shared"] = probe_sessions(base, access_log)
        rate = probe_rate_limit(base, access_log)
        from cooperation.models import AuditAction, AuditEvent

        rate["locked_out_audit_rows"] = AuditEvent.objects.filter(
            action=AuditAction.LOCKED_OUT, at__gte=since
        ).count()
        rate["shared"] = rate["locked_out_audit_rows"] >= 1 and len(rate["web_processes"]) >= 2
        results["login_rate_limit_shared"] = rate
        results["drain"] = drain(
            env["STACK_REDIS_PORT"], timeout=float(env["CELERY_VISIBILITY_TIMEOUT"]) + 30
        )
        results["health_after"] = wait_healthy(base, timeout=60)
        pages, total = read_locust_stats(prefix)
        lines = nginx_lines(access_log)
        timings = [json.loads(t) for t in timings_file.read_text().splitlines() if t.strip()]
        steady = outside_faults(timings, faults)
        results |= {
            "users": args.users,
            "duration_s": args.duration,
            "prepare_s": prepared_s,
            "startup_s": startup_s,
            "requests": total.get("requests", 0),
            "failures": total.get("failures", 0),
            "throughput_rps": total.get("rps", 0),
            "pages": pages,
            "main_pages_p95_max_ms": max(
                (pages[p]["p95_ms"] for p in pages if p.split(" ", 1)[1] in MAIN_PAGES), default=0
            ),
            # The same without the requests that overlap a fault's window (2 s before
            # to 15 s after): the load's steady state, which the latency target is about.
            "pages_outside_faults": steady,
            "main_pages_p95_max_ms_outside_faults": max(
                (steady[p]["p95_ms"] for p in steady if p.split(" ", 1)[1] in MAIN_PAGES),
                default=0,
            ),
            "failure_kinds": read_failures(prefix),
            "faults": faults,
            "nginx_5xx": classify_5xx(lines, faults),
            "nginx_requests": len(lines),
            "tasks": task_log(logs),
            "writes": check_writes(writes_file, since),
            "counts_before": before,
            "counts_after": counts(),
        }
    finally:
        if locust is not None and locust.poll() is None:
            locust.terminate()
        sup.stop_all()
    results["total_s"] = round(time.monotonic() - started, 1)
    problems = verdict(results)
    results["problems"] = problems
    Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if "main_pages_p95_max_ms" in results:
        log(
            "p95 of the main pages, the slowest: "
            f"{results['main_pages_p95_max_ms']:.0f} ms over the whole run, "
            f"{results['main_pages_p95_max_ms_outside_faults']:.0f} ms outside the faults' "
            "windows (target 300 ms, reported, not enforced)"
        )
    log(
        f"results in {args.json}; " + ("OK" if not problems else "PROBLEMS: " + "; ".join(problems))
    )
    return 1 if problems else 0


def verdict(r: dict) -> list[str]:
    problems = []
    if r["nginx_5xx"]["outside_faults"]:
        problems.append(f"{len(r['nginx_5xx']['outside_faults'])} 5xx outside the faults")
    if r["tasks"]["lost"]:
        problems.append(f"{len(r['tasks']['lost'])} tasks received and never finished")
    if r["drain"].get("lookups_pending") or r["drain"].get("queued") or r["drain"].get("unacked"):
        problems.append(f"queue not drained: {r['drain']}")
    for kind, w in r["writes"].items():
        if not isinstance(w, dict):
            continue
        if w["saved_but_missing"] or w["duplicates"] or w.get("rows_without_audit"):
            problems.append(f"{kind}: {w}")
    if not r["sessions_shared"]["shared"]:
        problems.append("sessions not shared across web processes")
    if not r["login_rate_limit_shared"]["shared"]:
        problems.append("login rate limit not shared across web processes")
    explained = len(r["nginx_5xx"]["in_flight_at_faults"])
    if r["failures"] > explained:
        problems.append(f"{r['failures']} failed requests, {explained} explained by the faults")
    return problems


if __name__ == "__main__":
    sys.exit(main())
