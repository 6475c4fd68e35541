from __future__ import annotations

from django.contrib import admin

from cooperation.admin import InstitutionScopedAdmin

from .models import Client


@admin.register(Client)
class ClientAdmin(InstitutionScopedAdmin):
    list_display = ["last_name", "first_name", "masked_pesel", "owner", "city", "created_at"]
    list_filter = ["owner__county", "owner"]
    search_fields = ["last_name", "first_name", "pesel"]
    list_select_related = ["owner"]
    readonly_fields = ["created_at", "created_by"]
