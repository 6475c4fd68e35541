from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from clients.selectors import client_get_for_user
from cooperation.audit import audit_many
from cooperation.decorators import member_required
from cooperation.forms import add_service_errors
from cooperation.http import MemberRequest
from cooperation.models import AuditAction
from cooperation.permissions import can
from cooperation.roles import MANAGING_ROLES

from . import exports, services
from .forms import BatchForm, LookupFilter, LookupForm
from .models import BatchCheck, Lookup, LookupStatus
from .selectors import (
    announcement,
    audit_shown,
    batch_get_for_user,
    batch_progress,
    current_batch,
    lookup_get_for_user,
    lookups_visible_to,
    newest_lookup,
    state_context,
)
from .services import batch_candidates


@member_required()
@require_POST
def lookup_start(request: MemberRequest, pk: int) -> HttpResponse:
    """Start a lookup from the client page; answers with the live state fragment (htmx)."""
    client = client_get_for_user(request.user, pk)
    form = LookupForm(request.POST)
    lookup = None
    if form.is_valid():
        try:
            lookup = services.lookup_request(
                client=client, acting_user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
    if not request.htmx:
        if form.errors:
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))  # type: ignore[misc]
        # Without JavaScript the client page shows the (lazy) SEPI box as a link: go to
        # the box's own page, which shows the lookup's state.
        return redirect(reverse("clients:panel", args=[client.pk, "sepi"]))
    if lookup is not None:
        lookup.refresh_from_db()  # with eager tasks it may already be done
    # After an error, keep showing the newest lookup under the form.
    shown = lookup or newest_lookup(client, request.institution.pk)
    context = state_context(
        user=request.user, client=client, lookup=shown, form=form if form.errors else None
    )
    if context["result"] is not None and lookup is not None and not lookup.is_pending:
        audit_shown(request, client, context["answer"])
    return render(
        request, "sepi/_state_swap.html", {"state": context, "announce": announcement(lookup)}
    )


@member_required()
def lookup_state(request: MemberRequest, pk: int) -> HttpResponse:
    """The live state of one lookup, polled by the panel while it is queued or running."""
    lookup = lookup_get_for_user(request.user, pk)
    if not request.htmx:
        return redirect(reverse("clients:panel", args=[lookup.client_id, "sepi"]))
    if lookup.is_pending:  # a lost message or a dead worker ends here, with a retry button
        services.lookups_fail_stale(lookup_ids=[lookup.pk])
        lookup.refresh_from_db()
    context = state_context(user=request.user, client=lookup.client, lookup=lookup)
    if lookup.status == LookupStatus.DONE:
        audit_shown(request, lookup.client, lookup)
    # Still waiting: the live region already says so; announce only the end.
    announce = "" if lookup.is_pending else announcement(lookup)
    return render(request, "sepi/_state_swap.html", {"state": context, "announce": announce})


@member_required(permission=(Lookup, "list"))
def lookup_list(request: MemberRequest) -> HttpResponse:
    """For the coordinator's audits: every lookup made in the institution."""
    lookups = lookups_visible_to(request.user)
    filterset = LookupFilter(request.GET or None, queryset=lookups)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else lookups
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    # The list names clients: one audit row per client shown, in one INSERT.
    audit_many(
        actor=request.user,
        action=AuditAction.LIST,
        objects=[lookup.client for lookup in page],
        request=request,
        reason="SEPI lookups",
    )
    batch = current_batch(request.user)
    can_batch = can(request.user, BatchCheck, "start")
    context = {
        "filter": filterset,
        "page": page,
        "can_batch": can_batch,
        "batch_form": BatchForm(),
        "candidates": batch_candidates(request.user, may_start=can_batch).count(),
        "progress": batch_progress(batch) if batch else None,
        "query": request.GET.urlencode(),
    }
    return render(request, "sepi/lookup_list.html", context)


@member_required(permission=(Lookup, "list"))
def lookup_export(request: MemberRequest) -> HttpResponse:
    lookups = lookups_visible_to(request.user)
    filterset = LookupFilter(request.GET or None, queryset=lookups)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else lookups
    return exports.lookups_csv(request, rows)


@member_required()
@require_POST
def batch_start(request: MemberRequest) -> HttpResponse:
    form = BatchForm(request.POST)
    if form.is_valid():
        try:
            batch = services.batch_start(
                acting_user=request.user, purpose=form.cleaned_data["purpose"], request=request
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                ngettext(
                    "Batch check started for %(n)s client.",
                    "Batch check started for %(n)s clients.",
                    batch.total,
                )
                % {"n": batch.total},
            )
    else:
        messages.error(request, _("Choose the purpose and legal basis of the query."))
    return redirect("sepi:list")


@member_required(MANAGING_ROLES)
def batch_progress_view(request: MemberRequest, pk: int) -> HttpResponse:
    """The progress bar of a batch check, polled while it runs."""
    batch = batch_get_for_user(request.user, pk)
    if batch.status == "running":
        services.lookups_fail_stale(
            lookup_ids=batch.lookups.filter(status__in=services.PENDING).values_list(
                "pk", flat=True
            )
        )
        batch.refresh_from_db()
    template = "sepi/_batch.html" if request.htmx else "sepi/batch_page.html"
    return render(request, template, {"progress": batch_progress(batch)})
