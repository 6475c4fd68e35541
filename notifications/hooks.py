"""What the notification centre adds to the rest of the app (see cooperation/hooks.py)."""

from __future__ import annotations

import logging

from cooperation import hooks
from cooperation.events import Event

logger = logging.getLogger(__name__)


@hooks.register("events")
def queue_fan_out(event: Event) -> None:
    """Every event, once committed, is turned into notices by a task: the action that
    emitted it never waits for the notices or their e-mails, nor fails with them."""
    from .tasks import fan_out

    try:
        fan_out.delay(event.as_dict())
    except Exception:
        # A broker that stays down after the publish retries: the action is done and
        # committed; the notice is lost, and the log says so.
        logger.exception("could not queue the notices of event %s (%s)", event.id, event.kind)
