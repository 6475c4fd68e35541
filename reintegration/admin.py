"""Read-only admin: plans change only through the plan pages, whose services keep
the history, the audit log and the rule of R3."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cooperation.admin import InstitutionScopedAdmin

from .models import Participant, PlanChange, ReintegrationPlan, Step


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ParticipantInline(ReadOnlyInline):
    model = Participant
    fields = ["institution", "added_at", "added_by"]
    readonly_fields = fields  # type: ignore[assignment]


class StepInline(ReadOnlyInline):
    model = Step
    fields = ["area", "title", "institution", "responsible", "due_date", "status"]
    readonly_fields = fields  # type: ignore[assignment]


class ChangeInline(ReadOnlyInline):
    model = PlanChange
    fields = ["at", "kind", "actor", "institution", "subject"]
    readonly_fields = fields  # type: ignore[assignment]


@admin.register(ReintegrationPlan)
class ReintegrationPlanAdmin(InstitutionScopedAdmin):
    list_display = ["pk", "client", "status", "next_review_date", "created_at"]
    list_filter = ["status"]
    list_select_related = ["client"]
    inlines = [ParticipantInline, StepInline, ChangeInline]
    readonly_fields = [
        "client",
        "status",
        "social_worker",
        "client_advisor",
        "coordinator",
        "next_review_date",
        "created_at",
        "created_by",
        "closed_at",
        "closed_by",
        "closing_outcome",
        "closing_note",
    ]
    fields = readonly_fields  # type: ignore[assignment]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
