"""Every kind of notice in one place: who is told, in what words, where the notice
leads, and whether the person may still open it.

A service emits an event (`cooperation.events.emit("referrals.accepted", target=...)`);
the notification centre looks its kind up here, asks `recipients` who is told, and
writes one notice per person (once per event id), sending e-mail as each person chose.

Rules for a declaration:
- `recipients(event, target)` returns users of the side that did NOT act — the people
  responsible on the other side (the actor is never told of their own action);
- `text(event, target)` is the notice line shown in the app to someone who may see the
  target; `email_subject` is what an e-mail says: only the kind of thing that
  happened, never a name, PESEL, address or need;
- `url(event, target)` is the page the notice opens; `may_see(user, target)` is asked
  when the notice is listed, opened or put in a digest: access can end after the event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cooperation.events import Event


@dataclass(frozen=True)
class Kind:
    name: str  # the event's kind, "<app>.<what happened>"
    group: str  # a heading on the preferences page, e.g. "Promocja"
    label: str  # what a person chooses on the preferences page
    email_subject: str  # no personal data
    recipients: Callable[[Event, Any], Iterable[Any]]
    text: Callable[[Event, Any], str]
    url: Callable[[Event, Any], str]
    may_see: Callable[[Any, Any], bool]


KINDS: dict[str, Kind] = {}


def declare(kind: Kind) -> Kind:
    if kind.name in KINDS:
        raise ValueError(f"notice kind {kind.name!r} declared twice")
    KINDS[kind.name] = kind
    return kind


# --- Messages and announcements (messaging) --------------------------------------------
# Who is told (the messaging app's selectors say who "works on a client"):
# - a message: the people of the OTHER institutions that see the client now (owner and
#   partners with a share) who work on the client — the owner's worker who registered
#   them, anyone who wrote in the thread or sent or answered a request about them; an
#   institution where nobody has yet, its coordinators;
# - a request sent: the same people, of the asked institution only;
# - a request answered: the person who asked;
# - a request overdue (the daily job, no actor): the person who asked and the asked
#   institution's people, as above;
# - an announcement: every active person of the chosen partner institutions (it is
#   meant for the whole institution; each person can turn the kind off).
# Everyone only while the policy layer lets them see the target: a partner whose share
# ended is told nothing and `may_see` gives False (the thread follows the client).
# Functions import the app inside: this module is read before the apps' models are.

from django.utils.translation import gettext as _gettext  # noqa: E402
from django.utils.translation import gettext_lazy as _lazy  # noqa: E402

MESSAGES_GROUP = _lazy("Messages and announcements")


def _messaging_may_see(user: Any, target: Any) -> bool:
    from messaging.selectors import may_see

    return may_see(user, target)


def _messaging_told(event: Event, target: Any, people: Iterable[Any]) -> list[Any]:
    """People once each, without the actor and the acting institution's people, and only
    those who may see the target."""
    from cooperation.permissions import institution_of

    chosen: dict[int, Any] = {}
    for person in people:
        if person is None or person.pk in chosen or not person.is_active:
            continue
        if event.actor_id is not None and person.pk == event.actor_id:
            continue
        home = institution_of(person)
        if home is None or (event.institution_id is not None and home.pk == event.institution_id):
            continue
        if _messaging_may_see(person, target):
            chosen[person.pk] = person
    return list(chosen.values())


def _message_recipients(event: Event, message: Any) -> list[Any]:
    from messaging.selectors import client_workers, sharing_institutions

    if message is None:
        return []
    others = [pk for pk in sharing_institutions(message.client) if pk != message.institution_id]
    return _messaging_told(event, message, client_workers(message.client, others))


def _request_sent_recipients(event: Event, request: Any) -> list[Any]:
    from messaging.selectors import client_workers

    if request is None:
        return []
    return _messaging_told(event, request, client_workers(request.client, [request.asked_id]))


def _request_answered_recipients(event: Event, request: Any) -> list[Any]:
    if request is None:
        return []
    return _messaging_told(event, request, [request.asked_by])


def _request_overdue_recipients(event: Event, request: Any) -> list[Any]:
    from messaging.selectors import client_workers

    if request is None or request.status != "open":
        return []
    asked_side = client_workers(request.client, [request.asked_id])
    return _messaging_told(event, request, [request.asked_by, *asked_side])


def _announcement_recipients(event: Event, announcement: Any) -> list[Any]:
    from cooperation.models import User

    if announcement is None:
        return []
    people = User.objects.filter(
        is_active=True,
        memberships__is_active=True,
        memberships__institution__in=announcement.recipients.all(),
    ).distinct()
    return _messaging_told(event, announcement, people)


def _client_name(target: Any) -> str:
    return target.client.full_name if target is not None else ""


declare(
    Kind(
        name="messaging.message_posted",
        group=MESSAGES_GROUP,  # type: ignore[arg-type]
        label=_lazy("A partner writes about a shared client"),  # type: ignore[arg-type]
        email_subject=_lazy("A new message about a shared client"),  # type: ignore[arg-type]
        recipients=_message_recipients,
        text=lambda event, m: (
            _gettext("%(inst)s wrote about %(client)s")
            % {"inst": m.institution.name, "client": _client_name(m)}
        ),
        url=lambda event, m: m.get_absolute_url(),
        may_see=_messaging_may_see,
    )
)
declare(
    Kind(
        name="messaging.request_sent",
        group=MESSAGES_GROUP,  # type: ignore[arg-type]
        label=_lazy("A partner asks you for information"),  # type: ignore[arg-type]
        email_subject=_lazy("A partner asks your institution for information"),  # type: ignore[arg-type]
        recipients=_request_sent_recipients,
        text=lambda event, r: (
            _gettext("%(inst)s asks for information about %(client)s by %(date)s")
            % {
                "inst": r.asker.name,
                "client": _client_name(r),
                "date": r.due_on.strftime("%d.%m.%Y"),
            }
        ),
        url=lambda event, r: r.get_absolute_url(),
        may_see=_messaging_may_see,
    )
)
declare(
    Kind(
        name="messaging.request_answered",
        group=MESSAGES_GROUP,  # type: ignore[arg-type]
        label=_lazy("Your information request is answered"),  # type: ignore[arg-type]
        email_subject=_lazy("Your information request has been answered"),  # type: ignore[arg-type]
        recipients=_request_answered_recipients,
        text=lambda event, r: (
            _gettext("%(inst)s answered your request about %(client)s")
            % {"inst": r.asked.name, "client": _client_name(r)}
        ),
        url=lambda event, r: r.get_absolute_url(),
        may_see=_messaging_may_see,
    )
)
declare(
    Kind(
        name="messaging.request_overdue",
        group=MESSAGES_GROUP,  # type: ignore[arg-type]
        label=_lazy("An information request is overdue"),  # type: ignore[arg-type]
        email_subject=_lazy("An information request is past its date"),  # type: ignore[arg-type]
        recipients=_request_overdue_recipients,
        text=lambda event, r: (
            _gettext("The request about %(client)s to %(inst)s is overdue")
            % {"inst": r.asked.name, "client": _client_name(r)}
        ),
        url=lambda event, r: r.get_absolute_url(),
        may_see=_messaging_may_see,
    )
)
declare(
    Kind(
        name="messaging.announcement_posted",
        group=MESSAGES_GROUP,  # type: ignore[arg-type]
        label=_lazy("A partner posts an announcement"),  # type: ignore[arg-type]
        email_subject=_lazy("A new announcement from a partner institution"),  # type: ignore[arg-type]
        recipients=_announcement_recipients,
        text=lambda event, a: (
            _gettext("%(inst)s: %(title)s") % {"inst": a.institution.name, "title": a.title}
        ),
        url=lambda event, a: a.get_absolute_url(),
        may_see=_messaging_may_see,
    )
)
