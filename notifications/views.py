"""The notification centre's pages: the list, opening a notice, marking read,
and the person's choices. Every notice is the person's own."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cooperation.decorators import member_required
from cooperation.events import Event
from cooperation.http import MemberRequest
from cooperation.permissions import CHANGE, can

from . import services
from .forms import DigestHourForm, NoticeFilter, PreferencesForm
from .kinds import KINDS, Kind
from .models import Notice
from .selectors import (
    digest_hour_of,
    kinds_for,
    kinds_grouped,
    notice_get_for_user,
    notice_rows,
    notice_target,
    notices_for,
    preferences_of,
    unread_count,
)


@member_required()
def notice_list(request: MemberRequest) -> HttpResponse:
    notices = notices_for(request.user)
    filterset = NoticeFilter(request.GET or None, queryset=notices)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else notices
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = notice_rows(request.user, page.object_list)
    context = {"page": page, "filter": filterset, "unread": unread_count(request.user)}
    return render(request, "notifications/notice_list.html", context)


@member_required()
def notice_open(request: MemberRequest, pk: int) -> HttpResponse:
    """Mark the notice read and go to what it is about — or 404 if the person may no
    longer see it (access ended since): a fact, not an error."""
    notice = notice_get_for_user(request.user, pk)
    services.notice_mark_read(notice=notice, acting_user=request.user)
    kind, target = KINDS.get(notice.kind), notice_target(notice)
    if kind is None or target is None or not kind.may_see(request.user, target):
        raise Http404(_("You no longer have access to what this notice was about."))
    return redirect(_url(kind, notice, target))


def _url(kind: Kind, notice: Notice, target: Any) -> str:
    """The kind's address for the target, asked with the event as the notice keeps it."""
    event = Event(
        kind=notice.kind,
        target_model=target._meta.label_lower,
        target_id=target.pk,
        institution_id=notice.institution_id,
        id=notice.event_id,
    )
    return kind.url(event, target)


@require_POST
@member_required()
def notice_read(request: MemberRequest, pk: int) -> HttpResponse:
    notice = notice_get_for_user(request.user, pk)
    services.notice_mark_read(notice=notice, acting_user=request.user)
    messages.success(request, _("Marked as read."))
    return redirect("notifications:list")


@require_POST
@member_required()
def notice_read_all(request: MemberRequest) -> HttpResponse:
    done = services.notices_mark_all_read(acting_user=request.user)
    messages.success(request, _("All notices marked as read (%(n)s).") % {"n": done})
    return redirect("notifications:list")


@member_required()
def preferences(request: MemberRequest) -> HttpResponse:
    # Only the kinds that can reach the person (a social worker is not offered the
    # labour office's queue); what they chose for others stays as it was.
    kinds = kinds_for(request.user)
    form = PreferencesForm(
        request.POST or None, initial_modes=preferences_of(request.user), kinds=kinds
    )
    if request.method == "POST" and form.is_valid():
        services.preferences_save(acting_user=request.user, modes=form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    may_set_hour = can(request.user, request.institution, CHANGE)
    context = {
        "form": form,
        "groups": [
            (group, [form[kind.name] for kind in kinds]) for group, kinds in kinds_grouped(kinds)
        ],
        "hour_form": DigestHourForm(initial={"hour": digest_hour_of(request.institution)})
        if may_set_hour
        else None,
        "digest_hour": digest_hour_of(request.institution),
    }
    return render(request, "notifications/preferences.html", context)


@require_POST
@member_required()
def digest_hour(request: MemberRequest) -> HttpResponse:
    form = DigestHourForm(request.POST)
    if form.is_valid():
        services.digest_hour_set(
            institution=request.institution,
            acting_user=request.user,
            hour=form.cleaned_data["hour"],
        )
        messages.success(request, _("The digest hour is saved."))
    else:
        messages.error(request, _("Choose an hour from 0 to 23."))
    return redirect("notifications:preferences")
