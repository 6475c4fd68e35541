"""`manage.py access_check`: does the client access table match the rules?

Recomputes who may see each client from the rules (the owner, and every
institution holding a view grant) and compares it with `ClientAccess`, row by
row and key by key. Prints the differences (ids only) and exits 1 on any;
`--fix` rewrites the rows of every client concerned (and exits 0 once fixed).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clients.access import access_drift, access_fix


class Command(BaseCommand):
    help = "Compare the client access table with the visibility rules; --fix rewrites it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="rewrite the rows that differ")
        parser.add_argument("--limit", type=int, default=20, help="differences to list per kind")

    def handle(self, *args: Any, **options: Any) -> None:
        drift = access_drift()
        if not drift:
            self.stdout.write("The access table matches the rules.")
            return
        for kind, pairs in (
            ("missing (visible, no row)", drift.missing),
            ("extra (a row, not visible)", drift.extra),
            ("stale (keys or owner flag differ)", drift.stale),
        ):
            if pairs:
                self.stdout.write(f"{kind}: {len(pairs)}")
                for institution, client in pairs[: options["limit"]]:
                    self.stdout.write(f"  institution {institution}, client {client}")
        if options["fix"]:
            fixed = access_fix(drift)
            left = access_drift()
            self.stdout.write(f"Rewrote the rows of {fixed} client(s); left: {left.counts}.")
            if not left:
                return
        raise SystemExit(1)
