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
    # Who of the owner institution opens it to prove the URL works, when it is one
    # person's own (a notice): by default a coordinator of the institution.
    viewer: User | None = None


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


def _home_section(institution: Institution, owner: User) -> Built:
    """A lazy home section naming a client of `institution` (its coordinators' box of
    recent access to personal data). Each visitor's section lists their own
    institution's work, so an intruder gets a 200 without this client in it."""
    from cooperation.audit import audit
    from cooperation.models import AuditAction

    client = ClientFactory(owner=institution, created_by=owner, last_name="Utajniona")
    audit(actor=owner, action=AuditAction.VIEW, obj=client, fields=["pesel"])
    return Built({"key": "recent_audit"}, [client.last_name])


register("home_section", _home_section, methods=("get",), outsider_statuses=(200,))


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


def _consent(client, institution, owner):
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


def _share(client, institution, owner):
    from clients.models import ClientShare

    consent = _consent(client, institution, owner)
    return ClientShare.objects.create(
        client=client, partner=consent.partner, consent=consent, created_by=owner
    )


def _access_request(client, institution, owner):
    from clients.models import AccessRequest

    other = InstitutionFactory(county=institution.county)
    return AccessRequest.objects.create(
        client=client, requester=other, requested_by=member(other), reason="Prośba"
    )


def _document(client, institution, owner):
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


def _client_with_partner(institution: Institution, owner: User) -> Built:
    """A client whose owner has an agreement in force with a partner: the consent
    form has something to offer, so its PDF would carry the client's data."""
    other = InstitutionFactory(county=institution.county, name="Partner Tajny-Zielony")
    agreement_between(institution, other)
    return _client(institution, owner)


def _export(institution: Institution, owner: User) -> Built:
    built = _client(institution, owner)
    return Built({**built.kwargs, "fmt": "json"}, built.secrets)


register("clients:detail", _client)


def _client_panel(institution: Institution, owner: User) -> Built:
    """One lazy panel; test_isolation.py asks every other panel of the client too."""
    built = _client(institution, owner)
    return Built({**built.kwargs, "key": "access"}, built.secrets)


register("clients:panel", _client_panel, methods=("get",))
register("clients:access_log", _client, methods=("get",))
register("clients:edit", _client)
register("clients:consent_add", _client)
register("clients:share", _client, methods=("post",))
register("clients:note_add", _client, methods=("post",))
register("clients:document_add", _client, methods=("post",))
register("clients:close", _client, methods=("post",))
register("clients:anonymise", _client, methods=("post",))
register("clients:export", _export, methods=("get",))
register("clients:consent_print", _client_with_partner, methods=("get",))
register("clients:consent_form_pdf", _client_with_partner, methods=("get",))
register("clients:consent_withdrawal_pdf", _client_with(_consent), methods=("get",))
register("clients:consent_withdraw", _client_with(_consent))
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
register("agreements:signed_copy", _agreement("accepted"))
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


# --- partners ----------------------------------------------------------------
def _partner_service(organisation: Institution) -> object:
    """Make `organisation` an NGO with one published service in its catalogue."""
    from cooperation.models import InstitutionKind
    from partners.services import service_offer_create

    organisation.kind = InstitutionKind.NGO
    organisation.save(update_fields=["kind"])
    return service_offer_create(
        acting_user=member(organisation, Role.PARTNER_STAFF),
        data={
            "name": "Poradnictwo dłużnicze",
            "category": "debt",
            "target_group": "Osoby zadłużone",
            "how_to_refer": "Skierowanie",
            "capacity": 5,
            "free_places": 5,
        },
    )


def _referral_to(offer, referrer: Institution, worker: User) -> Built:
    """A referral from `referrer` to the organisation offering `offer`, under an
    agreement and the client's consent, sharing the phone and the needs."""
    import datetime as dt

    from agreements.models import Scope
    from clients.models import Consent
    from partners.services import referral_create

    agreement_between(referrer, offer.provider, [Scope.REFERRALS])
    client = ClientFactory(owner=referrer, created_by=worker, last_name="Skierowana-Tajna")
    Consent.objects.create(
        client=client,
        partner=offer.provider,
        basis="statutory",
        scopes=[Scope.REFERRALS],
        given_on=dt.date.today(),
        valid_until=dt.date.today() + dt.timedelta(days=365),
        recorded_by=worker,
    )
    referral = referral_create(
        acting_user=worker, client=client, service=offer, share=["phone"], needs="Potrzeby-Tajne"
    )
    return Built({"pk": referral.pk}, [client.last_name, client.phone, "Potrzeby-Tajne"])


def _sent_referral(institution: Institution, owner: User) -> Built:
    """`institution` referred a client to an NGO of its county."""
    ngo = InstitutionFactory(county=institution.county)
    return _referral_to(_partner_service(ngo), institution, owner)


def _received_referral(step: str = "sent") -> Callable[[Institution, User], Built]:
    """`institution` is the NGO a client was referred to, at the given step."""

    def build(institution: Institution, owner: User) -> Built:
        from django.utils import timezone

        from partners import services
        from partners.models import Referral

        referrer = InstitutionFactory(county=institution.county)
        built = _referral_to(_partner_service(institution), referrer, member(referrer))
        referral = Referral.objects.get(pk=built.kwargs["pk"])
        staff = member(institution, Role.PARTNER_STAFF)
        if step in ("accepted", "in_progress"):
            today = timezone.localdate()
            services.referral_accept(
                referral=referral, acting_user=staff, start_date=today, end_date=today
            )
        if step == "in_progress":
            services.referral_start(referral=referral, acting_user=staff)
        return built

    return build


def _partner_profile(institution: Institution, owner: User) -> Built:
    # The directory is open to the whole county network (the same-county
    # intruder sees the catalogue, by design); a referred person never shows.
    built = _received_referral()(institution, owner)
    return Built({"pk": institution.pk}, built.secrets)


def _partner_service_edit(institution: Institution, owner: User) -> Built:
    offer = _partner_service(institution)
    offer.description = "Opis-Wewnętrzny-Tajny"
    offer.save(update_fields=["description"])
    return Built({"pk": offer.pk}, [])


def _referral_client(institution: Institution, owner: User) -> Built:
    client = ClientFactory(owner=institution, created_by=owner, last_name="Do-Skierowania-Tajna")
    return Built({"client_pk": client.pk}, [client.last_name, client.pesel, client.phone])


register("partners:organisation", _partner_profile, outsider_statuses=(200, 404))
register("partners:service_edit", _partner_service_edit)
register("partners:referral_create", _referral_client)
register("partners:referral", _sent_referral)
register("partners:referral_pdf", _sent_referral, methods=("get",))
register("partners:referral_cancel", _sent_referral)
register("partners:referral_accept", _received_referral())
register("partners:referral_decline", _received_referral())
register("partners:referral_start", _received_referral("accepted"), methods=("post",))
register("partners:referral_delivery", _received_referral("accepted"))
register("partners:referral_complete", _received_referral("in_progress"))
# A CIS/KIS proposes a participant of a referral it received to a PUP (R7).
register("promotion:propose_referral", _received_referral("in_progress"))


# --- meetings ------------------------------------------------------------------
def _meeting(
    with_minutes: bool = False, with_material: bool = False, training: bool = False
) -> Callable[[Institution, User], Built]:
    """A meeting held this morning by `institution` with a partner it has an
    agreement with, the owner invited by name; optionally minutes and a file."""

    def build(institution: Institution, owner: User) -> Built:
        import datetime as dt

        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.utils import timezone

        from meetings import services

        other = InstitutionFactory(county=institution.county)
        agreement_between(institution, other)
        organiser = member(institution, Role.COORDINATOR)
        start = dt.datetime.combine(
            timezone.localdate(), dt.time(0, 30), tzinfo=timezone.get_current_timezone()
        )
        event = services.event_schedule(
            acting_user=organiser,
            data=services.EventData(
                kind="training" if training else "meeting",
                title="Spotkanie Tajne-Zielone",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
                location="Sala Tajna-Zielona",
                agenda="Porządek Tajny-Zielony",
            ),
            institutions=[other],
            people=[owner],
            allow_past=True,
        )
        occurrence = event.occurrences.get()
        secrets = [event.title, event.location, event.agenda]
        kwargs = {"event": event.pk, "occurrence": occurrence.pk}
        if with_minutes:
            minutes = services.minutes_save(
                occurrence=occurrence,
                acting_user=organiser,
                notes="Notatka Tajna-Zielona",
                decisions=["Decyzja Tajna-Zielona"],
                action_items=[
                    services.ActionItemData("Zadanie Tajne-Zielone", owner, timezone.localdate())
                ],
            )
            kwargs["item"] = minutes.action_items.get().pk
            secrets += ["Notatka Tajna-Zielona", "Decyzja Tajna-Zielona"]
        if training:  # the owner came: a certificate of attendance is due
            services.attendance_record(
                occurrence=occurrence, acting_user=organiser, present=[owner.pk]
            )
        if with_material:
            material = services.material_add(
                event=event,
                acting_user=organiser,
                title="Materiał Tajny-Zielony",
                file=SimpleUploadedFile("plik.pdf", b"%PDF-1.4 Tresc-Tajna-Zielona"),
            )
            kwargs["material"] = material.pk
            secrets.append("Tresc-Tajna-Zielona")
        return Built(kwargs, secrets)

    return build


def _meeting_url(key: str, **options: bool) -> Callable[[Institution, User], Built]:
    def build(institution: Institution, owner: User) -> Built:
        built = _meeting(**options)(institution, owner)
        return Built({"pk": built.kwargs[key]}, built.secrets)

    return build


def _feed(institution: Institution, owner: User) -> Built:
    # The feed is a bearer URL by design: calendar programs cannot log in, so
    # the secret token is the only key and the answer is the same whoever is
    # logged in. An intruder could only reach it with the owner's token, which
    # never leaves the owner's screen; that wrong, revoked and replaced tokens
    # get 404 and that the feed holds only its owner's events is proved in
    # tests/meetings/test_ical.py. Here: a valid token answers 200.
    from meetings import services

    _meeting()(institution, owner)
    return Built({"token": services.feed_token_create(acting_user=owner)}, [])


register("meetings:event", _meeting_url("event"))
register("meetings:event_edit", _meeting_url("event"))
register("meetings:event_cancel", _meeting_url("event"))
register("meetings:event_respond", _meeting_url("event"), methods=("post",))
register("meetings:event_ics", _meeting_url("event"), methods=("get",))
register("meetings:material_add", _meeting_url("event"))
register("meetings:material", _meeting_url("material", with_material=True), methods=("get",))
register(
    "meetings:material_remove", _meeting_url("material", with_material=True), methods=("post",)
)
register("meetings:occurrence", _meeting_url("occurrence", with_minutes=True))
register("meetings:occurrence_move", _meeting_url("occurrence"))
register("meetings:occurrence_cancel", _meeting_url("occurrence"))
register("meetings:attendance", _meeting_url("occurrence"))
register("meetings:minutes", _meeting_url("occurrence", with_minutes=True))
register("meetings:minutes_pdf", _meeting_url("occurrence", with_minutes=True), methods=("get",))
register("meetings:attendance_list_pdf", _meeting_url("occurrence"), methods=("get",))
register("meetings:certificates_pdf", _meeting_url("occurrence", training=True), methods=("get",))
register("meetings:action_status", _meeting_url("item", with_minutes=True), methods=("post",))
register("meetings:feed", _feed, methods=("get",), outsider_statuses=(200,))


# --- sepi --------------------------------------------------------------------
def _sepi_client(institution: Institution, owner: User) -> Built:
    """A client of `institution`, which has an agreement with its county's PUP covering
    SEPI (without one nobody there may ask SEPI, issue 15 gate 1)."""
    from agreements.models import Scope
    from cooperation.models import InstitutionKind

    office = InstitutionFactory(kind=InstitutionKind.PUP, county=institution.county)
    agreement_between(institution, office, [Scope.SEPI])
    return _client(institution, owner)


def _sepi_lookup_parts(institution: Institution, owner: User) -> tuple[object, Built]:
    """A client of `institution` with a done SEPI lookup whose answer is stored."""
    from django.utils import timezone

    from sepi import simulator
    from sepi.models import Lookup

    built = _sepi_client(institution, owner)
    client = Client.objects.get(pk=built.kwargs["pk"])
    now = timezone.now()
    lookup = Lookup.objects.create(
        client=client,
        institution=institution,
        requested_by=owner,
        pesel=client.pesel,
        purpose="benefit_eligibility",
        request_key=f"isolation-{client.pk}",
        requested_at=now,
        status="done",
        fetched_at=now,
        finished_at=now,
        result=simulator.person_status(client.pesel, today=timezone.localdate()),
    )
    return lookup, built


def _sepi_lookup(institution: Institution, owner: User) -> Built:
    lookup, built = _sepi_lookup_parts(institution, owner)
    return Built({"pk": lookup.pk}, built.secrets)


def _sepi_batch(institution: Institution, owner: User) -> Built:
    from sepi.models import BatchCheck

    lookup, built = _sepi_lookup_parts(institution, owner)
    batch = BatchCheck.objects.create(
        institution=institution,
        requested_by=member(institution, Role.COORDINATOR),
        purpose="periodic_review",
        total=1,
    )
    lookup.batch = batch
    lookup.save(update_fields=["batch"])
    return Built({"pk": batch.pk}, built.secrets)


register("sepi:lookup_start", _sepi_client, methods=("post",))
register("sepi:lookup_state", _sepi_lookup, methods=("get",))
register("sepi:batch_progress", _sepi_batch, methods=("get",))


# --- joboffers -------------------------------------------------------------------
# Offers are owned by a labour office. For the office's own pages the case's
# institution acts as one (its kind is set to PUP); the same-county intruder is
# then another PUP with nothing shared. For the board's pages the institution
# stays a MOPS, and a PUP of its county publishes to it under an agreement.
def _offer_fields(**overrides: object) -> dict[str, object]:
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    fields: dict[str, object] = {
        "kind": "job",
        "position": "Stanowisko Tajne-Zielone",
        "employer_name": "Pracodawca Tajny sp. z o.o.",
        "workplace_municipality": "Skarżysko-Kamienna",
        "duties": "Obowiązki tajne",
        "valid_from": today - dt.timedelta(days=1),
        "valid_until": today + dt.timedelta(days=20),
        "contact_phone": "41 999 88 77",
    }
    fields.update(overrides)
    return fields


def _joboffer(institution: Institution, owner: User) -> Built:
    from cooperation.models import InstitutionKind
    from joboffers.services import offer_create

    institution.kind = InstitutionKind.PUP
    institution.save(update_fields=["kind"])
    offer = offer_create(acting_user=member(institution, Role.CLIENT_ADVISOR), **_offer_fields())
    return Built({"pk": offer.pk}, [offer.position, offer.employer_name, offer.contact_phone])


def _joboffer_on_board(institution: Institution, owner: User):
    from agreements.models import Scope
    from cooperation.models import InstitutionKind
    from joboffers.models import Board
    from joboffers.services import offer_create, offer_publish

    office = InstitutionFactory(kind=InstitutionKind.PUP, county=institution.county)
    agreement_between(institution, office, [Scope.JOB_OFFERS])
    advisor = member(office, Role.CLIENT_ADVISOR)
    offer = offer_create(acting_user=advisor, **_offer_fields())
    offer_publish(offer=offer, acting_user=advisor)
    secrets = [offer.position, offer.employer_name, offer.contact_phone]
    return Board.objects.get(institution=institution), offer, secrets


def _published_joboffer(institution: Institution, owner: User) -> Built:
    _board, offer, secrets = _joboffer_on_board(institution, owner)
    return Built({"pk": offer.pk}, secrets)


def _joboffer_board(institution: Institution, owner: User) -> Built:
    board, _offer, secrets = _joboffer_on_board(institution, owner)
    return Built({"pk": board.pk}, secrets)


def _joboffer_print(institution: Institution, owner: User) -> Built:
    from joboffers.services import board_prints_generate

    board, _offer, _secrets = _joboffer_on_board(institution, owner)
    kept = board_prints_generate(board=board)
    return Built({"pk": kept[0].pk}, [])


def _joboffer_import(institution: Institution, owner: User) -> Built:
    from cooperation.models import InstitutionKind
    from joboffers.imports import cbop_import

    institution.kind = InstitutionKind.PUP
    institution.save(update_fields=["kind"])
    run = cbop_import(
        institution=institution,
        data='[{"id": "Tajny-Rekord-123", "stanowisko": "Tajne"}]',
        source="tajny-plik.json",
    )
    return Built({"pk": run.pk}, ["Tajny-Rekord-123", "tajny-plik.json"])


def _joboffer_proposal(institution: Institution, owner: User) -> Built:
    from joboffers.services import proposal_record

    built = _client(institution, owner)
    _board, offer, _secrets = _joboffer_on_board(institution, owner)
    proposal = proposal_record(
        acting_user=owner,
        client=Client.objects.get(pk=built.kwargs["pk"]),
        offer=offer,
        answer="interested",
        note="Notatka Tajna",
    )
    return Built({"pk": proposal.pk}, [*built.secrets, "Notatka Tajna"])


def _client_for_offers(institution: Institution, owner: User) -> Built:
    built = _client(institution, owner)
    return Built({"client_pk": built.kwargs["pk"]}, built.secrets)


register("joboffers:detail", _published_joboffer, methods=("get",))
register("joboffers:sheet", _published_joboffer, methods=("get",))
register("joboffers:edit", _joboffer)
register("joboffers:publish", _joboffer)
register("joboffers:unpublish", _joboffer, methods=("post",))
register("joboffers:fill", _joboffer, methods=("post",))
register("joboffers:withdraw", _joboffer)
register("joboffers:board", _joboffer_board, methods=("get",))
register("joboffers:board_sheets", _joboffer_board, methods=("get",))
register("joboffers:board_digest", _joboffer_board, methods=("get",))
register("joboffers:board_prints", _joboffer_board, methods=("post",))
register("joboffers:print", _joboffer_print, methods=("get",))
register("joboffers:import_detail", _joboffer_import, methods=("get",))
register("joboffers:client_offers", _client_for_offers)
register("joboffers:proposal_edit", _joboffer_proposal)


# --- promotion ---------------------------------------------------------------
def _promotion_case(institution: Institution, owner: User) -> Built:
    from .promotion.helpers import proposed_case

    case = proposed_case(institution, owner)
    return Built({"pk": case.pk}, [case.last_name, case.pesel, case.phone, "Umiejętność Tajna"])


def _promotion_programme(institution: Institution, owner: User) -> Built:
    from promotion.models import PromotionCase

    built = _promotion_case(institution, owner)
    case = PromotionCase.objects.get(pk=built.kwargs["pk"])
    return Built({"pk": case.programme_id}, built.secrets)


def _promotion_case_received(institution: Institution, owner: User) -> Built:
    # The office's side: `institution` is the PUP the case was proposed to.
    from cooperation.models import InstitutionKind

    from .promotion.helpers import proposed_case

    institution.kind = InstitutionKind.PUP
    institution.save(update_fields=["kind"])
    proposer = InstitutionFactory()
    case = proposed_case(proposer, member(proposer, Role.SOCIAL_WORKER), pup=institution)
    return Built({"pk": case.pk}, [case.last_name, case.pesel, case.phone, "Umiejętność Tajna"])


register("promotion:detail", _promotion_case)
register("promotion:take", _promotion_case_received, methods=("post",))
register("promotion:action", _promotion_case)
register("promotion:close", _promotion_case)
register("promotion:programme_new", _client_for_offers)
register("promotion:programme_finish", _promotion_programme)
register("promotion:propose", _promotion_programme)


# --- indicators --------------------------------------------------------------
def _indicators_agreement(institution: Institution, owner: User) -> Built:
    built = _agreement("active")(institution, owner)
    return Built({"agreement_pk": built.kwargs["pk"]}, built.secrets)


def _indicators_report(institution: Institution, owner: User) -> Built:
    from agreements.models import Agreement
    from indicators.models import Topic
    from indicators.services import assessment_save, report_draft

    built = _agreement("active")(institution, owner)
    agreement = Agreement.objects.get(pk=built.kwargs["pk"])
    coordinator = member(institution, Role.COORDINATOR)
    report = report_draft(
        agreement=agreement, year=agreement.valid_from.year, acting_user=coordinator
    )
    assessment_save(
        report=report,
        acting_user=coordinator,
        answers={t: {"score": 3, "comment": "Uwaga Poufna"} for t in Topic.values},
        what_worked="Sukces Poufny",
        what_to_change="Zmiana Poufna",
    )
    return Built({"pk": report.pk}, [*built.secrets, "Uwaga Poufna", "Sukces Poufny"])


register("indicators:reports", _indicators_agreement)
register("indicators:report", _indicators_report)
register("indicators:assessment", _indicators_report)
register("indicators:approve", _indicators_report, methods=("post",))
register("indicators:pdf", _indicators_report)


# --- notifications -------------------------------------------------------------
def _notice(institution: Institution, owner: User) -> Built:
    """A notice to `owner` about a promotion case of their institution: only its
    person opens it, even a coordinator of the same institution gets 404."""
    from django.contrib.contenttypes.models import ContentType

    from notifications.models import Notice
    from notifications.services import unread_forget
    from promotion.models import PromotionCase

    from .promotion.helpers import proposed_case

    case = proposed_case(institution, owner)
    notice = Notice.objects.create(
        recipient=owner,
        kind="promotion.taken",
        event_id="isolation",
        target_type=ContentType.objects.get_for_model(PromotionCase),
        target_id=case.pk,
        text=f"PUP took the promotion case of {case.last_name} {case.first_name}",
    )
    unread_forget([owner.pk])  # as the fan-out does: the bell counts it on the next page
    return Built({"pk": notice.pk}, [case.last_name], viewer=owner)


register("notifications:open", _notice, methods=("get",))
register("notifications:read", _notice, methods=("post",))


# --- messaging ---------------------------------------------------------------
def _shared_pair(owner_inst: Institution, worker: User, other: Institution) -> Client:
    """A client of `owner_inst` shared with `other` (agreement in force, consent)."""
    import datetime as dt

    from agreements.models import Scope
    from clients.services import client_share, consent_record

    agreement_between(owner_inst, other, [Scope.CLIENT_RECORDS])
    client = ClientFactory(owner=owner_inst, created_by=worker, last_name="Wątkowska-Tajna")
    consent = consent_record(
        client=client,
        acting_user=worker,
        partner=other,
        basis="statutory",
        scopes=[Scope.CLIENT_RECORDS],
        given_on=dt.date.today() - dt.timedelta(days=1),
    )
    client_share(client=client, partner=other, consent=consent, acting_user=worker)
    return client


def _thread(institution: Institution, owner: User) -> Built:
    """A client of `institution` shared with a partner, with a message in its thread."""
    from messaging.services import message_post

    other = InstitutionFactory(county=institution.county, name="PUP Wątkowy")
    client = _shared_pair(institution, owner, other)
    message_post(client=client, acting_user=owner, text="Wiadomość Poufna o długach")
    return Built({"pk": client.pk}, [client.last_name, client.pesel, "Wiadomość Poufna"])


def _info_request(asked_here: bool) -> Callable[[Institution, User], Built]:
    """An information request about a shared client: `institution` asks a partner, or
    (`asked_here`) a partner asks `institution` about a client it shares with it."""

    def build(institution: Institution, owner: User) -> Built:
        import datetime as dt

        from messaging.services import request_send

        other = InstitutionFactory(county=institution.county, name="OPS Pytający")
        if asked_here:
            worker = member(other, Role.SOCIAL_WORKER)
            client = _shared_pair(other, worker, institution)
            asker, asked = worker, institution
        else:
            client = _shared_pair(institution, owner, other)
            asker, asked = owner, other
        request = request_send(
            client=client,
            acting_user=asker,
            asked=asked,
            question="Pytanie Poufne o zadłużenie",
            purpose="Cel Poufny",
            due_on=dt.date.today() + dt.timedelta(days=7),
        )
        return Built({"pk": request.pk}, [client.last_name, "Pytanie Poufne", "Cel Poufny"])

    return build


def _announcement(institution: Institution, owner: User) -> Built:
    """An announcement for clients, with an attachment, to a partner under an agreement."""
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile

    from agreements.models import Scope
    from messaging.services import announcement_post

    other = InstitutionFactory(county=institution.county, name="PUP Ogłoszeniowy")
    agreement_between(institution, other, [Scope.JOB_OFFERS])
    announcement = announcement_post(
        acting_user=member(institution, Role.COORDINATOR),
        title="Żółte Targi Pracy Źdźbło",
        text="Zapraszamy wszystkich chętnych — Treść Ogłoszenia Niejawna.",
        shown_from=dt.date.today(),
        shown_until=dt.date.today() + dt.timedelta(days=14),
        recipients=[other],
        link="https://example.org/targi",
        attachment=SimpleUploadedFile("plakat.pdf", b"%PDF-1.4 plakat"),
        for_clients=True,
    )
    return Built({"pk": announcement.pk}, ["Żółte Targi", "Treść Ogłoszenia Niejawna"])


register("messaging:message_post", _thread, methods=("post",))
register("messaging:request_new", _thread)
register("messaging:request", _info_request(asked_here=False))
register("messaging:request_answer", _info_request(asked_here=True), methods=("post",))
register("messaging:request_withdraw", _info_request(asked_here=False), methods=("post",))
register("messaging:announcement", _announcement)
register("messaging:announcement_file", _announcement, methods=("get",))
register("messaging:announcement_pdf", _announcement, methods=("get",))
