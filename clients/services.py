"""Writes of client records: registration, consent, sharing under agreement,
notes, documents, closing, anonymisation. Every change is audited; every
grant and revocation of access happens here, with the state change that
causes it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from agreements.models import Scope
from agreements.scope import agreement_covers, partners_covering
from cooperation import events, hooks
from cooperation.audit import audit, audit_many
from cooperation.dailyruns import catch_up_from, job_done
from cooperation.models import AuditAction, Institution, User
from cooperation.permissions import CHANGE, VIEW, membership_of, require
from cooperation.services import model_update, object_share, object_unshare
from cooperation.uploads import DOCUMENTS, SCANS, original_filename, validate_upload
from cooperation.validators import pesel_decode

from .access import access_sync
from .models import (
    CONSENT_PURPOSES,
    AccessRequest,
    AccessRequestStatus,
    CaseNote,
    Client,
    ClientDocument,
    ClientGroupObjectPermission,
    ClientShare,
    ClientStatus,
    Consent,
    LegalBasis,
    WithdrawalForm,
)
from .permissions import ANONYMISE, CLOSE, CREATE, DOCUMENT, NOTE, REGISTER, SHARE

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

SHARED_ACTIONS = [VIEW, CHANGE]
PERSONAL_FIELDS = [
    "pesel",
    "no_pesel_reason",
    "document_type",
    "document_number",
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "phone",
    "email",
    "street",
    "postal_code",
    "city",
    "municipality",
    "education",
    "occupation",
    "skills",
    "household_notes",
]


# Other apps erase their free text about a client when it is anonymised
# (plans, referrals...): hook `client_anonymised`, fn(client=..., acting_user=...).
#
# Other apps react when a partner's access to a client ends (consent withdrawn or
# lapsed, sharing stopped, case closed, agreement no longer covering records):
# hook `client_share_ended`, fn(share=..., acting_user=..., reason=...),
# called inside the transaction that ends the share.


class ConsentAlreadyRecorded(ValidationError):
    """An identical consent (same partner, basis and purposes) is still valid."""

    def __init__(self, existing: Consent) -> None:
        self.existing = existing
        url = reverse("clients:detail", args=[existing.client_id]) + (
            f"?tab=sharing#consent-{existing.pk}"
        )
        super().__init__(
            format_html(
                '{} <a href="{}">{}</a>',
                _(
                    "The same consent for this partner and these purposes is already recorded "
                    "and still valid (until %(d)s)."
                )
                % {"d": existing.valid_until.strftime("%d.%m.%Y")},
                url,
                _("See the recorded consent"),
            ),
            code="duplicate",
        )


class HeldByPartner(ValidationError):
    """The PESEL is already held by partner institution(s) under an agreement: ask them for access."""

    def __init__(self, holders: list[Institution]) -> None:
        self.holders = holders
        names = ", ".join(h.name for h in holders)
        super().__init__(
            {
                "pesel": _(
                    "This person is already registered by a partner: %(names)s. Ask them for access instead of registering again."
                )
                % {"names": names}
            }
        )


def _institution(user: User) -> Institution:
    """The acting user's institution (after `require`, they have one)."""
    return membership_of(user).institution  # type: ignore[union-attr]


def _derive_from_pesel(data: dict[str, Any]) -> None:
    pesel = (data.get("pesel") or "").strip()
    data["pesel"] = pesel
    if pesel:
        try:
            info = pesel_decode(pesel)
        except ValidationError as exc:
            raise ValidationError({"pesel": exc.messages}) from exc
        data["birth_date"], data["sex"] = info.birth_date, info.sex
    elif not (data.get("no_pesel_reason") or "").strip():
        raise ValidationError(
            {"pesel": _("Enter the PESEL, or give the reason why the person has none.")}
        )


@transaction.atomic
def client_register(*, acting_user: User, data: dict[str, Any]) -> Client:
    """Register a client in the acting user's institution.

    A PESEL the institution already holds is refused; a PESEL held by a
    partner under an agreement raises `HeldByPartner` so the user can ask
    for access; anything held by institutions without an agreement is never
    mentioned.
    """
    require(acting_user, Client, REGISTER)
    institution = _institution(acting_user)
    data = dict(data)
    _derive_from_pesel(data)
    pesel = data["pesel"]
    if pesel:
        if Client.objects.filter(owner=institution, pesel=pesel).exists():
            raise ValidationError(
                {"pesel": _("Your institution has already registered a client with this PESEL.")}
            )
        partners = partners_covering(institution, Scope.CLIENT_RECORDS)
        holders = list(
            Institution.objects.filter(
                pk__in=Client.objects.filter(pesel=pesel, owner_id__in=partners).values("owner_id")
            )
        )
        if holders:
            raise HeldByPartner(holders)
    client = Client(owner=institution, created_by=acting_user, **data)
    client.full_clean()
    client.save()
    audit(
        actor=acting_user,
        action=AuditAction.CREATE,
        obj=client,
        fields=[f for f in PERSONAL_FIELDS if data.get(f)],
    )
    return client


@transaction.atomic
def client_update(*, client: Client, acting_user: User, data: dict[str, Any]) -> Client:
    """Change a client's identity and contact data: the owner's alone (a partner the
    client is shared with reads them)."""
    require(acting_user, client, CHANGE)
    data = dict(data)
    _derive_from_pesel(data)
    return model_update(instance=client, fields=data, data=data, acting_user=acting_user)[0]


def consent_default_until(given_on: dt.date, scopes: Iterable[str]) -> dt.date:
    months = settings.CONSENT_VALIDITY_MONTHS
    return given_on + relativedelta(
        months=min(months.get(s, months["default"]) for s in [*scopes, "default"])
    )


@transaction.atomic
def consent_record(
    *,
    client: Client,
    acting_user: User,
    partner: Institution,
    basis: str,
    scopes: Iterable[str],
    given_on: dt.date,
    valid_until: dt.date | None = None,
    scan: UploadedFile | None = None,
    note: str = "",
    special_category_ground: str = "",
) -> Consent:
    """Record the client's consent (or another legal basis) given to one partner for
    some purposes (sharing the record, joint plans, referrals, SEPI lookups, the
    promotion queue). An identical consent that is still valid is refused
    (`ConsentAlreadyRecorded`).

    The form offers only the purposes an agreement in force covers; the service
    does not ask for one, because a consent outlives agreements and every use of it
    (sharing, referring, SEPI, the promotion queue) checks the agreement then."""
    require(acting_user, client, SHARE)
    scopes = sorted(set(scopes))
    if not scopes:
        raise ValidationError({"scopes": _("Choose what the client agreed to.")})
    if partner.pk == client.owner_id:
        raise ValidationError({"partner": _("Choose a partner institution, not your own.")})
    unknown = [s for s in scopes if s not in CONSENT_PURPOSES]
    if unknown:
        raise ValidationError(
            {"scopes": _("A client does not consent to: %(s)s.") % {"s": unknown}}
        )
    existing = next(
        (
            c
            for c in Consent.objects.filter(
                client=client, partner=partner, basis=basis, withdrawn_at__isnull=True, lapsed=False
            ).order_by("-valid_until", "-pk")
            if c.is_active and sorted(c.scopes) == scopes
        ),
        None,
    )
    if existing is not None:
        raise ConsentAlreadyRecorded(existing)
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("The consent cannot be signed in the future.")})
    if basis == LegalBasis.CONSENT and not scan:
        raise ValidationError({"scan": _("Attach the scan of the signed consent.")})
    valid_until = valid_until or consent_default_until(given_on, scopes)
    if valid_until < given_on:
        raise ValidationError({"valid_until": _("The end date is before the start date.")})
    consent = Consent(
        client=client,
        partner=partner,
        basis=basis,
        scopes=scopes,
        given_on=given_on,
        valid_until=valid_until,
        note=note.strip(),
        recorded_by=acting_user,
        special_category_ground=special_category_ground,
    )
    if scan:
        validate_upload(scan, allowed=SCANS, field="scan")
        consent.scan, consent.scan_filename = scan, original_filename(scan.name)  # type: ignore[arg-type]
    consent.full_clean()
    consent.save()
    audit(
        actor=acting_user,
        action=AuditAction.CREATE,
        obj=consent,
        fields=["basis", "scopes", "special_category_ground", "given_on", "valid_until"],
    )
    return consent


@transaction.atomic
def client_share(
    *, client: Client, partner: Institution, consent: Consent, acting_user: User
) -> ClientShare:
    """Share a client with a partner: needs an agreement in force covering client
    records between the two and an active consent for that partner."""
    require(acting_user, client, SHARE)
    if client.status != ClientStatus.ACTIVE:
        raise ValidationError(_("A closed client cannot be shared."))
    if not agreement_covers(client.owner_id, partner, Scope.CLIENT_RECORDS):
        raise ValidationError(
            {
                "partner": _(
                    "No agreement in force with this institution covers sharing client records."
                )
            }
        )
    if consent.client_id != client.pk or consent.partner_id != partner.pk or not consent.is_active:
        raise ValidationError({"consent": _("Choose a valid consent given for this partner.")})
    if Scope.CLIENT_RECORDS not in consent.scopes:
        raise ValidationError(
            {"consent": _("This consent does not cover sharing the client's record.")}
        )
    if ClientShare.objects.filter(client=client, partner=partner, ended_at__isnull=True).exists():
        raise ValidationError(_("The client is already shared with this institution."))
    share = ClientShare.objects.create(
        client=client, partner=partner, consent=consent, created_by=acting_user
    )
    object_share(
        obj=client,
        institution=partner,
        actions=SHARED_ACTIONS,
        acting_user=acting_user,
        reason=str(consent),
    )
    pending = list(
        AccessRequest.objects.filter(
            client=client, requester=partner, status=AccessRequestStatus.PENDING
        )
    )
    AccessRequest.objects.filter(pk__in=[r.pk for r in pending]).update(
        status=AccessRequestStatus.GRANTED, answered_at=timezone.now(), answered_by=acting_user
    )
    for request in pending:
        events.emit(
            "clients.access_granted", target=request, actor=acting_user, institution=client.owner
        )
    return share


def _end_shares(shares: Iterable[ClientShare], *, reason: str, acting_user: User | None) -> int:
    """End shares: the grant goes, the row records when and why, and the apps
    registered under the `client_share_ended` hook withdraw what rested on the share."""
    ended = 0
    for share in shares:
        object_unshare(
            obj=share.client,
            institution=share.partner,
            actions=SHARED_ACTIONS,
            acting_user=acting_user,
            reason=reason,
        )
        share.ended_at, share.end_reason = timezone.now(), reason[:250]
        share.save(update_fields=["ended_at", "end_reason"])
        events.emit(
            "clients.share_ended",
            target=share,
            actor=acting_user,
            institution=share.client.owner_id if acting_user else None,
        )
        for handler in hooks.get_hooks("client_share_ended"):
            handler(share=share, acting_user=acting_user, reason=reason)
        ended += 1
    return ended


@transaction.atomic
def client_unshare(*, share: ClientShare, acting_user: User, reason: str) -> None:
    """The owner stops sharing a client with a partner."""
    require(acting_user, share.client, SHARE)
    if share.ended_at:
        raise ValidationError(_("This sharing has already ended."))
    _end_shares([share], reason=reason.strip() or _("ended by the owner"), acting_user=acting_user)


@transaction.atomic
def consent_withdraw(
    *,
    consent: Consent,
    acting_user: User,
    withdrawn_on: dt.date | None = None,
    withdrawal_form: str = WithdrawalForm.WRITTEN,
) -> int:
    """The client withdrew consent on `withdrawn_on`, in writing, orally or
    electronically; the acting user is recorded as who took it down. Every share
    resting on the consent ends at once (and with it what other apps built on it)."""
    require(acting_user, consent.client, SHARE)
    # Locked, so two confirmations at once cannot both withdraw it.
    locked = Consent.objects.select_for_update().filter(pk=consent.pk)
    if consent.withdrawn_at or locked.values_list("withdrawn_at", flat=True).get():
        raise ValidationError(_("This consent has already been withdrawn."))
    withdrawn_on = withdrawn_on or timezone.localdate()
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": _("A withdrawal cannot be dated in the future.")})
    if withdrawn_on < consent.given_on:
        raise ValidationError(
            {"withdrawn_on": _("The consent cannot be withdrawn before it was given.")}
        )
    if withdrawal_form not in WithdrawalForm.values:
        raise ValidationError({"withdrawal_form": _("Say how the client withdrew the consent.")})
    consent.withdrawn_at, consent.withdrawn_by = timezone.now(), acting_user
    consent.withdrawn_on, consent.withdrawal_form = withdrawn_on, withdrawal_form
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_on", "withdrawal_form"])
    audit(
        actor=acting_user,
        action=AuditAction.UPDATE,
        obj=consent,
        fields=["withdrawn_at", "withdrawn_on", "withdrawal_form"],
    )
    shares = consent.shares.filter(ended_at__isnull=True).select_related("client", "partner")
    return _end_shares(shares, reason=_("consent withdrawn"), acting_user=acting_user)


@transaction.atomic
def client_shares_revoke_between(a: Institution, b: Institution, reason: str) -> int:
    """Withdraw every client share between two institutions (both directions), audited.

    Called when no agreement in force covers client records between them any more.
    """
    shares = ClientShare.objects.filter(
        Q(client__owner=a, partner=b) | Q(client__owner=b, partner=a), ended_at__isnull=True
    ).select_related("client", "partner")
    ended = _end_shares(shares, reason=reason, acting_user=None)
    # Grants made outside a ClientShare (none should exist) go too, so no access survives.
    stray = ClientGroupObjectPermission.objects.filter(
        Q(content_object__owner=a, group_id=b.group_id)
        | Q(content_object__owner=b, group_id=a.group_id)
    )
    clients = list(Client.objects.filter(pk__in=stray.values("content_object_id")).only("pk"))
    if clients:
        audit_many(
            actor=None,
            action=AuditAction.REVOKE,
            objects=list(clients),
            reason=f"{a.short_name}↔{b.short_name}: {reason}",
        )
        stray.delete()
        for client in Client.objects.filter(pk__in=[c.pk for c in clients]):
            access_sync(client)
    return ended


LAPSING_JOB = "clients.consents_lapsing"
LAPSING_DAYS = 30


def consents_run_daily(*, today: dt.date | None = None) -> dict[str, int]:
    """Lapse consents past their date (ending their shares) and remind owners 30 days
    ahead; each is an event the notification centre tells the owner's people of.

    A day beat did not run is caught up on the next: every consent past its date
    lapses, however long ago; and the reminders of the days missed (up to
    `CATCH_UP_DAYS`) go now, saying the date the consent lapses on. Each is told
    once: the consent is stamped (claimed by one run only), and the event's id is
    derived from the consent and its valid-until date."""
    today = today or timezone.localdate()
    lapsed = 0
    for pk in Consent.objects.filter(
        valid_until__lt=today, withdrawn_at__isnull=True, lapsed=False
    ).values_list("pk", flat=True):
        with transaction.atomic():
            consent = (
                Consent.objects.select_for_update()
                .filter(pk=pk, withdrawn_at__isnull=True, lapsed=False)
                .first()
            )
            if consent is None:
                continue  # another run lapsed it meanwhile, or it was withdrawn
            consent.lapsed = True
            consent.save(update_fields=["lapsed"])
            audit(actor=None, action=AuditAction.UPDATE, obj=consent, fields=["lapsed"])
            events.emit(
                "clients.consent_lapsed",
                target=consent,
                key=consent.valid_until.isoformat(),
            )
            _end_shares(
                consent.shares.filter(ended_at__isnull=True).select_related("client", "partner"),
                reason=_("consent lapsed"),
                acting_user=None,
            )
            lapsed += 1
    first = catch_up_from(LAPSING_JOB, today)
    due = Consent.objects.filter(
        valid_until__gte=first + dt.timedelta(days=LAPSING_DAYS),
        valid_until__lte=today + dt.timedelta(days=LAPSING_DAYS),
        withdrawn_at__isnull=True,
        lapsed=False,
        reminder_sent_on__isnull=True,
    )
    reminded = 0
    for consent in due:
        with transaction.atomic():
            claimed = Consent.objects.filter(pk=consent.pk, reminder_sent_on__isnull=True).update(
                reminder_sent_on=today
            )
            if not claimed:
                continue
            events.emit(
                "clients.consent_lapsing",
                target=consent,
                key=consent.valid_until.isoformat(),
                days=LAPSING_DAYS,
            )
            reminded += 1
    job_done(LAPSING_JOB, today)
    return {"lapsed": lapsed, "reminded": reminded}


@transaction.atomic
def access_request_create(*, acting_user: User, pesel: str, reason: str) -> list[AccessRequest]:
    """Ask every partner (under an agreement) that holds this PESEL to share the client."""
    require(acting_user, AccessRequest, CREATE)
    institution = _institution(acting_user)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you need access.")})
    partners = partners_covering(institution, Scope.CLIENT_RECORDS)
    clients = list(Client.objects.filter(pesel=pesel, owner_id__in=partners))
    if not clients:
        raise ValidationError(_("No partner institution holds this person."))
    requests = []
    for client in clients:
        request, _created = AccessRequest.objects.get_or_create(
            client=client,
            requester=institution,
            status=AccessRequestStatus.PENDING,
            defaults={"requested_by": acting_user, "reason": reason.strip()},
        )
        requests.append(request)
        audit(actor=acting_user, action=AuditAction.CREATE, obj=request)
        if _created:
            events.emit(
                "clients.access_requested",
                target=request,
                actor=acting_user,
                institution=institution,
            )
    return requests


@transaction.atomic
def access_request_decline(
    *, request: AccessRequest, acting_user: User, answer: str
) -> AccessRequest:
    """The owner declines a partner's request to share a client."""
    require(acting_user, request.client, SHARE)
    if request.status != AccessRequestStatus.PENDING:
        raise ValidationError(_("This request has already been answered."))
    request.status, request.answer = AccessRequestStatus.DECLINED, answer.strip()
    request.answered_at, request.answered_by = timezone.now(), acting_user
    request.save()
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=request, fields=["status"])
    events.emit(
        "clients.access_declined",
        target=request,
        actor=acting_user,
        institution=request.client.owner_id,
    )
    return request


@transaction.atomic
def note_add(
    *, client: Client, acting_user: User, happened_on: dt.date, text: str, internal: bool
) -> CaseNote:
    """Any institution that may see the client adds a dated note; internal notes stay in-house."""
    require(acting_user, client, NOTE)
    institution = _institution(acting_user)
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("A note cannot be dated in the future.")})
    note = CaseNote(
        client=client,
        institution=institution,
        author=acting_user,
        happened_on=happened_on,
        text=text.strip(),
        internal=internal,
    )
    note.full_clean()
    note.save()
    audit(actor=acting_user, action=AuditAction.CREATE, obj=note)
    return note


@transaction.atomic
def document_add(
    *, client: Client, acting_user: User, kind: str, title: str, file: UploadedFile
) -> ClientDocument:
    """Attach a document to a client the acting user may change. The file is
    refused unless its content is an allowed type; it is stored under a random name."""
    require(acting_user, client, DOCUMENT)
    institution = _institution(acting_user)
    validate_upload(file, allowed=DOCUMENTS, field="file")
    document = ClientDocument(  # type: ignore[misc]
        client=client,
        institution=institution,
        kind=kind,
        title=title.strip(),
        file=file,
        filename=original_filename(file.name),  # type: ignore[arg-type]
        size=file.size,
        uploaded_by=acting_user,
    )
    document.full_clean()
    document.save()
    audit(actor=acting_user, action=AuditAction.CREATE, obj=document)
    return document


@transaction.atomic
def client_close(*, client: Client, acting_user: User, closed_on: dt.date | None = None) -> Client:
    """Close a client's case; sharing ends, the record is kept until the retention period passes."""
    require(acting_user, client, CLOSE)
    if client.status == ClientStatus.CLOSED:
        raise ValidationError(_("This client is already closed."))
    client.status, client.closed_at = ClientStatus.CLOSED, closed_on or timezone.localdate()
    client.save(update_fields=["status", "closed_at"])
    audit(actor=acting_user, action=AuditAction.UPDATE, obj=client, fields=["status"])
    _end_shares(
        client.shares.filter(ended_at__isnull=True).select_related("client", "partner"),
        reason=_("case closed"),
        acting_user=acting_user,
    )
    return client


def anonymise_allowed_from(client: Client) -> dt.date | None:
    if client.closed_at is None:
        return None
    return client.closed_at + relativedelta(years=settings.RETENTION["closed_clients_years"])


@transaction.atomic
def client_anonymise(*, client: Client, acting_user: User) -> Client:
    """Erase a closed client's personal data once the retention period has passed.

    Only a coordinator or administrator of the owning institution may.
    Names and identifiers are replaced, contact data, notes' text, documents and
    consent scans are deleted. The row stays so statistics and the audit trail
    keep their references.
    """
    require(acting_user, client, ANONYMISE)
    return _anonymise(client, actor=acting_user, reason="anonymisation", today=timezone.localdate())


@transaction.atomic
def client_anonymise_expired(*, client: Client, today: dt.date | None = None) -> Client:
    """The retention pass anonymises a closed client whose retention period has passed.

    No user acts, so there is no permission check: the same state checks and the
    same erasure as `client_anonymise`, audited as a system action (no actor) with
    the reason "retention", in the owning institution's log.
    """
    return _anonymise(client, actor=None, reason="retention", today=today or timezone.localdate())


def _anonymise(client: Client, *, actor: User | None, reason: str, today: dt.date) -> Client:
    allowed = anonymise_allowed_from(client)
    if client.anonymised_at:
        raise ValidationError(_("This client has already been anonymised."))
    if allowed is None or allowed > today:
        raise ValidationError(
            _("A client can be anonymised only when closed and after the retention period.")
        )
    for document in client.documents.all():
        document.file.delete(save=False)
    client.documents.all().delete()
    for consent in client.consents.exclude(scan=""):
        consent.scan.delete(save=False)
    # The scan's path and original name may hold the client's name too.
    client.consents.update(scan="", scan_filename="")
    client.notes.update(text="[usunięto — anonimizacja]")
    for anonymiser in hooks.get_hooks("client_anonymised"):
        anonymiser(client=client, acting_user=actor)
    blank = {f: "" for f in PERSONAL_FIELDS if f not in ("birth_date",)}
    for name, value in blank.items():
        setattr(client, name, value)
    client.first_name, client.last_name = "Zanonimizowany", f"klient #{client.pk}"
    client.no_pesel_reason, client.birth_date = "anonimizacja", None
    client.anonymised_at = timezone.now()
    client.save()
    audit(
        actor=actor,
        action=AuditAction.DELETE,
        obj=client,
        fields=PERSONAL_FIELDS,
        reason=reason,
        institution=client.owner,
    )
    return client
