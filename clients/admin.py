from __future__ import annotations

from django.contrib import admin

from cooperation.admin import InstitutionScopedAdmin

from .models import AccessRequest, CaseNote, Client, ClientDocument, ClientShare, Consent


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
    search_fields = ["last_name", "first_name", "pesel"]
    list_select_related = ["owner"]
    readonly_fields = ["created_at", "created_by", "anonymised_at", "birth_date", "sex"]


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

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
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
