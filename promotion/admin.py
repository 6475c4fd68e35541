from __future__ import annotations

from django.contrib import admin

from cooperation.admin import InstitutionScopedAdmin

from .models import Programme, PromotionCase


@admin.register(PromotionCase)
class PromotionCaseAdmin(InstitutionScopedAdmin):
    list_display = ["pk", "last_name", "proposer", "target", "status", "priority", "proposed_at"]
    list_filter = ["status", "outcome"]
    list_select_related = ["proposer", "target"]
    readonly_fields = ["proposed_at", "taken_at", "first_action_at", "closed_at"]


@admin.register(Programme)
class ProgrammeAdmin(InstitutionScopedAdmin):
    list_display = ["client", "kind", "institution_name", "started_on", "outcome"]
    list_filter = ["kind", "outcome"]
    list_select_related = ["client"]
