from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.decorators import member_required
from cooperation.forms import add_service_errors, apply_service
from cooperation.formtokens import submit_once
from cooperation.http import MemberRequest
from cooperation.permissions import CHANGE, get_visible_or_404
from cooperation.roles import MANAGING_ROLES
from cooperation.uploads import upload_response

from . import exports, services
from .forms import (
    AgreementFilter,
    AgreementForm,
    AnnexForm,
    AttachmentForm,
    CoordinatorCardForm,
    ReturnForm,
    SignedCopyForm,
    SignForm,
    TerminateForm,
)
from .models import Annex, Attachment, Coordinator
from .selectors import (
    agreement_get_for_user,
    agreements_expiring,
    agreements_visible_to,
    network_institutions,
    network_view,
    signed_copy_view,
    terms_on,
)


@member_required()
def agreement_list(request: MemberRequest) -> HttpResponse:
    institution = request.institution
    agreements = agreements_visible_to(request.user).order_by("-year", "-sequence")
    filterset = AgreementFilter(
        request.GET or None,
        queryset=agreements,
        partners_qs=network_institutions(institution).exclude(pk=institution.pk),
        expiring_ids=agreements_expiring(request.user).values("pk"),
    )
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else agreements
    return render(
        request, "agreements/agreement_list.html", {"filter": filterset, "agreements": rows}
    )


@member_required(MANAGING_ROLES)
@submit_once
def agreement_create(request: MemberRequest) -> HttpResponse:
    institution = request.institution
    partners = network_institutions(institution).exclude(pk=institution.pk)
    form = AgreementForm(
        request.POST or None, partners_qs=partners, initial={"valid_from": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        agreement = apply_service(
            request, form, services.agreement_draft, _("Draft saved."), acting_user=request.user
        )
        if agreement:
            return redirect(agreement)
    return render(request, "agreements/agreement_form.html", {"form": form})


@member_required(MANAGING_ROLES)
def agreement_edit(request: MemberRequest, pk: int) -> HttpResponse:
    agreement = agreement_get_for_user(request.user, pk, CHANGE)
    initial = {
        "title": agreement.title,
        "scopes": agreement.scopes,
        "valid_from": agreement.valid_from,
        "valid_until": agreement.valid_until,
        "notice_days": agreement.notice_days,
        "meeting_every_months": agreement.meeting_every_months,
        "body": agreement.body,
    }
    form = AgreementForm(request.POST or None, initial=initial, editing=True)
    if (
        request.method == "POST"
        and form.is_valid()
        and apply_service(
            request,
            form,
            services.agreement_update,
            _("Saved."),
            agreement=agreement,
            acting_user=request.user,
        )
    ):
        return redirect(agreement)
    return render(request, "agreements/agreement_form.html", {"form": form, "agreement": agreement})


@member_required()
def agreement_detail(request: MemberRequest, pk: int) -> HttpResponse:
    agreement = agreement_get_for_user(request.user, pk)
    try:
        on = dt.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        on = timezone.localdate()
    party = next(
        (p for p in agreement.parties.all() if p.institution_id == request.institution.pk), None
    )
    context = {
        "agreement": agreement,
        "my_party": party,
        "on": on,
        "today": timezone.localdate(),
        "terms": terms_on(agreement, on),
        "events": agreement.events.select_related("actor", "institution"),
        "annexes": agreement.annexes.prefetch_related("approvals"),
        "attachments": agreement.attachments.all(),
        "can_act": request.membership.role in MANAGING_ROLES,
        **signed_copy_view(agreement),
    }
    return render(request, "agreements/agreement_detail.html", context)


def _action_view(
    request: MemberRequest, pk: int, form_class, service, template: str, success: str, **extra
):
    """A confirmation page for one workflow step: GET shows it, POST performs it."""
    agreement = agreement_get_for_user(request.user, pk, CHANGE)
    form = form_class(request.POST or None, **extra.pop("form_kwargs", {}))
    if (
        request.method == "POST"
        and form.is_valid()
        and apply_service(
            request, form, service, success, agreement=agreement, acting_user=request.user
        )
    ):
        return redirect(agreement)
    return render(request, template, {"form": form, "agreement": agreement, **extra})


@member_required(MANAGING_ROLES)
def agreement_send(request: MemberRequest, pk: int) -> HttpResponse:
    return _action_view(
        request,
        pk,
        SignForm,
        services.agreement_send,
        "agreements/action_sign.html",
        _("Signed and sent to the partners."),
        title=_("Sign and send to the partners"),
    )


@member_required(MANAGING_ROLES)
def agreement_accept(request: MemberRequest, pk: int) -> HttpResponse:
    return _action_view(
        request,
        pk,
        SignForm,
        services.agreement_accept,
        "agreements/action_sign.html",
        _("Your institution accepted the agreement."),
        title=_("Accept the agreement"),
    )


@member_required(MANAGING_ROLES)
def agreement_return(request: MemberRequest, pk: int) -> HttpResponse:
    return _action_view(
        request,
        pk,
        ReturnForm,
        services.agreement_return,
        "agreements/action_form.html",
        _("The agreement went back to draft with your comment."),
        title=_("Return with a comment"),
    )


@member_required(MANAGING_ROLES)
def agreement_terminate(request: MemberRequest, pk: int) -> HttpResponse:
    agreement = agreement_get_for_user(request.user, pk, CHANGE)
    return _action_view(
        request,
        pk,
        TerminateForm,
        services.agreement_terminate,
        "agreements/action_form.html",
        _("Notice of termination recorded."),
        title=_("Terminate the agreement"),
        danger=True,
        form_kwargs={"notice_days": agreement.notice_days},
    )


@member_required(MANAGING_ROLES)
@submit_once
def signed_copy(request: MemberRequest, pk: int) -> HttpResponse:
    """Record the signed document: the step that makes an accepted agreement signed."""
    agreement = agreement_get_for_user(request.user, pk, CHANGE)
    parties = list(agreement.parties.all())
    form = SignedCopyForm(request.POST or None, request.FILES or None, parties=parties)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_record_signed_copy(
                agreement=agreement, acting_user=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The signed copy is recorded."))
            return redirect(agreement)
    return render(
        request, "agreements/signed_copy_form.html", {"form": form, "agreement": agreement}
    )


@member_required(MANAGING_ROLES)
@submit_once
def annex_create(request: MemberRequest, pk: int) -> HttpResponse:
    agreement = agreement_get_for_user(request.user, pk, CHANGE)
    initial = {
        "scopes": agreement.scopes,
        "valid_from": timezone.localdate(),
        "valid_until": agreement.valid_until,
    }
    form = AnnexForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["effective_from"] = data.pop("valid_from")
        try:
            services.annex_propose(agreement=agreement, acting_user=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, _rename(exc, {"effective_from": "valid_from"}))
        else:
            messages.success(request, _("Annex proposed. It applies once all parties approve it."))
            return redirect(agreement)
    return render(
        request,
        "agreements/action_form.html",
        {"form": form, "agreement": agreement, "title": _("Propose an annex")},
    )


def _rename(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})


@member_required(MANAGING_ROLES)
def annex_approve(request: MemberRequest, pk: int) -> HttpResponse:
    annex = get_visible_or_404(
        Annex.objects.select_related("agreement"), request.user, CHANGE, pk=pk
    )
    if request.method == "POST":
        try:
            services.annex_approve(annex=annex, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Annex approved."))
    return redirect(annex.agreement)


@member_required(MANAGING_ROLES)
@submit_once
def attachment_add(request: MemberRequest, pk: int) -> HttpResponse:
    agreement = agreement_get_for_user(request.user, pk, CHANGE)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and apply_service(
            request,
            form,
            services.attachment_add,
            _("Attachment added."),
            agreement=agreement,
            acting_user=request.user,
        )
    ):
        return redirect(agreement)
    return render(
        request,
        "agreements/action_form.html",
        {"form": form, "agreement": agreement, "title": _("Add an attachment"), "multipart": True},
    )


@member_required()
def attachment_download(request: MemberRequest, pk: int) -> FileResponse:
    attachment = get_visible_or_404(
        Attachment.objects.select_related("agreement"), request.user, pk=pk
    )
    return upload_response(attachment.file, filename=attachment.filename)


@member_required()
def agreement_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    agreement = agreement_get_for_user(request.user, pk)
    return exports.agreement_pdf_response(request, agreement)


@member_required()
def agreements_export(request: MemberRequest, fmt: str) -> HttpResponse:
    return exports.active_agreements_response(request, fmt)


@member_required()
def network(request: MemberRequest) -> HttpResponse:
    return render(request, "agreements/network.html", network_view(request.institution))


@member_required(MANAGING_ROLES)
@submit_once
def coordinator_card(request: MemberRequest) -> HttpResponse:
    institution = request.institution
    people = institution.memberships.filter(is_active=True).select_related("user")
    form = CoordinatorCardForm(
        request.POST or None, people=get_user_model().objects.filter(memberships__in=people)
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and apply_service(
            request,
            form,
            services.coordinator_card_save,
            _("Contact card saved."),
            acting_user=request.user,
        )
    ):
        return redirect("agreements:network")
    cards = Coordinator.objects.filter(institution=institution).select_related("user")
    return render(request, "agreements/coordinator_form.html", {"form": form, "cards": cards})


@member_required(MANAGING_ROLES)
def coordinator_card_remove(request: MemberRequest, pk: int) -> HttpResponse:
    card = get_visible_or_404(Coordinator, request.user, CHANGE, pk=pk)
    if request.method == "POST":
        services.coordinator_card_remove(acting_user=request.user, card=card)
        messages.success(request, _("Contact card removed."))
    return redirect("agreements:coordinators")
