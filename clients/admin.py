from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest

from cooperation.admin import InstitutionScopedAdmin
from cooperation.searches import PARAM, search_params

from .models import AccessRequest, CaseNote, Client, ClientDocument, ClientShare, Consent
from .selectors import client_search


class _TokenSearchChangeList(ChangeList):
    """A changelist whose search may sit behind a session token (`?search=`),
    which is not a field lookup; its links keep the token, never the PESEL."""

    def get_filters_params(self, params=None):
        lookup = super().get_filters_params(params)
        lookup.pop(PARAM, None)
        return lookup


@admin.register(Client)
class ClientAdmin(InstitutionScopedAdmin):
    list_display = [
        "last_name",
        "first_name",
        "masked_pesel",
        "owner",
        "city",
        "status",
        "created_at",
    ]
    list_filter = ["status", "owner__county", "owner"]
    # Shows the search box; the search itself is `client_search` (below).
    search_fields = ["search_name", "pesel"]
    list_select_related = ["owner"]
    readonly_fields = ["created_at", "created_by", "anonymised_at", "birth_date", "sex"]

    def get_changelist(self, request: HttpRequest, **kwargs: object) -> type[ChangeList]:
        return _TokenSearchChangeList

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        """The app's search (PESEL prefix; names in any case and diacritics). A
        PESEL typed here is moved behind a token by `PeselQueryMiddleware`."""
        term = search_term or search_params(request).get(SEARCH_VAR, "")
        return client_search(queryset, term), False


@admin.register(Consent)
class ConsentAdmin(InstitutionScopedAdmin):
    list_display = [
        "client",
        "partner",
        "basis",
        "given_on",
        "valid_until",
        "withdrawn_at",
        "lapsed",
    ]
    list_filter = ["basis", "lapsed"]
    search_fields = ["client__last_name", "partner__name"]
    list_select_related = ["client", "partner"]
    readonly_fields = ["recorded_by", "withdrawn_by", "withdrawn_at", "lapsed"]


@admin.register(ClientShare)
class ClientShareAdmin(InstitutionScopedAdmin):
    """Read-only: shares are opened and ended by the services, with their guardian grants."""

    list_display = ["client", "partner", "created_at", "ended_at", "end_reason"]
    list_select_related = ["client", "partner"]
    search_fields = ["client__last_name", "partner__name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AccessRequest)
class AccessRequestAdmin(InstitutionScopedAdmin):
    list_display = ["client", "requester", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["client", "requester"]


@admin.register(CaseNote)
class CaseNoteAdmin(InstitutionScopedAdmin):
    list_display = ["client", "institution", "author", "happened_on", "internal"]
    list_filter = ["internal"]
    list_select_related = ["client", "institution", "author"]


@admin.register(ClientDocument)
class ClientDocumentAdmin(InstitutionScopedAdmin):
    list_display = ["title", "client", "kind", "institution", "uploaded_at"]
    list_filter = ["kind"]
    list_select_related = ["client", "institution"]
