from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.models import Client
from clients.permissions import SHARE
from clients.selectors import client_get_for_user
from cooperation.audit import audit, audit_many
from cooperation.decorators import member_required
from cooperation.forms import add_service_errors
from cooperation.formtokens import submit_once
from cooperation.http import MemberRequest
from cooperation.models import AuditAction
from cooperation.pdf import pdf_response, render_pdf
from cooperation.permissions import CHANGE, can, require
from cooperation.roles import REFERRAL_ROLES

from . import services
from .forms import (
    AcceptForm,
    CancelForm,
    CompleteForm,
    DeclineForm,
    DeliveryForm,
    DirectoryFilter,
    ReferralFilter,
    ReferralForm,
    ServiceOfferForm,
)
from .models import Referral, ServiceOffer
from .permissions import CANCEL, REFER, SERVE
from .selectors import (
    area_counties,
    catalogue_of,
    directory_services,
    organisation_get_for_user,
    referral_consented_partners,
    referral_get_for_user,
    referral_history,
    referral_links,
    referral_services_for,
    referrals_visible_to,
    service_get_for_change,
)

# --- directory and catalogue ------------------------------------------------------


@member_required()
def directory(request: MemberRequest) -> HttpResponse:
    services_qs = directory_services(request.user)
    filterset = DirectoryFilter(
        request.GET or None, queryset=services_qs, areas=area_counties(request.user)
    )
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else services_qs
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "filter": filterset, "keeps_catalogue": _keeps_catalogue(request)}
    return render(request, "partners/directory.html", context)


def _keeps_catalogue(request: MemberRequest) -> bool:
    return can(request.user, ServiceOffer, CHANGE)


@member_required()
def organisation(request: MemberRequest, pk: int) -> HttpResponse:
    org = organisation_get_for_user(request.user, pk)
    offers = directory_services(request.user).filter(provider=org)
    return render(request, "partners/organisation.html", {"org": org, "offers": offers})


@member_required(permission=(ServiceOffer, CHANGE))
def catalogue(request: MemberRequest) -> HttpResponse:
    offers = catalogue_of(request.institution)
    return render(request, "partners/catalogue.html", {"offers": offers})


@member_required(permission=(ServiceOffer, CHANGE))
@submit_once
def service_create(request: MemberRequest) -> HttpResponse:
    form = ServiceOfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_offer_create(acting_user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)  # type: ignore[arg-type]
        else:
            messages.success(request, _("The service is in your catalogue."))
            return redirect("partners:catalogue")
    return render(request, "partners/service_form.html", {"form": form})


@member_required(permission=(ServiceOffer, CHANGE))
def service_edit(request: MemberRequest, pk: int) -> HttpResponse:
    offer = service_get_for_change(request.user, pk)
    form = ServiceOfferForm(request.POST or None, instance=offer)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_offer_update(
                offer=offer, acting_user=request.user, data=form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)  # type: ignore[arg-type]
        else:
            messages.success(request, _("Saved."))
            return redirect("partners:catalogue")
    return render(request, "partners/service_form.html", {"form": form, "offer": offer})


# --- referrals -------------------------------------------------------------------


@member_required(REFERRAL_ROLES)
def referral_list(request: MemberRequest) -> HttpResponse:
    referrals = referrals_visible_to(request.user).order_by("-sent_at", "-pk")
    filterset = ReferralFilter(
        request.GET or None, queryset=referrals, institution=request.institution
    )
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else referrals
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    # Names of people are personal data: the list is evidence, one INSERT per page.
    audit_many(actor=request.user, action=AuditAction.LIST, objects=page, request=request)
    return render(request, "partners/referral_list.html", {"page": page, "filter": filterset})


@member_required(permission=(Client, REFER))
@submit_once
def referral_create(request: MemberRequest, client_pk: int) -> HttpResponse:
    client = client_get_for_user(request.user, client_pk)
    choices = referral_services_for(request.user)
    form = ReferralForm(
        request.POST or None,
        services=choices,
        client=client,
        consented=referral_consented_partners(client),
        initial={"service": request.GET.get("service")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create(
                acting_user=request.user,
                client=client,
                service=form.cleaned_data["service"],
                share=form.shared(),
                needs=form.cleaned_data["needs"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Referral sent. Print it for the client to take to the organisation."),
            )
            return redirect(referral)
    context = {
        "form": form,
        "client": client,
        "has_choices": choices.exists(),
        "needs_consent": form.needs_consent,
        "may_record_consent": can(request.user, client, SHARE),
    }
    return render(request, "partners/referral_form.html", context)


def _side(request: MemberRequest, referral: Referral) -> str:
    institution_id = request.institution.pk
    return "referrer" if referral.referrer_id == institution_id else "partner"


@member_required(REFERRAL_ROLES)
def referral_detail(request: MemberRequest, pk: int) -> HttpResponse:
    referral = referral_get_for_user(request.user, pk)
    side = _side(request, referral)
    audit(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=referral,
        fields=referral.shared_fields,
        request=request,
    )
    context = {
        "referral": referral,
        "side": side,
        "links": referral_links(referral, request.user),
        **referral_history(referral),
    }
    return render(request, "partners/referral_detail.html", context)


@member_required(REFERRAL_ROLES)
def referral_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    referral = referral_get_for_user(request.user, pk)
    services.referral_printed(referral=referral, acting_user=request.user, request=request)
    # A fixed Polish document for the client and the organisation, whatever the UI language.
    with translation.override("pl"):
        pdf = render_pdf("pdf/partners/referral.html", {"referral": referral}, request=request)
    return pdf_response(pdf, f"skierowanie-{referral.pk}")


def _action(
    request: MemberRequest,
    pk: int,
    *,
    action: str,
    form_class: type[forms.Form],
    run: Callable[[Referral, dict[str, Any]], object],
    title: str,
    done: str,
    danger: bool = False,
    initial: Callable[[Referral], dict[str, Any]] | None = None,
) -> HttpResponse:
    """One step of the workflow: only the side the action's rule names acts; the
    service checks the state."""
    referral = referral_get_for_user(request.user, pk, "change")
    require(request.user, referral, action)
    kwargs = {"initial": initial(referral)} if initial else {}
    form = form_class(request.POST or None, **kwargs)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        try:
            run(referral, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(referral)
    context = {"referral": referral, "form": form, "title": title, "danger": danger}
    return render(request, "partners/action_form.html", context)


@member_required(permission=(Referral, SERVE))
def referral_accept(request: MemberRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        action=SERVE,
        form_class=AcceptForm,
        run=lambda r, data: services.referral_accept(referral=r, acting_user=request.user, **data),
        title=_("Accept the referral"),
        done=_("Referral accepted. The referring worker has been told."),
        initial=lambda r: {"start_date": timezone.localdate()},
    )


@member_required(permission=(Referral, SERVE))
def referral_decline(request: MemberRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        action=SERVE,
        form_class=DeclineForm,
        run=lambda r, data: services.referral_decline(referral=r, acting_user=request.user, **data),
        title=_("Decline the referral"),
        done=_("Referral declined. The referring worker has been told."),
        danger=True,
    )


@member_required(permission=(Referral, SERVE))
@require_POST
def referral_start(request: MemberRequest, pk: int) -> HttpResponse:
    referral = referral_get_for_user(request.user, pk, "change")
    try:
        services.referral_start(referral=referral, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The service is in progress."))
    return redirect(referral)


@member_required(permission=(Referral, SERVE))
@submit_once
def referral_delivery(request: MemberRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        action=SERVE,
        form_class=DeliveryForm,
        run=lambda r, data: services.delivery_record(referral=r, acting_user=request.user, **data),
        title=_("Record a service delivered"),
        done=_("Service recorded."),
    )


@member_required(permission=(Referral, SERVE))
def referral_complete(request: MemberRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        action=SERVE,
        form_class=CompleteForm,
        run=lambda r, data: services.referral_complete(
            referral=r, acting_user=request.user, **data
        ),
        title=_("Complete with the outcome"),
        done=_("Referral completed. The referring worker has been told."),
    )


@member_required(permission=(Referral, CANCEL))
def referral_cancel(request: MemberRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        action=CANCEL,
        form_class=CancelForm,
        run=lambda r, data: services.referral_cancel(referral=r, acting_user=request.user, **data),
        title=_("Cancel the referral"),
        done=_("Referral cancelled. The organisation has been told."),
        danger=True,
    )
