"""Demo agreements and coordinator cards (run by `manage.py seed_demo`)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cooperation.models import Institution, User

# The demo's stand-in for a scan of the signed paper original: a one-page PDF
# that says what it is. Real deployments upload the real scan or signed file.
DEMO_SCAN = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R
/Resources << /Font << /F1 5 0 R >> >> >> endobj
4 0 obj << /Length 60 >> stream
BT /F1 18 Tf 72 760 Td (Demo: signed copy stand-in) Tj ET
endstream endobj
5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
trailer << /Root 1 0 R >>
%%EOF
"""


def _month_start(months_ago: int) -> dt.date:
    """The first day of the month `months_ago` months before the one we are in."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - months_ago
    return dt.date(index // 12, index % 12 + 1, 1)


def seed() -> None:
    """Skarżysko: MOPS–PUP and PCPR–PUP in force, a draft with the NGO, GOPS–CIS
    (referrals); Ostrowiec: MOPS–PUP and MOPS–foundation (referrals).
    Taken through the real workflow, so numbers, timeline and terms are as in use.

    Every date is relative to the day of seeding, so the demo seeds on any day: the
    PCPR–PUP agreement ends in 25 days (the home page lists it among those ending
    within a month), the NGO draft starts next month. The MOPS–PUP agreements began
    two years ago or more, so they were in force all of last year: the indicators'
    county and agreement views for last year (and the annual report for it) have
    the history `indicators.demo` seeds, in both counties."""
    from agreements.models import Agreement, Coordinator, Scope
    from agreements.services import (
        Signatory,
        agreement_accept,
        agreement_draft,
        agreement_record_signed_copy,
        agreement_send,
    )

    def coordinator(short: str) -> User:
        return User.objects.get(username=f"coordinator.{short}")

    all_scopes = [s.value for s in Scope]
    plans = [
        (
            "Porozumienie o współpracy MOPS i PUP w Skarżysku-Kamiennej",
            "mops-skarzysko",
            "pup-skarzysko",
            all_scopes,
            "active",
            _month_start(24),
            None,
        ),
        (
            "Porozumienie o współpracy PCPR i PUP w Skarżysku-Kamiennej",
            "pcpr-skarzysko",
            "pup-skarzysko",
            [Scope.CLIENT_RECORDS, Scope.JOINT_PLANS, Scope.JOB_OFFERS],
            "active",
            _month_start(20),
            timezone.localdate() + dt.timedelta(days=25),
        ),
        (
            "Porozumienie o kierowaniu klientów do Stowarzyszenia „Razem dla Skarżyska”",
            "mops-skarzysko",
            "ngo-skarzysko",
            [Scope.REFERRALS],
            "draft",
            _month_start(-1),
            None,
        ),
        # Suchedniów's GOPS and Ostrowiec's foundation: a referrals agreement each (no
        # client records shared), so their people, too, hear of something in the demo.
        (
            "Porozumienie o kierowaniu uczestników do Centrum Integracji Społecznej",
            "gops-suchedniow",
            "cis-skarzysko",
            [Scope.REFERRALS],
            "active",
            _month_start(4),
            None,
        ),
        (
            "Porozumienie o kierowaniu klientów do Fundacji „Nowy Start”",
            "mops-ostrowiec",
            "ngo-ostrowiec",
            [Scope.REFERRALS],
            "active",
            _month_start(6),
            None,
        ),
        (
            "Porozumienie o współpracy MOPS i PUP w Ostrowcu Świętokrzyskim",
            "mops-ostrowiec",
            "pup-ostrowiec",
            [Scope.CLIENT_RECORDS, Scope.JOINT_PLANS, Scope.SEPI, Scope.JOB_OFFERS],
            "active",
            _month_start(27),
            None,
        ),
    ]
    for title, initiator, partner, scopes, status, start, end in plans:
        if Agreement.objects.filter(title=title).exists():
            continue
        agreement = agreement_draft(
            acting_user=coordinator(initiator),
            title=title,
            partners=[Institution.objects.get(short_name=partner)],
            scopes=scopes,  # type: ignore[arg-type]
            valid_from=start,
            valid_until=end,
        )
        if status == "active":
            a, b = coordinator(initiator), coordinator(partner)
            agreement_send(
                agreement=agreement,
                acting_user=a,
                signatory_name=a.get_full_name(),
                signatory_function="Dyrektor",
            )
            agreement_accept(
                agreement=agreement,
                acting_user=b,
                signatory_name=b.get_full_name(),
                signatory_function="Dyrektor",
            )
            # A PUP is signed by its director acting for the starost.
            authority = {
                party.pk: "z upoważnienia Starosty Powiatowego"
                if party.institution.kind == "pup"
                else "na podstawie statutu jednostki"
                for party in agreement.parties.select_related("institution")
            }
            agreement_record_signed_copy(
                agreement=agreement,
                acting_user=b,
                file=SimpleUploadedFile("porozumienie-podpisane.pdf", DEMO_SCAN),
                signed_on=min(start, timezone.localdate()),
                signatories={
                    p.pk: Signatory(p.signatory_name, p.signatory_function, authority[p.pk])
                    for p in agreement.parties.all()
                },
                note="Egzemplarz demonstracyjny (w miejscu skanu oryginału).",
            )
    for institution in Institution.objects.all():
        user = coordinator(institution.short_name)
        Coordinator.objects.get_or_create(
            institution=institution,
            user=user,
            defaults={
                "phone": institution.phone,
                "email": user.email,
                "office_hours": "pn–pt 8:00–15:00",
            },
        )


def record_demo_signed_copy(agreement, user: User) -> None:
    """The demo's stand-in scan recorded for an agreement all parties accepted,
    so it is signed (and in force from its start) as in real use."""
    from agreements.services import Signatory, agreement_record_signed_copy

    agreement_record_signed_copy(
        agreement=agreement,
        acting_user=user,
        file=SimpleUploadedFile("porozumienie-podpisane.pdf", DEMO_SCAN),
        signed_on=min(agreement.valid_from, timezone.localdate()),
        signatories={
            p.pk: Signatory(p.signatory_name, p.signatory_function, "na podstawie statutu")
            for p in agreement.parties.all()
        },
        note="Egzemplarz demonstracyjny (w miejscu skanu oryginału).",
    )
