"""The bell's count is read at login, so an ordinary page asks nothing for it: the
count stays in the cache until a notice to the person is written or read (those
forget it, and the next page counts once)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in, dispatch_uid="notifications.unread_at_login")
def unread_at_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from .selectors import unread_count

    unread_count(user)
