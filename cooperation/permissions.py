"""The permission layer every app uses.

One `Policy` per model answers two questions (after Wagtail's permission
policies): "which rows may this user see?" (`visible`) and "may this user do
X to this row?" (`can`). Views never filter by institution themselves; they
call `visible()` or `get_visible_or_404()`.

A row is visible to its owning institution, and to another institution only
through an object permission granted to that institution's group, stored in
a *direct foreign-key* guardian table (one per shared model, e.g.
`ClientGroupObjectPermission`) so the check is an indexed EXISTS on an
integer key instead of a text match over guardian's generic table.

Records that belong to another (notes, plans, documents of a client) name
that parent in their policy and inherit its visibility: no permission row is
ever created per child.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from .models import Institution, Membership

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

VIEW = "view"
CHANGE = "change"
M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Policy:
    """How one model's rows are owned, shared and acted on.

    owner: path to the owning Institution (e.g. "institution", "owner").
    parent: path to the record whose visibility this one inherits ("client").
    group_permission_model: the direct-FK GroupObjectPermission model, when
        rows can be shared with other institutions.
    roles: per action, the roles allowed to do it *within* the visible rows;
        an action missing here is open to every role that can see the row.
    shared_actions: actions a partner institution may be granted.
    condition: a further rule on top of ownership/sharing, given the user's
        membership, as a Q on this model — e.g. "a plan is visible only where an
        agreement also covers joint plans". Children inherit it through `parent`.
    """

    model: type[models.Model]
    owner: str | None = "institution"
    parent: str | None = None
    group_permission_model: type[models.Model] | None = None
    roles: dict[str, frozenset[str]] = field(default_factory=dict)
    shared_actions: frozenset[str] = frozenset({VIEW})
    condition: Callable[[Membership], Q] | None = None

    def codename(self, action: str) -> str:
        return f"{action}_{self.model._meta.model_name}"


_registry: dict[type[models.Model], Policy] = {}


def register(policy: Policy) -> Policy:
    _registry[policy.model] = policy
    return policy


def policy_for(model: type[models.Model]) -> Policy:
    try:
        return _registry[model]
    except KeyError:
        raise LookupError(f"No permission policy registered for {model.__name__}") from None


def membership_of(user: User | AnonymousUser) -> Membership | None:
    """The user's active membership, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_active_membership", False)
    if cached is not False:
        return cached  # type: ignore[return-value]
    membership = (
        Membership.objects.select_related("institution")  # type: ignore[misc]
        .filter(user=user, is_active=True, institution__is_active=True)
        .first()
    )
    user._active_membership = membership  # type: ignore[union-attr]
    return membership


def institution_of(user: User | AnonymousUser) -> Institution | None:
    membership = membership_of(user)
    return membership.institution if membership else None


def has_role(user: User | AnonymousUser, *roles: str) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.role in roles


def _shared_with(policy: Policy, institution: Institution, action: str) -> Q:
    if policy.group_permission_model is None or action not in policy.shared_actions:
        return Q(pk__in=[])
    grants = policy.group_permission_model.objects.filter(  # type: ignore[attr-defined]
        content_object=OuterRef("pk"),
        group_id=institution.group_id,
        permission__codename=policy.codename(action),
    )
    return Q(Exists(grants))


def visible(
    model_or_qs: type[M] | QuerySet[M], user: User | AnonymousUser, action: str = VIEW
) -> QuerySet[M]:
    """Rows of the model the user may see (or act on): owned or shared with them.

    Guarantees: anonymous users, users without an active membership, and
    users whose role may not do `action` get an empty queryset.
    """
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    policy = policy_for(qs.model)
    membership = membership_of(user)
    if membership is None:
        return qs.none()
    allowed_roles = policy.roles.get(action)
    if allowed_roles is not None and membership.role not in allowed_roles:
        return qs.none()
    if policy.parent:
        parent_model = qs.model._meta.get_field(policy.parent).related_model
        qs = qs.filter(**{f"{policy.parent}__in": visible(parent_model, user, action).values("pk")})  # type: ignore[arg-type]
    else:
        institution = membership.institution
        qs = qs.filter(
            Q(**{policy.owner: institution.pk}) | _shared_with(policy, institution, action)  # type: ignore[arg-type]
        )
    return qs.filter(policy.condition(membership)) if policy.condition else qs


def can(user: User | AnonymousUser, obj: models.Model, action: str = VIEW) -> bool:
    """May the user do `action` to this particular row?"""
    return visible(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def get_visible_or_404(
    model_or_qs: type[M] | QuerySet[M],
    user: User | AnonymousUser,
    action: str = VIEW,
    **lookup: Any,
) -> M:
    """One row the user may act on; 404 for rows they may not even see.

    A row the user can see but not act on gives 403, so a read-only partner
    learns nothing they could not already see, and an outsider learns nothing.
    """
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    try:
        return visible(qs, user, action).get(**lookup)
    except qs.model.DoesNotExist:  # type: ignore[attr-defined]
        if action != VIEW and visible(qs, user, VIEW).filter(**lookup).exists():
            raise PermissionDenied from None
        raise Http404 from None


def owned_by(model_or_qs: type[models.Model] | QuerySet, institution: Institution) -> QuerySet:
    """The floor: rows owned by one institution, with no sharing. Used by the benchmark."""
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    policy = policy_for(qs.model)
    if policy.parent:
        parent_model = qs.model._meta.get_field(policy.parent).related_model
        return qs.filter(
            **{f"{policy.parent}__in": owned_by(parent_model, institution).values("pk")}  # type: ignore[arg-type]
        )
    return qs.filter(**{policy.owner: institution.pk})  # type: ignore[arg-type]
