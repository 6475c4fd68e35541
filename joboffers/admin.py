from __future__ import annotations

from django.contrib import admin

from cooperation.admin import InstitutionScopedAdmin

from .models import Board, BoardPrint, ImportRun, JobOffer, OfferProposal, Publication


class PublicationInline(admin.TabularInline):
    model = Publication
    extra = 0
    can_delete = False
    fields = ["board", "published_at", "published_by", "ended_at", "end_reason"]
    readonly_fields = fields  # type: ignore[assignment]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(JobOffer)
class JobOfferAdmin(InstitutionScopedAdmin):
    """Read mostly: publishing grants and revokes permissions, so it happens on
    the offer pages through the services, never by editing rows here."""

    list_display = ["number", "position", "kind", "status", "source", "valid_until", "institution"]
    list_filter = ["status", "kind", "source", "institution__county"]
    search_fields = ["number", "position", "employer_name", "external_id"]
    list_select_related = ["institution"]
    readonly_fields = [
        "institution",
        "year",
        "sequence",
        "number",
        "status",
        "source",
        "external_id",
        "source_data",
        "published_at",
        "filled_at",
        "closed_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [PublicationInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Board)
class BoardAdmin(InstitutionScopedAdmin):
    list_display = ["institution", "created_at"]
    list_select_related = ["institution"]
    readonly_fields = ["institution", "created_at"]

    def has_add_permission(self, request) -> bool:
        # A board is made with its institution (joboffers.services); its
        # institution is read-only here, so an added one could not be saved.
        return False


@admin.register(BoardPrint)
class BoardPrintAdmin(InstitutionScopedAdmin):
    list_display = ["board", "kind", "week_start", "offer_count", "generated_at"]
    list_filter = ["kind"]
    readonly_fields = ["board", "kind", "week_start", "file", "offer_count", "generated_at"]

    def has_add_permission(self, request) -> bool:
        # Prints are generated (joboffers.services); every field is read-only here,
        # so an added one could not be saved.
        return False


@admin.register(ImportRun)
class ImportRunAdmin(InstitutionScopedAdmin):
    list_display = ["institution", "started_at", "status", "created", "updated", "expired"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(OfferProposal)
class OfferProposalAdmin(InstitutionScopedAdmin):
    list_display = ["offer", "client", "institution", "proposed_on", "answer", "outcome"]
    list_filter = ["answer", "outcome"]
    list_select_related = ["offer", "client", "institution"]
    raw_id_fields = ["client", "offer"]
    readonly_fields = ["institution", "proposed_by", "created_at", "updated_at"]
