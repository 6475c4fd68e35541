"""Factories shared by all tests. Sub-factories keep each object in one tenant:
a client's creator is a member of the client's owning institution."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from clients.models import Client
from cooperation.models import MANAGING_ROLES, Institution, InstitutionKind, Membership, Role, User
from cooperation.services import institution_create, membership_create
from cooperation.validators import make_pesel

PASSWORD = "Test-password-2026!"
# Every coordinator and administrator made by `member` has this authenticator
# app secret (two-factor authentication is required for them); see `totp_code`.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class InstitutionFactory(DjangoModelFactory):
    class Meta:
        model = Institution

    kind = InstitutionKind.OPS
    name = factory.Sequence(lambda n: f"Ośrodek Pomocy Społecznej nr {n}")
    short_name = factory.Sequence(lambda n: f"ops-{n}")
    county = "skarżyski"
    municipality = "Skarżysko-Kamienna"
    city = "Skarżysko-Kamienna"

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Institution:
        return institution_create(**kwargs)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.pl")
    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Kowalska{n}")
    password = factory.django.Password(PASSWORD)


def member(institution: Institution, role: str = Role.SOCIAL_WORKER, **user_fields: object) -> User:
    """A user with an active membership in `institution`."""
    user = UserFactory(**user_fields)
    membership_create(user=user, institution=institution, role=role)
    if role in MANAGING_ROLES:
        enrol_totp(user)
    return user


def enrol_totp(user: User) -> None:
    """Give `user` an authenticator app, as if they had scanned the QR code."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, TOTP_SECRET)


def totp_code(offset: int = 0) -> str:
    """The code the authenticator app shows now (offset: periods later or earlier)."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time()) // app_settings.TOTP_PERIOD + offset
    return format_hotp_value(hotp_value(TOTP_SECRET, counter))


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = Role.SOCIAL_WORKER

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Membership:
        return membership_create(**kwargs)


BIRTH_SPAN_DAYS = 16_000


class ClientFactory(DjangoModelFactory):
    class Meta:
        model = Client

    owner = factory.SubFactory(InstitutionFactory)
    first_name = factory.Sequence(lambda n: f"Janina{n}")
    last_name = factory.Sequence(lambda n: f"Testowa{n}")
    # Born 1960–2003, a different day for each of the first 16,000 clients of a run (97 and
    # 16,000 share no factor): a worker that builds thousands of clients in one run must not
    # reach a birth year no PESEL can hold.
    birth_date = factory.Sequence(
        lambda n: dt.date(1960, 1, 1) + dt.timedelta(days=97 * n % BIRTH_SPAN_DAYS)
    )
    sex = "F"
    pesel = factory.LazyAttributeSequence(lambda c, n: make_pesel(c.birth_date, n, female=True))
    phone = factory.Sequence(lambda n: f"600{n:06d}")
    street = factory.Sequence(lambda n: f"ul. Sekretna {n}")
    city = "Skarżysko-Kamienna"


def agreement_between(
    a: Institution,
    b: Institution,
    scopes: list[str] | None = None,
    *,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    status: str = "active",
) -> object:
    """An agreement between two institutions taken through the real workflow
    (draft, send, accept, signed copy recorded), so it is in the state the
    services would leave it. `status="accepted"` stops before the signed copy."""
    from django.utils import timezone

    from agreements.models import Scope, Status
    from agreements.services import agreement_accept, agreement_draft, agreement_send

    coordinator_a = member(a, Role.COORDINATOR)
    coordinator_b = member(b, Role.COORDINATOR)
    agreement = agreement_draft(
        acting_user=coordinator_a,
        title=f"Porozumienie {a.short_name} – {b.short_name}",
        partners=[b],
        scopes=scopes or [Scope.CLIENT_RECORDS],
        valid_from=valid_from or timezone.localdate() - dt.timedelta(days=10),
        valid_until=valid_until,
    )
    if status == Status.DRAFT:
        return agreement
    agreement_send(
        agreement=agreement,
        acting_user=coordinator_a,
        signatory_name="Anna Nowak",
        signatory_function="Dyrektor",
    )
    if status == Status.SENT:
        return agreement
    agreement_accept(
        agreement=agreement,
        acting_user=coordinator_b,
        signatory_name="Jan Kowalski",
        signatory_function="Dyrektor",
    )
    if status != Status.ACCEPTED:
        record_signed_copy(agreement, coordinator_b)
    agreement.refresh_from_db()
    return agreement


def record_signed_copy(agreement: object, coordinator: object, **kw: object) -> object:
    """Record a scanned signed copy (a PDF without electronic signatures) for every party."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from agreements.services import Signatory, agreement_record_signed_copy

    data: dict[str, object] = {
        "file": SimpleUploadedFile("podpisane.pdf", b"%PDF-1.4 skan", "application/pdf"),
        "signed_on": timezone.localdate(),
        "signatories": {
            p.pk: Signatory(p.signatory_name or "Anna Nowak", "Dyrektor", "statut")
            for p in agreement.parties.all()  # type: ignore[attr-defined]
        },
    }
    data.update(kw)
    return agreement_record_signed_copy(agreement=agreement, acting_user=coordinator, **data)
