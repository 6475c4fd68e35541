"""Each person's choice per kind: notice only, e-mail at once, or the daily digest
at the institution's hour (the clock pinned)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from notifications.models import DigestSchedule, Mode, Notice, Preference
from notifications.tasks import digests_hourly
from promotion import services

from ..promotion.helpers import propose

pytestmark = pytest.mark.django_db
WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")


def _at(hour: int) -> dt.datetime:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(hour, 0, 30), tzinfo=WARSAW)


def _choose(user, kind: str, mode: str) -> None:  # type: ignore[no-untyped-def]
    Preference.objects.update_or_create(user=user, kind=kind, defaults={"mode": mode})


def _secrets(person) -> list[str]:  # type: ignore[no-untyped-def]
    return [person.first_name, person.last_name, person.pesel, person.phone, "Umiejętność"]


def _clean(message, person) -> bool:  # type: ignore[no-untyped-def]
    text = message.subject + message.body
    return not any(s and s in text for s in _secrets(person))


def test_at_once_sends_an_email_without_personal_data(
    ready, owner, partner, advisor, person, committed
) -> None:
    _choose(advisor, "promotion.proposed", Mode.IMMEDIATE)
    with committed():
        propose(ready, owner, partner)
    to_advisor = [m for m in mail.outbox if m.to == [advisor.email]]
    assert len(to_advisor) == 1
    notice = Notice.objects.get(recipient=advisor)
    assert f"/notifications/{notice.pk}/" in to_advisor[0].body
    assert _clean(to_advisor[0], person)
    assert notice.emailed_at is not None


def test_notice_only_sends_no_email(ready, owner, partner, advisor, committed) -> None:
    _choose(advisor, "promotion.proposed", Mode.NOTICE)
    with committed():
        propose(ready, owner, partner)
    assert Notice.objects.filter(recipient=advisor).count() == 1
    assert not [m for m in mail.outbox if advisor.email in m.to]


def test_the_digest_waits_for_the_hour_then_groups_by_kind_once(
    proposed, owner, advisor, person, committed
) -> None:
    _choose(owner, "promotion.taken", Mode.DIGEST)
    _choose(owner, "promotion.action", Mode.DIGEST)
    with committed():
        case = services.case_take(case=proposed, acting_user=advisor)
    for kind in ("training", "employer_contact"):
        with committed():
            services.case_action_add(
                case=case, acting_user=advisor, kind=kind, happened_on=dt.date.today()
            )
    assert not [m for m in mail.outbox if owner.email in m.to]
    with time_machine.travel(_at(6), tick=False):
        digests_hourly.delay()
    assert not [m for m in mail.outbox if owner.email in m.to]
    with time_machine.travel(_at(7), tick=False):
        digests_hourly.delay()
        digests_hourly.delay()  # beat ran twice: nothing is sent twice
    digests = [m for m in mail.outbox if owner.email in m.to]
    assert len(digests) == 1
    body = digests[0].body
    assert "- " in body and ": 2" in body and ": 1" in body  # two actions, one take
    assert _clean(digests[0], person)
    assert not Notice.objects.filter(recipient=owner, digest_sent_at__isnull=True).exists()


def test_the_digest_follows_the_institutions_hour(proposed, owner, own, advisor, committed) -> None:
    DigestSchedule.objects.create(institution=own, hour=18)
    _choose(owner, "promotion.taken", Mode.DIGEST)
    with committed():
        services.case_take(case=proposed, acting_user=advisor)
    with time_machine.travel(_at(7), tick=False):
        digests_hourly.delay()
    assert not [m for m in mail.outbox if owner.email in m.to]
    with time_machine.travel(_at(18), tick=False):
        digests_hourly.delay()
    assert len([m for m in mail.outbox if owner.email in m.to]) == 1


def test_the_digest_leaves_out_what_the_person_may_no_longer_see(
    ready, owner, partner, advisor, person, committed
) -> None:
    _choose(advisor, "promotion.proposed", Mode.DIGEST)
    with committed():
        propose(ready, owner, partner)
    services.cases_withdraw_between(person.owner, partner, "agreement ended")
    with time_machine.travel(_at(7), tick=False):
        digests_hourly.delay()
    assert not [m for m in mail.outbox if advisor.email in m.to]
    assert Notice.objects.get(recipient=advisor).digest_sent_at is not None


def test_the_settings_page_saves_each_choice(client, owner) -> None:
    client.force_login(owner)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'name="promotion.taken"' in page and "digest-hour" not in page
    response = client.post(
        reverse("notifications:preferences"),
        {"promotion.taken": Mode.NOTICE, "promotion.closed": Mode.DIGEST},
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:  # every kind must be chosen: fill in the rest
        from notifications.kinds import KINDS

        data = {name: kind.default_mode for name, kind in KINDS.items()}
        data |= {"promotion.taken": Mode.NOTICE, "promotion.closed": Mode.DIGEST}
        assert client.post(reverse("notifications:preferences"), data).status_code == 302
    assert Preference.objects.get(user=owner, kind="promotion.taken").mode == Mode.NOTICE
    assert Preference.objects.get(user=owner, kind="promotion.closed").mode == Mode.DIGEST


def test_only_a_coordinator_or_administrator_sets_the_digest_hour(
    client, owner, coordinator, own
) -> None:
    client.force_login(owner)
    assert client.post(reverse("notifications:digest_hour"), {"hour": 9}).status_code == 403
    client.force_login(coordinator)
    assert "digest-hour" in client.get(reverse("notifications:preferences")).content.decode()
    assert client.post(reverse("notifications:digest_hour"), {"hour": 9}).status_code == 302
    assert DigestSchedule.objects.get(institution=own).hour == 9


def _offered(client, user) -> str:  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.get(reverse("notifications:preferences")).content.decode()


def test_the_page_offers_each_person_only_the_kinds_that_can_reach_them(
    client, owner, advisor, coordinator
) -> None:
    worker = _offered(client, owner)  # a social worker of a social assistance centre
    for reaches in ("promotion.taken", "referrals.accepted", "messaging.message_posted"):
        assert f'name="{reaches}"' in worker
    for never in ("promotion.overdue", "promotion.proposed", "clients.retention_report"):
        assert f'name="{never}"' not in worker
    office = _offered(client, advisor)  # a labour office's client advisor
    for reaches in ("promotion.proposed", "promotion.overdue", "meetings.invitation"):
        assert f'name="{reaches}"' in office
    for never in ("sepi.change", "referrals.sent", "clients.retention_report"):
        assert f'name="{never}"' not in office
    assert 'name="clients.retention_report"' in _offered(client, coordinator)


def test_saving_the_offered_kinds_keeps_the_others_choices(client, owner) -> None:
    _choose(owner, "promotion.overdue", Mode.IMMEDIATE)  # chosen in an earlier role
    client.force_login(owner)
    page = client.get(reverse("notifications:preferences"))
    form = page.context["form"]
    data = {name: Mode.NOTICE for name in form.fields}
    assert client.post(reverse("notifications:preferences"), data).status_code == 302
    assert Preference.objects.get(user=owner, kind="promotion.overdue").mode == Mode.IMMEDIATE
    assert Preference.objects.get(user=owner, kind="promotion.taken").mode == Mode.NOTICE


def test_every_kind_reaches_someone() -> None:
    from types import SimpleNamespace

    from cooperation.roles import InstitutionKind, Role
    from notifications.kinds import KINDS

    everyone = [
        SimpleNamespace(role=role, institution=SimpleNamespace(kind=kind))
        for role in Role
        for kind in InstitutionKind
    ]
    for kind in KINDS.values():
        assert any(kind.reaches(m) for m in everyone), kind.name
