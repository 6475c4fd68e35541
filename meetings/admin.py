from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from cooperation.admin import InstitutionScopedAdmin
from cooperation.permissions import institution_of

from .models import Event, EventInstitution, Invitee, Occurrence, Room


@admin.register(Room)
class RoomAdmin(InstitutionScopedAdmin):
    """Each institution keeps its own rooms; events booking one warn of overlaps."""

    list_display = ["name", "institution", "address", "seats"]
    list_filter = ["institution__county"]
    search_fields = ["name", "address", "institution__name"]


class EventInstitutionInline(admin.TabularInline):
    model = EventInstitution
    extra = 0
    can_delete = False
    readonly_fields = ["institution", "is_organiser"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class OccurrenceInline(admin.TabularInline):
    model = Occurrence
    extra = 0
    can_delete = False
    fields = ["original_start", "starts_at", "ends_at", "is_moved", "cancelled", "cancel_reason"]
    readonly_fields = fields  # type: ignore[assignment]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class InviteeInline(admin.TabularInline):
    model = Invitee
    extra = 0
    can_delete = False
    fields = ["user", "institution", "response", "responded_at", "waitlisted_at"]
    readonly_fields = fields  # type: ignore[assignment]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(InstitutionScopedAdmin):
    """Read only: scheduling, invitations and dates go through the services on the
    meetings pages, which check partners, the client and the room. Staff of an
    institution see only the events it organises."""

    list_display = ["title", "kind", "organiser", "starts_at", "rrule", "status"]
    list_filter = ["kind", "status", "organiser__county"]
    search_fields = ["title", "organiser__name"]
    list_select_related = ["organiser"]
    inlines = [EventInstitutionInline, InviteeInline, OccurrenceInline]
    exclude = ["client"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        institution = institution_of(request.user)
        return qs.filter(organiser=institution) if institution else qs.none()

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Event._meta.fields if f.name != "client"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
