"""The processing declarations: what the app does with personal data, why, on
which legal basis, for whom and for how long (GDPR art. 13 and art. 30).

One module so the information clause given to a client and the record of
processing activities kept by the data protection officer read the same
declarations and cannot disagree. The legal bases are the very choices the
forms offer (`clients.models.LegalBasis` for art. 6, `SpecialCategoryGround`
below for art. 9(2), `sepi.models.Purpose` for SEPI lookups); the retention
periods are `settings.RETENTION`; the recipients are the partners under
agreements in force covering the purpose.

Each feature app declares its purposes in its hooks.py (`processing_declarations`),
and the agreements app names the recipients (`processing_recipients`): the core
imports no feature app.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import hooks
from .models import Institution

Text = str | Promise


class SpecialCategoryGround(models.TextChoices):
    """The art. 9(2) GDPR ground for health and addiction data (special categories)."""

    EXPLICIT_CONSENT = "9_2_a", _("explicit consent of the client (Art. 9(2)(a) GDPR)")
    SOCIAL_PROTECTION = (
        "9_2_b",
        _(
            "obligations in the field of social security and social protection law "
            "(Art. 9(2)(b) GDPR with the Social Assistance Act)"
        ),
    )
    HEALTH_SOCIAL_CARE = (
        "9_2_h",
        _("provision of health or social care under law (Art. 9(2)(h) GDPR)"),
    )


@dataclass(frozen=True)
class DataCategory:
    name: Text
    special: bool = False  # art. 9 GDPR: needs an art. 9(2) ground


@dataclass(frozen=True)
class Declaration:
    """One purpose of processing, as the clause and the record state it."""

    key: str  # an agreement scope where the purpose is one, else its own name
    name: Text
    people: tuple[Text, ...]
    data: tuple[DataCategory, ...]
    bases: tuple[Text, ...]  # art. 6 (and art. 9(2) where special data is processed)
    retention: Text
    recipients_note: Text
    recipients: tuple[str, ...] = field(default=())  # filled per institution

    @property
    def has_special(self) -> bool:
        return any(d.special for d in self.data)


CLIENTS = _("clients of social assistance and of the labour office")
STAFF = _("staff of the institutions in the cooperation")
IDENTITY = DataCategory(_("identity: name, PESEL or document, date of birth, sex"))
CONTACT = DataCategory(_("contact and address"))
SITUATION = DataCategory(_("education, occupation, skills, household situation"))
HEALTH = DataCategory(_("health needs"), special=True)
ADDICTION = DataCategory(_("addiction needs"), special=True)
LABOUR = DataCategory(_("labour-market status: registration, benefits, activation history"))
STAFF_DATA = DataCategory(_("name, institution, function, e-mail and phone"))

# Security measures in place: what the deployment does, stated once.
SECURITY_MEASURES: tuple[Text, ...] = (
    _("two-factor authentication (TOTP) for every user"),
    _("role- and institution-based access; another institution's records answer 404"),
    _("audit log of every read and change of personal data (append-only)"),
    _("encryption in transit (HTTPS with HSTS)"),
    _("daily database backups kept by the operator"),
    _("PESEL masked in lists; e-mails carry no personal data"),
    _("automatic anonymisation when the retention period ends"),
)


def years_text(n: int) -> Text:
    return ngettext("%(n)s year", "%(n)s years", n) % {"n": n}


def months_text(n: int) -> Text:
    return ngettext("%(n)s month", "%(n)s months", n) % {"n": n}


def art9_grounds() -> list[Text]:
    return [choice.label for choice in SpecialCategoryGround]


def client_retention() -> Text:
    """How long a client's shared data is kept (settings.RETENTION)."""
    years = settings.RETENTION["closed_clients_years"]
    return _("%(period)s after the client's case is closed, then anonymised") % {
        "period": years_text(years)
    }


def declarations() -> list[Declaration]:
    """Every purpose of processing, without institution-specific recipients: each
    app declares its own through the `processing_declarations` hook (a function
    returning a Declaration, read when a document is printed)."""
    return [declare() for declare in hooks.get_hooks("processing_declarations")]


def legal_bases_in_use() -> list[Text]:
    """Every basis any declaration cites, once each, in order."""
    seen: dict[str, Text] = {}
    for d in declarations():
        for basis in d.bases:
            seen.setdefault(str(basis), basis)
    return list(seen.values())


def recipients_for(institution: Institution, key: str) -> list[str]:
    """Names of the partners that an agreement in force links to `institution` for
    `key`, as the `processing_recipients` hook (the agreements app) answers."""
    names: list[str] = []
    for answer in hooks.get_hooks("processing_recipients"):
        names.extend(answer(institution, key))
    return names


def declarations_for(institution: Institution) -> list[Declaration]:
    """The declarations with this institution's recipients by name."""
    from dataclasses import replace

    return [
        replace(d, recipients=tuple(recipients_for(institution, d.key))) for d in declarations()
    ]


def controller_gaps(institution: Institution) -> list[Text]:
    """What the documents need about the controller and its DPO but the institution lacks."""
    fields = ("controller_representative", "dpo_name", "dpo_email")
    gaps: list[Text] = [
        Institution._meta.get_field(name).verbose_name  # type: ignore[union-attr]
        for name in fields
        if not getattr(institution, name)
    ]
    if not institution.address:
        gaps.append(_("address"))
    return gaps


# The record's spreadsheet columns (CSV and ODS), one row per purpose.
RECORD_HEADER: tuple[Text, ...] = (
    _("Purpose of processing"),
    _("Categories of people"),
    _("Categories of data"),
    _("Special categories (Art. 9 GDPR)"),
    _("Legal basis"),
    _("Recipients"),
    _("Retention period"),
    _("Security measures"),
)


def record_rows(institution: Institution) -> list[list[str]]:
    """The record of processing activities (art. 30) as rows of text."""
    measures = "; ".join(str(m) for m in SECURITY_MEASURES)
    rows = []
    for d in declarations_for(institution):
        rows.append(
            [
                str(d.name),
                "; ".join(str(p) for p in d.people),
                "; ".join(str(c.name) for c in d.data),
                "; ".join(str(c.name) for c in d.data if c.special) or "—",
                "; ".join(str(b) for b in d.bases),
                "; ".join(d.recipients) or str(d.recipients_note),
                str(d.retention),
                measures,
            ]
        )
    return rows
