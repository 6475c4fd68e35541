"""Double-submit guard for create forms.

The form carries a one-off token; after a successful POST the token is
remembered in the session with the URL of what was created. A second POST
with the same token (a double click, a resubmitted page) goes to that URL
instead of creating a duplicate.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest

FIELD = "form_token"
_SESSION_KEY = "form_tokens_done"
_KEEP = 50


def form_token_new() -> str:
    return uuid.uuid4().hex


def form_token_result(request: HttpRequest) -> str | None:
    """The URL of what this form's token already created, if it was submitted before."""
    token = request.POST.get(FIELD, "")
    return request.session.get(_SESSION_KEY, {}).get(token) if token else None


def form_token_done(request: HttpRequest, url: str) -> None:
    token = request.POST.get(FIELD, "")
    if not token:
        return
    done = dict(list(request.session.get(_SESSION_KEY, {}).items())[-(_KEEP - 1) :])
    done[token] = url
    request.session[_SESSION_KEY] = done
