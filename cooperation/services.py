"""Writes of the tenancy core. Each is atomic, checks its rule, and audits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from .audit import audit
from .models import AuditAction, Institution, Membership, User
from .permissions import CHANGE, MANAGE_PEOPLE, membership_of, policy_for, require
from .tasks import send_invitation

if TYPE_CHECKING:
    from django.http import HttpRequest

M = TypeVar("M", bound=models.Model)


def model_update(
    *,
    instance: M,
    fields: Iterable[str],
    data: Mapping[str, Any],
    acting_user: User | None,
    audit_change: bool = True,
    reason: str = "",
) -> tuple[M, list[str]]:
    """Set `fields` of `instance` from `data` where they differ, validate, save, and
    write one audit UPDATE naming the changed fields (after HackSoft's
    `common.services.model_update`). Returns the instance and the changed fields;
    nothing changed means no save and no audit row. The caller checks permission
    first (`require`); `audit_change=False` for callers that record the change
    in their own history."""
    changed = [name for name in fields if getattr(instance, name) != data[name]]
    if not changed:
        return instance, []
    for name in changed:
        setattr(instance, name, data[name])
    instance.full_clean()
    instance.save()
    if audit_change:
        audit(
            actor=acting_user,
            action=AuditAction.UPDATE,
            obj=instance,
            fields=changed,
            reason=reason,
        )
    return instance, changed


@transaction.atomic
def institution_create(*, acting_user: User | None = None, **fields: object) -> Institution:
    """Create an institution with its own permission group (named after its short name)."""
    short_name = str(fields["short_name"])
    group, _created = Group.objects.get_or_create(name=f"institution:{short_name}")
    institution = Institution(group=group, **fields)
    institution.full_clean()
    institution.save()
    audit(actor=acting_user, action=AuditAction.CREATE, obj=institution, institution=institution)
    return institution


@transaction.atomic
def institution_update(
    *, institution: Institution, acting_user: User, data: dict[str, object]
) -> Institution:
    """Change an institution's contact details; only its own admin or coordinator may."""
    require(acting_user, institution, CHANGE)
    return model_update(instance=institution, fields=data, data=data, acting_user=acting_user)[0]


@transaction.atomic
def membership_create(*, user: User, institution: Institution, role: str) -> Membership:
    """Attach a user to an institution, ending any other active membership first.

    A user acts for exactly one institution at a time; the old membership is
    kept (inactive) as history.
    """
    Membership.objects.filter(user=user, is_active=True).update(
        is_active=False, ended_at=timezone.now()
    )
    membership = Membership(user=user, institution=institution, role=role)
    membership.full_clean()
    membership.save()
    user.groups.set(
        [g for g in user.groups.exclude(name__startswith="institution:")] + [institution.group]
    )
    user.__dict__.pop("_active_membership", None)
    return membership


def invitation_url(user: User) -> str:
    """A one-time set-password link (allauth's password-reset key)."""
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
    return settings.SITE_URL + path.replace("UID-KEY", key)


def invitation_send(*, user: User, inviter: User) -> None:
    """E-mail a fresh set-password link to an invited user (their current institution)."""
    membership = membership_of(user)
    institution = membership.institution if membership else None
    context = {
        "user": user,
        "institution": institution,
        "inviter": inviter,
        "link": invitation_url(user),
    }
    send_mail(
        subject=_("Invitation to Cooperation — %(institution)s")
        % {"institution": getattr(institution, "name", "")},
        message=render_to_string("cooperation/email/invitation.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def member_invite(
    *,
    institution: Institution,
    acting_user: User,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    username: str = "",
    request: HttpRequest | None = None,
) -> Membership:
    """Create a user in the acting manager's institution and e-mail them a set-password link."""
    require(acting_user, institution, MANAGE_PEOPLE)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A user with this e-mail address already exists.")})
    user = User(
        username=username or email,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    membership = membership_create(user=user, institution=institution, role=role)
    transaction.on_commit(lambda: send_invitation.delay(user.pk, acting_user.pk))
    audit(actor=acting_user, action=AuditAction.INVITE, obj=user, request=request)
    return membership


@transaction.atomic
def invitation_resend(
    *, membership: Membership, acting_user: User, request: HttpRequest | None = None
) -> None:
    """Send a new set-password link to someone who has not set a password yet."""
    require(acting_user, membership.institution, MANAGE_PEOPLE)
    if not membership.is_active or membership.user.has_usable_password():
        raise ValidationError(
            _("This person has already set a password; there is nothing to resend.")
        )
    transaction.on_commit(lambda: send_invitation.delay(membership.user_id, acting_user.pk))
    audit(actor=acting_user, action=AuditAction.INVITE, obj=membership.user, request=request)


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    acting_user: User,
    role: str,
    is_active: bool,
    request: HttpRequest | None = None,
) -> Membership:
    """Change a member's role or end their membership; a manager cannot demote themselves."""
    require(acting_user, membership.institution, MANAGE_PEOPLE)
    if membership.user_id == acting_user.pk and (role != membership.role or not is_active):
        raise ValidationError(_("You cannot change your own role or end your own membership."))
    changed = []
    if role != membership.role:
        membership.role = role
        changed.append("role")
    if is_active != membership.is_active:
        if is_active:
            raise ValidationError(
                _("An ended membership cannot be reopened; invite the person again.")
            )
        membership.is_active = False
        membership.ended_at = timezone.now()
        membership.user.groups.remove(membership.institution.group)
        changed.append("is_active")
    membership.full_clean()
    membership.save()
    if changed:
        audit(
            actor=acting_user,
            action=AuditAction.UPDATE,
            obj=membership,
            fields=changed,
            request=request,
        )
    return membership


def _grant_targets(obj: models.Model, actions: Iterable[str]) -> list[str]:
    policy = policy_for(type(obj))
    unknown = set(actions) - policy.shared_actions
    if unknown:
        raise ValueError(f"{type(obj).__name__} cannot share {sorted(unknown)}")
    return [f"{obj._meta.app_label}.{policy.codename(a)}" for a in actions]


def _grants_changed(obj: models.Model, institution: Institution) -> None:
    hook = policy_for(type(obj)).on_grants_changed
    if hook is not None:
        hook(obj, institution)


@transaction.atomic
def object_share(
    *,
    obj: models.Model,
    institution: Institution,
    actions: Iterable[str],
    acting_user: User | None,
    reason: str,
) -> None:
    """Grant an institution's group object permissions on one row, and audit it.

    This is the low-level mechanism: the app's own service decides *whether*
    sharing is allowed (agreement, consent) before calling it.
    """
    for perm in _grant_targets(obj, actions):
        assign_perm(perm, institution.group, obj)
    _grants_changed(obj, institution)
    audit(
        actor=acting_user,
        action=AuditAction.GRANT,
        obj=obj,
        reason=f"{institution.short_name}: {reason}",
    )


@transaction.atomic
def object_unshare(
    *,
    obj: models.Model,
    institution: Institution,
    actions: Iterable[str],
    acting_user: User | None,
    reason: str,
) -> None:
    """Revoke what `object_share` granted; takes effect on the next request."""
    for perm in _grant_targets(obj, actions):
        remove_perm(perm, institution.group, obj)
    _grants_changed(obj, institution)
    audit(
        actor=acting_user,
        action=AuditAction.REVOKE,
        obj=obj,
        reason=f"{institution.short_name}: {reason}",
    )
