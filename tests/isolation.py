"""The registry of object-bearing URLs for the tenant-isolation harness.

Every URL pattern of the project that takes an argument must have a case
here; `test_isolation.py` fails for any that does not. A case builds one
object owned by the given institution (with the given owner user) and
returns the URL kwargs and the strings that must never leak to an outsider
(names, PESEL, phone...).

When an app adds a URL with an argument, add its case below, in the app's
section, using the shared factories.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from clients.models import Client
from cooperation.models import Institution, Role, User

from .factories import ClientFactory, InstitutionFactory, agreement_between, member


@dataclass(frozen=True)
class Built:
    kwargs: dict[str, object]
    secrets: list[str]


@dataclass(frozen=True)
class Case:
    url_name: str
    build: Callable[[Institution, User], Built]
    methods: tuple[str, ...] = ("get", "post")
    # Pages scoped to the visitor's own institution (exports of "my" records)
    # answer 200 to anyone; for them the harness checks only that no data leaks.
    outsider_statuses: tuple[int, ...] = (403, 404)


CASES: dict[str, Case] = {}


def register(url_name: str, build: Callable[[Institution, User], Built], **kw: object) -> None:
    CASES[url_name] = Case(url_name, build, **kw)  # type: ignore[arg-type]


# --- cooperation -----------------------------------------------------------
def _membership(institution: Institution, owner: User) -> Built:
    person = member(institution, Role.SOCIAL_WORKER, first_name="Zofia", last_name="Tajemnicza")
    membership = person.memberships.get(is_active=True)
    return Built({"pk": membership.pk}, ["Tajemnicza", person.email])


register("cooperation:person_edit", _membership)
register("cooperation:person_resend", _membership, methods=("post",))


# --- clients ---------------------------------------------------------------
def _client(institution: Institution, owner: User) -> Built:
    client = ClientFactory(owner=institution, created_by=owner, last_name="Utajniona")
    return Built({"pk": client.pk}, [client.last_name, client.pesel, client.phone, client.street])


def _client_with(
    make: Callable[[object, Institution, User], object],
) -> Callable[[Institution, User], Built]:
    """A client of `institution` and one child object made by `make`; the URL takes the child's pk."""

    def build(institution: Institution, owner: User) -> Built:
        built = _client(institution, owner)
        client = Client.objects.get(pk=built.kwargs["pk"])
        child = make(client, institution, owner)
        return Built({"pk": child.pk}, built.secrets)

    return build


def _consent(client, institution, owner):  # type: ignore[no-untyped-def]
    import datetime as dt

    from clients.models import Consent

    other = InstitutionFactory(county=institution.county)
    from django.core.files.base import ContentFile

    consent = Consent(
        client=client,
        partner=other,
        basis="statutory",
        scopes=["client_records"],
        given_on=dt.date.today(),
        valid_until=dt.date.today() + dt.timedelta(days=365),
        recorded_by=owner,
    )
    consent.scan.save("zgoda.pdf", ContentFile(b"%PDF-1.4 " + client.last_name.encode()), save=True)
    return consent


def _share(client, institution, owner):  # type: ignore[no-untyped-def]
    from clients.models import ClientShare

    consent = _consent(client, institution, owner)
    return ClientShare.objects.create(
        client=client, partner=consent.partner, consent=consent, created_by=owner
    )


def _access_request(client, institution, owner):  # type: ignore[no-untyped-def]
    from clients.models import AccessRequest

    other = InstitutionFactory(county=institution.county)
    return AccessRequest.objects.create(
        client=client, requester=other, requested_by=member(other), reason="Prośba"
    )


def _document(client, institution, owner):  # type: ignore[no-untyped-def]
    from django.core.files.base import ContentFile

    from clients.models import ClientDocument

    document = ClientDocument(
        client=client,
        institution=institution,
        kind="other",
        title="Dokument Utajniony",
        uploaded_by=owner,
        size=10,
    )
    document.file.save(
        "utajniony.pdf", ContentFile(b"%PDF-1.4 " + client.last_name.encode()), save=True
    )
    return document


def _export(institution: Institution, owner: User) -> Built:
    built = _client(institution, owner)
    return Built({**built.kwargs, "fmt": "json"}, built.secrets)


register("clients:detail", _client)
register("clients:edit", _client)
register("clients:consent_add", _client)
register("clients:share", _client, methods=("post",))
register("clients:note_add", _client, methods=("post",))
register("clients:document_add", _client, methods=("post",))
register("clients:close", _client, methods=("post",))
register("clients:anonymise", _client, methods=("post",))
register("clients:export", _export, methods=("get",))
register("clients:consent_withdraw", _client_with(_consent), methods=("post",))
register("clients:consent_scan", _client_with(_consent), methods=("get",))
register("clients:share_end", _client_with(_share), methods=("post",))
register("clients:request_decline", _client_with(_access_request), methods=("post",))
register("clients:document", _client_with(_document), methods=("get",))


# --- agreements ------------------------------------------------------------
def _agreement(status: str) -> Callable[[Institution, User], Built]:
    def build(institution: Institution, owner: User) -> Built:
        other = InstitutionFactory(county=institution.county)
        agreement = agreement_between(institution, other, status=status)
        agreement.title = "Porozumienie Tajne-Zielone"
        agreement.save(update_fields=["title"])
        return Built({"pk": agreement.pk}, [agreement.title, agreement.number])

    return build


def _annex(institution: Institution, owner: User) -> Built:
    from django.utils import timezone

    from agreements.models import Scope
    from agreements.services import annex_propose

    built = _agreement("active")(institution, owner)
    from agreements.models import Agreement

    agreement = Agreement.objects.get(pk=built.kwargs["pk"])
    annex = annex_propose(
        agreement=agreement,
        acting_user=member(institution, Role.COORDINATOR),
        description="Aneks Tajny-Zielony",
        effective_from=timezone.localdate(),
        scopes=[Scope.SEPI],
        valid_until=None,
    )
    return Built({"pk": annex.pk}, [annex.description, agreement.number])


def _attachment(institution: Institution, owner: User) -> Built:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agreements.models import Agreement
    from agreements.services import attachment_add

    built = _agreement("active")(institution, owner)
    attachment = attachment_add(
        agreement=Agreement.objects.get(pk=built.kwargs["pk"]),
        acting_user=member(institution, Role.COORDINATOR),
        kind="signed_scan",
        file=SimpleUploadedFile("skan-tajny.pdf", b"%PDF-1.4 Tajne-Zielone"),
        description="Skan Tajny",
    )
    return Built({"pk": attachment.pk}, ["Tajne-Zielone", "Skan Tajny"])


def _export(institution: Institution, owner: User) -> Built:
    built = _agreement("active")(institution, owner)
    return Built({"fmt": "csv"}, built.secrets)


def _coordinator_card(institution: Institution, owner: User) -> Built:
    from agreements.models import Coordinator

    person = member(institution, Role.COORDINATOR, last_name="Koordynatorska-Tajna")
    card = Coordinator.objects.create(institution=institution, user=person, phone="600 999 111")
    return Built({"pk": card.pk}, [])


register("agreements:detail", _agreement("active"))
register("agreements:pdf", _agreement("active"))
register("agreements:edit", _agreement("draft"))
register("agreements:send", _agreement("draft"))
register("agreements:accept", _agreement("sent"))
register("agreements:return", _agreement("sent"))
register("agreements:terminate", _agreement("active"))
register("agreements:annex_create", _agreement("active"))
register("agreements:attachment_add", _agreement("active"))
register("agreements:annex_approve", _annex, methods=("post",))
register("agreements:attachment", _attachment, methods=("get",))
register("agreements:coordinator_remove", _coordinator_card, methods=("post",))
register("agreements:export", _export, methods=("get",), outsider_statuses=(200,))


# --- reintegration -----------------------------------------------------------
def _plan_parts(institution: Institution, owner: User) -> tuple[object, object, list[str]]:
    """A client of `institution` with an open plan: assessed needs, a goal and a step."""
    import datetime as dt

    from django.utils import timezone

    from reintegration import services as plans

    client = ClientFactory(owner=institution, created_by=owner, last_name="Planowana-Tajna")
    plan = plans.plan_create(acting_user=owner, client=client, social_worker=owner)
    plans.needs_assess(
        plan=plan,
        acting_user=owner,
        assessments={"housing": ("critical", "Eksmisja-Tajna")},
    )
    goal = plans.goal_add(plan=plan, acting_user=owner, title="Cel-Tajny")
    step = plans.step_add(
        plan=plan,
        acting_user=owner,
        goal=goal,
        area="housing",
        title="Krok-Tajny",
        institution=institution,
        responsible=owner,
        due_date=timezone.localdate() + dt.timedelta(days=14),
    )
    secrets = [client.last_name, client.pesel, "Eksmisja-Tajna", "Cel-Tajny", "Krok-Tajny"]
    return plan, step, secrets


def _plan(institution: Institution, owner: User) -> Built:
    plan, _step, secrets = _plan_parts(institution, owner)
    return Built({"pk": plan.pk}, secrets)


def _plan_step(institution: Institution, owner: User) -> Built:
    _plan_obj, step, secrets = _plan_parts(institution, owner)
    return Built({"pk": step.pk}, secrets)


def _plan_client(institution: Institution, owner: User) -> Built:
    plan, _step, secrets = _plan_parts(institution, owner)
    return Built({"client_pk": plan.client_id}, secrets)


def _unplanned_client(institution: Institution, owner: User) -> Built:
    client = ClientFactory(owner=institution, created_by=owner, last_name="Bezplanowa-Tajna")
    return Built({"client_pk": client.pk}, [client.last_name, client.pesel])


register("reintegration:client_plan", _plan_client)
register("reintegration:create", _unplanned_client)
for _name in (
    "detail",
    "history",
    "edit",
    "participant_add",
    "needs",
    "goal_add",
    "step_add",
    "review_add",
    "close",
    "pdf",
):
    register(f"reintegration:{_name}", _plan)
register("reintegration:step_edit", _plan_step)
