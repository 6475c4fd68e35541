"""The demo: the NGO and the CIS in Skarżysko with services, the agreements and
consents that let MOPS refer to them, and referrals at every status."""

from __future__ import annotations

from django.core.management import call_command

from agreements.models import Scope
from agreements.scope import agreement_covers
from cooperation.models import Institution, User
from partners.models import Referral, ServiceOffer, Status
from partners.selectors import referrals_visible_to


def _seed() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_demo_has_both_catalogues_and_referrals_at_every_status_and_runs_twice(  # type: ignore[no-untyped-def]
    db, demo_without_board_pdfs
) -> None:
    _seed()
    counts = (ServiceOffer.objects.count(), Referral.objects.count())
    _seed()
    assert (ServiceOffer.objects.count(), Referral.objects.count()) == counts
    inst = {i.short_name: i for i in Institution.objects.all()}
    ngo, cis, mops = inst["ngo-skarzysko"], inst["cis-skarzysko"], inst["mops-skarzysko"]
    assert ServiceOffer.objects.filter(provider=ngo).count() >= 3
    assert ServiceOffer.objects.filter(provider=cis).count() >= 2
    assert agreement_covers(mops, ngo, Scope.REFERRALS)
    assert agreement_covers(mops, cis, Scope.REFERRALS)
    assert set(Referral.objects.values_list("status", flat=True)) == set(Status.values)
    for partner in (ngo, cis):
        assert Referral.objects.filter(partner=partner).count() >= 3
    assert any(r.is_overdue for r in Referral.objects.filter(status=Status.SENT))
    assert any(r.outcome_overdue for r in Referral.objects.all())
    staff = User.objects.get(username="staff.ngo-skarzysko")
    assert {r.partner for r in referrals_visible_to(staff)} == {ngo}
    worker = User.objects.get(username="worker.mops-skarzysko")
    assert referrals_visible_to(worker).count() == Referral.objects.filter(referrer=mops).count()
    # One seeding (run twice) for both checks, to keep CI's time: a full seed is costly.
    _the_demo_records_consents_as_a_worker_would_on_the_form()


def _the_demo_records_consents_as_a_worker_would_on_the_form() -> None:
    """Every consent of the demo went through the service (audited, by a worker of the
    client's institution) and covers only what the consent form offers for its partner:
    what the agreement in force covers. The NGO's and the CIS's referrals rest on them."""
    from django.contrib.contenttypes.models import ContentType

    from clients.models import Consent
    from clients.selectors import consent_purposes
    from cooperation.models import AuditAction, AuditEvent

    created = AuditEvent.objects.filter(
        action=AuditAction.CREATE, content_type=ContentType.objects.get_for_model(Consent)
    ).select_related("actor")
    by_consent = {int(e.object_id): e for e in created}
    consents = Consent.objects.select_related("client", "partner")
    assert consents.exists()
    for consent in consents:
        event = by_consent[consent.pk]
        assert event.actor.memberships.filter(institution=consent.client.owner_id).exists()
        if consent.is_active:
            offered = consent_purposes(consent.client).get(consent.partner_id, [])
            assert set(consent.scopes) <= set(offered), (consent.partner, consent.scopes)
    for short in ("ngo-skarzysko", "cis-skarzysko"):
        assert any(Scope.REFERRALS in c.scopes for c in consents.filter(partner__short_name=short))
