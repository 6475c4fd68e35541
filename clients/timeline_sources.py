"""The client app's own entries on a client's timeline: notes, consents, sharing, documents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.models import User
from cooperation.permissions import institution_of

from .models import Client
from .timeline import TimelineEntry


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def client_record_entries(client: Client, user: User) -> Iterable[TimelineEntry]:
    institution = institution_of(user)
    is_owner = institution is not None and institution.pk == client.owner_id
    url = client.get_absolute_url()
    for note in client.notes.filter(Q(internal=False) | Q(institution=institution)).select_related(
        "institution", "author"
    ):
        yield TimelineEntry(
            _at(note.happened_on),
            _("Note"),
            note.text[:140],
            detail=note.author.display_name,
            url=f"{url}?tab=notes",
            institution=note.institution.name,
        )
    for share in client.shares.select_related("partner"):
        yield TimelineEntry(
            share.created_at,
            _("Sharing"),
            _("Shared with %(p)s") % {"p": share.partner.name},
            url=f"{url}?tab=sharing" if is_owner else "",
        )
        if share.ended_at:
            yield TimelineEntry(
                share.ended_at,
                _("Sharing"),
                _("Sharing with %(p)s ended") % {"p": share.partner.name},
                detail=share.end_reason,
            )
    if is_owner:
        for consent in client.consents.select_related("partner"):
            yield TimelineEntry(
                _at(consent.given_on),
                _("Consent"),
                _("Consent for %(p)s until %(d)s")
                % {"p": consent.partner.name, "d": consent.valid_until.strftime("%d.%m.%Y")},
            )
    for document in client.documents.select_related("institution"):
        yield TimelineEntry(
            document.uploaded_at,
            _("Document"),
            document.title,
            institution=document.institution.name,
            url=f"{url}?tab=documents",
        )
