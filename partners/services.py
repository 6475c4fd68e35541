"""Writes of the partners app: the service catalogue and the referral workflow.

sent → accepted → in progress → completed (with outcome)
sent → declined (with reason);  sent | accepted | in progress → cancelled

Every transition checks the current state and which side acts (the referring
institution or the partner organisation), writes the referral's timeline and
the audit log, and emits the event that keeps the loop closed (the notification
centre tells the other side, see `notifications/kinds.py`, section Referrals). The
partner's access is an object permission on the referral, granted when it is
sent and revoked when the agreement or the consent stops covering it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Scope
from agreements.scope import agreement_covers
from clients.models import Client, ClientStatus, Consent
from cooperation import events
from cooperation.audit import audit, audit_many
from cooperation.models import AuditAction, Institution, User
from cooperation.permissions import CHANGE, VIEW, acting_institution, require
from cooperation.roles import PARTNER_ORG_KINDS
from cooperation.services import model_update, object_share

from .models import (
    OPEN_STATUSES,
    OPTIONAL_FIELDS,
    RUNNING_STATUSES,
    DeliveryKind,
    EventKind,
    Outcome,
    Referral,
    ReferralEvent,
    ReferralGroupObjectPermission,
    ServiceDelivery,
    ServiceOffer,
    Status,
)
from .permissions import CANCEL, REFER, SERVE
from .workdays import add_working_days

PARTNER_ACTIONS = [VIEW, CHANGE]
RESPONSE_WORKING_DAYS = settings.REFERRAL_ANSWER_WORKING_DAYS
OUTCOME_REMINDER_EVERY_DAYS = 7
NEEDS_MAX_CHARS = 500
# The optional data the referring worker may tick; the name is always shared.
SHAREABLE = ("phone", "address", "birth_year")


# --- catalogue ---------------------------------------------------------------


def _clean_offer_data(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data.setdefault("county_wide", True)
    names = [m.strip() for m in (data.get("municipalities") or "").split(",") if m.strip()]
    data["municipalities"] = ", ".join(dict.fromkeys(names))
    if data.get("county_wide"):
        data["municipalities"] = ""
    elif not names:
        raise ValidationError(
            {"municipalities": _("Name the municipalities served, or tick 'whole county'.")}
        )
    if data.get("capacity") is None:
        data["free_places"] = 0  # an unlimited service has no count of places
    elif (data.get("free_places") or 0) > data["capacity"]:
        raise ValidationError({"free_places": _("There cannot be more free places than places.")})
    return data


@transaction.atomic
def service_offer_create(*, acting_user: User, data: dict[str, Any]) -> ServiceOffer:
    """Add a service to the acting user's organisation's catalogue."""
    require(acting_user, ServiceOffer, CHANGE)
    institution = acting_institution(acting_user)
    data = _clean_offer_data(data)
    if ServiceOffer.objects.filter(
        provider=institution, name=data.get("name", "").strip()
    ).exists():
        raise ValidationError({"name": _("Your catalogue already has a service of this name.")})
    offer = ServiceOffer(provider=institution, **data)
    offer.full_clean()
    offer.save()
    audit(actor=acting_user, action=AuditAction.CREATE, obj=offer, fields=sorted(data))
    return offer


@transaction.atomic
def service_offer_update(
    *, offer: ServiceOffer, acting_user: User, data: dict[str, Any]
) -> ServiceOffer:
    """Change a service of the acting user's own organisation (places, contact, publishing)."""
    require(acting_user, offer, CHANGE)
    data = _clean_offer_data(data)
    return model_update(instance=offer, fields=data, data=data, acting_user=acting_user)[0]


# --- referral helpers ----------------------------------------------------------


def _locked(referral: Referral) -> Referral:
    """The referral re-read under a row lock, so two answers at once cannot both pass."""
    return Referral.objects.select_for_update().select_related("service").get(pk=referral.pk)


def _require_status(referral: Referral, *allowed: str) -> None:
    if referral.status not in allowed:
        raise ValidationError(
            _("This cannot be done while the referral is %(status)s.")
            % {"status": referral.get_status_display()}
        )


def _record(
    referral: Referral,
    kind: str,
    *,
    actor: User | None,
    institution: Institution | None,
    comment: str = "",
    fields: Iterable[str] = (),
    notify: str = "",
) -> None:
    ReferralEvent.objects.create(
        referral=referral, kind=kind, actor=actor, institution=institution, comment=comment
    )
    audit(
        actor=actor,
        action=AuditAction.CREATE if kind == EventKind.SENT else AuditAction.UPDATE,
        obj=referral,
        fields=list(fields),
        reason=str(EventKind(kind).label),
        institution=institution,
    )
    if notify:
        events.emit(f"referrals.{notify}", target=referral, actor=actor, institution=institution)


def _required_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _take_place(referral: Referral) -> None:
    offer = ServiceOffer.objects.select_for_update().get(pk=referral.service_id)
    if offer.capacity is None:
        return
    if offer.free_places < 1:
        raise ValidationError(
            _(
                "The service has no free places. Update the number of free places "
                "in your catalogue, or decline with a reason."
            )
        )
    offer.free_places -= 1
    offer.save(update_fields=["free_places", "updated_at"])


def _release_place(referral: Referral) -> None:
    offer = ServiceOffer.objects.select_for_update().get(pk=referral.service_id)
    if offer.capacity is not None and offer.free_places < offer.capacity:
        offer.free_places += 1
        offer.save(update_fields=["free_places", "updated_at"])


def consent_for_referral(client: Client, partner: Institution | int) -> Consent | None:
    """The client's active consent (or other basis) that covers referrals to this partner."""
    partner_id = partner.pk if isinstance(partner, Institution) else partner
    today = timezone.localdate()
    candidates = client.consents.filter(
        partner_id=partner_id,
        withdrawn_at__isnull=True,
        lapsed=False,
        given_on__lte=today,
        valid_until__gte=today,
    ).order_by("-valid_until", "-pk")
    # Scopes are a JSON list; checked here so the rule reads the same on every database.
    return next((c for c in candidates if Scope.REFERRALS in c.scopes), None)


def _snapshot(client: Client, share: set[str], needs: str) -> dict[str, Any]:
    """The data the partner will see: the name, and only what was ticked."""
    values: dict[str, Any] = {
        "phone": client.phone.strip(),
        "address": client.address,
        "birth_year": client.birth_date.year if client.birth_date else None,
    }
    missing = [f for f in share if not values[f]]
    if missing:
        labels = {"phone": _("phone"), "address": _("address"), "birth_year": _("year of birth")}
        raise ValidationError(
            {
                "share": _("The client's record has no %(fields)s to share.")
                % {"fields": ", ".join(str(labels[f]) for f in missing)}
            }
        )
    snapshot: dict[str, Any] = {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "phone": values["phone"] if "phone" in share else "",
        "address": values["address"] if "address" in share else "",
        "birth_year": values["birth_year"] if "birth_year" in share else None,
        "needs": needs,
    }
    snapshot["shared_fields"] = ["first_name", "last_name"] + [
        f for f in OPTIONAL_FIELDS if f in share or (f == "needs" and needs)
    ]
    return snapshot


# --- the workflow --------------------------------------------------------------


@transaction.atomic
def referral_create(
    *,
    acting_user: User,
    client: Client,
    service: ServiceOffer,
    share: Iterable[str] = (),
    needs: str = "",
) -> Referral:
    """Refer a client to a partner's service.

    Allowed when an agreement in force between the two institutions covers
    referrals and the client consented to referrals to that partner. The
    referral stores a snapshot of the name and of the ticked fields only;
    the partner gets access to that referral, never to the client's record.
    """
    require(acting_user, client, REFER)
    institution = acting_institution(acting_user)
    share = set(share)
    unknown = share - set(SHAREABLE)
    if unknown:
        raise ValidationError(_("Unknown data to share: %(f)s") % {"f": ", ".join(sorted(unknown))})
    needs = (needs or "").strip()
    if len(needs) > NEEDS_MAX_CHARS:
        raise ValidationError(
            {"needs": _("Keep the needs to %(n)s characters.") % {"n": NEEDS_MAX_CHARS}}
        )
    if client.status != ClientStatus.ACTIVE or client.anonymised_at:
        raise ValidationError(_("Only an active client can be referred."))
    partner = service.provider
    if not service.is_active or partner.kind not in PARTNER_ORG_KINDS or not partner.is_active:
        raise ValidationError({"service": _("This service is not offered any more.")})
    if not agreement_covers(institution, partner, Scope.REFERRALS):
        raise ValidationError(
            {"service": _("No agreement in force covers referrals to %(p)s.") % {"p": partner}}
        )
    consent = consent_for_referral(client, partner)
    if consent is None:
        raise ValidationError(
            {
                "service": _(
                    "The client has not consented to referrals to %(p)s. Record the consent first."
                )
                % {"p": partner}
            }
        )
    if Referral.objects.filter(
        client=client, service=service, referrer=institution, status__in=OPEN_STATUSES
    ).exists():
        raise ValidationError(
            {"service": _("The client already has an open referral to this service.")}
        )
    now = timezone.now()
    referral = Referral(
        client=client,
        referrer=institution,
        partner=partner,
        service=service,
        consent=consent,
        created_by=acting_user,
        sent_at=now,
        respond_by=add_working_days(timezone.localdate(now), RESPONSE_WORKING_DAYS),
        **_snapshot(client, share, needs),
    )
    referral.full_clean()
    referral.save()
    object_share(
        obj=referral,
        institution=partner,
        actions=PARTNER_ACTIONS,
        acting_user=acting_user,
        reason=str(consent),
    )
    _record(
        referral,
        EventKind.SENT,
        actor=acting_user,
        institution=institution,
        fields=referral.shared_fields,
        notify="sent",
    )
    return referral


@transaction.atomic
def referral_accept(
    *,
    referral: Referral,
    acting_user: User,
    start_date: dt.date,
    end_date: dt.date,
    note: str = "",
) -> Referral:
    """The partner takes the client: planned dates; one free place is taken, if places are counted."""
    require(acting_user, referral, SERVE)
    institution = acting_institution(acting_user)
    referral = _locked(referral)
    _require_status(referral, Status.SENT)
    if end_date < start_date:
        raise ValidationError({"end_date": _("The end date is before the start date.")})
    _take_place(referral)
    referral.status = Status.ACCEPTED
    referral.start_date, referral.end_date = start_date, end_date
    referral.answer_note = note.strip()
    referral.answered_at = timezone.now()
    referral.full_clean()
    referral.save()
    _record(
        referral,
        EventKind.ACCEPTED,
        actor=acting_user,
        institution=institution,
        comment=referral.answer_note,
        fields=["status", "start_date", "end_date"],
        notify="accepted",
    )
    return referral


@transaction.atomic
def referral_decline(*, referral: Referral, acting_user: User, reason: str) -> Referral:
    """The partner cannot take the client, and says why."""
    require(acting_user, referral, SERVE)
    institution = acting_institution(acting_user)
    referral = _locked(referral)
    _require_status(referral, Status.SENT)
    reason = _required_text(reason, "reason", _("Say why the referral is declined."))
    now = timezone.now()
    referral.status, referral.decline_reason = Status.DECLINED, reason
    referral.answered_at = referral.closed_at = now
    referral.save(update_fields=["status", "decline_reason", "answered_at", "closed_at"])
    _record(
        referral,
        EventKind.DECLINED,
        actor=acting_user,
        institution=institution,
        comment=reason,
        fields=["status", "decline_reason"],
        notify="declined",
    )
    return referral


def _start(referral: Referral, user: User, institution: Institution, started_on: dt.date) -> None:
    referral.status = Status.IN_PROGRESS
    referral.start_date = started_on
    if referral.end_date and referral.end_date < started_on:
        referral.end_date = started_on
    referral.save(update_fields=["status", "start_date", "end_date"])
    _record(
        referral,
        EventKind.STARTED,
        actor=user,
        institution=institution,
        fields=["status", "start_date"],
    )


@transaction.atomic
def referral_start(
    *, referral: Referral, acting_user: User, started_on: dt.date | None = None
) -> Referral:
    """The client has come: the service is in progress."""
    require(acting_user, referral, SERVE)
    institution = acting_institution(acting_user)
    referral = _locked(referral)
    _require_status(referral, Status.ACCEPTED)
    started_on = started_on or timezone.localdate()
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": _("A service cannot start in the future.")})
    _start(referral, acting_user, institution, started_on)
    return referral


@transaction.atomic
def delivery_record(
    *,
    referral: Referral,
    acting_user: User,
    delivered_on: dt.date,
    kind: str,
    hours: Decimal,
    note: str = "",
) -> ServiceDelivery:
    """The partner records a service delivered (date, kind, hours); the first one starts the service."""
    require(acting_user, referral, SERVE)
    institution = acting_institution(acting_user)
    referral = _locked(referral)
    _require_status(referral, *RUNNING_STATUSES)
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": _("A service cannot be recorded in advance.")})
    if delivered_on < timezone.localdate(referral.sent_at):
        raise ValidationError({"delivered_on": _("The date is before the client was referred.")})
    if kind not in DeliveryKind.values:
        raise ValidationError({"kind": _("Choose the kind of service.")})
    if hours is None or not Decimal("0") < Decimal(hours) <= Decimal("24"):
        raise ValidationError({"hours": _("Give the hours, more than 0 and at most 24.")})
    if referral.status == Status.ACCEPTED:
        _start(referral, acting_user, institution, delivered_on)
    delivery = ServiceDelivery(
        referral=referral,
        delivered_on=delivered_on,
        kind=kind,
        hours=hours,
        note=note.strip(),
        recorded_by=acting_user,
    )
    delivery.full_clean()
    delivery.save()
    _record(
        referral,
        EventKind.DELIVERED,
        actor=acting_user,
        institution=institution,
        comment=_("%(kind)s, %(hours)s h")
        % {"kind": delivery.get_kind_display(), "hours": floatformat(delivery.hours, -1)},
        fields=["deliveries"],
    )
    return delivery


@transaction.atomic
def referral_complete(
    *,
    referral: Referral,
    acting_user: User,
    outcome: str,
    outcome_note: str,
    completed_on: dt.date | None = None,
) -> Referral:
    """The service is over: the partner records the outcome; the place is free again."""
    require(acting_user, referral, SERVE)
    institution = acting_institution(acting_user)
    referral = _locked(referral)
    _require_status(referral, *RUNNING_STATUSES)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    outcome_note = _required_text(
        outcome_note, "outcome_note", _("Describe the outcome for the referring worker.")
    )
    completed_on = completed_on or timezone.localdate()
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": _("The completion date is in the future.")})
    if referral.start_date and completed_on < referral.start_date:
        raise ValidationError({"completed_on": _("The service cannot end before it started.")})
    referral.status = Status.COMPLETED
    referral.outcome, referral.outcome_note = outcome, outcome_note
    referral.completed_on, referral.closed_at = completed_on, timezone.now()
    referral.full_clean()
    referral.save()
    _release_place(referral)
    _record(
        referral,
        EventKind.COMPLETED,
        actor=acting_user,
        institution=institution,
        comment=f"{referral.get_outcome_display()}: {outcome_note}",
        fields=["status", "outcome", "outcome_note"],
        notify="completed",
    )
    return referral


def _cancel(
    referral: Referral,
    *,
    actor: User | None,
    institution: Institution | None,
    reason: str,
    notify: bool = True,
) -> None:
    """Cancel; the partner is told unless its access is being withdrawn with it."""
    was_running = referral.status in RUNNING_STATUSES
    referral.status, referral.cancel_reason = Status.CANCELLED, reason[:1000]
    referral.closed_at = timezone.now()
    referral.save(update_fields=["status", "cancel_reason", "closed_at"])
    if was_running:
        _release_place(referral)
    _record(
        referral,
        EventKind.CANCELLED,
        actor=actor,
        institution=institution,
        comment=reason,
        fields=["status", "cancel_reason"],
        notify="cancelled" if notify else "",
    )


@transaction.atomic
def referral_cancel(*, referral: Referral, acting_user: User, reason: str) -> Referral:
    """The referring institution withdraws an open referral, with a reason."""
    require(acting_user, referral, CANCEL)
    institution = acting_institution(acting_user)
    referral = _locked(referral)
    _require_status(referral, *OPEN_STATUSES)
    reason = _required_text(reason, "reason", _("Say why the referral is cancelled."))
    _cancel(referral, actor=acting_user, institution=institution, reason=reason)
    return referral


@transaction.atomic
def referral_printed(*, referral: Referral, acting_user: User, request: Any = None) -> None:
    """The referral was printed (for the client to take along): evidence of the export."""
    require(acting_user, referral, VIEW)
    institution = acting_institution(acting_user)
    ReferralEvent.objects.create(
        referral=referral, kind=EventKind.PRINTED, actor=acting_user, institution=institution
    )
    audit(
        actor=acting_user,
        action=AuditAction.EXPORT,
        obj=referral,
        fields=referral.shared_fields,
        reason="PDF",
        request=request,
    )


# --- access withdrawn ----------------------------------------------------------


def _revoke_partner_access(referrals: list[Referral], reason: str) -> int:
    """Delete the partner organisations' grants on these referrals, one audit row each."""
    grants = ReferralGroupObjectPermission.objects.filter(
        content_object__in=[r.pk for r in referrals]
    )
    granted = set(grants.values_list("content_object_id", flat=True))
    if not granted:
        return 0
    affected = [r for r in referrals if r.pk in granted]
    audit_many(actor=None, action=AuditAction.REVOKE, objects=affected, reason=reason)
    grants.delete()
    return len(affected)


@transaction.atomic
def referrals_withdraw_between(a: Institution, b: Institution, reason: str) -> int:
    """No agreement covers referrals between A and B any more: open referrals
    between them are cancelled and the partner loses access to all of them.

    Registered under `scope_lost_hook(Scope.REFERRALS)` (partners/hooks.py); runs inside the
    transaction that ends the coverage.
    """
    between = Referral.objects.filter(
        Q(referrer=a, partner=b) | Q(referrer=b, partner=a)
    ).select_related("service")
    cancelled = 0
    for referral in between.filter(status__in=OPEN_STATUSES):
        _cancel(
            referral,
            actor=None,
            institution=None,
            reason=_("The agreement no longer covers referrals (%(r)s).") % {"r": reason},
            notify=False,
        )
        cancelled += 1
    _revoke_partner_access(list(between), f"{a.short_name}↔{b.short_name}: {reason}")
    return cancelled


def _consent_inactive(today: dt.date) -> Q:
    return (
        Q(consent__withdrawn_at__isnull=False)
        | Q(consent__lapsed=True)
        | Q(consent__valid_until__lt=today)
    )


def _withdraw_without_consent(today: dt.date) -> int:
    """Referrals whose consent was withdrawn or lapsed: open ones end, the partner's access goes."""
    granted = ReferralGroupObjectPermission.objects.values("content_object_id")
    referrals = list(
        Referral.objects.filter(_consent_inactive(today), pk__in=granted).select_related("service")
    )
    for referral in referrals:
        with transaction.atomic():
            locked = _locked(referral)
            if locked.is_open:
                _cancel(
                    locked,
                    actor=None,
                    institution=None,
                    reason=_("The client's consent was withdrawn or has lapsed."),
                    notify=False,
                )
    with transaction.atomic():
        return _revoke_partner_access(referrals, "consent withdrawn or lapsed")


@transaction.atomic
def referral_wipe(*, referral: Referral, reason: str) -> Referral:
    """Erase the person from a referral: the snapshot, and every free text the two
    sides wrote about them. Status, service, dates, outcome and hours stay, so
    statistics keep counting it. A system action (no actor), audited with `reason`."""
    erased = "[usunięto — anonimizacja]"
    referral.first_name, referral.last_name = "Zanonimizowany", f"klient #{referral.client_id}"
    referral.phone = referral.address = referral.needs = ""
    referral.birth_year = None
    referral.answer_note = referral.outcome_note = ""
    # A declined referral keeps a (blank) reason: the record says it was declined.
    referral.decline_reason = erased if referral.decline_reason else ""
    referral.cancel_reason = erased if referral.cancel_reason else ""
    referral.wiped_at = timezone.now()
    referral.save()
    referral.events.exclude(comment="").update(comment="")
    referral.deliveries.exclude(note="").update(note="")
    audit(
        actor=None,
        action=AuditAction.DELETE,
        obj=referral,
        fields=list(referral.shared_fields),
        reason=reason,
        institution=referral.referrer,
    )
    return referral


def _wipe_anonymised() -> int:
    """A client anonymised in their record is anonymised in every referral too."""
    wiped = 0
    for referral in Referral.objects.filter(
        client__anonymised_at__isnull=False, wiped_at__isnull=True
    ):
        referral_wipe(referral=referral, reason="anonymisation")
        wiped += 1
    return wiped


# --- the daily pass ------------------------------------------------------------


def _flag_overdue(today: dt.date) -> int:
    flagged = 0
    due = Referral.objects.filter(
        status=Status.SENT, respond_by__lt=today, overdue_flagged_at__isnull=True
    )
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            referral = Referral.objects.select_for_update().get(pk=pk)
            if referral.status != Status.SENT or referral.overdue_flagged_at:
                continue
            referral.overdue_flagged_at = timezone.now()
            referral.save(update_fields=["overdue_flagged_at"])
            _record(referral, EventKind.OVERDUE, actor=None, institution=None, notify="overdue")
            flagged += 1
    return flagged


def _remind_outcomes(today: dt.date) -> int:
    reminded = 0
    last_ok = today - dt.timedelta(days=OUTCOME_REMINDER_EVERY_DAYS)
    due = Referral.objects.filter(status__in=RUNNING_STATUSES, end_date__lt=today).filter(
        Q(outcome_reminded_on__isnull=True) | Q(outcome_reminded_on__lte=last_ok)
    )
    for referral in due:
        with transaction.atomic():
            referral.outcome_reminded_on = today
            referral.save(update_fields=["outcome_reminded_on"])
            _record(
                referral,
                EventKind.OUTCOME_REMINDER,
                actor=None,
                institution=None,
                notify="outcome",
            )
            reminded += 1
    return reminded


def referrals_run_daily(*, today: dt.date | None = None) -> dict[str, int]:
    """The nightly pass, idempotent: flag referrals unanswered after two working
    days, ask for outcomes of services past their end date (again every week),
    withdraw referrals whose consent ended, erase snapshots of anonymised clients."""
    today = today or timezone.localdate()
    return {
        "flagged": _flag_overdue(today),
        "outcome_reminders": _remind_outcomes(today),
        "withdrawn": _withdraw_without_consent(today),
        "wiped": _wipe_anonymised(),
    }
