from __future__ import annotations

import copy

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from clients.selectors import client_get_for_user, clients_visible_to
from cooperation.audit import audit
from cooperation.decorators import member_required
from cooperation.forms import add_service_errors
from cooperation.formtokens import submit_once
from cooperation.http import MemberRequest
from cooperation.models import AuditAction
from cooperation.pdf import pdf_response
from cooperation.permissions import CHANGE
from cooperation.roles import CASEWORK_ROLES, STAFF_ROLES, is_labour_office
from cooperation.searches import search_params, search_redirect

from . import imports, printing, services
from .forms import (
    BoardFilter,
    ImportUploadForm,
    OfferForm,
    OfficeOfferFilter,
    ProposalForm,
    ProposalUpdateForm,
    PublishForm,
    WithdrawForm,
)
from .matching import offers_for_client
from .models import Board, JobOffer
from .selectors import (
    BOARD_KINDS,
    board_get_for_user,
    board_offers,
    current_offers_for,
    import_get_for_user,
    imports_visible_to,
    municipalities_of,
    offer_get_for_user,
    office_offers,
    print_get_for_user,
    prints_of,
    proposal_get_for_user,
    proposals_of,
    publications_of,
)

# Each sheet takes up to a second to fit and render; more than this in one
# request would keep the worker waiting, so the kept file is prepared by a task.
MAX_ON_DEMAND_SHEETS = 15


def _page(request: MemberRequest, qs, per_page: int | None = None):
    return Paginator(qs, per_page or settings.PAGE_SIZE).get_page(request.GET.get("page"))


@member_required(STAFF_ROLES)
def home(request: MemberRequest) -> HttpResponse:
    """Job offers: a labour office's own list; an OPS/PCPR's noticeboard."""
    institution = request.institution
    if is_labour_office(institution):
        return redirect("joboffers:offers")
    if institution.kind in BOARD_KINDS:
        return redirect(services.board_ensure(institution))
    return render(request, "joboffers/no_board.html")


@member_required(permission=(JobOffer, CHANGE))
def offer_list(request: MemberRequest) -> HttpResponse:
    offers = office_offers(request.user)
    filterset = OfficeOfferFilter(request.GET or None, queryset=offers)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else offers
    context = {"filter": filterset, "page": _page(request, rows)}
    return render(request, "joboffers/offer_list.html", context)


@member_required(permission=(JobOffer, CHANGE))
@submit_once
def offer_create(request: MemberRequest) -> HttpResponse:
    today = timezone.localdate()
    form = OfferForm(
        request.POST or None,
        initial={"valid_from": today, "contact_phone": request.institution.phone},
    )
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.offer_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)  # type: ignore[arg-type]
        else:
            messages.success(request, _("Offer saved as a draft. Publish it when it is ready."))
            return redirect(offer)
    return render(request, "joboffers/offer_form.html", {"form": form})


@member_required(permission=(JobOffer, CHANGE))
def offer_edit(request: MemberRequest, pk: int) -> HttpResponse:
    offer = offer_get_for_user(request.user, pk, "change")
    # The form edits a copy so the service can tell what changed.
    form = OfferForm(request.POST or None, instance=copy.copy(offer))
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_update(offer=offer, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)  # type: ignore[arg-type]
        else:
            messages.success(request, _("Saved."))
            return redirect(offer)
    return render(request, "joboffers/offer_form.html", {"form": form, "offer": offer})


@member_required(STAFF_ROLES)
def offer_detail(request: MemberRequest, pk: int) -> HttpResponse:
    offer = offer_get_for_user(request.user, pk)
    mine = offer.institution_id == request.institution.pk
    context = {
        "offer": offer,
        "mine": mine,
        "publications": publications_of(offer) if mine else [],
        "today": timezone.localdate(),
    }
    return render(request, "joboffers/offer_detail.html", context)


@member_required(permission=(JobOffer, CHANGE))
def offer_publish(request: MemberRequest, pk: int) -> HttpResponse:
    offer = offer_get_for_user(request.user, pk, "change")
    boards = Board.objects.filter(
        pk__in=[b.pk for b in services.partner_boards(request.institution)]
    ).select_related("institution")
    current = list(offer.publications.filter(ended_at__isnull=True).values_list("board", flat=True))
    form = PublishForm(request.POST or None, boards=boards, initial={"boards": current})
    everywhere = request.method == "POST" and "all" in request.POST
    if request.method == "POST" and (everywhere or form.is_valid()):
        chosen = None if everywhere else form.cleaned_data["boards"]
        try:
            created = services.offer_publish(offer=offer, acting_user=request.user, boards=chosen)
        except ValidationError as exc:
            add_service_errors(form, exc)
            messages.error(request, " ".join(exc.messages))
        else:
            n = len(created)
            messages.success(
                request,
                ngettext("Published on %(n)d more board.", "Published on %(n)d more boards.", n)
                % {"n": n}
                if n
                else _("The offer was already on the chosen boards."),
            )
            return redirect(offer)
    context = {"form": form, "offer": offer, "has_boards": boards.exists()}
    return render(request, "joboffers/offer_publish.html", context)


@member_required(permission=(JobOffer, CHANGE))
@require_POST
def offer_unpublish(request: MemberRequest, pk: int) -> HttpResponse:
    offer = offer_get_for_user(request.user, pk, "change")
    # Not a number, or past the database's range (board__pk, unlike board_id,
    # is guarded against overflow): no such board.
    board = request.POST.get("board", "")
    publication = (
        offer.publications.filter(
            board__pk=board if board.isdecimal() else 0, ended_at__isnull=True
        )
        .select_related("board__institution")
        .first()
    )
    if publication is None:
        messages.error(request, _("The offer is not on this board."))
        return redirect(offer)
    try:
        services.offer_unpublish(offer=offer, acting_user=request.user, board=publication.board)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Taken off %(board)s.") % {"board": publication.board.institution.name}
        )
    return redirect(offer)


@member_required(permission=(JobOffer, CHANGE))
@require_POST
def offer_fill(request: MemberRequest, pk: int) -> HttpResponse:
    offer = offer_get_for_user(request.user, pk, "change")
    try:
        services.offer_fill(offer=offer, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Marked as filled. The boards show it so for a week."))
    return redirect(offer)


@member_required(permission=(JobOffer, CHANGE))
def offer_withdraw(request: MemberRequest, pk: int) -> HttpResponse:
    offer = offer_get_for_user(request.user, pk, "change")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_withdraw(
                offer=offer, acting_user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Offer withdrawn; it left every board."))
            return redirect(offer)
    return render(request, "joboffers/offer_withdraw.html", {"form": form, "offer": offer})


@member_required(STAFF_ROLES)
def offer_sheet(request: MemberRequest, pk: int) -> HttpResponse:
    offer = offer_get_for_user(request.user, pk)
    pdf = printing.sheets_pdf([offer])
    return pdf_response(pdf, f"oferta-{offer.number.replace('/', '-')}")


def _board_rows(request: MemberRequest, board: Board):
    offers = board_offers(board, request.user)
    filterset = BoardFilter(
        request.GET or None, queryset=offers, municipalities=municipalities_of(offers)
    )
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else offers
    return filterset, rows


@member_required(STAFF_ROLES)
def board_detail(request: MemberRequest, pk: int) -> HttpResponse:
    board = board_get_for_user(request.user, pk)
    filterset, rows = _board_rows(request, board)
    large = request.GET.get("view") == "large"
    context = {
        "board": board,
        "filter": filterset,
        "page": _page(request, rows, 6 if large else None),
        "large": large,
        "prints": prints_of(board),
        "query": request.GET.urlencode(),
        # Say before the click whether the list is short enough to print on demand.
        "sheets_ready": 0
        < rows.exclude(status="filled")[: MAX_ON_DEMAND_SHEETS + 1].count()
        <= MAX_ON_DEMAND_SHEETS,
        "max_sheets": MAX_ON_DEMAND_SHEETS,
    }
    return render(request, "joboffers/board_detail.html", context)


@member_required(STAFF_ROLES)
def board_sheets(request: MemberRequest, pk: int) -> HttpResponse:
    board = board_get_for_user(request.user, pk)
    _filterset, rows = _board_rows(request, board)
    offers = list(rows.exclude(status="filled")[: MAX_ON_DEMAND_SHEETS + 1])
    if not offers or len(offers) > MAX_ON_DEMAND_SHEETS:
        messages.warning(
            request,
            _(
                "Choose between 1 and %(n)d offers with the filters, or prepare the kept file "
                "with all sheets."
            )
            % {"n": MAX_ON_DEMAND_SHEETS},
        )
        return redirect(f"{board.get_absolute_url()}?{request.GET.urlencode()}")
    pdf = printing.board_sheets_pdf(offers, board=board)
    return pdf_response(pdf, f"arkusze-{board.institution.short_name}")


@member_required(STAFF_ROLES)
def board_digest(request: MemberRequest, pk: int) -> HttpResponse:
    board = board_get_for_user(request.user, pk)
    _filterset, rows = _board_rows(request, board)
    offers = list(rows.exclude(status="filled").order_by("kind", "position", "pk"))
    pdf = printing.digest_pdf(offers, board=board, today=timezone.localdate())
    return pdf_response(pdf, f"zestawienie-{board.institution.short_name}")


@member_required(STAFF_ROLES)
@require_POST
def board_prints_now(request: MemberRequest, pk: int) -> HttpResponse:
    """Prepare this week's kept sheets and digest now (a task), e.g. after new offers came."""
    board = board_get_for_user(request.user, pk)
    transaction.on_commit(lambda: _queue_prints(board.pk))
    messages.success(
        request, _("The sheets and the digest are being prepared; they appear below in a minute.")
    )
    return redirect(board)


def _queue_prints(board_id: int) -> None:
    from .tasks import board_prints

    board_prints.delay(board_id)


@member_required(STAFF_ROLES)
def print_download(request: MemberRequest, pk: int) -> FileResponse:
    item = print_get_for_user(request.user, pk)
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.file.name.rsplit("/", 1)[-1],  # type: ignore[union-attr]
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@member_required(permission=(JobOffer, CHANGE))
@submit_once
def import_list(request: MemberRequest) -> HttpResponse:
    institution = request.institution
    feed = settings.CBOP_FEEDS.get(institution.short_name, "")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.POST.get("action") == "fetch" and feed:
        transaction.on_commit(lambda: _queue_fetch(institution.pk, feed, request.user.pk))
        messages.success(request, _("The import from the configured address has started."))
        return redirect("joboffers:imports")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = imports.cbop_import(
            institution=institution,
            data=upload.read(),
            source=upload.name,
            acting_user=request.user,
        )
        return redirect(run)
    context = {"form": form, "page": _page(request, imports_visible_to(request.user)), "feed": feed}
    return render(request, "joboffers/import_list.html", context)


def _queue_fetch(institution_id: int, url: str, user_id: int) -> None:
    from .tasks import cbop_import_feed

    cbop_import_feed.delay(institution_id, url, user_id)


@member_required(permission=(JobOffer, CHANGE))
def import_detail(request: MemberRequest, pk: int) -> HttpResponse:
    run = import_get_for_user(request.user, pk)
    return render(request, "joboffers/import_detail.html", {"run": run})


@member_required(CASEWORK_ROLES)
def client_search(request: MemberRequest) -> HttpResponse:
    if request.method == "POST":
        return search_redirect(request, ["q"])
    query = search_params(request).get("q", "")
    clients = clients_visible_to(request.user, query=query).order_by(
        "last_name", "first_name", "pk"
    )
    return render(
        request,
        "joboffers/client_search.html",
        {"page": _page(request, clients), "query": query},
    )


@member_required(CASEWORK_ROLES)
@submit_once
def client_offers(request: MemberRequest, client_pk: int) -> HttpResponse:
    """Offers for this client: what fits, and proposals with the client's answers."""
    client = client_get_for_user(request.user, client_pk)
    initial = {"proposed_on": timezone.localdate(), "offer": request.GET.get("offer")}
    form = ProposalForm(
        request.POST or None, offers=current_offers_for(request.user), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_record(acting_user=request.user, client=client, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            messages.error(request, " ".join(exc.messages))
        else:
            url = reverse("joboffers:client_offers", args=[client.pk])
            messages.success(request, _("Proposal recorded on the client's timeline."))
            return redirect(url)
    audit(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=client,
        fields=["municipality", "occupation", "skills"],
        request=request,
        reason="job offers",
    )
    everything = request.GET.get("all") == "1"
    context = {
        "client": client,
        "matches": offers_for_client(client, request.user, everything=everything),
        "everything": everything,
        "proposals": proposals_of(client),
        "form": form,
    }
    return render(request, "joboffers/client_offers.html", context)


@member_required(CASEWORK_ROLES)
def proposal_edit(request: MemberRequest, pk: int) -> HttpResponse:
    proposal = proposal_get_for_user(request.user, pk, "change")
    initial = {"answer": proposal.answer, "outcome": proposal.outcome, "note": proposal.note}
    form = ProposalUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_update(
                proposal=proposal, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("joboffers:client_offers", client_pk=proposal.client_id)
    return render(request, "joboffers/proposal_form.html", {"form": form, "proposal": proposal})
