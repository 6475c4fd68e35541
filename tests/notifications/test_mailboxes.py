# ruff: noqa: F811 - the partners fixtures, imported, are parameters here
"""A service's contact mailbox (an organisation's shared intake address, no one's
account) hears of the referrals the organisation has to act on, as it did before the
notification centre: one e-mail per event, the kind's subject and a link, nothing
about the client; once, even when a task runs twice."""

from __future__ import annotations

import smtplib

import pytest
from django.conf import settings
from django.core import mail

from cooperation.models import Role
from notifications.models import MailboxEmail, Notice
from notifications.tasks import fan_out, send_mailbox_email
from partners import services
from partners.models import ServiceOffer

from ..factories import member
from ..partners.conftest import (  # noqa: F401 - fixtures
    covered,
    make_offer,
    ngo,
    offer,
    person,
    refer,
    staff,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("covered")]
MAILBOX = "porady@ngo.example.pl"  # the `offer` fixture's contact address
MARKERS = ("Grażyna", "Łękawa", "600 111 222", "Sekretna", "Samotnie", "Spłata długów")


def _to_mailbox() -> list:  # type: ignore[type-arg]
    return [m for m in mail.outbox if m.to == [MAILBOX]]


def _sent(owner, person, committed, service):  # type: ignore[no-untyped-def]
    with committed():
        return refer(owner, person, service, share=["phone", "address"], needs="Spłata długów")


def test_a_new_referral_emails_the_services_mailbox_once_without_personal_data(
    owner, person, offer, staff, committed
) -> None:
    referral = _sent(owner, person, committed, offer)
    [message] = _to_mailbox()
    assert message.subject == "Nowe skierowanie czeka na Twoją odpowiedź"
    assert f"{settings.SITE_URL}{referral.get_absolute_url()}" in message.body
    said = f"{message.subject}\n{message.body}"
    for marker in (*MARKERS, person.pesel, person.first_name, person.last_name):
        assert marker not in said, f"the mailbox's e-mail says {marker!r}"
    # The organisation's people are told as before, each as they chose.
    assert Notice.objects.filter(kind="referrals.sent", recipient=staff).count() == 1
    assert MailboxEmail.objects.get().sent_at is not None


def test_a_fan_out_run_twice_emails_the_mailbox_once(
    owner, person, offer, committed, events
) -> None:
    _sent(owner, person, committed, offer)
    sent = next(e for e in events if e.kind == "referrals.sent")
    fan_out.delay(sent.as_dict())  # redelivered after a lost worker (acks_late)
    send_mailbox_email.delay(MailboxEmail.objects.get().pk)  # and the send itself
    assert len(_to_mailbox()) == 1
    assert MailboxEmail.objects.count() == 1


def test_a_failing_mail_server_leaves_the_email_to_the_retry_which_sends_it_once(
    owner, person, offer, committed, monkeypatch
) -> None:
    from django.core.mail.backends.locmem import EmailBackend

    from notifications.tasks import MAIL_ERRORS

    real = EmailBackend.send_messages

    def refuse_the_mailbox(self, messages):  # type: ignore[no-untyped-def]
        if messages[0].to == [MAILBOX]:
            raise smtplib.SMTPServerDisconnected("down")
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_the_mailbox)
    referral = _sent(owner, person, committed, offer)  # the action is done all the same
    assert referral.pk and not _to_mailbox()
    row = MailboxEmail.objects.get()
    assert row.sent_at is None
    assert set(MAIL_ERRORS) <= set(send_mailbox_email.autoretry_for)
    monkeypatch.setattr(EmailBackend, "send_messages", real)
    send_mailbox_email.delay(row.pk)  # the retry, the mail server back
    send_mailbox_email.delay(row.pk)
    assert len(_to_mailbox()) == 1


def test_a_service_without_a_contact_address_emails_no_mailbox(
    owner, person, staff, committed
) -> None:
    silent = make_offer(staff, name="Bez skrzynki", contact_email="")
    _sent(owner, person, committed, silent)
    assert not MailboxEmail.objects.exists()
    assert not [m for m in mail.outbox if staff.email not in m.to]


def test_a_mailbox_that_is_a_told_persons_address_gets_no_second_email(
    owner, person, staff, committed
) -> None:
    """The staff member's own address is the service's contact: they hear of it as
    they chose (here: e-mail at once), not twice."""
    staff.notice_preferences.create(kind="referrals.sent", mode="immediate")
    shared = make_offer(staff, name="Skrzynka pracownika", contact_email=staff.email.upper())
    _sent(owner, person, committed, shared)
    assert not MailboxEmail.objects.exists()
    assert [m.to for m in mail.outbox].count([staff.email]) == 1


def test_the_mailbox_hears_what_the_organisation_must_act_on_and_not_the_answers(
    owner, person, offer, staff, committed
) -> None:
    """As the old e-mails did: sent, cancelled (and overdue, outcome due) reach the
    mailbox; the organisation's own answers, told to the referring worker, do not."""
    referral = _sent(owner, person, committed, offer)
    with committed():
        services.referral_cancel(referral=referral, acting_user=owner, reason="Zmiana planu")
    second = _sent(owner, person, committed, offer)
    with committed():
        services.referral_decline(referral=second, acting_user=staff, reason="Brak miejsc")
    kinds = sorted(MailboxEmail.objects.values_list("kind", flat=True))
    assert kinds == ["referrals.cancelled", "referrals.sent", "referrals.sent"]
    assert len(_to_mailbox()) == 3


def test_an_organisation_that_lost_its_grant_gets_no_mailbox_email(
    own, owner, person, offer, covered, committed, events
) -> None:
    from agreements.services import agreement_terminate

    _sent(owner, person, committed, offer)
    agreement_terminate(
        agreement=covered,
        acting_user=member(own, Role.COORDINATOR),
        reason="Koniec",
        notice_days=0,
        without_notice=True,
    )
    MailboxEmail.objects.all().delete()
    sent = next(e for e in events if e.kind == "referrals.sent")
    fan_out.delay(sent.as_dict())  # an event arriving after the grant went
    assert not MailboxEmail.objects.exists()


def test_every_partner_side_referral_kind_names_the_mailbox() -> None:
    from notifications.kinds import KINDS

    with_mailbox = {name for name, kind in KINDS.items() if kind.mailboxes is not None}
    assert with_mailbox == {
        "referrals.sent",
        "referrals.overdue",
        "referrals.cancelled",
        "referrals.outcome",
    }
    assert ServiceOffer._meta.get_field("contact_email")


def test_an_unanswered_referral_is_told_to_the_mailbox_once(
    owner, person, offer, committed
) -> None:
    import datetime as dt

    referral = _sent(owner, person, committed, offer)
    for days in (1, 2):
        with committed():
            services.referrals_run_daily(today=referral.respond_by + dt.timedelta(days=days))
    assert MailboxEmail.objects.filter(kind="referrals.overdue").count() == 1
    assert len(_to_mailbox()) == 2  # the referral sent, then overdue
