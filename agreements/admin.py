from __future__ import annotations

from django.contrib import admin

from cooperation.admin import InstitutionScopedAdmin

from .models import (
    PROCEDURE_FIELDS,
    Agreement,
    AgreementEvent,
    AgreementTerms,
    Annex,
    Attachment,
    Coordinator,
    Party,
    SignedCopy,
)


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0
    fields = [
        "institution",
        "signatory_name",
        "signatory_function",
        "accepted_at",
        "accepted_by",
        "signed_name",
        "signed_function",
        "signed_authority",
    ]
    # Who signed is recorded with the signed copy, through the service.
    readonly_fields = [
        "accepted_at",
        "accepted_by",
        "signed_name",
        "signed_function",
        "signed_authority",
    ]


class SignedCopyInline(admin.StackedInline):
    model = SignedCopy
    extra = 0
    can_delete = False
    readonly_fields = [
        "form",
        "signed_on",
        "attachment",
        "signatures",
        "note",
        "recorded_by",
        "recorded_at",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class TermsInline(admin.TabularInline):
    model = AgreementTerms
    extra = 0
    can_delete = False
    readonly_fields = [
        "effective_from",
        "valid_until",
        "annex",
        *PROCEDURE_FIELDS,
        *[
            f"scope_{s}"
            for s in (
                "client_records",
                "joint_plans",
                "sepi",
                "job_offers",
                "promotion",
                "referrals",
            )
        ],
    ]


class EventInline(admin.TabularInline):
    model = AgreementEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "kind", "actor", "institution", "comment"]


@admin.register(Agreement)
class AgreementAdmin(InstitutionScopedAdmin):
    """Read mostly: the workflow runs through the services on the agreement pages,
    so the admin edits only what cannot break it (title, text)."""

    list_display = ["number", "title", "status", "valid_from", "valid_until", "termination_date"]
    list_filter = ["status", "year", "initiator__county"]
    search_fields = ["number", "title", "parties__institution__name"]
    readonly_fields = [
        "number",
        "year",
        "sequence",
        "initiator",
        "status",
        "valid_from",
        "valid_until",
        "termination_date",
        "termination_reason",
        "terminated_by",
        "created_by",
        "created_at",
        "scope_client_records",
        "scope_joint_plans",
        "scope_sepi",
        "scope_job_offers",
        "scope_promotion",
        "scope_referrals",
        *PROCEDURE_FIELDS,
        "terminated_without_notice",
    ]
    inlines = [PartyInline, SignedCopyInline, TermsInline, EventInline]
    list_select_related = ["initiator"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Annex)
class AnnexAdmin(InstitutionScopedAdmin):
    list_display = ["__str__", "effective_from", "applied"]
    list_filter = ["applied"]
    search_fields = ["agreement__number", "description"]
    readonly_fields = [
        "agreement",
        "number",
        "effective_from",
        "valid_until",
        "applied",
        "created_by",
    ]


@admin.register(Attachment)
class AttachmentAdmin(InstitutionScopedAdmin):
    list_display = ["agreement", "kind", "description", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["agreement__number", "description"]


@admin.register(Coordinator)
class CoordinatorAdmin(InstitutionScopedAdmin):
    list_display = ["user", "institution", "is_deputy", "phone", "email", "office_hours"]
    list_filter = ["is_deputy", "institution__county"]
    search_fields = ["user__last_name", "institution__name"]
