from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements.models import Scope
from cooperation.audit import audit
from cooperation.decorators import member_required
from cooperation.forms import add_service_errors
from cooperation.formtokens import submit_once
from cooperation.http import MemberRequest
from cooperation.models import AuditAction, Institution
from cooperation.pdf import pdf_response, render_pdf
from cooperation.permissions import CHANGE, can, get_visible_or_404, require
from cooperation.processing import SpecialCategoryGround
from cooperation.roles import CASEWORK_ROLES, MANAGING_ROLES
from cooperation.searches import search_params, search_redirect
from cooperation.uploads import upload_response

from . import documents, exports, services
from .forms import (
    AccessRequestForm,
    ClientFilter,
    ClientForm,
    ConsentForm,
    DocumentForm,
    NoteForm,
    ReasonForm,
    ShareForm,
    WithdrawConsentForm,
)
from .models import AccessRequest, Client, ClientDocument, ClientShare, Consent
from .panels import panel_named, panels_for, tabs
from .permissions import CREATE, LIST, REGISTER, SHARE
from .selectors import (
    access_log_allowed,
    client_access_log,
    client_get_for_user,
    client_list_rows,
    consent_partners,
    consent_purposes,
    consents_to_share_on,
    documents_visible_to,
    notes_visible_to,
    sharing_of,
)
from .services import HeldByPartner, anonymise_allowed_from
from .timeline import timeline_for


@member_required(permission=(Client, LIST))
def client_list(request: MemberRequest) -> HttpResponse:
    """The search form posts, so a PESEL never reaches the address (see cooperation.searches)."""
    if request.method == "POST":
        return search_redirect(request, ClientFilter.base_filters)
    params = search_params(request)
    filterset = ClientFilter(params or None, queryset=Client.objects.none())
    wanted = filterset.form.cleaned_data if filterset.is_bound and filterset.is_valid() else {}
    rows = client_list_rows(
        request.user,
        query=wanted.get("q") or "",
        status=wanted.get("status") or "",
        held=wanted.get("held") or "",
    )
    page = Paginator(rows, settings.PAGE_SIZE).get_page(params.get("page"))
    return render(request, "clients/client_list.html", {"page": page, "filter": filterset})


@member_required(permission=(Client, REGISTER))
@submit_once
def client_register(request: MemberRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    holders = []
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_register(acting_user=request.user, data=form.cleaned_data)
        except HeldByPartner as exc:
            holders = exc.holders
            add_service_errors(form, exc)  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_errors(form, exc)  # type: ignore[arg-type]
        else:
            messages.success(request, _("Client registered."))
            url = f"{client.get_absolute_url()}?tab=sharing"
            return redirect(url)
    context = {
        "form": form,
        "holders": holders,
        "request_form": AccessRequestForm(initial={"pesel": form.data.get("pesel", "")})
        if holders
        else None,
    }
    return render(request, "clients/client_form.html", context)


@member_required(permission=(AccessRequest, CREATE))
@require_POST
def access_request(request: MemberRequest) -> HttpResponse:
    form = AccessRequestForm(request.POST)
    if form.is_valid():
        try:
            services.access_request_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Your request was sent. You will see the client once the partner shares it."),
            )
    return redirect("clients:list")


@member_required(CASEWORK_ROLES)
def client_detail(request: MemberRequest, pk: int) -> HttpResponse:
    client = client_get_for_user(request.user, pk)
    is_owner = can(request.user, client, SHARE)
    shown = tabs(is_owner=is_owner)
    tab = request.GET.get("tab") if request.GET.get("tab") in {t.key for t in shown} else "record"
    context = {"client": client, "tab": tab, "tabs": shown, "is_owner": is_owner}
    if tab == "record":
        # The record shows the full PESEL and contact data: every view is evidence.
        audit(
            actor=request.user,
            action=AuditAction.VIEW,
            obj=client,
            fields=["pesel", "contact", "address"],
            request=request,
        )
        context["panels"] = panels_for(request, client)  # type: ignore[assignment]
    elif tab == "timeline":
        context["entries"] = timeline_for(client, request.user)  # type: ignore[assignment]
    elif tab == "notes":
        context["notes"] = notes_visible_to(request.user, client)  # type: ignore[assignment]
        context["note_form"] = NoteForm(initial={"happened_on": timezone.localdate()})  # type: ignore[assignment]
    elif tab == "documents":
        context["documents"] = documents_visible_to(request.user, client)  # type: ignore[assignment]
        context["document_form"] = DocumentForm()  # type: ignore[assignment]
    elif tab == "sharing" and is_owner:
        context.update(sharing_of(client))  # type: ignore[arg-type]
        context["share_form"] = ShareForm(consents=consents_to_share_on(client))  # type: ignore[assignment]
        context["anonymise_from"] = anonymise_allowed_from(client)  # type: ignore[assignment]
    else:  # a tab another app adds (the plan): its panels
        context["panels"] = panels_for(request, client, tab=tab)  # type: ignore[arg-type, assignment]
    return render(request, "clients/client_detail.html", context)


@member_required(CASEWORK_ROLES)
def client_panel(request: MemberRequest, pk: int, key: str) -> HttpResponse:
    """One panel of the client page, for htmx to fill a lazy panel's placeholder; the
    same lookup as the page (404 to whom may not see the client, or the panel's tab).
    Without JavaScript the placeholder's link shows the panel on a page of its own."""
    client = client_get_for_user(request.user, pk)
    panel = panel_named(key)
    shown_tabs = {t.key for t in tabs(is_owner=client.owner_id == request.institution.pk)}
    if panel is None or panel.tab not in shown_tabs:
        raise Http404
    context = panel.context(request, client)
    if request.htmx:  # nothing for this user: the placeholder goes away
        body = {"client": client, "panel": context}
        shown = context is not None
        response = render(request, panel.template, body) if shown else HttpResponse("")
    else:
        page = {"client": client, "panel_def": panel, "panel": context}
        response = render(request, "clients/client_panel_page.html", page)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _owner_and_tabs(request: MemberRequest, client: Client) -> dict[str, object]:
    is_owner = client.owner_id == request.institution.pk
    return {"is_owner": is_owner, "tabs": tabs(is_owner=is_owner)}


@member_required(CASEWORK_ROLES)
def client_edit(request: MemberRequest, pk: int) -> HttpResponse:
    client = client_get_for_user(request.user, pk)
    require(request.user, client, CHANGE)  # a partner reads; the form is the owner's
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(client=client, acting_user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)  # type: ignore[arg-type]
        else:
            messages.success(request, _("Saved."))
            return redirect(client)
    return render(request, "clients/client_form.html", {"form": form, "client": client})


def _owner_post(request: MemberRequest, pk: int) -> Client:
    """The client, for the owner's consent and sharing forms: 403 with the reason for a
    partner, before any form is shown."""
    client = client_get_for_user(request.user, pk)
    require(request.user, client, SHARE)
    return client


def _consent_initial(request: MemberRequest, purposes: dict[int, list[str]]) -> dict:
    """?partner= (an access request's "record consent"), ?purpose= (the referral
    form's "record consent for referrals", or several from the printed consent
    form) and ?ground= (the art. 9(2) ground printed on it) fill the form in."""
    initial: dict = {"given_on": timezone.localdate()}
    partner = request.GET.get("partner", "")
    # isascii: "²".isdigit() is true too, and int() refuses it.
    if partner.isascii() and partner.isdigit() and int(partner) in purposes:
        initial["partner"] = int(partner)
        covered = purposes[int(partner)]
        # The printed consent form's link carries every purpose it offered.
        wanted = [p for p in request.GET.getlist("purpose") if p in covered]
        usual = [p for p in (Scope.CLIENT_RECORDS, Scope.JOINT_PLANS) if p in covered]
        initial["scopes"] = wanted or usual
    ground = request.GET.get("ground", "")
    if ground in SpecialCategoryGround.values:
        initial["special_category_ground"] = ground
    return initial


@member_required(CASEWORK_ROLES)
@submit_once
def consent_add(request: MemberRequest, pk: int) -> HttpResponse:
    client = _owner_post(request, pk)
    purposes = consent_purposes(client)
    form = ConsentForm(
        request.POST or None,
        request.FILES or None,
        partners=consent_partners(client, purposes),
        purposes=purposes,
        initial=_consent_initial(request, purposes),
    )
    if request.method == "POST" and form.is_valid():
        # The record is shared only when the consent covers it and the box is ticked.
        share_now = bool(request.POST.get("share_now")) and (
            Scope.CLIENT_RECORDS in form.cleaned_data["scopes"]
        )
        try:
            consent = services.consent_record(
                client=client, acting_user=request.user, **form.cleaned_data
            )
            if share_now:
                services.client_share(
                    client=client,
                    partner=consent.partner,
                    consent=consent,
                    acting_user=request.user,
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Consent recorded and the client shared.")
                if share_now
                else _("Consent recorded."),
            )
            return redirect(f"{client.get_absolute_url()}?tab=sharing")
    context = {"form": form, "client": client, "purposes_json": purposes}
    return render(request, "clients/consent_form.html", context)


@member_required(CASEWORK_ROLES)
def consent_print(request: MemberRequest, pk: int) -> HttpResponse:
    """Choose the partners and purposes to print; the links to the PDF and to
    the record form carry the same choice."""
    client = _owner_post(request, pk)
    offered = consent_purposes(client)
    chosen = documents.chosen_purposes(request.GET, offered)
    explicit = request.GET.get("explicit") == "1" if "choice" in request.GET else True
    partners = Institution.objects.in_bulk(list(offered))
    context = {
        "client": client,
        "offered": sorted(
            ((partners[pk], [(p, Scope(p).label) for p in ps]) for pk, ps in offered.items()),
            key=lambda row: row[0].name,
        ),
        "chosen": {f"{pk}:{p}" for pk, ps in chosen.items() for p in ps},
        "explicit": explicit,
        "query": documents.choice_query(chosen, explicit=explicit),
        "links": documents.record_links(client, chosen, explicit=explicit),
    }
    return render(request, "clients/consent_print.html", context)


@member_required(CASEWORK_ROLES)
def consent_form_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    client = _owner_post(request, pk)
    chosen = documents.chosen_purposes(request.GET, consent_purposes(client))
    if not chosen:
        raise Http404
    context = documents.consent_form_context(
        client, chosen, explicit=request.GET.get("explicit") == "1"
    )
    pdf = render_pdf("pdf/clients/consent_form.html", context, request=request)
    audit(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=client,
        fields=["name", "pesel", "address"],
        reason="consent form PDF",
        request=request,
    )
    return pdf_response(pdf, f"zgoda-{client.last_name}")


@member_required(CASEWORK_ROLES)
def consent_withdrawal_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    consent = get_visible_or_404(
        Consent.objects.select_related("client__owner", "partner"), request.user, CHANGE, pk=pk
    )
    context = documents.withdrawal_context(consent)
    pdf = render_pdf("pdf/clients/consent_withdrawal.html", context, request=request)
    audit(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=consent.client,
        fields=["name", "pesel", "address"],
        reason="consent withdrawal form PDF",
        request=request,
    )
    return pdf_response(pdf, f"odwolanie-zgody-{consent.client.last_name}")


@member_required(CASEWORK_ROLES)
@require_POST
def client_share(request: MemberRequest, pk: int) -> HttpResponse:
    client = _owner_post(request, pk)
    form = ShareForm(
        request.POST, consents=Consent.objects.filter(client=client).select_related("partner")
    )
    if form.is_valid():
        consent = form.cleaned_data["consent"]
        try:
            services.client_share(
                client=client, partner=consent.partner, consent=consent, acting_user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The client is now shared with %(partner)s.") % {"partner": consent.partner.name},
            )
    return redirect(f"{client.get_absolute_url()}?tab=sharing")


@member_required(CASEWORK_ROLES)
@require_POST
def share_end(request: MemberRequest, pk: int) -> HttpResponse:
    share = get_visible_or_404(
        ClientShare.objects.select_related("client", "partner"), request.user, CHANGE, pk=pk
    )
    try:
        services.client_unshare(
            share=share,
            acting_user=request.user,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Sharing with %(partner)s ended.") % {"partner": share.partner.name},
        )
    return redirect(f"{share.client.get_absolute_url()}?tab=sharing")


@member_required(CASEWORK_ROLES)
def consent_withdraw(request: MemberRequest, pk: int) -> HttpResponse:
    """Asks first: when and how the client withdrew; the user is recorded as who took it."""
    consent = get_visible_or_404(
        Consent.objects.select_related("client", "partner"), request.user, CHANGE, pk=pk
    )
    back = f"{consent.client.get_absolute_url()}?tab=sharing"
    if consent.withdrawn_at:
        messages.info(request, _("This consent has already been withdrawn."))
        return redirect(back)
    form = WithdrawConsentForm(request.POST or None, initial={"withdrawn_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            ended = services.consent_withdraw(
                consent=consent,
                acting_user=request.user,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # One consent is given to one partner: sharing ends with it or with no one.
            text = (
                _("Consent withdrawn; %(partner)s no longer sees the client's record.")
                if ended
                else _("Consent withdrawn.")
            )
            messages.success(request, text % {"partner": consent.partner.name})
            return redirect(back)
    context = {"form": form, "consent": consent, "client": consent.client, "back": back}
    return render(request, "clients/consent_withdraw.html", context)


@member_required(CASEWORK_ROLES)
@require_POST
def access_request_decline(request: MemberRequest, pk: int) -> HttpResponse:
    access = get_visible_or_404(
        AccessRequest.objects.select_related("client"), request.user, CHANGE, pk=pk
    )
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.access_request_decline(
            request=access,
            acting_user=request.user,
            answer=form.cleaned_data.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Request declined."))
    return redirect(f"{access.client.get_absolute_url()}?tab=sharing")


@member_required(CASEWORK_ROLES)
@require_POST
@submit_once
def note_add(request: MemberRequest, pk: int) -> HttpResponse:
    client = client_get_for_user(request.user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_add(client=client, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Note added."))
            return redirect(f"{client.get_absolute_url()}?tab=notes")
    context = {
        "client": client,
        "tab": "notes",
        "notes": notes_visible_to(request.user, client),
        "note_form": form,
        **_owner_and_tabs(request, client),
    }
    return render(request, "clients/client_detail.html", context)


@member_required(CASEWORK_ROLES)
@require_POST
@submit_once
def document_add(request: MemberRequest, pk: int) -> HttpResponse:
    client = client_get_for_user(request.user, pk, CHANGE)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_add(client=client, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Document added."))
            return redirect(f"{client.get_absolute_url()}?tab=documents")
    context = {
        "client": client,
        "tab": "documents",
        "documents": documents_visible_to(request.user, client),
        "document_form": form,
        **_owner_and_tabs(request, client),
    }
    return render(request, "clients/client_detail.html", context, status=200)


@member_required(CASEWORK_ROLES)
def document_download(request: MemberRequest, pk: int) -> FileResponse:
    document = get_visible_or_404(
        ClientDocument.objects.select_related("client"), request.user, pk=pk
    )
    audit(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=document.client,
        reason=f"document #{document.pk}",
        request=request,
    )
    return upload_response(document.file, filename=document.filename)


@member_required(CASEWORK_ROLES)
def consent_scan(request: MemberRequest, pk: int) -> FileResponse:
    consent = get_visible_or_404(
        Consent.objects.select_related("client"), request.user, CHANGE, pk=pk
    )
    if not consent.scan:
        raise Http404
    audit(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=consent.client,
        reason=f"consent scan #{consent.pk}",
        request=request,
    )
    return upload_response(consent.scan, filename=consent.scan_filename)


@member_required(MANAGING_ROLES)
def client_export(request: MemberRequest, pk: int, fmt: str) -> HttpResponse:
    client = get_object_or_404(exports.exportable_clients(request.user), pk=pk)
    if fmt == "json":
        data = exports.client_export_data(client=client, acting_user=request.user, request=request)
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2, default=str),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="klient-{client.pk}.json"'
        return response
    return exports.client_export_pdf(client=client, acting_user=request.user, request=request)


@member_required(CASEWORK_ROLES)
@require_POST
def client_close(request: MemberRequest, pk: int) -> HttpResponse:
    client = _owner_post(request, pk)
    try:
        services.client_close(client=client, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The case is closed and sharing has ended."))
    return redirect(client)


@member_required(MANAGING_ROLES)
@require_POST
def client_anonymise(request: MemberRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(exports.exportable_clients(request.user), pk=pk)
    try:
        services.client_anonymise(client=client, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The client's personal data has been erased."))
    return redirect(client)


@member_required()
def client_access_log_csv(request: MemberRequest, pk: int) -> HttpResponse:
    """Everything audited about this client, for the owner's coordinator (e.g. for
    the data-protection officer answering "who saw my data?")."""
    from django.http import Http404

    from cooperation.audit import audit_log_csv

    client = client_get_for_user(request.user, pk)
    if not access_log_allowed(request, client):
        raise Http404
    audit(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=client,
        reason="access log (CSV)",
        request=request,
    )
    return audit_log_csv(client_access_log(client), f"dostep-klient-{client.pk}")
