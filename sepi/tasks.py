"""Celery tasks for SEPI: thin wrappers that take ids and call a service.

`acks_late` + `reject_on_worker_lost`: a worker that dies mid-lookup does not
lose the message; it is delivered again, and the service makes the repeat
harmless (a finished lookup is left alone, a running one is not run twice).
The HTTP backend retries transient failures itself, so a task never retries:
a failure is recorded with its reason and the worker gets a retry button.
"""

from __future__ import annotations

from celery import shared_task


# after_response: with eager tasks (the demo) the lookup runs after the page has
# answered with "Asking SEPI…", not inside the request (see cooperation/celery.py).
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True, after_response=True)  # type: ignore[call-overload]
def sepi_lookup(lookup_id: int) -> str:
    from .services import lookup_run

    return lookup_run(lookup_id=lookup_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True, after_response=True)  # type: ignore[call-overload]
def sepi_lookup_chunk(lookup_ids: list[int]) -> dict[str, int]:
    """One chunk of a batch check, one lookup after another."""
    from .services import lookup_run

    outcomes: dict[str, int] = {}
    for lookup_id in lookup_ids:
        status = lookup_run(lookup_id=lookup_id)
        outcomes[status] = outcomes.get(status, 0) + 1
    return outcomes


@shared_task(ignore_result=True)
def sepi_sweep_stale() -> int:
    """Beat: fail lookups stuck in the queue (a lost message, a dead worker)."""
    from .services import lookups_fail_stale

    return lookups_fail_stale()
