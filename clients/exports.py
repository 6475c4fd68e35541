"""GDPR tools: everything held about a client, as JSON and PDF (Art. 15 and 20)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone

from cooperation.audit import audit
from cooperation.http import MemberRequest
from cooperation.models import AuditAction, AuditEvent, User
from cooperation.pdf import pdf_response, render_pdf
from cooperation.permissions import membership_of, owned_by
from cooperation.roles import MANAGING_ROLES

from .models import Client
from .services import PERSONAL_FIELDS
from .timeline import timeline_for


def exportable_clients(user: User) -> QuerySet[Client]:
    """Clients whose data this user may export or anonymise: their institution's own, for managers."""
    membership = membership_of(user)
    if membership is None or membership.role not in MANAGING_ROLES:
        return Client.objects.none()
    return owned_by(Client.objects.select_related("owner"), membership.institution)


def client_export_data(
    *, client: Client, acting_user: User, request: MemberRequest | None = None
) -> dict[str, Any]:
    """Everything the app holds about one client, including who accessed the record."""
    from django.contrib.contenttypes.models import ContentType

    audit(
        actor=acting_user,
        action=AuditAction.EXPORT,
        obj=client,
        fields=PERSONAL_FIELDS,
        request=request,
        reason="GDPR export",
    )
    client_type = ContentType.objects.get_for_model(Client)
    return {
        "generated_at": timezone.now().isoformat(),
        "institution": client.owner.name,
        "client": {
            f: getattr(client, f)
            for f in [*PERSONAL_FIELDS, "birth_date", "sex", "status", "closed_at", "created_at"]
        },
        "consents": [
            {
                "partner": c.partner.name,
                "basis": c.get_basis_display(),
                "scopes": c.scopes,
                "given_on": c.given_on,
                "valid_until": c.valid_until,
                "withdrawn_at": c.withdrawn_at,
                "withdrawn_on": c.withdrawn_on,
                "withdrawal_form": c.get_withdrawal_form_display(),
                "lapsed": c.lapsed,
            }
            for c in client.consents.select_related("partner")
        ],
        "shared_with": [
            {
                "partner": s.partner.name,
                "from": s.created_at,
                "until": s.ended_at,
                "why_ended": s.end_reason,
            }
            for s in client.shares.select_related("partner")
        ],
        "notes": [
            {
                "date": n.happened_on,
                "institution": n.institution.name,
                "author": n.author.display_name,
                "text": n.text,
                "internal": n.internal,
            }
            for n in client.notes.select_related("institution", "author")
        ],
        "documents": [
            {
                "title": d.title,
                "kind": d.get_kind_display(),
                "uploaded_at": d.uploaded_at,
                "institution": d.institution.name,
                "size": d.size,
            }
            for d in client.documents.select_related("institution")
        ],
        "timeline": [
            {
                "at": e.at,
                "kind": e.kind,
                "title": e.title,
                "detail": e.detail,
                "institution": e.institution,
            }
            for e in timeline_for(client, acting_user, limit=10_000)
        ],
        "access_log": [
            {
                "at": e.at,
                "who": e.actor.display_name if e.actor else "system",
                "institution": e.institution.name if e.institution else "",
                "action": e.get_action_display(),
                "fields": e.fields,
            }
            for e in AuditEvent.objects.filter(
                content_type=client_type, object_id=str(client.pk)
            ).select_related("actor", "institution")
        ],
    }


def client_export_pdf(*, client: Client, acting_user: User, request: MemberRequest) -> HttpResponse:
    data = client_export_data(client=client, acting_user=acting_user, request=request)
    pdf = render_pdf("pdf/clients/export.html", {"data": data, "client": client}, request=request)
    return pdf_response(pdf, f"dane-klienta-{client.pk}", inline=False)
