"""Searches that keep a PESEL out of every URL.

A PESEL in a query string lands in access logs, browser history, the Referer
header and the language switch's `next`. So a search form posts; its fields
are kept in the session behind a short random token, and the results page,
its pagination and any link back carry only `?search=<token>`. A GET that
carries an 11-digit number anyway (an old bookmark, a hand-typed address) is
redirected by `PeselQueryMiddleware` to the same page with the number moved
behind a token, so the search still works and the address no longer holds it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict

PARAM = "search"
_SESSION_KEY = "searches"
# Only the newest searches are kept: a token is short-lived by design.
_KEPT = 20
_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")


def holds_pesel(value: str) -> bool:
    """Whether a value carries something shaped like a PESEL (11 digits in a row)."""
    return bool(_ELEVEN_DIGITS.search(re.sub(r"\s", "", value)))


def search_stash(request: HttpRequest, data: dict[str, list[str]]) -> str:
    """Keep a search's fields in the session; the token that stands for them."""
    searches: dict[str, dict[str, list[str]]] = request.session.get(_SESSION_KEY, {})
    token = secrets.token_urlsafe(9)
    searches[token] = data
    for old in list(searches)[:-_KEPT]:
        del searches[old]
    request.session[_SESSION_KEY] = searches
    return token


def _stashed(request: HttpRequest, token: str | None) -> dict[str, list[str]]:
    if not token or not hasattr(request, "session"):
        return {}
    return dict(request.session.get(_SESSION_KEY, {}).get(token) or {})


def search_params(request: HttpRequest) -> QueryDict:
    """The page's filters: the query string, with the search its token stands for.

    An unknown or expired token gives the unfiltered list, never an error.
    """
    params = request.GET.copy()
    token = params.pop(PARAM, [None])[-1]
    for name, values in _stashed(request, token).items():
        if name not in params:
            params.setlist(name, values)
    return params


def search_redirect(request: HttpRequest, fields: Iterable[str]) -> HttpResponse:
    """Post/redirect/get for a search form: the results page holds only a token."""
    data = {f: request.POST.getlist(f) for f in fields if any(request.POST.getlist(f))}
    query = f"?{urlencode({PARAM: search_stash(request, data)})}" if data else ""
    return HttpResponseRedirect(request.path + query)


class PeselQueryMiddleware:
    """Redirect a GET whose query string holds a PESEL to one that does not.

    The number (with its parameter) moves into the session behind a search
    token, so a list that reads `search_params` still shows the search; other
    pages simply drop it. Never reflected, never kept in the address.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD") and request.META.get("QUERY_STRING"):
            kept = request.GET.copy()
            leaking = [
                name
                for name in kept
                if holds_pesel(name) or any(holds_pesel(v) for v in kept.getlist(name))
            ]
            if leaking:
                moved = _stashed(request, kept.pop(PARAM, [None])[-1])
                moved |= {name: kept.pop(name) for name in leaking if name != PARAM}
                kept[PARAM] = search_stash(request, moved)
                return HttpResponseRedirect(f"{request.path}?{kept.urlencode()}")
        return self.get_response(request)
