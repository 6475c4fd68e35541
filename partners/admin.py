from __future__ import annotations

from django.contrib import admin

from cooperation.admin import InstitutionScopedAdmin

from .models import Referral, ReferralEvent, ServiceDelivery, ServiceOffer


@admin.register(ServiceOffer)
class ServiceOfferAdmin(InstitutionScopedAdmin):
    list_display = ["name", "provider", "category", "capacity", "free_places", "is_active"]
    list_filter = ["category", "is_active", "provider__kind"]
    search_fields = ["name", "provider__name"]
    list_select_related = ["provider"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class EventInline(ReadOnlyInline):
    model = ReferralEvent
    fields = ["at", "kind", "institution", "actor", "comment"]


class DeliveryInline(ReadOnlyInline):
    model = ServiceDelivery
    fields = ["delivered_on", "kind", "hours", "note", "recorded_by"]


@admin.register(Referral)
class ReferralAdmin(InstitutionScopedAdmin):
    """Read-only: referrals move only through the services, which grant and revoke access."""

    list_display = ["pk", "referrer", "partner", "service", "status", "sent_at", "respond_by"]
    list_filter = ["status"]
    list_select_related = ["referrer", "partner", "service"]
    inlines = [EventInline, DeliveryInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
