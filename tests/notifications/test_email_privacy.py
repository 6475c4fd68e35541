"""E-mail carries no personal data (issue 17, point 4).

A client whose first name, last name, PESEL and phone are unique markers is the
subject of every declared notice kind (`KINDS`, every app's, as merged); the
immediate e-mail and the daily digest of each are sent through the real code and
none of the markers may appear in them. Then every other e-mail the app sends —
the invitation, allauth's account e-mails, the templates under `templates/**/email*`
— is rendered with the same client in its context.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse

from clients.models import Client
from cooperation.models import Role
from cooperation.services import invitation_send
from notifications import services
from notifications.kinds import KINDS
from notifications.models import Notice
from promotion import services as promotion
from promotion.models import ActionKind, CaseOutcome

from ..factories import member
from ..promotion.helpers import completed_programme, consent_for

pytestmark = pytest.mark.django_db

FIRST, LAST, PHONE = "Markerimię", "Markernazwisko", "699001122"


def _markers(person: Client) -> list[str]:
    # As typed, and as a file name makes them (slugified: lower case, no diacritics).
    typed = [FIRST, LAST, person.pesel, PHONE, FIRST.lower(), LAST.upper(), LAST.lower()]
    return [*typed, "markerimie"]


def _assert_clean(person: Client, *messages) -> None:  # type: ignore[no-untyped-def]
    assert messages, "nothing was sent: the test would pass vacuously"
    for message in messages:
        attached = [
            f"{name} {content.decode() if isinstance(content, bytes) else content}"
            for name, content, _mimetype in message.attachments
        ]
        text = "\n".join(
            [message.subject, message.body, *[str(a) for a in message.alternatives], *attached]
        )
        leaked = [m for m in _markers(person) if m in text]
        assert not leaked, f"{message.subject!r} leaks {leaked}"


def _notice(kind: str, person: Client, recipient, event: str = "") -> Notice:  # type: ignore[no-untyped-def]
    """A notice of `kind` about the marked client, its in-app text naming them (as a
    kind's text may: it is shown only in the app)."""
    return Notice.objects.create(
        recipient=recipient,
        kind=kind,
        event_id=event
        or uuid.uuid5(uuid.NAMESPACE_URL, f"privacy/{kind}").hex,  # 32 chars, as real ids
        target_type=ContentType.objects.get_for_model(Client),
        target_id=person.pk,
        text=f"{LAST} {FIRST} ({person.pesel}, tel. {PHONE})",
    )


@pytest.mark.parametrize("name", sorted(KINDS))
def test_no_kinds_email_or_digest_names_the_client(name, marked_person, owner, monkeypatch) -> None:
    kind = KINDS[name]
    assert "%(" not in str(kind.email_subject) and "{" not in str(kind.email_subject), (
        f"{name}: an e-mail subject is a fixed sentence, with nothing filled in"
    )
    # Whatever the kind's rule, the person may see this target: the e-mail is sent.
    monkeypatch.setitem(
        KINDS, name, dataclasses.replace(kind, may_see=lambda u, t: True, may_see_many=None)
    )
    at_once = _notice(name, marked_person, owner)
    assert services.notice_email_send(notice_id=at_once.pk)
    digest = _notice(name, marked_person, owner, event="digest")
    Notice.objects.filter(pk=digest.pk).update(in_digest=True)
    assert services.digest_send(user_id=owner.pk) == 1
    _assert_clean(marked_person, *mail.outbox)
    assert f"{settings.SITE_URL}/notifications/{at_once.pk}/" in mail.outbox[0].body


def test_the_promotion_flow_emails_name_nobody(
    marked_person, own, owner, partner, advisor, pup_coordinator, committed
) -> None:
    from agreements.models import Scope

    from ..factories import agreement_between

    agreement_between(own, partner, [Scope.CLIENT_RECORDS, Scope.PROMOTION])
    consent_for(marked_person, owner, partner)
    programme = completed_programme(marked_person, owner)
    _everyone_at_once(owner, advisor, pup_coordinator)
    with committed():
        case = promotion.case_propose(
            programme=programme,
            acting_user=owner,
            target=partner,
            skills=f"{FIRST} zna wózki",
            availability="od zaraz",
            preferred_work="magazyn",
        )
    with committed():
        promotion.case_take(case=case, acting_user=advisor)
    with committed():
        promotion.case_action_add(
            case=case, acting_user=advisor, kind=ActionKind.TRAINING, happened_on=dt.date.today()
        )
    with committed():
        promotion.case_close(case=case, acting_user=advisor, outcome=CaseOutcome.JOB, note=LAST)
    kinds = set(Notice.objects.values_list("kind", flat=True))
    assert {
        "promotion.proposed",
        "promotion.taken",
        "promotion.action",
        "promotion.closed",
    } <= kinds
    assert len(mail.outbox) >= 5
    _assert_clean(marked_person, *mail.outbox)


def _everyone_at_once(*people) -> None:  # type: ignore[no-untyped-def]
    for user in people:
        for name in KINDS:
            user.notice_preferences.update_or_create(kind=name, defaults={"mode": "immediate"})


def test_a_case_conference_named_after_the_client_emails_nobody_s_name(
    marked_person, own, owner, partner, committed
) -> None:
    """The meeting kinds' e-mails carry a calendar file: neither its name nor its content
    may carry the conference's own title, which may name the client."""
    from agreements.models import Scope
    from cooperation.services import object_share

    from ..factories import agreement_between
    from ..meetings.conftest import in_days, schedule

    agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    object_share(
        obj=marked_person, institution=partner, actions=["view"], acting_user=None, reason="zgoda"
    )
    invited = member(partner, Role.CLIENT_ADVISOR, username="invited")
    _everyone_at_once(invited)
    with committed():
        schedule(
            owner,
            kind="case_conference",
            client=marked_person,
            institutions=[partner],
            people=[invited],
            title=f"Konferencja: {FIRST} {LAST} {PHONE}",
            agenda=f"{LAST}: mieszkanie",
            starts_at=in_days(3),
            ends_at=in_days(3, hour=11),
        )
    sent = [m for m in mail.outbox if m.to == [invited.email]]
    assert sent and any(m.attachments for m in sent), "the invitation with its calendar file"
    _assert_clean(marked_person, *sent)


def test_the_messaging_kinds_email_nobody_s_name(
    marked_person, own, owner, partner, committed
) -> None:
    """A message, a request and its answer about the marked client, each told by e-mail
    at once: the texts name the client, the e-mails may not."""
    from agreements.models import Scope
    from messaging import services as messaging

    from ..factories import agreement_between
    from ..messaging.conftest import share

    agreement_between(own, partner, [Scope.CLIENT_RECORDS])
    share(marked_person, owner, partner)
    advisor = member(partner, Role.CLIENT_ADVISOR, username="marked-advisor")
    _everyone_at_once(owner, advisor)
    with committed():
        messaging.message_post(
            client=marked_person, acting_user=advisor, text=f"{FIRST} {LAST}, tel. {PHONE}"
        )
    with committed():
        request = messaging.request_send(
            client=marked_person,
            acting_user=owner,
            asked=partner,
            question=f"Czy {FIRST} {LAST} ({marked_person.pesel}) jest zarejestrowana?",
            purpose="Do planu",
            due_on=dt.date.today() + dt.timedelta(days=5),
        )
    with committed():
        messaging.request_answer(request=request, acting_user=advisor, answer=f"Tak, {LAST}.")
    kinds = set(Notice.objects.values_list("kind", flat=True))
    assert {
        "messaging.message_posted",
        "messaging.request_sent",
        "messaging.request_answered",
    } <= kinds
    assert len(mail.outbox) >= 3
    _assert_clean(marked_person, *mail.outbox)


@pytest.mark.parametrize("name", sorted(n for n, k in KINDS.items() if k.mailboxes is not None))
def test_no_kinds_email_to_a_shared_mailbox_names_the_client(name, marked_person) -> None:
    from notifications.models import MailboxEmail

    row = MailboxEmail.objects.create(
        event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"privacy/mailbox/{name}").hex,
        address="rekrutacja@ngo.example.pl",
        kind=name,
        path=marked_person.get_absolute_url(),
    )
    assert services.mailbox_email_send(mailbox_email_id=row.pk)
    _assert_clean(marked_person, *mail.outbox)
    assert mail.outbox[0].to == ["rekrutacja@ngo.example.pl"]


def test_a_referral_of_the_marked_client_emails_the_services_mailbox_nobody_s_name(
    marked_person, own, owner, committed
) -> None:
    """The referral carries the client's phone, address and needs to the organisation;
    the e-mail to its intake mailbox carries none of it."""
    from agreements.models import Scope

    from ..factories import InstitutionFactory, agreement_between
    from ..partners.conftest import consent_to, make_offer, refer

    ngo = InstitutionFactory(kind="ngo", short_name="ngo-marker")
    staff = member(ngo, Role.PARTNER_STAFF, username="marker-staff")
    agreement_between(own, ngo, [Scope.REFERRALS])
    offer = make_offer(staff, contact_email="rekrutacja@ngo-marker.example.pl")
    consent_to(marked_person, owner, ngo)
    with committed():
        refer(owner, marked_person, offer, share=["phone"], needs=f"{FIRST} {LAST} {PHONE}")
    sent = [m for m in mail.outbox if m.to == ["rekrutacja@ngo-marker.example.pl"]]
    assert len(sent) == 1
    _assert_clean(marked_person, *sent)


def test_the_invitation_names_no_client(marked_person, own, owner) -> None:
    person = member(own, Role.SOCIAL_WORKER, first_name="Nowa", last_name="Osoba")
    invitation_send(user=person, inviter=owner)
    _assert_clean(marked_person, *mail.outbox)


def test_the_password_reset_email_names_no_client(client, marked_person, owner) -> None:
    client.post(reverse("account_reset_password"), {"email": owner.email})
    _assert_clean(marked_person, *mail.outbox)


def _email_templates() -> list[str]:
    """Every e-mail template: the project's templates/**/email*/ and allauth's."""
    import allauth

    found = []
    roots = [Path(settings.BASE_DIR) / "templates", Path(allauth.__file__).parent / "templates"]
    for root in roots:
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            in_email = any(part.startswith("email") for part in rel.parts[:-1])
            if path.is_file() and in_email and path.suffix in (".txt", ".html"):
                found.append(str(rel))
    return found


def test_every_email_template_is_found() -> None:
    names = _email_templates()
    assert "notifications/email/notice.txt" in names
    assert "account/email/password_reset_key_message.txt" in names
    assert "cooperation/email/invitation.txt" in names


@pytest.mark.parametrize("template", _email_templates())
def test_no_email_template_shows_the_client_it_is_given(
    template, marked_person, owner, own
) -> None:
    """Rendered with the marked client under every name a template might use for it."""
    context = {
        "client": marked_person,
        "person": marked_person,
        "participant": marked_person,
        "object": marked_person,
        "user": owner,
        "inviter": owner,
        "institution": own,
        "link": settings.SITE_URL + "/",
        "subject": "Powiadomienie",
        "lines": [("Powiadomienie", 1)],
    }
    text = render_to_string(template, context)
    leaked = [m for m in _markers(marked_person) if m in text]
    assert not leaked, f"{template} shows {leaked}"
