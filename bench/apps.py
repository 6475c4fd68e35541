from __future__ import annotations

from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The `bench` command's home: no models; installed so the core does not import it."""

    name = "bench"
    verbose_name = "Benchmark"
