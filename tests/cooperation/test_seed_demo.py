"""`seed_demo` builds the two demo counties and can run twice."""

from __future__ import annotations

import time_machine
from django.core.management import call_command

from clients.models import Client
from cooperation.models import Institution, Membership, Role, User
from cooperation.permissions import visible
from cooperation.validators import validate_pesel


def _seed() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


# The whole demo is seeded twice here, and the checks below all read that one
# seeding (CI time: a full seed renders the boards' PDFs); each was a test of its own.
def test_it_builds_both_counties_and_is_idempotent(db, demo_without_board_pdfs) -> None:  # type: ignore[no-untyped-def]
    _seed()
    counts = (Institution.objects.count(), User.objects.count(), Client.objects.count())
    _seed()
    assert (Institution.objects.count(), User.objects.count(), Client.objects.count()) == counts
    assert set(Institution.objects.values_list("county", flat=True)) == {"skarżyski", "ostrowiecki"}
    assert Institution.objects.count() == 9
    _demo_users_follow_the_naming_scheme()
    _demo_clients_have_valid_pesels_and_stay_in_their_county()
    _demo_agreements_stay_inside_their_county()
    _demo_clients_are_spread_and_some_are_shared()
    _demo_counties_have_last_years_figures()


def _demo_counties_have_last_years_figures() -> None:
    """The MOPS–PUP agreements were in force all of last year: each PUP's county view
    for last year holds its MOPS's history (not only the PUP's own few rows), and so
    does the agreement's, suppressed."""
    from django.utils import timezone

    from agreements.models import Agreement
    from indicators.periods import YEAR, Period
    from indicators.selectors import figures_compute, scope_agreement, scope_county

    last_year = Period(YEAR, timezone.localdate().year - 1)
    for county in ("skarzysko", "ostrowiec"):
        pup = Institution.objects.get(short_name=f"pup-{county}")
        mops = Institution.objects.get(short_name=f"mops-{county}")
        figures = figures_compute(scope_county(pup), last_year)
        assert figures["requests"][0] >= 5 and figures["lookups"][0] >= 5, county
        assert figures["cases_proposed"][0] > 0, county
        agreement = Agreement.objects.filter(parties__institution=mops).get(
            parties__institution=pup
        )
        assert agreement.valid_from <= last_year.start
        joint = figures_compute(scope_agreement(agreement), last_year)
        assert joint["requests"][0] >= 5 and joint["cases_proposed"][0] > 0, county


def _demo_users_follow_the_naming_scheme() -> None:
    expected = {
        "worker.mops-skarzysko": Role.SOCIAL_WORKER,
        "advisor.pup-skarzysko": Role.CLIENT_ADVISOR,
        "coordinator.pup-ostrowiec": Role.COORDINATOR,
        "staff.cis-skarzysko": Role.PARTNER_STAFF,
        "admin.ngo-ostrowiec": Role.INSTITUTION_ADMIN,
    }
    for username, role in expected.items():
        assert Membership.objects.get(user__username=username, is_active=True).role == role
    assert User.objects.get(username="admin").is_superuser


def _demo_clients_have_valid_pesels_and_stay_in_their_county() -> None:
    for pesel in Client.objects.values_list("pesel", flat=True):
        validate_pesel(pesel)
    worker = User.objects.get(username="worker.mops-ostrowiec")
    assert {c.owner.short_name for c in visible(Client, worker)} == {"mops-ostrowiec"}


def _demo_agreements_stay_inside_their_county() -> None:
    from agreements.models import Agreement, Scope, Status
    from agreements.scope import agreement_covers

    # MOPS–PUP, PCPR–PUP, MOPS–NGO, MOPS–CIS and GOPS–CIS (referrals) and CIS–PUP
    # (promotion queue) in Skarżysko; MOPS–PUP and MOPS–foundation (referrals) in Ostrowiec.
    assert Agreement.objects.count() == 8
    assert Agreement.objects.filter(status=Status.ACTIVE).count() == 8
    assert agreement_covers(
        Institution.objects.get(short_name="cis-skarzysko"),
        Institution.objects.get(short_name="pup-skarzysko"),
        Scope.PROMOTION,
    )
    inst = {i.short_name: i for i in Institution.objects.all()}
    assert agreement_covers(inst["mops-skarzysko"], inst["pup-skarzysko"], Scope.CLIENT_RECORDS)
    assert agreement_covers(inst["pcpr-skarzysko"], inst["pup-skarzysko"], Scope.CLIENT_RECORDS)
    assert agreement_covers(inst["mops-ostrowiec"], inst["pup-ostrowiec"], Scope.CLIENT_RECORDS)
    for agreement in Agreement.objects.prefetch_related("parties__institution"):
        assert len({p.institution.county for p in agreement.parties.all()}) == 1


def _demo_clients_are_spread_and_some_are_shared() -> None:
    assert Client.objects.filter(owner__county="skarżyski").count() >= 40
    advisor = User.objects.get(username="advisor.pup-skarzysko")
    seen = visible(Client, advisor)
    assert seen.exclude(owner__short_name="pup-skarzysko").count() >= 10  # shared by MOPS and PCPR
    assert not seen.filter(
        owner__short_name="gops-suchedniow"
    ).exists()  # no agreement, nothing shared


def test_the_demo_seeds_on_any_day_and_again_much_later(db) -> None:
    """The demo's dates are relative to the day it is seeded: it once hard-coded an
    agreement ending on 2026-12-20 and failed from the next day on. Seeded just after
    midnight on 21 December 2026 (still the 20th in UTC), then again on 29 February
    2028 at 23:30, when everything seeded relative to the first day has lapsed
    (`make demo` re-seeds on every start). The shifted-clock runs (`make test-dates`)
    seed it fresh on their days too."""
    from agreements.models import Agreement, Status

    from ..conftest import shifted_now

    def counts() -> tuple[int, ...]:
        return (
            Agreement.objects.filter(status=Status.ACTIVE).count(),
            Client.objects.count(),
            Client.objects.filter(shares__ended_at__isnull=True).count(),
        )

    with time_machine.travel(shifted_now("2026-12-21T00:30"), tick=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        first = counts()
        assert first[0] == 8 and first[2] > 0
        inst = {i.short_name: i for i in Institution.objects.all()}
        from agreements.models import Scope
        from agreements.scope import agreement_covers

        assert agreement_covers(inst["pcpr-skarzysko"], inst["pup-skarzysko"], Scope.CLIENT_RECORDS)
    with time_machine.travel(shifted_now("2028-02-29T23:30"), tick=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert counts() == first
