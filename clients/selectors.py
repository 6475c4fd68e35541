"""Permission-filtered reads of client records."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from cooperation.models import User
from cooperation.permissions import get_visible_or_404, visible

from .models import Client


def clients_visible_to(user: User, *, query: str = "") -> QuerySet[Client]:
    """Clients the user may see (own institution's and shared), optionally searched.

    A query of digits matches the start of a PESEL; anything else matches
    first or last name. Only visible clients are ever searched, so a search
    reveals nothing about clients of other institutions.
    """
    qs = visible(Client, user).select_related("owner")
    query = query.strip()
    if query.isdigit():
        qs = qs.filter(pesel__startswith=query)
    elif query:
        for word in query.split():
            qs = qs.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word))
    return qs


def client_get_for_user(user: User, pk: int) -> Client:
    """One client the user may see, or 404."""
    return get_visible_or_404(Client.objects.select_related("owner", "created_by"), user, pk=pk)


def home_my_recent_clients(request: HttpRequest) -> list[Client]:
    return list(
        clients_visible_to(request.user).filter(created_by=request.user).order_by("-created_at")[:8]
    )
