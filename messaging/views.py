"""Thin views: the client's thread and information requests, and announcements."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, When
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.panels import panels_for, tabs
from clients.permissions import SHARE
from clients.selectors import client_get_for_user
from cooperation.decorators import member_required
from cooperation.forms import add_service_errors
from cooperation.formtokens import submit_once
from cooperation.http import MemberRequest
from cooperation.pdf import pdf_response, render_pdf
from cooperation.permissions import can, require
from cooperation.roles import CASEWORK_ROLES
from cooperation.uploads import upload_response

from . import selectors, services
from .forms import AnnouncementForm, AnswerForm, InformationRequestForm, MessageForm
from .models import Announcement, RequestStatus
from .permissions import ANSWER, ASK, POST, WITHDRAW
from .selectors import (
    announcement_get_for_user,
    announcement_partners,
    announcements_visible_to,
    request_get_for_user,
    request_partners,
    requests_visible_to,
)


def _messages_tab(request: MemberRequest, client, form: MessageForm) -> HttpResponse:
    """The client page's messages tab again, with the form as sent (nothing typed is lost)."""
    request.message_form = form  # type: ignore[attr-defined] - read by the panel's context
    is_owner = can(request.user, client, SHARE)
    context = {
        "client": client,
        "tab": "messages",
        "tabs": tabs(is_owner=is_owner),
        "is_owner": is_owner,
        "panels": panels_for(request, client, tab="messages"),
    }
    return render(request, "clients/client_detail.html", context)


@member_required(CASEWORK_ROLES)
@require_POST
@submit_once
def message_post(request: MemberRequest, pk: int) -> HttpResponse:
    client = client_get_for_user(request.user, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message = services.message_post(
                client=client, acting_user=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Message sent."))
            return redirect(message.get_absolute_url())
    return _messages_tab(request, client, form)


@member_required(CASEWORK_ROLES)
@submit_once
def request_new(request: MemberRequest, pk: int) -> HttpResponse:
    client = client_get_for_user(request.user, pk)
    require(request.user, client, ASK)
    partners = request_partners(client, request.institution)
    form = InformationRequestForm(request.POST or None, partners=partners)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.request_send(
                client=client, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The request was sent."))
            return redirect(sent)
    return render(
        request,
        "messaging/request_form.html",
        {"client": client, "form": form, "partners": partners},
    )


def _request_page(request: MemberRequest, info, answer_form: AnswerForm | None = None):
    user = request.user
    context = {
        "info": info,
        "may_answer": info.status == "open" and can(user, info, ANSWER),
        "may_withdraw": info.status == "open" and can(user, info, WITHDRAW),
        "answer_form": answer_form or AnswerForm(),
    }
    return render(request, "messaging/request_detail.html", context)


@member_required(CASEWORK_ROLES)
def request_detail(request: MemberRequest, pk: int) -> HttpResponse:
    return _request_page(request, request_get_for_user(request.user, pk))


@member_required(CASEWORK_ROLES)
@require_POST
def request_answer(request: MemberRequest, pk: int) -> HttpResponse:
    info = request_get_for_user(request.user, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.request_answer(
                request=info, acting_user=request.user, answer=form.cleaned_data["answer"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The answer was sent."))
            return redirect(info)
    return _request_page(request, info, form)


@member_required(CASEWORK_ROLES)
@require_POST
def request_withdraw(request: MemberRequest, pk: int) -> HttpResponse:
    info = request_get_for_user(request.user, pk)
    try:
        services.request_withdraw(request=info, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The request was withdrawn."))
    return redirect(info)


@member_required(CASEWORK_ROLES)
def request_list(request: MemberRequest) -> HttpResponse:
    open_first = Case(When(status=RequestStatus.OPEN, then=0), default=1)
    rows = list(requests_visible_to(request.user).order_by(open_first, "due_on", "-pk")[:200])
    mine = request.institution.pk
    return render(
        request,
        "messaging/request_list.html",
        {
            "received": [r for r in rows if r.asked_id == mine],
            "sent": [r for r in rows if r.asker_id == mine],
        },
    )


# --- announcements ---------------------------------------------------------------


@member_required()
def announcement_list(request: MemberRequest) -> HttpResponse:
    rows = announcements_visible_to(request.user).order_by("-shown_from", "-pk")[:100]
    return render(
        request,
        "messaging/announcement_list.html",
        {"announcements": list(rows), "may_post": can(request.user, Announcement, POST)},
    )


@member_required()
def home_announcements(request: MemberRequest) -> HttpResponse:
    """The home page's announcements box, loaded after the page (htmx)."""
    return render(
        request,
        "messaging/home/_announcement_rows.html",
        {"items": selectors.home_announcements(request)},
    )


@member_required(permission=(Announcement, POST))
@submit_once
def announcement_new(request: MemberRequest) -> HttpResponse:
    partners = announcement_partners(request.institution)
    form = AnnouncementForm(request.POST or None, request.FILES or None, partners=partners)
    if request.method == "POST" and form.is_valid():
        try:
            posted = services.announcement_post(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The announcement was posted."))
            return redirect(posted)
    return render(request, "messaging/announcement_form.html", {"form": form})


@member_required()
def announcement_detail(request: MemberRequest, pk: int) -> HttpResponse:
    announcement = announcement_get_for_user(request.user, pk)
    mine = announcement.institution_id == request.institution.pk
    recipients = list(announcement.recipients.order_by("name")) if mine else []
    return render(
        request,
        "messaging/announcement_detail.html",
        {"announcement": announcement, "mine": mine, "recipients": recipients},
    )


@member_required()
def announcement_file(request: MemberRequest, pk: int) -> FileResponse:
    announcement = announcement_get_for_user(request.user, pk)
    return upload_response(announcement.attachment, filename=announcement.attachment_name)


@member_required()
def announcement_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    """The large-type A4 notice for the board (announcements marked for clients)."""
    announcement = announcement_get_for_user(request.user, pk)
    if not announcement.for_clients:
        raise Http404
    pdf = render_pdf("pdf/messaging/announcement.html", {"a": announcement}, request=request)
    return pdf_response(pdf, f"ogloszenie-{announcement.pk}")
