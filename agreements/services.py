"""The agreement workflow. Every transition checks the current state and the
acting coordinator's institution, writes the timeline and the audit log, and
— when coverage ends — withdraws the access it gave in the same transaction.

draft → sent → (signed →) active → expired | terminated
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from itertools import combinations
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.audit import audit
from cooperation.models import AuditAction, Institution, User
from cooperation.permissions import membership_of
from cooperation.roles import MANAGING_ROLES
from cooperation.services import model_update
from cooperation.uploads import SCANS, original_filename, validate_upload

from .models import (
    SCOPE_FIELDS,
    Agreement,
    AgreementEvent,
    AgreementTerms,
    Annex,
    AnnexApproval,
    Attachment,
    Coordinator,
    EventKind,
    Party,
    Status,
)
from .scope import agreement_covers, scope_lost_handlers
from .selectors import network_institutions
from .tasks import notify_parties

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

REMINDER_DAYS = (30, 7)


def _acting_institution(user: User) -> Institution:
    """The acting user's institution, if they may act on agreements (coordinator or admin)."""
    membership = membership_of(user)
    if membership is None or membership.role not in MANAGING_ROLES:
        raise PermissionDenied(
            _("Only a cooperation coordinator or an institution administrator may do this.")
        )
    return membership.institution


def _party_of(agreement: Agreement, user: User) -> Party:
    institution = _acting_institution(user)
    party = agreement.parties.filter(institution=institution).first()
    if party is None:
        raise PermissionDenied(_("Your institution is not a party to this agreement."))
    return party


def _require_status(agreement: Agreement, *allowed: str) -> None:
    if agreement.status not in allowed:
        raise ValidationError(
            _("This cannot be done while the agreement is %(status)s.")
            % {"status": agreement.get_status_display()}
        )


def _record(
    agreement: Agreement,
    kind: str,
    *,
    actor: User | None,
    institution: Institution | None = None,
    comment: str = "",
    fields: Iterable[str] = (),
) -> None:
    AgreementEvent.objects.create(
        agreement=agreement, kind=kind, actor=actor, institution=institution, comment=comment
    )
    audit(
        actor=actor,
        action=AuditAction.UPDATE if kind != EventKind.CREATED else AuditAction.CREATE,
        obj=agreement,
        fields=list(fields),
        reason=str(EventKind(kind).label),
        institution=institution,
    )


def _abbreviation(institution: Institution) -> str:
    """`mops-skarzysko` → `MOPS-SK`: readable in the number, unique enough with the year and sequence."""
    kind, _sep, town = institution.short_name.partition("-")
    return f"{kind.upper()}-{town[:2].upper()}" if town else kind.upper()


def _next_number(initiator: Institution, year: int) -> tuple[int, str]:
    # Lock the initiator's row so two drafts created at once get different numbers.
    Institution.objects.select_for_update().filter(pk=initiator.pk).first()
    last = (
        Agreement.objects.filter(initiator=initiator, year=year).aggregate(m=Max("sequence"))["m"]
        or 0
    )
    sequence = last + 1
    return sequence, f"POR/{sequence}/{year}/{_abbreviation(initiator)}"


def _validate_dates(valid_from: dt.date, valid_until: dt.date | None) -> None:
    if valid_until and valid_until < valid_from:
        raise ValidationError({"valid_until": _("The end date is before the start date.")})


def _scope_values(scopes: Iterable[str]) -> dict[str, bool]:
    chosen = set(scopes)
    unknown = chosen - set(SCOPE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown scope: %(scopes)s") % {"scopes": ", ".join(sorted(unknown))}
        )
    if not chosen:
        raise ValidationError({"scopes": _("Choose at least one area of cooperation.")})
    return {field: scope in chosen for scope, field in SCOPE_FIELDS.items()}


def agreement_default_body(
    *,
    initiator: Institution,
    partners: Iterable[Institution],
    scopes: Iterable[str],
    valid_from: dt.date,
    valid_until: dt.date | None,
) -> str:
    """The standard text of an agreement, in Polish, for the coordinator to edit."""
    from .models import Scope

    return render_to_string(
        "agreements/body_default.txt",
        {
            "initiator": initiator,
            "partners": list(partners),
            "scopes": [Scope(s).label for s in scopes],
            "valid_from": valid_from,
            "valid_until": valid_until,
        },
    ).strip()


@transaction.atomic
def agreement_draft(
    *,
    acting_user: User,
    title: str,
    partners: Iterable[Institution],
    scopes: Iterable[str],
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    body: str = "",
) -> Agreement:
    """A coordinator drafts an agreement with partner institutions of the network."""
    initiator = _acting_institution(acting_user)
    partners = list(partners)
    allowed = set(network_institutions(initiator).values_list("pk", flat=True))
    if not partners:
        raise ValidationError({"partners": _("Choose at least one partner institution.")})
    if any(p.pk not in allowed or p.pk == initiator.pk for p in partners):
        raise ValidationError(
            {"partners": _("Agreements can be made only with other institutions of your network.")}
        )
    _validate_dates(valid_from, valid_until)
    scopes = list(scopes)
    scope_values = _scope_values(scopes)
    year = timezone.localdate().year
    sequence, number = _next_number(initiator, year)
    agreement = Agreement(
        number=number,
        year=year,
        sequence=sequence,
        initiator=initiator,
        title=title.strip(),
        body=body.strip()
        or agreement_default_body(
            initiator=initiator,
            partners=partners,
            scopes=scopes,
            valid_from=valid_from,
            valid_until=valid_until,
        ),
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=acting_user,
        **scope_values,
    )
    agreement.full_clean()
    agreement.save()
    Party.objects.bulk_create(
        [Party(agreement=agreement, institution=i) for i in [initiator, *partners]]
    )
    _record(agreement, EventKind.CREATED, actor=acting_user, institution=initiator)
    return agreement


@transaction.atomic
def agreement_update(
    *,
    agreement: Agreement,
    acting_user: User,
    title: str,
    scopes: Iterable[str],
    valid_from: dt.date,
    valid_until: dt.date | None,
    body: str,
) -> Agreement:
    """Edit a draft; only the drafting institution may."""
    party = _party_of(agreement, acting_user)
    if party.institution_id != agreement.initiator_id:
        raise PermissionDenied(_("Only the institution that drafted the agreement may edit it."))
    _require_status(agreement, Status.DRAFT)
    _validate_dates(valid_from, valid_until)
    new = {
        "title": title.strip(),
        "valid_from": valid_from,
        "valid_until": valid_until,
        "body": body.strip(),
        **_scope_values(scopes),
    }
    # The agreement's own history records the change (and audits it).
    agreement, changed = model_update(
        instance=agreement, fields=new, data=new, acting_user=acting_user, audit_change=False
    )
    if changed:
        _record(
            agreement,
            EventKind.UPDATED,
            actor=acting_user,
            institution=party.institution,
            fields=changed,
        )
    return agreement


@transaction.atomic
def agreement_send(
    *, agreement: Agreement, acting_user: User, signatory_name: str, signatory_function: str
) -> Agreement:
    """The drafting institution signs and sends the draft to the partners for acceptance."""
    party = _party_of(agreement, acting_user)
    if party.institution_id != agreement.initiator_id:
        raise PermissionDenied(_("Only the institution that drafted the agreement may send it."))
    _require_status(agreement, Status.DRAFT)
    agreement.status = Status.SENT
    agreement.save(update_fields=["status"])
    _record(agreement, EventKind.SENT, actor=acting_user, institution=party.institution)
    _accept(agreement, party, acting_user, signatory_name, signatory_function)
    transaction.on_commit(lambda: notify_parties.delay(agreement.pk, "sent", party.institution_id))
    return agreement


def _accept(agreement: Agreement, party: Party, user: User, name: str, function: str) -> None:
    if not name.strip() or not function.strip():
        raise ValidationError(
            {"signatory_name": _("Give the name and function of the person who signs.")}
        )
    party.signatory_name, party.signatory_function = name.strip(), function.strip()
    party.accepted_at, party.accepted_by = timezone.now(), user
    party.save()
    if party.institution_id != agreement.initiator_id:
        _record(agreement, EventKind.ACCEPTED, actor=user, institution=party.institution)


@transaction.atomic
def agreement_accept(
    *, agreement: Agreement, acting_user: User, signatory_name: str, signatory_function: str
) -> Agreement:
    """A party's coordinator accepts; when all have, it is signed, and active once its start date has come."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    party = _party_of(agreement, acting_user)
    _require_status(agreement, Status.SENT)
    if party.accepted_at:
        raise ValidationError(_("Your institution has already accepted this agreement."))
    _accept(agreement, party, acting_user, signatory_name, signatory_function)
    if not agreement.parties.filter(accepted_at__isnull=True).exists():
        agreement.status = Status.SIGNED
        agreement.save(update_fields=["status"])
        _record(agreement, EventKind.SIGNED, actor=acting_user, institution=party.institution)
        AgreementTerms.objects.create(
            agreement=agreement,
            effective_from=agreement.valid_from,
            valid_until=agreement.valid_until,
            **{f: getattr(agreement, f) for f in SCOPE_FIELDS.values()},
        )
        transaction.on_commit(lambda: notify_parties.delay(agreement.pk, "signed", None))
        if agreement.valid_from <= timezone.localdate():
            _activate(agreement)
    return agreement


@transaction.atomic
def agreement_return(*, agreement: Agreement, acting_user: User, comment: str) -> Agreement:
    """A party sends the agreement back to draft with a comment; all acceptances are cleared."""
    party = _party_of(agreement, acting_user)
    _require_status(agreement, Status.SENT)
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should change.")})
    agreement.status = Status.DRAFT
    agreement.save(update_fields=["status"])
    agreement.parties.update(accepted_at=None, accepted_by=None)
    _record(
        agreement,
        EventKind.RETURNED,
        actor=acting_user,
        institution=party.institution,
        comment=comment.strip(),
    )
    transaction.on_commit(
        lambda: notify_parties.delay(agreement.pk, "returned", party.institution_id)
    )
    return agreement


def _activate(agreement: Agreement) -> None:
    agreement.status = Status.ACTIVE
    agreement.save(update_fields=["status"])
    _record(agreement, EventKind.ACTIVATED, actor=None)


def _withdraw_lost_coverage(agreement: Agreement, scopes: Iterable[str], reason: str) -> None:
    """For each pair of parties and each scope the agreement no longer gives them,
    run the apps' handlers — unless another agreement still covers that pair."""
    institutions = [p.institution for p in agreement.parties.select_related("institution")]
    for scope in scopes:
        for a, b in combinations(institutions, 2):
            if agreement_covers(a, b, scope):
                continue
            for handler in scope_lost_handlers(scope):
                handler(a, b, reason)


@transaction.atomic
def agreement_terminate(
    *, agreement: Agreement, acting_user: User, reason: str, notice_days: int
) -> Agreement:
    """Any party terminates with a reason and a notice period (0 = at once)."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    party = _party_of(agreement, acting_user)
    _require_status(agreement, Status.ACTIVE, Status.SIGNED)
    if agreement.termination_date:
        raise ValidationError(_("Notice of termination has already been given."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for termination.")})
    if notice_days < 0:
        raise ValidationError({"notice_days": _("The notice period cannot be negative.")})
    agreement.termination_date = timezone.localdate() + dt.timedelta(days=notice_days)
    agreement.termination_reason = reason.strip()
    agreement.terminated_by = party.institution
    agreement.save(update_fields=["termination_date", "termination_reason", "terminated_by"])
    _record(
        agreement,
        EventKind.TERMINATION_NOTICE,
        actor=acting_user,
        institution=party.institution,
        comment=reason.strip(),
    )
    transaction.on_commit(
        lambda: notify_parties.delay(agreement.pk, "terminated", party.institution_id)
    )
    if notice_days == 0:
        _end(agreement, Status.TERMINATED, EventKind.TERMINATED)
    return agreement


def _end(agreement: Agreement, status: str, kind: str) -> None:
    was_active = agreement.status == Status.ACTIVE
    agreement.status = status
    agreement.save(update_fields=["status"])
    _record(agreement, kind, actor=None)
    if was_active:
        _withdraw_lost_coverage(
            agreement, agreement.scopes, reason=f"{agreement.number}: {EventKind(kind).label}"
        )


@transaction.atomic
def annex_propose(
    *,
    agreement: Agreement,
    acting_user: User,
    description: str,
    effective_from: dt.date,
    scopes: Iterable[str],
    valid_until: dt.date | None,
) -> Annex:
    """A party proposes an annex changing scope or end date; the proposer approves it."""
    party = _party_of(agreement, acting_user)
    _require_status(agreement, Status.ACTIVE, Status.SIGNED)
    if agreement.annexes.filter(applied=False).exists():
        raise ValidationError(_("An earlier annex is still waiting; settle it first."))
    if effective_from < timezone.localdate():
        raise ValidationError({"effective_from": _("An annex cannot take effect in the past.")})
    _validate_dates(agreement.valid_from, valid_until)
    number = (agreement.annexes.aggregate(m=Max("number"))["m"] or 0) + 1
    annex = Annex(
        agreement=agreement,
        number=number,
        description=description.strip(),
        effective_from=effective_from,
        valid_until=valid_until,
        created_by=acting_user,
        **_scope_values(scopes),
    )
    annex.full_clean()
    annex.save()
    AnnexApproval.objects.create(
        annex=annex, institution=party.institution, approved_by=acting_user
    )
    _record(
        agreement,
        EventKind.ANNEX_PROPOSED,
        actor=acting_user,
        institution=party.institution,
        comment=annex.description,
    )
    transaction.on_commit(lambda: notify_parties.delay(agreement.pk, "annex", party.institution_id))
    _maybe_apply_annex(annex)
    return annex


@transaction.atomic
def annex_approve(*, annex: Annex, acting_user: User) -> Annex:
    """A party approves a proposed annex; it applies once all have and its date has come."""
    party = _party_of(annex.agreement, acting_user)
    if annex.applied:
        raise ValidationError(_("This annex is already in force."))
    if AnnexApproval.objects.filter(annex=annex, institution=party.institution).exists():
        raise ValidationError(_("Your institution has already approved this annex."))
    AnnexApproval.objects.create(
        annex=annex, institution=party.institution, approved_by=acting_user
    )
    _record(
        annex.agreement, EventKind.ANNEX_ACCEPTED, actor=acting_user, institution=party.institution
    )
    _maybe_apply_annex(annex)
    return annex


def _maybe_apply_annex(annex: Annex, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    approved = AnnexApproval.objects.filter(annex=annex).count()
    if annex.applied or approved < annex.agreement.parties.count() or annex.effective_from > today:
        return
    agreement = annex.agreement
    before = set(agreement.scopes)
    for field in SCOPE_FIELDS.values():
        setattr(agreement, field, getattr(annex, field))
    agreement.valid_until = annex.valid_until
    agreement.full_clean()
    agreement.save()
    annex.applied = True
    annex.save(update_fields=["applied"])
    AgreementTerms.objects.create(
        agreement=agreement,
        effective_from=annex.effective_from,
        valid_until=annex.valid_until,
        annex=annex,
        **{f: getattr(annex, f) for f in SCOPE_FIELDS.values()},
    )
    _record(agreement, EventKind.ANNEX_APPLIED, actor=None, comment=str(annex))
    if agreement.status == Status.ACTIVE:
        _withdraw_lost_coverage(agreement, before - set(agreement.scopes), reason=f"{annex}")
    if (
        agreement.valid_until
        and agreement.valid_until < today
        and agreement.status == Status.ACTIVE
    ):
        _end(agreement, Status.EXPIRED, EventKind.EXPIRED)


@transaction.atomic
def attachment_add(
    *, agreement: Agreement, acting_user: User, kind: str, file: UploadedFile, description: str = ""
) -> Attachment:
    """A party adds a signed scan or another document to the agreement: a PDF,
    JPG or PNG by its content, stored under a random name."""
    party = _party_of(agreement, acting_user)
    validate_upload(file, allowed=SCANS, field="file")
    attachment = Attachment(
        agreement=agreement,
        kind=kind,
        file=file,
        filename=original_filename(file.name),  # type: ignore[arg-type]
        description=description.strip(),
        uploaded_by=acting_user,
    )
    attachment.full_clean()
    attachment.save()
    _record(
        agreement,
        EventKind.ATTACHMENT,
        actor=acting_user,
        institution=party.institution,
        comment=attachment.get_kind_display(),
    )
    return attachment


@transaction.atomic
def coordinator_card_save(
    *, acting_user: User, user: User, is_deputy: bool, phone: str, email: str, office_hours: str
) -> Coordinator:
    """Designate the institution's coordinator (or a deputy) and their contact card."""
    institution = _acting_institution(acting_user)
    target = membership_of(user)
    if target is None or target.institution_id != institution.pk:
        raise ValidationError({"user": _("Choose a person from your institution.")})
    if not is_deputy:
        # The new main coordinator replaces the old one, who becomes a deputy.
        Coordinator.objects.filter(institution=institution, is_deputy=False).exclude(
            user=user
        ).update(is_deputy=True)
    card, _created = Coordinator.objects.update_or_create(
        institution=institution,
        user=user,
        defaults={
            "is_deputy": is_deputy,
            "phone": phone.strip(),
            "email": email.strip(),
            "office_hours": office_hours.strip(),
        },
    )
    audit(
        actor=acting_user,
        action=AuditAction.UPDATE,
        obj=card,
        fields=["is_deputy", "phone", "email", "office_hours"],
    )
    return card


@transaction.atomic
def coordinator_card_remove(*, acting_user: User, card: Coordinator) -> None:
    institution = _acting_institution(acting_user)
    if card.institution_id != institution.pk:
        raise PermissionDenied
    audit(actor=acting_user, action=AuditAction.DELETE, obj=card)
    card.delete()


def agreements_run_daily(*, today: dt.date | None = None) -> dict[str, int]:
    """The nightly pass: activate, apply annexes, terminate, expire, remind. Idempotent.

    Each agreement is handled in its own transaction so one bad row does not
    stop the rest.
    """
    today = today or timezone.localdate()
    counts = {"activated": 0, "annexes": 0, "terminated": 0, "expired": 0, "reminders": 0}
    for pk in Agreement.objects.filter(status=Status.SIGNED, valid_from__lte=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            agreement = Agreement.objects.select_for_update().get(pk=pk)
            if agreement.status == Status.SIGNED:
                _activate(agreement)
                counts["activated"] += 1
    for annex in Annex.objects.filter(applied=False, effective_from__lte=today).select_related(
        "agreement"
    ):
        with transaction.atomic():
            _maybe_apply_annex(annex, today)
            counts["annexes"] += int(annex.applied)
    ending = Agreement.objects.filter(status__in=[Status.ACTIVE, Status.SIGNED])
    for pk in ending.filter(termination_date__lte=today).values_list("pk", flat=True):
        with transaction.atomic():
            _end(
                Agreement.objects.select_for_update().get(pk=pk),
                Status.TERMINATED,
                EventKind.TERMINATED,
            )
            counts["terminated"] += 1
    for pk in ending.filter(valid_until__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            _end(
                Agreement.objects.select_for_update().get(pk=pk), Status.EXPIRED, EventKind.EXPIRED
            )
            counts["expired"] += 1
    counts["reminders"] = _send_reminders(today)
    return counts


def _send_reminders(today: dt.date) -> int:
    sent = 0
    for days in REMINDER_DAYS:
        target = today + dt.timedelta(days=days)
        due = (
            Agreement.objects.filter(status=Status.ACTIVE)
            .filter(_last_day_is(target))
            .exclude(events__kind=EventKind.REMINDER, events__comment=f"{days}")
        )
        for agreement in due:
            with transaction.atomic():
                _record(agreement, EventKind.REMINDER, actor=None, comment=f"{days}")
                transaction.on_commit(
                    lambda pk=agreement.pk, d=days: notify_parties.delay(pk, f"ending:{d}", None)  # type: ignore[misc]
                )
                sent += 1
    return sent


def _last_day_is(day: dt.date) -> Q:
    """Agreements whose last binding day is `day`, by end date or by termination."""
    by_end = Q(valid_until=day) & (Q(termination_date__isnull=True) | Q(termination_date__gt=day))
    by_termination = Q(termination_date=day + dt.timedelta(days=1)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )
    return by_end | by_termination
