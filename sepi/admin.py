from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from cooperation.admin import InstitutionScopedAdmin

from .models import BatchCheck, Lookup


@admin.register(Lookup)
class LookupAdmin(InstitutionScopedAdmin):
    """Read-only: a lookup is evidence of a query, and the answer is not the admin's to edit."""

    list_display = [
        "requested_at",
        "institution",
        "requested_by",
        "purpose",
        "status",
        "from_cache",
    ]
    list_filter = ["status", "purpose", "from_cache"]
    list_select_related = ["institution", "requested_by"]
    date_hierarchy = "requested_at"
    exclude = ["result", "pesel"]
    readonly_fields = [
        "client",
        "institution",
        "requested_by",
        "purpose",
        "status",
        "failure_reason",
        "request_key",
        "requested_at",
        "started_at",
        "finished_at",
        "attempts",
        "from_cache",
        "fetched_at",
        "changes",
        "batch",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(BatchCheck)
class BatchCheckAdmin(InstitutionScopedAdmin):
    list_display = ["created_at", "institution", "requested_by", "purpose", "status", "total"]
    list_filter = ["status"]
    list_select_related = ["institution", "requested_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
