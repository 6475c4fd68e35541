"""Celery tasks for job offers: thin wrappers that take ids and call services."""

from __future__ import annotations

from celery import shared_task


@shared_task
def offers_daily() -> dict[str, int]:
    """Beat: offers past their date leave the boards; filled ones a week after filling."""
    from .services import offers_run_daily

    return offers_run_daily()


@shared_task
def boards_print_weekly() -> int:
    """Beat, Mondays: queue this week's sheets and digest for every board."""
    from .models import Board

    ids = list(Board.objects.values_list("pk", flat=True))
    for pk in ids:
        board_prints.delay(pk)
    return len(ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=3)
def board_prints(board_id: int) -> int:
    """Render and keep one board's sheets and digest for this week."""
    from .models import Board
    from .services import board_prints_generate

    board = Board.objects.select_related("institution").get(pk=board_id)
    return len(board_prints_generate(board=board))


@shared_task
def cbop_import_all() -> int:
    """Beat: queue the import of every feed configured in CBOP_FEEDS."""
    from .imports import configured_feeds

    feeds = configured_feeds()
    for institution, url in feeds:
        cbop_import_feed.delay(institution.pk, url)
    return len(feeds)


@shared_task(autoretry_for=(OSError,), retry_backoff=60, retry_jitter=True, max_retries=4)
def cbop_import_feed(institution_id: int, url: str, user_id: int | None = None) -> int:
    """Fetch and import one feed; network and server errors are retried with backoff."""
    from cooperation.models import Institution, User

    from .imports import cbop_import_url

    user = User.objects.get(pk=user_id) if user_id else None
    run = cbop_import_url(
        institution=Institution.objects.get(pk=institution_id), url=url, acting_user=user
    )
    return run.pk
