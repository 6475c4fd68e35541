"""Django admin for the tenancy core.

Superusers see everything. Institution administrators who are staff see
only their own institution's rows (`InstitutionScopedAdmin`), and every
foreign key to Institution offers only their institution.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from allauth.account.admin import EmailAddressAdmin as BaseEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin as BaseAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, Institution, Membership, User
from .permissions import institution_of, owned_by, policy_for

admin.site.site_header = _("Cooperation — administration")
admin.site.site_title = _("Cooperation")


class InstitutionScopedAdmin(admin.ModelAdmin):
    """Admin limited to the staff user's institution; apps' admins extend it."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        institution = institution_of(request.user)
        return owned_by(qs, institution).distinct() if institution else qs.none()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Files enter only through the application, which checks their content and
        # names them at random (cooperation.uploads); the admin cannot replace them.
        from django.db.models import FileField

        files = [f.name for f in self.model._meta.fields if isinstance(f, FileField)]
        return [*super().get_readonly_fields(request, obj), *files]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Every choice (a select, a raw id, an autocomplete) is one of the
        # institution's own rows: an unscoped select listed, and accepted, the
        # clients and agreements of every other institution.
        if not request.user.is_superuser:
            institution = institution_of(request.user)
            related = db_field.related_model
            if related is Institution:
                kwargs["queryset"] = Institution.objects.filter(pk=getattr(institution, "pk", None))  # type: ignore[misc]
            elif related is User:
                kwargs["queryset"] = people_of(institution)
            elif institution is None:
                kwargs["queryset"] = related._default_manager.none()
            else:
                with suppress(LookupError):  # a row no institution owns (a content type)
                    kwargs["queryset"] = choosable_by(related, institution)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def choosable_by(model: type[Model], institution: Institution) -> QuerySet:
    """Rows an institution may pick in a form: its own, and those shared with it
    (a job offer on its board), whatever the staff user's role."""
    policy = policy_for(model)
    own = Q(pk__in=owned_by(model, institution).values("pk"))
    if policy.group_permission_model is None:
        return model._default_manager.filter(own)
    shared = policy.group_permission_model.objects.filter(group_id=institution.group_id)  # type: ignore[attr-defined]
    return model._default_manager.filter(own | Q(pk__in=shared.values("content_object_id")))


def people_of(institution: Institution | None) -> QuerySet:
    """The users working at `institution` now."""
    return User.objects.filter(
        memberships__institution=institution, memberships__is_active=True
    ).distinct()


class PeopleScopedAdmin(admin.ModelAdmin):
    """For third-party models of a person (e-mail addresses, authenticators): a
    staff user sees and picks only their institution's people."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(user__in=people_of(institution_of(request.user)))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = people_of(institution_of(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Institution)
class InstitutionAdmin(InstitutionScopedAdmin):
    list_display = ["name", "short_name", "kind", "county", "municipality", "is_active"]
    list_filter = ["kind", "pes_subkind", "county", "is_active"]
    search_fields = ["name", "short_name", "municipality", "regon", "nip"]
    readonly_fields = ["group"]

    def save_model(self, request: HttpRequest, obj: Institution, form: Any, change: bool) -> None:
        if not change:
            from django.contrib.auth.models import Group

            obj.group, _created = Group.objects.get_or_create(name=f"institution:{obj.short_name}")
        super().save_model(request, obj, form, change)


@admin.register(Membership)
class MembershipAdmin(InstitutionScopedAdmin):
    list_display = ["user", "institution", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active", "institution__kind"]
    search_fields = ["user__username", "user__email", "user__last_name", "institution__name"]
    list_select_related = ["user", "institution"]
    autocomplete_fields = ["user"]


class OneActiveMembershipFormSet(BaseInlineFormSet):
    """The database allows one active membership per person; say so on the form
    instead of failing on save."""

    def clean(self) -> None:
        super().clean()
        active = [
            f
            for f in self.forms
            if getattr(f, "cleaned_data", None)
            and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("is_active")
        ]
        if len(active) > 1:
            raise ValidationError(_("A person can be active in one institution only."))


class MembershipInline(admin.TabularInline):
    """Read-only but for superusers: its institution could be any institution, so
    a staff user could move themselves (or anyone they manage) into another one.
    Institution staff manage their people on the People pages or in Memberships."""

    model = Membership
    formset = OneActiveMembershipFormSet
    extra = 0
    fields = ["institution", "role", "is_active", "ended_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff"]
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Work"), {"fields": ("phone", "job_title")}))  # type: ignore[misc]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        institution = institution_of(request.user)
        return qs.filter(
            memberships__institution=institution, memberships__is_active=True
        ).distinct()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return [
            "is_superuser",
            "is_staff",
            "groups",
            "user_permissions",
            "last_login",
            "date_joined",
        ]


@admin.register(AuditEvent)
class AuditEventAdmin(InstitutionScopedAdmin):
    """Read-only: the audit log is evidence and is never edited."""

    list_display = ["at", "actor", "institution", "action", "object_label", "ip"]
    list_filter = ["action", "institution"]
    search_fields = ["actor__username", "object_label", "object_id"]
    list_select_related = ["actor", "institution"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Third-party admins registered before this module. Their rows are other
# institutions' people too: e-mail addresses and authenticators are scoped like
# users (and an authenticator's secret is never shown); the institutions'
# groups carry the tenancy's object permissions and stay with superusers.
admin.site.unregister(EmailAddress)
admin.site.unregister(Authenticator)
admin.site.unregister(Group)


@admin.register(EmailAddress)
class EmailAddressAdmin(PeopleScopedAdmin, BaseEmailAddressAdmin):
    pass


@admin.register(Authenticator)
class AuthenticatorAdmin(PeopleScopedAdmin, BaseAuthenticatorAdmin):
    exclude = ["data"]


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser
