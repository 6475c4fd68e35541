"""The agreement workflow. Every transition checks the current state and the
acting coordinator's institution, writes the timeline and the audit log, and
— when coverage ends — withdraws the access it gave in the same transaction.

draft → sent → accepted → signed (the signed copy recorded) → active → expired | terminated

"Accepted" is agreement to the text; only the recorded signed document makes
it signed, and only a signed agreement comes into force (gate 3, issue 15).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation import events
from cooperation.audit import audit
from cooperation.dailyruns import catch_up_from, job_done
from cooperation.models import AuditAction, Institution, User
from cooperation.permissions import CHANGE, acting_institution, membership_of, require
from cooperation.services import model_update
from cooperation.uploads import (
    SCANS,
    SIGNED_DOCUMENTS,
    FileType,
    original_filename,
    validate_upload,
)

from . import rules
from .models import (
    DEFAULT_MEETING_EVERY_MONTHS,
    DEFAULT_NOTICE_DAYS,
    PROCEDURE_FIELDS,
    SCOPE_FIELDS,
    Agreement,
    AgreementEvent,
    AgreementTerms,
    Annex,
    AnnexApproval,
    Attachment,
    AttachmentKind,
    Coordinator,
    EventKind,
    Party,
    SignedCopy,
    SignedForm,
    Status,
)
from .permissions import DRAFT, EDIT_DRAFT
from .procedures import coordinators_table, duties_table
from .scope import agreement_covers, scope_lost_handlers
from .selectors import network_institutions
from .signatures import ReadSignature, normalise_name, read_pades, read_xades, signing_date

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

REMINDER_DAYS = (30, 7)


def _party_of(agreement: Agreement, user: User) -> Party:
    """The acting user's party to the agreement (seeing it is being a party)."""
    return agreement.parties.get(institution=acting_institution(user))


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
    notice_days: int = DEFAULT_NOTICE_DAYS,
    meeting_every_months: int = DEFAULT_MEETING_EVERY_MONTHS,
    referral_answer_days: int | None = None,
    promotion_case_days: int | None = None,
) -> str:
    """The standard text of an agreement, in Polish, for the coordinator to edit:
    scope, duties per party, the exchange of information with its deadlines, the
    coordinators with their contacts, the notice period — from the terms given."""
    from .models import Scope

    partners = list(partners)
    institutions = [initiator, *partners]
    scopes = list(scopes)
    return render_to_string(
        "agreements/body_default.txt",
        {
            "initiator": initiator,
            "partners": partners,
            "scopes": [Scope(s).label for s in scopes],
            "duties": duties_table(institutions, scopes),
            "coordinators": coordinators_table(institutions),
            "valid_from": valid_from,
            "valid_until": valid_until,
            "notice_days": notice_days,
            "meeting_every_months": meeting_every_months,
            "referral_answer_days": referral_answer_days or settings.REFERRAL_ANSWER_WORKING_DAYS,
            "promotion_case_days": promotion_case_days or settings.PROMOTION_CASE_DAYS,
        },
    ).strip()


def _validate_procedures(notice_days: int, meeting_every_months: int) -> None:
    errors = {}
    if not 0 <= notice_days <= 365:
        errors["notice_days"] = _("The notice period is from 0 to 365 days.")
    if not 1 <= meeting_every_months <= 12:
        errors["meeting_every_months"] = _("Coordinators meet at least once every 1 to 12 months.")
    if errors:
        raise ValidationError(errors)


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
    notice_days: int = DEFAULT_NOTICE_DAYS,
    meeting_every_months: int = DEFAULT_MEETING_EVERY_MONTHS,
) -> Agreement:
    """A coordinator drafts an agreement with partner institutions of the network.

    The procedures' deadlines for referrals and promotion cases are the ones the
    app enforces (settings); the notice period and the meetings are chosen here."""
    require(acting_user, Agreement, DRAFT)
    initiator = acting_institution(acting_user)
    partners = list(partners)
    allowed = set(network_institutions(initiator).values_list("pk", flat=True))
    if not partners:
        raise ValidationError({"partners": _("Choose at least one partner institution.")})
    if any(p.pk not in allowed or p.pk == initiator.pk for p in partners):
        raise ValidationError(
            {"partners": _("Agreements can be made only with other institutions of your network.")}
        )
    _validate_dates(valid_from, valid_until)
    _validate_procedures(notice_days, meeting_every_months)
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
            notice_days=notice_days,
            meeting_every_months=meeting_every_months,
        ),
        valid_from=valid_from,
        valid_until=valid_until,
        notice_days=notice_days,
        meeting_every_months=meeting_every_months,
        referral_answer_days=settings.REFERRAL_ANSWER_WORKING_DAYS,
        promotion_case_days=settings.PROMOTION_CASE_DAYS,
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
    notice_days: int | None = None,
    meeting_every_months: int | None = None,
) -> Agreement:
    """Edit a draft; only the drafting institution may. A text that is the
    standard one but for its numbers and dates is rewritten for the new terms,
    so the text keeps agreeing with them; a text the coordinator edited is left
    as written. (Judged from what is posted alone, so a resubmission is a no-op.)"""
    require(acting_user, agreement, EDIT_DRAFT)
    party = _party_of(agreement, acting_user)
    _require_status(agreement, Status.DRAFT)
    _validate_dates(valid_from, valid_until)
    notice_days = agreement.notice_days if notice_days is None else notice_days
    meeting_every_months = (
        agreement.meeting_every_months if meeting_every_months is None else meeting_every_months
    )
    _validate_procedures(notice_days, meeting_every_months)
    new = {
        "title": title.strip(),
        "valid_from": valid_from,
        "valid_until": valid_until,
        "notice_days": notice_days,
        "meeting_every_months": meeting_every_months,
        "body": body.strip(),
        **_scope_values(scopes),
    }
    standard = _body_for(agreement, **new)
    if _masked(body) == _masked(standard):
        new["body"] = standard
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


def _body_for(agreement: Agreement, **changes: object) -> str:
    """The standard text for the agreement's terms, with `changes` applied."""
    values = {
        "scopes": agreement.scopes,
        "valid_from": agreement.valid_from,
        "valid_until": agreement.valid_until,
        "notice_days": agreement.notice_days,
        "meeting_every_months": agreement.meeting_every_months,
    }
    values.update({k: v for k, v in changes.items() if k in values})
    if "scope_client_records" in changes:
        values["scopes"] = [s for s, f in SCOPE_FIELDS.items() if changes[f]]
    parties = [p.institution for p in agreement.parties.select_related("institution")]
    return agreement_default_body(
        initiator=agreement.initiator,
        partners=[i for i in parties if i.pk != agreement.initiator_id],
        referral_answer_days=agreement.referral_answer_days,
        promotion_case_days=agreement.promotion_case_days,
        **values,  # type: ignore[arg-type]
    )


_NUMBERS_AND_DATES = re.compile(
    r"\d+|\b(stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września"
    r"|października|listopada|grudnia|miesiąc|miesiące|miesięcy)\b"
)


def _masked(text: str) -> str:
    """The text with its numbers, month names and spacing evened out."""
    return " ".join(_NUMBERS_AND_DATES.sub("#", text).split())


@transaction.atomic
def agreement_send(
    *, agreement: Agreement, acting_user: User, signatory_name: str, signatory_function: str
) -> Agreement:
    """The drafting institution signs and sends the draft to the partners for acceptance."""
    require(acting_user, agreement, EDIT_DRAFT)
    party = _party_of(agreement, acting_user)
    _require_status(agreement, Status.DRAFT)
    agreement.status = Status.SENT
    agreement.save(update_fields=["status"])
    _record(agreement, EventKind.SENT, actor=acting_user, institution=party.institution)
    _accept(agreement, party, acting_user, signatory_name, signatory_function)
    events.emit(
        "agreements.sent", target=agreement, actor=acting_user, institution=party.institution
    )
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
    """A party's coordinator accepts the text. When all have, the agreement is
    accepted and waits for the signed copy: nothing flows until it is recorded."""
    require(acting_user, agreement, CHANGE)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    party = _party_of(agreement, acting_user)
    _require_status(agreement, Status.SENT)
    if party.accepted_at:
        raise ValidationError(_("Your institution has already accepted this agreement."))
    _accept(agreement, party, acting_user, signatory_name, signatory_function)
    if not agreement.parties.filter(accepted_at__isnull=True).exists():
        agreement.status = Status.ACCEPTED
        agreement.save(update_fields=["status"])
        _record(agreement, EventKind.ALL_ACCEPTED, actor=acting_user, institution=party.institution)
        # Every party records its signed copy, so every party is told (but the actor).
        events.emit("agreements.accepted", target=agreement, actor=acting_user)
    return agreement


@dataclass(frozen=True)
class Signatory:
    """Who signed the document for one party, as typed by the coordinator."""

    name: str
    function: str
    authority: str


def _signatory_errors(
    agreement: Agreement, signatories: Mapping[int, Signatory], signatures: list[dict]
) -> dict[str, list[str]]:
    """Missing fields, and names that no electronic signature in the file bears."""
    errors: dict[str, list[str]] = {}
    signers = {normalise_name(str(s["signer"])): str(s["signer"]) for s in signatures}
    for party in agreement.parties.select_related("institution"):
        given = signatories.get(party.pk) or Signatory("", "", "")
        for field, value, message in (
            ("name", given.name, _("Give the name of the person who signed.")),
            ("function", given.function, _("Give their function.")),
            ("authority", given.authority, _("Give the basis of their authority to sign.")),
        ):
            if not value.strip():
                errors[f"party_{party.pk}_{field}"] = [message]
        if signers and given.name.strip() and normalise_name(given.name) not in signers:
            errors[f"party_{party.pk}_name"] = [
                _(
                    "No electronic signature in the file bears this name. It was signed by: "
                    "%(signers)s."
                )
                % {"signers": ", ".join(signers.values())}
            ]
    return errors


@transaction.atomic
def agreement_record_signed_copy(
    *,
    agreement: Agreement,
    acting_user: User,
    file: UploadedFile,
    signed_on: dt.date | None,
    signatories: Mapping[int, Signatory],
    note: str = "",
) -> SignedCopy:
    """Record the signed document: a scan of the paper original, a PDF with
    PAdES signatures or a XAdES file, with its date and each party's signatory.

    Guarantees: the agreement was accepted by all (or signed before the rule);
    the file passed the upload checks; PAdES signatures are read from the file,
    must be intact, must bear the typed names and date the signing; then the
    agreement is signed, its terms version starts, and it is in force from its
    start date."""
    require(acting_user, agreement, CHANGE)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if reason := rules.record_signed_copy(agreement):
        raise ValidationError(reason)
    kind = validate_upload(file, allowed=SIGNED_DOCUMENTS, field="file")
    signatures = [s.as_dict() for s in _read_signatures(kind, file)]
    errors = _signatory_errors(agreement, signatories, signatures)
    if any(s["intact"] is False for s in signatures):
        errors.setdefault("file", []).append(
            _(
                "An electronic signature in the file is broken: the document was changed "
                "after signing, or the signature is damaged."
            )
        )
    read_date = signing_date(signatures)
    if signed_on is None:
        signed_on = read_date
    if signed_on is None:
        errors.setdefault("signed_on", []).append(_("Give the date of signing."))
    elif signed_on > timezone.localdate():
        errors.setdefault("signed_on", []).append(_("The date of signing cannot be in the future."))
    elif read_date and signed_on != read_date:
        errors.setdefault("signed_on", []).append(
            _("The last electronic signature in the file was made on %(date)s.")
            % {"date": read_date.strftime("%d.%m.%Y")}
        )
    if errors:
        raise ValidationError(errors)
    party = agreement.parties.get(institution=membership_of(acting_user).institution)  # type: ignore[union-attr]
    attachment = _store_attachment(
        agreement, party, acting_user, AttachmentKind.SIGNED_SCAN, file, _("Signed copy")
    )
    SignedCopy.objects.filter(agreement=agreement).delete()  # a legacy placeholder, if any
    assert signed_on is not None  # given, or read from the signatures above
    copy = SignedCopy.objects.create(
        agreement=agreement,
        attachment=attachment,
        form=_signed_form(kind, signatures),
        signed_on=signed_on,
        signatures=signatures,
        note=note.strip(),
        recorded_by=acting_user,
    )
    for p in agreement.parties.all():
        given = signatories[p.pk]
        p.signed_name, p.signed_function = given.name.strip(), given.function.strip()
        p.signed_authority = given.authority.strip()
        p.save(update_fields=["signed_name", "signed_function", "signed_authority"])
    _record(
        agreement,
        EventKind.SIGNED_COPY,
        actor=acting_user,
        institution=party.institution,
        comment=f"{copy.get_form_display()}, {signed_on:%d.%m.%Y}",
    )
    if agreement.status == Status.ACCEPTED:
        _sign(agreement, acting_user, party.institution)
    return copy


def _signed_form(kind: FileType, signatures: list[dict]) -> str:
    if kind.label == "XML":
        return SignedForm.XADES
    return SignedForm.PADES if signatures else SignedForm.SCAN


def _read_signatures(kind: FileType, file: UploadedFile) -> list[ReadSignature]:
    if kind.label == "PDF":
        return read_pades(file)
    if kind.label == "XML":
        return read_xades(file)
    return []


def _sign(agreement: Agreement, user: User, institution: Institution) -> None:
    """Signed: the first version of the terms starts, and it is in force from its start date."""
    agreement.status = Status.SIGNED
    agreement.save(update_fields=["status"])
    _record(agreement, EventKind.SIGNED, actor=user, institution=institution)
    AgreementTerms.objects.create(
        agreement=agreement,
        effective_from=agreement.valid_from,
        valid_until=agreement.valid_until,
        **_terms_values(agreement),
    )
    events.emit("agreements.signed", target=agreement, actor=user)
    if agreement.valid_from <= timezone.localdate():
        _activate(agreement)


def _terms_values(source: Agreement | Annex) -> dict[str, object]:
    values: dict[str, object] = {f: getattr(source, f) for f in SCOPE_FIELDS.values()}
    agreement = source if isinstance(source, Agreement) else source.agreement
    values.update({f: getattr(agreement, f) for f in PROCEDURE_FIELDS})
    return values


@transaction.atomic
def agreement_return(*, agreement: Agreement, acting_user: User, comment: str) -> Agreement:
    """A party sends the agreement back to draft with a comment; all acceptances are cleared.

    Also while it waits for the signed copy: the paper may never get signed as accepted."""
    require(acting_user, agreement, CHANGE)
    party = _party_of(agreement, acting_user)
    _require_status(agreement, Status.SENT, Status.ACCEPTED)
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
    events.emit(
        "agreements.returned", target=agreement, actor=acting_user, institution=party.institution
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
    *,
    agreement: Agreement,
    acting_user: User,
    reason: str,
    notice_days: int,
    without_notice: bool = False,
) -> Agreement:
    """Any party gives notice, with a reason, ending the agreement after `notice_days`.

    The notice may not be shorter than the period in the terms. Sooner only
    (a) by every party's consent — an annex with an earlier end date — or
    (b) without notice, for a reason recorded (e.g. a serious breach)."""
    require(acting_user, agreement, CHANGE)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if reason_denied := rules.terminate(agreement):
        raise ValidationError(reason_denied)
    party = _party_of(agreement, acting_user)
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = (
            _("Give the reason for ending without notice, e.g. a serious breach of the agreement.")
            if without_notice
            else _("Give the reason for termination.")
        )
    if notice_days < 0:
        errors["notice_days"] = _("The notice period cannot be negative.")
    elif notice_days < agreement.notice_days and not without_notice:
        errors["notice_days"] = _(
            "The notice period in the terms is %(days)s days: the earliest end is %(date)s. "
            "To end sooner, propose an annex with an earlier end date (every party must "
            "approve it), or end without notice giving the reason."
        ) % {
            "days": agreement.notice_days,
            "date": agreement.earliest_termination_date.strftime("%d.%m.%Y"),
        }
    if errors:
        raise ValidationError(errors)
    agreement.termination_date = timezone.localdate() + dt.timedelta(days=notice_days)
    agreement.termination_reason = reason.strip()
    agreement.terminated_by = party.institution
    agreement.terminated_without_notice = without_notice and notice_days < agreement.notice_days
    agreement.save(
        update_fields=[
            "termination_date",
            "termination_reason",
            "terminated_by",
            "terminated_without_notice",
        ]
    )
    comment = reason.strip()
    if agreement.terminated_without_notice:
        comment = _("Without notice: %(reason)s") % {"reason": comment}
    _record(
        agreement,
        EventKind.TERMINATION_NOTICE,
        actor=acting_user,
        institution=party.institution,
        comment=comment,
    )
    events.emit(
        "agreements.terminated",
        target=agreement,
        actor=acting_user,
        institution=party.institution,
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
    require(acting_user, agreement, CHANGE)
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
    events.emit(
        "agreements.annex",
        target=agreement,
        actor=acting_user,
        institution=party.institution,
        annex_id=annex.pk,
    )
    _maybe_apply_annex(annex)
    return annex


@transaction.atomic
def annex_approve(*, annex: Annex, acting_user: User) -> Annex:
    """A party approves a proposed annex; it applies once all have and its date has come."""
    require(acting_user, annex, CHANGE)
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
        **_terms_values(annex),
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
    """A party adds a signed annex or another document to the agreement: a PDF,
    JPG or PNG by its content, stored under a random name. (The signed copy of
    the agreement itself goes through agreement_record_signed_copy.)"""
    require(acting_user, agreement, CHANGE)
    party = _party_of(agreement, acting_user)
    validate_upload(file, allowed=SCANS, field="file")
    return _store_attachment(agreement, party, acting_user, kind, file, description)


def _store_attachment(
    agreement: Agreement,
    party: Party,
    user: User,
    kind: str,
    file: UploadedFile,
    description: str,
) -> Attachment:
    attachment = Attachment(
        agreement=agreement,
        kind=kind,
        file=file,
        filename=original_filename(file.name or ""),
        description=description.strip(),
        uploaded_by=user,
    )
    attachment.full_clean()
    attachment.save()
    _record(
        agreement,
        EventKind.ATTACHMENT,
        actor=user,
        institution=party.institution,
        comment=attachment.get_kind_display(),
    )
    return attachment


@transaction.atomic
def coordinator_card_save(
    *, acting_user: User, user: User, is_deputy: bool, phone: str, email: str, office_hours: str
) -> Coordinator:
    """Designate the institution's coordinator (or a deputy) and their contact card."""
    require(acting_user, Coordinator, CHANGE)
    institution = acting_institution(acting_user)
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
    require(acting_user, card, CHANGE)
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


REMINDERS_JOB = "agreements.ending_reminders"


def _send_reminders(today: dt.date) -> int:
    """Tell every party of an agreement whose last binding day is 30 or 7 days after
    a day since the last run: today alone when it ran yesterday, every day it missed
    (up to `CATCH_UP_DAYS`) when it did not, so a reminder is told late rather than
    never. Once each: the agreement's history keeps one reminder of each kind and last
    day (its comment, not shown: "30:2027-01-31"), so an end moved by an annex is
    reminded of again; and the event's id is derived from the agreement, the kind and
    its last day."""
    first = catch_up_from(REMINDERS_JOB, today)
    sent = 0
    for days in REMINDER_DAYS:
        day = first
        while day <= today:
            last_day = day + dt.timedelta(days=days)
            due = (
                Agreement.objects.filter(status=Status.ACTIVE)
                .filter(_last_day_is(last_day))
                .exclude(events__kind=EventKind.REMINDER, events__comment=f"{days}:{last_day}")
            )
            for agreement in due:
                with transaction.atomic():
                    _record(agreement, EventKind.REMINDER, actor=None, comment=f"{days}:{last_day}")
                    events.emit(
                        "agreements.ending",
                        target=agreement,
                        key=f"{days}:{last_day.isoformat()}",
                        days=days,
                        ends_on=last_day.isoformat(),
                    )
                    sent += 1
            day += dt.timedelta(days=1)
    job_done(REMINDERS_JOB, today)
    return sent


def _last_day_is(day: dt.date) -> Q:
    """Agreements whose last binding day is `day`, by end date or by termination."""
    by_end = Q(valid_until=day) & (Q(termination_date__isnull=True) | Q(termination_date__gt=day))
    by_termination = Q(termination_date=day + dt.timedelta(days=1)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )
    return by_end | by_termination
