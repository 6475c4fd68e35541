"""Demo data: two counties, so isolation between institutions is visible.

Idempotent: running it again changes nothing that is already there (and
resets demo passwords, so the printed password always works).
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from cooperation.models import Institution, InstitutionKind, Membership, PesSubkind, Role, User
from cooperation.services import institution_create, membership_create
from cooperation.validators import NIP_WEIGHTS, REGON9_WEIGHTS

# Apps whose `demo.seed()` runs after the institutions and users exist, in this order.
DEMO_APPS = [
    "agreements",
    "clients",
    "reintegration",
    "meetings",
    "sepi",
    "joboffers",
    "promotion",
    "partners",
    "indicators",
    "messaging",
    # Last: its on-commit step dates and reads the notices every demo's events wrote.
    "notifications",
]

DEMO_PASSWORD = "Wspolpraca-2026!"  # noqa: S105 - printed for the demo on purpose
INSTITUTION_ADMINS_GROUP = "Administratorzy instytucji"


def _regon(base8: str) -> str:
    check = sum(int(d) * w for d, w in zip(base8, REGON9_WEIGHTS, strict=True)) % 11 % 10
    return base8 + str(check)


def _nip(base9: str) -> str:
    check = sum(int(d) * w for d, w in zip(base9, NIP_WEIGHTS, strict=True)) % 11
    if check == 10:  # no valid NIP with this stem; nudge the last digit
        return _nip(base9[:-1] + str((int(base9[-1]) + 1) % 10))
    return base9 + str(check)


@dataclass(frozen=True)
class Inst:
    short: str
    kind: str
    name: str
    county: str
    municipality: str
    street: str
    postal: str
    city: str
    phone: str
    subkind: str = ""


SKARZYSKI = "skarżyski"
OSTROWIECKI = "ostrowiecki"

INSTITUTIONS = [
    Inst(
        "mops-skarzysko",
        InstitutionKind.OPS,
        "Miejski Ośrodek Pomocy Społecznej w Skarżysku-Kamiennej",
        SKARZYSKI,
        "Skarżysko-Kamienna",
        "ul. Słowackiego 25",
        "26-110",
        "Skarżysko-Kamienna",
        "41 251 20 70",
    ),
    Inst(
        "gops-suchedniow",
        InstitutionKind.OPS,
        "Gminny Ośrodek Pomocy Społecznej w Suchedniowie",
        SKARZYSKI,
        "Suchedniów",
        "ul. Fabryczna 5",
        "26-130",
        "Suchedniów",
        "41 254 32 50",
    ),
    Inst(
        "pcpr-skarzysko",
        InstitutionKind.PCPR,
        "Powiatowe Centrum Pomocy Rodzinie w Skarżysku-Kamiennej",
        SKARZYSKI,
        "Skarżysko-Kamienna",
        "ul. Konarskiego 20",
        "26-110",
        "Skarżysko-Kamienna",
        "41 252 56 24",
    ),
    Inst(
        "pup-skarzysko",
        InstitutionKind.PUP,
        "Powiatowy Urząd Pracy w Skarżysku-Kamiennej",
        SKARZYSKI,
        "Skarżysko-Kamienna",
        "ul. Szydłowiecka 2",
        "26-110",
        "Skarżysko-Kamienna",
        "41 251 29 50",
    ),
    Inst(
        "ngo-skarzysko",
        InstitutionKind.NGO,
        "Stowarzyszenie „Razem dla Skarżyska”",
        SKARZYSKI,
        "Skarżysko-Kamienna",
        "ul. Legionów 122",
        "26-110",
        "Skarżysko-Kamienna",
        "41 253 10 11",
    ),
    Inst(
        "cis-skarzysko",
        InstitutionKind.PES,
        "Centrum Integracji Społecznej w Skarżysku-Kamiennej",
        SKARZYSKI,
        "Skarżysko-Kamienna",
        "ul. Rejowska 99",
        "26-110",
        "Skarżysko-Kamienna",
        "41 252 43 80",
        PesSubkind.CIS,
    ),
    Inst(
        "mops-ostrowiec",
        InstitutionKind.OPS,
        "Miejski Ośrodek Pomocy Społecznej w Ostrowcu Świętokrzyskim",
        OSTROWIECKI,
        "Ostrowiec Świętokrzyski",
        "ul. Mickiewicza 6",
        "27-400",
        "Ostrowiec Świętokrzyski",
        "41 276 58 00",
    ),
    Inst(
        "pup-ostrowiec",
        InstitutionKind.PUP,
        "Powiatowy Urząd Pracy w Ostrowcu Świętokrzyskim",
        OSTROWIECKI,
        "Ostrowiec Świętokrzyski",
        "ul. Polna 11",
        "27-400",
        "Ostrowiec Świętokrzyski",
        "41 247 37 00",
    ),
    Inst(
        "ngo-ostrowiec",
        InstitutionKind.NGO,
        "Fundacja „Nowy Start” w Ostrowcu Świętokrzyskim",
        OSTROWIECKI,
        "Ostrowiec Świętokrzyski",
        "ul. Iłżecka 37",
        "27-400",
        "Ostrowiec Świętokrzyski",
        "41 265 12 34",
    ),
]

# (first name, last name) for staff, cycled per institution.
STAFF_NAMES = [
    ("Anna", "Kowalczyk"),
    ("Marek", "Wójcik"),
    ("Katarzyna", "Lis"),
    ("Tomasz", "Mazur"),
    ("Magdalena", "Krawczyk"),
    ("Paweł", "Zając"),
    ("Agnieszka", "Król"),
    ("Piotr", "Wieczorek"),
    ("Joanna", "Jabłońska"),
    ("Krzysztof", "Nowakowski"),
    ("Ewa", "Majewska"),
    ("Michał", "Olszewski"),
    ("Barbara", "Stępień"),
    ("Grzegorz", "Malinowski"),
    ("Monika", "Jaworska"),
    ("Łukasz", "Adamczyk"),
    ("Beata", "Dudek"),
    ("Rafał", "Nowicki"),
    ("Dorota", "Pawłowska"),
    ("Jacek", "Górski"),
    ("Iwona", "Witkowska"),
    ("Sławomir", "Walczak"),
    ("Renata", "Sikora"),
    ("Dariusz", "Baran"),
    ("Elżbieta", "Rutkowska"),
    ("Andrzej", "Michalski"),
    ("Teresa", "Szewczyk"),
]


def roles_for(kind: str) -> list[tuple[str, str]]:
    """(username prefix, role) for each demo user of an institution kind."""
    own = {
        InstitutionKind.OPS: [("worker", Role.SOCIAL_WORKER)],
        InstitutionKind.PCPR: [("worker", Role.SOCIAL_WORKER)],
        InstitutionKind.PUP: [("advisor", Role.CLIENT_ADVISOR)],
        InstitutionKind.NGO: [("staff", Role.PARTNER_STAFF)],
        InstitutionKind.PES: [("staff", Role.PARTNER_STAFF)],
    }[kind]  # type: ignore[index]
    return [*own, ("coordinator", Role.COORDINATOR), ("admin", Role.INSTITUTION_ADMIN)]


class Command(BaseCommand):
    help = "Load the demo data (two counties, their institutions, users and clients). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        # Demo records must not e-mail anyone (invitations, reminders): the
        # console would bury the login list under fake e-mails.
        settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
        self._seed()

    @transaction.atomic
    def _seed(self) -> None:
        admins_group = self._institution_admins_group()
        names = iter(STAFF_NAMES * 3)
        logins: list[tuple[str, str, str]] = []
        for index, spec in enumerate(INSTITUTIONS):
            institution = self._institution(spec, index)
            for prefix, role in roles_for(spec.kind):
                username = f"{prefix}.{spec.short}"
                first, last = next(names)
                user = self._user(username, first, last, spec, staff=role == Role.INSTITUTION_ADMIN)
                if role == Role.INSTITUTION_ADMIN:
                    user.groups.add(admins_group)
                membership = Membership.objects.filter(user=user, is_active=True).first()
                if (
                    membership is None
                    or membership.institution_id != institution.pk
                    or membership.role != role
                ):
                    membership_create(user=user, institution=institution, role=role)
                logins.append((username, str(Role(role).label), institution.name))
        for app in DEMO_APPS:
            # Each app adds its own demo records, in dependency order.
            if importlib.util.find_spec(f"{app}.demo"):
                importlib.import_module(f"{app}.demo").seed()
        superuser = self._user("admin", "Administrator", "Systemu", None, staff=True)
        superuser.is_superuser = True
        superuser.save(update_fields=["is_superuser"])
        self._print(logins)

    def _institution(self, spec: Inst, index: int) -> Institution:
        existing = Institution.objects.filter(short_name=spec.short).first()
        if existing:
            return existing
        return institution_create(
            short_name=spec.short,
            kind=spec.kind,
            pes_subkind=spec.subkind,
            name=spec.name,
            county=spec.county,
            municipality=spec.municipality,
            street=spec.street,
            postal_code=spec.postal,
            city=spec.city,
            phone=spec.phone,
            email=f"sekretariat@{spec.short}.example.pl",
            regon=_regon(f"29{index:02d}1{index:03d}"),
            nip=_nip(f"66{index:02d}10{index:03d}"),
        )

    def _user(
        self, username: str, first: str, last: str, spec: Inst | None, *, staff: bool
    ) -> User:
        domain = f"{spec.short}.example.pl" if spec else "wspolpraca.example.pl"
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username.split('.')[0]}@{domain}",
            },
        )
        user.is_staff = staff
        # One hash for every demo account (the password is published anyway): PBKDF2
        # costs about half a second of CPU per call, and there are 28 accounts.
        if not hasattr(self, "_password_hash"):
            self._password_hash = make_password(DEMO_PASSWORD)
        user.password = self._password_hash
        user.save()
        return user

    def _institution_admins_group(self) -> Group:
        group, _created = Group.objects.get_or_create(name=INSTITUTION_ADMINS_GROUP)
        perms = Permission.objects.filter(
            content_type__app_label__in=["cooperation", "clients"],
            codename__in=[
                "view_institution",
                "change_institution",
                "view_membership",
                "change_membership",
                "view_user",
                "change_user",
                "view_auditevent",
                "view_client",
            ],
        )
        group.permissions.set(perms)
        return group

    def _print(self, logins: list[tuple[str, str, str]]) -> None:
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Log in at http://127.0.0.1:8000/accounts/login/")
        )
        self.stdout.write(f"Password for every demo user: {DEMO_PASSWORD}")
        self.stdout.write("")
        for username, role, institution in logins:
            self.stdout.write(f"  {username:<28} {role:<34} {institution}")
        self.stdout.write(f"  {'admin':<28} {'superuser (Django admin /admin/)':<34}")
        self.stdout.write("")
        from django.conf import settings

        if settings.MFA_REQUIRED:
            self.stdout.write(
                "Coordinators, administrators and 'admin' will be asked to set up an "
                "authenticator app (two-factor) at their first login."
            )
        else:
            self.stdout.write(
                "Two-factor authentication is optional in the demo (MFA_REQUIRED=0); "
                "in production coordinators, administrators and superusers must use it."
            )
        self.stdout.write("")
