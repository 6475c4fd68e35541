from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cooperation.audit import audit
from cooperation.decorators import member_required
from cooperation.forms import add_service_errors
from cooperation.formtokens import submit_once
from cooperation.http import MemberRequest
from cooperation.models import AuditAction
from cooperation.pdf import pdf_response, render_pdf
from cooperation.permissions import get_visible_or_404, require
from cooperation.roles import CASEWORK_ORGANISERS, SCHEDULING_ROLES
from cooperation.uploads import upload_response

from . import ical, services
from . import pages as cal
from .forms import (
    ActionItemFormSet,
    ActionStatusForm,
    AgendaFilterForm,
    AttendanceForm,
    CalendarFilterForm,
    CancelForm,
    DecisionFormSet,
    EventForm,
    MaterialForm,
    MinutesForm,
    RespondForm,
    StartEndForm,
    action_items_from,
    default_agenda_range,
)
from .models import OPEN_ACTION_STATUSES, ActionStatus, EventKind, Material, Response
from .permissions import CASE_DETAILS
from .selectors import (
    action_item_get_for_user,
    action_items_visible_to,
    event_get_for_organiser,
    event_get_for_user,
    event_people,
    feed_events_of,
    occurrence_get_for_organiser,
    occurrence_get_for_user,
    open_action_items_of,
)

# Rows left empty on the attendance list for people who come without an invitation.
ATTENDANCE_BLANK_ROWS = 5


def _page_context(request: MemberRequest) -> dict[str, object]:
    return {
        "can_schedule": request.membership.role in SCHEDULING_ROLES,
        "kinds": EventKind.choices,
        "statuses": ActionStatus.choices,
    }


def _confirm_overlap_shown(form) -> None:
    """The "book anyway" box appears only once a room clash was found (or was ticked)."""
    ticked = form.data.get("confirm_overlap") in ("on", "true", "True", "1")
    if not (getattr(form, "room_overlap", False) or ticked):
        form.fields["confirm_overlap"].widget = forms.HiddenInput()


def _form_errors_or(request: MemberRequest, form, call) -> object | None:
    """Run a service; its ValidationError goes onto the form (and the overlap flag on it)."""
    try:
        return call()
    except services.RoomOverlap as exc:
        add_service_errors(form, exc)
        form.room_overlap = True
    except ValidationError as exc:
        add_service_errors(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("You may not do this."))
    return None


# --- calendar pages ---------------------------------------------------------------


@member_required()
def calendar_month(request: MemberRequest) -> HttpResponse:
    month = cal.parse_month(request.GET.get("month", ""))
    form = CalendarFilterForm(request.GET or None, institutions=cal.filter_institutions(request))
    filters = cal.cleaned_filters(form)
    context = cal.month_view(request.user, month, **filters)  # type: ignore[arg-type]
    context |= {"filter_form": form, "querystring": cal.filter_query(filters)}
    context |= _page_context(request)
    return render(request, "meetings/calendar_month.html", context)


@member_required()
def agenda(request: MemberRequest) -> HttpResponse:
    date_from, date_to = default_agenda_range(timezone.localdate())
    form = AgendaFilterForm(
        request.GET or None,
        institutions=cal.filter_institutions(request),
        initial={"date_from": date_from, "date_to": date_to},
    )
    filters = cal.cleaned_filters(form)
    if form.is_bound and form.is_valid():
        date_from = form.cleaned_data["date_from"] or date_from
        date_to = form.cleaned_data["date_to"] or max(date_to, date_from)
    qs = cal.agenda_occurrences(request.user, date_from, date_to, **filters)  # type: ignore[arg-type]
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "filter_form": form,
        "page": page,
        "days": cal.group_by_day(page.object_list),
        "date_from": date_from,
        "date_to": date_to,
        **_page_context(request),
    }
    return render(request, "meetings/agenda.html", context)


# --- scheduling -----------------------------------------------------------------------


def _invitable(institution, event):
    """Partners in force, and, for an event being edited, the institutions already
    taking part (so an edit never drops one whose agreement has since ended)."""
    from cooperation.models import Institution

    from .selectors import partner_institutions

    ids = set(partner_institutions(institution).values_list("pk", flat=True))
    if event is not None:
        ids |= set(
            event.institution_links.filter(is_organiser=False).values_list(
                "institution_id", flat=True
            )
        )
    return Institution.objects.filter(pk__in=ids).order_by("name")


def _event_form(request: MemberRequest, event=None, **kwargs) -> EventForm:
    from clients.models import Client
    from cooperation.permissions import visible

    from .selectors import people_to_invite

    institution = request.institution
    caseworker = request.membership.role in CASEWORK_ORGANISERS
    kind = event.kind if event else request.POST.get("kind") or request.GET.get("kind")
    form = EventForm(
        request.POST or None,
        institution=institution,
        partners=_invitable(institution, event),
        people=people_to_invite(institution).exclude(user=request.user),
        clients=visible(Client, request.user).order_by("last_name", "first_name"),
        editing=event is not None,
        **kwargs,
    )
    if caseworker:
        form.fields["kind"].choices = [(EventKind.CASE_CONFERENCE, EventKind.CASE_CONFERENCE.label)]  # type: ignore[attr-defined]
    elif kind != EventKind.CASE_CONFERENCE:
        # The client list is offered only for a case conference: no one else
        # needs to scroll through the names of the institution's clients.
        del form.fields["client"]
    return form


@member_required(SCHEDULING_ROLES)
@submit_once
def event_create(request: MemberRequest) -> HttpResponse:
    kind = request.GET.get("kind", EventKind.MEETING)
    form = _event_form(request, initial={"kind": kind, "client": request.GET.get("client")})
    if request.method == "POST" and form.is_valid():
        event = _form_errors_or(
            request,
            form,
            lambda: services.event_schedule(
                acting_user=request.user,
                data=form.event_data(),
                institutions=list(form.cleaned_data["institutions"]),
                people=form.chosen_people(),
                confirm_overlap=form.cleaned_data["confirm_overlap"],
            ),
        )
        if event:
            url = event.occurrences.order_by("starts_at").first().get_absolute_url()  # type: ignore[attr-defined]
            messages.success(request, _("Scheduled. The invitations are on their way."))
            return redirect(url)
    _confirm_overlap_shown(form)
    return render(request, "meetings/event_form.html", {"form": form})


@member_required(SCHEDULING_ROLES)
def event_edit(request: MemberRequest, pk: int) -> HttpResponse:
    event = event_get_for_organiser(request.user, pk)
    form = _event_form(request, event, initial=cal.event_initial(event))
    if request.method == "POST" and form.is_valid():
        done = _form_errors_or(
            request,
            form,
            lambda: services.event_update(
                event=event,
                acting_user=request.user,
                data=form.event_data(),
                institutions=list(form.cleaned_data["institutions"]),
                people=form.chosen_people(),
                confirm_overlap=form.cleaned_data["confirm_overlap"],
            ),
        )
        if done:
            messages.success(
                request, _("Saved. The invited were told of any change of time or place.")
            )
            return redirect(event)
    _confirm_overlap_shown(form)
    return render(request, "meetings/event_form.html", {"form": form, "event": event})


@member_required()
def event_detail(request: MemberRequest, pk: int) -> HttpResponse:
    """An event's address: its next date (or its last one, once it is over)."""
    event = event_get_for_user(request.user, pk)
    now = timezone.now()
    occurrence = (
        event.occurrences.filter(ends_at__gte=now, cancelled=False).order_by("starts_at").first()
        or event.occurrences.order_by("-starts_at").first()
    )
    if occurrence is None:
        raise Http404
    return redirect(occurrence)


@member_required(SCHEDULING_ROLES)
def event_cancel(request: MemberRequest, pk: int) -> HttpResponse:
    event = event_get_for_organiser(request.user, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _form_errors_or(
            request,
            form,
            lambda: services.event_cancel(
                event=event, acting_user=request.user, reason=form.cleaned_data["reason"]
            ),
        )
        if done:
            messages.success(request, _("The event is cancelled and the invited are told."))
            return redirect(event)
    title = _("Cancel every date of the series") if event.rrule else _("Cancel the event")
    return render(
        request,
        "meetings/action_form.html",
        {"form": form, "event": event, "title": title, "danger": True},
    )


@member_required()
@require_POST
def event_respond(request: MemberRequest, pk: int) -> HttpResponse:
    event = event_get_for_user(request.user, pk)
    form = RespondForm(request.POST)
    back = cal.back_to(event, request.POST.get("occurrence"))
    if not form.is_valid():
        messages.error(request, _("Choose accept, maybe or decline."))
        return redirect(back)
    try:
        invitee = services.invitation_respond(
            event=event, acting_user=request.user, response=form.cleaned_data["response"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, cal.answer_message(invitee))
    return redirect(back)


@member_required()
@require_GET
def event_ics(request: MemberRequest, pk: int) -> HttpResponse:
    event = event_get_for_user(request.user, pk)
    data = ical.calendar_bytes([(event, list(event.occurrences.order_by("starts_at")))])
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ical.ics_filename(event)}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- one date --------------------------------------------------------------------------


@member_required()
def occurrence_detail(request: MemberRequest, pk: int) -> HttpResponse:
    occurrence = occurrence_get_for_user(request.user, pk)
    context = cal.occurrence_context(request, occurrence)
    if context["client"] is not None:
        audit(
            actor=request.user,
            action=AuditAction.VIEW,
            obj=context["client"],  # type: ignore[arg-type]
            fields=["name"],
            reason=f"case conference #{occurrence.event_id}",
            request=request,
        )
    return render(request, "meetings/occurrence_detail.html", context)


@member_required(SCHEDULING_ROLES)
def occurrence_move(request: MemberRequest, pk: int) -> HttpResponse:
    occurrence = occurrence_get_for_organiser(request.user, pk)
    initial = {
        "starts_at": timezone.localtime(occurrence.starts_at),
        "ends_at": timezone.localtime(occurrence.ends_at),
    }
    form = StartEndForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _form_errors_or(
            request,
            form,
            lambda: services.occurrence_move(
                occurrence=occurrence, acting_user=request.user, **form.cleaned_data
            ),
        )
        if done:
            messages.success(request, _("The date is moved; the invited are told."))
            return redirect(occurrence)
    _confirm_overlap_shown(form)
    return render(
        request,
        "meetings/action_form.html",
        {
            "form": form,
            "occurrence": occurrence,
            "event": occurrence.event,
            "title": _("Move this date"),
        },
    )


@member_required(SCHEDULING_ROLES)
def occurrence_cancel(request: MemberRequest, pk: int) -> HttpResponse:
    occurrence = occurrence_get_for_organiser(request.user, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _form_errors_or(
            request,
            form,
            lambda: services.occurrence_cancel(
                occurrence=occurrence, acting_user=request.user, reason=form.cleaned_data["reason"]
            ),
        )
        if done:
            messages.success(request, _("This date is cancelled; the invited are told."))
            return redirect(occurrence)
    return render(
        request,
        "meetings/action_form.html",
        {
            "form": form,
            "occurrence": occurrence,
            "event": occurrence.event,
            "title": _("Cancel this date"),
            "danger": True,
        },
    )


@member_required(SCHEDULING_ROLES)
def attendance(request: MemberRequest, pk: int) -> HttpResponse:
    occurrence = occurrence_get_for_organiser(request.user, pk)
    people, present = cal.attendance_people(occurrence)
    form = AttendanceForm(request.POST or None, people=people, initial={"present": present})
    if request.method == "POST" and form.is_valid():
        done = _form_errors_or(
            request,
            form,
            lambda: (
                services.attendance_record(
                    occurrence=occurrence,
                    acting_user=request.user,
                    present=form.cleaned_data["present"],
                )
                is not None
            ),
        )
        if done:
            messages.success(request, _("Attendance saved."))
            return redirect(occurrence)
    return render(
        request,
        "meetings/attendance_form.html",
        {"form": form, "occurrence": occurrence, "event": occurrence.event},
    )


@member_required(SCHEDULING_ROLES)
def minutes_edit(request: MemberRequest, pk: int) -> HttpResponse:
    occurrence = occurrence_get_for_organiser(request.user, pk)
    owners, people = cal.action_item_owners(occurrence.event)
    initial = cal.minutes_initial(occurrence)
    form = MinutesForm(request.POST or None, initial=initial["minutes"])  # type: ignore[arg-type]
    decisions = DecisionFormSet(
        request.POST or None,
        prefix="decisions",
        initial=initial["decisions"],  # type: ignore[arg-type]
    )
    items = ActionItemFormSet(
        request.POST or None,
        prefix="items",
        initial=initial["items"],  # type: ignore[arg-type]
        form_kwargs={"owners": owners},
    )
    if request.method == "POST" and all(f.is_valid() for f in (form, decisions, items)):
        done = _form_errors_or(
            request,
            form,
            lambda: services.minutes_save(
                occurrence=occurrence,
                acting_user=request.user,
                notes=form.cleaned_data["notes"],
                decisions=[d.cleaned_data.get("text", "") for d in decisions],
                action_items=action_items_from(items, people),  # type: ignore[arg-type]
            ),
        )
        if done:
            messages.success(request, _("Minutes saved."))
            return redirect(occurrence)
    context = {
        "form": form,
        "decisions": decisions,
        "items": items,
        "occurrence": occurrence,
        "event": occurrence.event,
        "records_open": cal.records_open(occurrence),
    }
    return render(request, "meetings/minutes_form.html", context)


@member_required()
def minutes_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    occurrence = occurrence_get_for_user(request.user, pk)
    context = cal.occurrence_context(request, occurrence)
    if context["minutes"] is None:
        raise Http404
    pdf = render_pdf("pdf/meetings/minutes.html", context, request=request)
    audit(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=context["minutes"],  # type: ignore[arg-type]
        reason="PDF",
        request=request,
    )
    if context["client"] is not None:
        audit(
            actor=request.user,
            action=AuditAction.EXPORT,
            obj=context["client"],  # type: ignore[arg-type]
            fields=["name"],
            reason=f"minutes of case conference #{occurrence.event_id}",
            request=request,
        )
    name = f"protokol-{occurrence.event.title}-{timezone.localtime(occurrence.starts_at):%Y-%m-%d}"
    return pdf_response(pdf, name)


@member_required(SCHEDULING_ROLES)
def attendance_list_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    """The list people sign at the door: everyone invited who has not declined,
    and blank rows for those who come unannounced."""
    occurrence = occurrence_get_for_organiser(request.user, pk)
    context = {
        "occurrence": occurrence,
        "event": occurrence.event,
        "people": [p for p in event_people(occurrence.event) if p.response != Response.DECLINED],
        "blank_rows": range(ATTENDANCE_BLANK_ROWS),
    }
    pdf = render_pdf("pdf/meetings/attendance_list.html", context, request=request)
    audit(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=occurrence.event,
        reason="attendance list PDF",
        request=request,
    )
    day = timezone.localtime(occurrence.starts_at)
    return pdf_response(pdf, f"lista-obecnosci-{occurrence.event.title}-{day:%Y-%m-%d}")


@member_required(SCHEDULING_ROLES)
def certificates_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    """One certificate of attendance per person marked present at a training date."""
    occurrence = occurrence_get_for_organiser(request.user, pk)
    if occurrence.event.kind != EventKind.TRAINING:
        raise Http404
    present = list(
        occurrence.attendance.filter(present=True)
        .select_related("user", "institution")
        .order_by("user__last_name", "user__first_name")
    )
    if not present:
        messages.info(request, _("Mark who was present first; certificates are for them."))
        return redirect(occurrence)
    context = {"occurrence": occurrence, "event": occurrence.event, "present": present}
    pdf = render_pdf("pdf/meetings/certificates.html", context, request=request)
    audit(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=occurrence.event,
        reason="certificates of attendance PDF",
        request=request,
    )
    day = timezone.localtime(occurrence.starts_at)
    return pdf_response(pdf, f"zaswiadczenia-{occurrence.event.title}-{day:%Y-%m-%d}")


# --- materials -------------------------------------------------------------------------


@member_required()
@submit_once
def material_add(request: MemberRequest, pk: int) -> HttpResponse:
    event = event_get_for_user(request.user, pk)
    require(request.user, event, CASE_DETAILS)
    form = MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        done = _form_errors_or(
            request,
            form,
            lambda: services.material_add(
                event=event, acting_user=request.user, **form.cleaned_data
            ),
        )
        if done:
            messages.success(request, _("File added."))
            return redirect(event)
    return render(
        request,
        "meetings/action_form.html",
        {"form": form, "event": event, "title": _("Add a file"), "multipart": True},
    )


@member_required()
@require_GET
def material_download(request: MemberRequest, pk: int) -> FileResponse:
    material = get_visible_or_404(Material.objects.select_related("event"), request.user, pk=pk)
    require(request.user, material.event, CASE_DETAILS)
    return upload_response(material.file, filename=material.filename)


@member_required()
@require_POST
def material_remove(request: MemberRequest, pk: int) -> HttpResponse:
    material = get_visible_or_404(Material.objects.select_related("event"), request.user, pk=pk)
    event = material.event
    services.material_remove(material=material, acting_user=request.user)
    messages.success(request, _("File removed."))
    return redirect(event)


# --- action items ----------------------------------------------------------------------


@member_required()
def action_items(request: MemberRequest) -> HttpResponse:
    mine = list(open_action_items_of(request.user))
    institution_items = (
        action_items_visible_to(request.user)
        .filter(institution=request.institution, status__in=OPEN_ACTION_STATUSES)
        .exclude(owner=request.user)
        .order_by("due_date", "pk")
    )
    page = Paginator(institution_items, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/action_items.html",
        {"mine": mine, "page": page, **_page_context(request)},
    )


@member_required()
@require_POST
def action_item_status(request: MemberRequest, pk: int) -> HttpResponse:
    item = action_item_get_for_user(request.user, pk)
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
    else:
        try:
            services.action_item_set_status(
                item=item, acting_user=request.user, status=form.cleaned_data["status"]
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Action item updated."))
    return redirect(cal.safe_next(request, item.minutes.occurrence.get_absolute_url()))


# --- the calendar feed -----------------------------------------------------------------


@member_required()
def feed_settings(request: MemberRequest) -> HttpResponse:
    from .models import FeedToken

    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_token_revoke(acting_user=request.user)
            messages.success(
                request, _("The address is revoked: calendars using it get nothing more.")
            )
        else:
            token = services.feed_token_create(acting_user=request.user)
            # Shown once, on the next page; only its hash is kept.
            request.session["meetings_feed_token"] = token
        return redirect("meetings:feed_settings")
    token = request.session.pop("meetings_feed_token", None)
    url = request.build_absolute_uri(reverse("meetings:feed", args=[token])) if token else ""
    feed = FeedToken.objects.filter(user=request.user).first()
    context = {"feed": feed, "feed_url": url, **_page_context(request)}
    return render(request, "meetings/feed_settings.html", context)


@never_cache
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The subscription feed: no login (calendar programs cannot log in); the
    secret token is the key. A wrong or revoked token is a plain 404."""
    user = services.feed_user(token)
    if user is None:
        raise Http404
    events = feed_events_of(user)
    data = ical.calendar_bytes(
        [(e, list(e.occurrences.all())) for e in events],
        name=_("Cooperation: my meetings"),
        refresh=dt.timedelta(hours=1),
    )
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="wspolpraca.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
