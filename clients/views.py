from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cooperation.audit import audit
from cooperation.decorators import member_required
from cooperation.models import AuditAction

from .selectors import client_get_for_user, clients_visible_to


@member_required()
def client_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    page = Paginator(clients_visible_to(request.user, query=query), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "clients/client_list.html", {"page": page, "query": query})


@member_required()
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_get_for_user(request.user, pk)
    # The detail page shows the full PESEL and contact data: every view is evidence.
    audit(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=client,
        fields=["pesel", "contact"],
        request=request,
    )
    return render(request, "clients/client_detail.html", {"client": client})
