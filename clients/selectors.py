"""Permission-filtered reads of client records."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar, overload

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce

from agreements.models import Scope
from agreements.scope import partners_covering
from cooperation.http import MemberRequest
from cooperation.models import Institution, User
from cooperation.permissions import (
    VIEW,
    get_visible_or_404,
    institution_of,
    membership_of,
    policy_for,
)
from cooperation.roles import MANAGING_ROLES

from .models import (
    CONSENT_PURPOSES,
    AccessRequest,
    AccessRequestStatus,
    CaseNote,
    Client,
    ClientAccess,
    ClientDocument,
    ClientShare,
    Consent,
)
from .names import fold

S = TypeVar("S", Client, ClientAccess)


def client_search(qs: QuerySet[S], query: str) -> QuerySet[S]:
    """Digits match the start of a PESEL; each word is found in the first or
    last name regardless of case and Polish diacritics ("swiatkowska" finds
    "Świątkowska"), on SQLite and PostgreSQL alike (trigram-indexed there).
    Works on clients and on access rows (both hold `pesel` and `search_name`)."""
    # No name holds a NUL, and PostgreSQL refuses one in a query (a 500).
    query = query.replace("\x00", "").strip()
    if query.isascii() and query.isdigit():
        return qs.filter(pesel__startswith=query)
    for word in fold(query).split():
        qs = qs.filter(search_name__contains=word)
    return qs


def access_rows(user: User) -> QuerySet[ClientAccess]:
    """The access-table rows of the user's institution (`clients.access`): one per
    client it may see, as `visible(Client, user)` answers — none for a user without
    a membership or whose role may not see clients."""
    membership = membership_of(user)
    roles = policy_for(Client).roles.get(VIEW)
    if membership is None or (roles is not None and membership.role not in roles):
        return ClientAccess.objects.none()
    return ClientAccess.objects.filter(institution_id=membership.institution_id)


def clients_visible_to(user: User, *, query: str = "") -> QuerySet[Client]:
    """Clients the user may see (own institution's and shared), optionally searched.

    Read through the access table (the institution's rows, searched there), so it
    is the same set as `visible(Client, user)` without the OR over the grants. Only
    visible clients are ever searched, so a search reveals nothing about clients
    of other institutions.
    """
    ids = client_search(access_rows(user), query).values("client_id")
    return Client.objects.filter(pk__in=ids).select_related("owner")


class ClientPage:
    """What the client list paginates: it counts and slices the institution's access
    rows (one index range scan, as the owner's own list is), and reads the clients
    of the page's rows only, in the rows' order."""

    def __init__(self, rows: QuerySet[ClientAccess]) -> None:
        self.rows = rows

    def count(self) -> int:
        return self.rows.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Client]:
        return iter(self[:])

    @overload
    def __getitem__(self, index: int) -> Client: ...
    @overload
    def __getitem__(self, index: slice) -> list[Client]: ...
    def __getitem__(self, index: int | slice) -> Client | list[Client]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        # One query: the page's ids come from the access index alone (a deep page
        # skips index entries, not joined rows); the rows' keys are copies of the
        # clients' columns, so the clients sort the same way.
        page_ids = self.rows.values("client_id")[index]
        clients = Client.objects.filter(pk__in=page_ids).select_related("owner")
        return list(clients.order_by("last_name", "first_name", "pk"))


def client_list_rows(
    user: User, *, query: str = "", status: str = "", held: str = ""
) -> ClientPage:
    """The client list: clients the user may see, by name (then id), filtered by
    status, by whose they are ("own" registered by us, "shared" with us) and by a
    PESEL or name search — every filter a column of the access table."""
    rows = client_search(access_rows(user), query)
    if status:
        rows = rows.filter(status=status)
    if held in ("own", "shared"):
        rows = rows.filter(is_owner=held == "own")
    if _trigram_search(query):
        # The same order, as an expression the name index cannot give: PostgreSQL then
        # takes the matches from the trigram index and sorts them, instead of walking
        # the institution's rows in name order until 25 match — for a name late in the
        # alphabet, most of them (national scale: 273,855 rows read, 184 ms).
        return ClientPage(
            rows.order_by(Coalesce("last_name", Value("")), "first_name", "client_id")
        )
    return ClientPage(rows.order_by("last_name", "first_name", "client_id"))


def _trigram_search(query: str) -> bool:
    """A name search the trigram index answers: every word at least three letters."""
    query = query.replace("\x00", "").strip()
    if not query or (query.isascii() and query.isdigit()):
        return False
    return all(len(word) >= 3 for word in fold(query).split())


def client_get_for_user(user: User, pk: int, action: str = "view") -> Client:
    """One client the user may see (404 otherwise; 403 to change it without the right)."""
    return get_visible_or_404(
        Client.objects.select_related("owner", "created_by"), user, action, pk=pk
    )


def notes_visible_to(user: User, client: Client) -> QuerySet[CaseNote]:
    """A client's notes: shared ones, and internal ones of the user's own institution."""
    institution = institution_of(user)
    return client.notes.filter(Q(internal=False) | Q(institution=institution)).select_related(
        "author", "institution"
    )


def documents_visible_to(user: User, client: Client) -> QuerySet[ClientDocument]:
    return client.documents.select_related("institution", "uploaded_by")


def sharing_of(client: Client) -> dict[str, object]:
    """Consents and shares of a client, for its owner's sharing tab."""
    return {
        "consents": list(client.consents.select_related("partner", "recorded_by", "withdrawn_by")),
        "shares": list(
            ClientShare.objects.filter(client=client).select_related(
                "partner", "consent", "created_by"
            )
        ),
        "requests": list(
            client.access_requests.filter(status=AccessRequestStatus.PENDING).select_related(
                "requester", "requested_by"
            )
        ),
    }


def consent_purposes(client: Client) -> dict[int, list[str]]:
    """Partner id -> the purposes a consent to it may cover: those its agreement in
    force with the client's owner covers (records, plans, referrals, SEPI, promotion)."""
    purposes: dict[int, list[str]] = {}
    for purpose in CONSENT_PURPOSES:
        for partner_id in partners_covering(client.owner_id, purpose):
            purposes.setdefault(partner_id, []).append(purpose)
    return purposes


def consent_partners(client: Client, purposes: dict[int, list[str]]) -> QuerySet[Institution]:
    """Partners a consent may be recorded for: an agreement in force covers one purpose or more."""
    return Institution.objects.filter(pk__in=purposes).order_by("name")


def active_consents_for(client: Client) -> list[Consent]:
    return [c for c in client.consents.select_related("partner") if c.is_active]


def consents_to_share_on(client: Client) -> QuerySet[Consent]:
    """Valid consents covering the record whose partner the client is not shared
    with yet: the sharing form offers only these, so it stops once the sharing is done."""
    shared = client.shares.filter(ended_at__isnull=True).values("partner_id")
    covering = [c.pk for c in active_consents_for(client) if Scope.CLIENT_RECORDS in c.scopes]
    return (
        Consent.objects.filter(pk__in=covering)
        .exclude(partner_id__in=shared)
        .select_related("partner")
    )


def home_access_requests(request: MemberRequest) -> list[AccessRequest]:
    """Partners waiting for this institution to share a client."""
    institution = institution_of(request.user)
    return list(
        AccessRequest.objects.filter(client__owner=institution, status=AccessRequestStatus.PENDING)
        .select_related("client", "requester")
        .order_by("created_at")[:8]
    )


def home_my_recent_clients(request: MemberRequest) -> list[Client]:
    return list(
        clients_visible_to(request.user).filter(created_by=request.user).order_by("-created_at")[:8]
    )


def client_access_log(client: Client) -> QuerySet:
    """Every audited access to this client's record — views, exports, SEPI
    lookups, changes, grants and revocations, refused attempts — by anyone in
    any institution, newest first. For the owner's coordinator only (see
    `access_log_allowed`)."""
    from django.contrib.contenttypes.models import ContentType

    from cooperation.models import AuditEvent

    return (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Client), object_id=str(client.pk)
        )
        .select_related("actor", "institution")
        .order_by("-at", "-pk")
    )


def access_log_allowed(request: MemberRequest, client: Client) -> bool:

    membership = request.membership
    return (
        getattr(membership, "role", None) in MANAGING_ROLES
        and membership.institution_id == client.owner_id
    )


def access_panel(request: MemberRequest, client: Client) -> dict[str, object] | None:
    """The "who saw this client" box on the record page, for the owner's coordinator."""
    if not access_log_allowed(request, client):
        return None
    events = client_access_log(client)
    return {"access_events": list(events[:10]), "access_total": events.count()}
