"""`manage.py sepi_simulator --port 8765`: the SEPI simulator as a standalone HTTP server.

Point the app at it with SEPI_BACKEND=http SEPI_BASE_URL=http://127.0.0.1:8765.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sepi.simulator import FAULTS, SimulatorServer, tls_context


class Command(BaseCommand):
    help = "Run the SEPI simulator (HTTP, JSON contract sepi-status/1) until Ctrl+C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--fault", choices=FAULTS, help="answer every request with this fault")
        parser.add_argument("--latency-ms", type=int, default=0, help="delay every answer")
        parser.add_argument("--today", help="the simulator's date (YYYY-MM-DD); default: today")
        parser.add_argument("--certfile", help="serve HTTPS with this certificate (PEM)")
        parser.add_argument("--keyfile", default="", help="its private key, if not in --certfile")
        parser.add_argument(
            "--client-ca", default="", help="require client certificates signed by this CA (PEM)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            tls = (
                tls_context(options["certfile"], options["keyfile"], options["client_ca"])
                if options["certfile"]
                else None
            )
            server = SimulatorServer((options["host"], options["port"]), tls=tls)
        except OSError as exc:
            raise CommandError(
                f"cannot listen on {options['host']}:{options['port']}: {exc}"
            ) from exc
        try:
            today = dt.date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError as exc:
            raise CommandError("--today must be a date like 2026-10-01") from exc
        server.state.configure(
            {
                "fault": options["fault"],
                "latency_ms": options["latency_ms"],
                "today": options["today"],
            }
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"SEPI simulator at {server.url} (status: POST {server.url}/api/v1/status)"
            )
        )
        self.stdout.write(f'Faults: POST {server.url}/control {{"fault": "error", "count": 3}}')
        if today:
            self.stdout.write(f"Simulated date: {today.isoformat()}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.stopping.set()
            server.server_close()
