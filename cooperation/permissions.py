"""The permission layer every app uses.

One `Policy` per model answers two questions (after Wagtail's permission
policies): "which rows may this user see?" (`visible`) and "may this user do
X to this row?" (`require`, raising `PermissionDenied` with the reason, and
`can`, its boolean face for views and templates). Views never filter by
institution themselves; they call `visible()` or `get_visible_or_404()`.

Each action's rule is one small function `(membership, obj) -> reason | None`
(`obj` is the row, or the model class for actions that create one); rules
compose with `all_of`. Each app declares its policies in its own
`permissions.py`, imported by autodiscovery from the core's `ready()`.

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

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, Institution, Membership
from .roles import MANAGING_ROLES

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

VIEW = "view"
CHANGE = "change"
M = TypeVar("M", bound=models.Model)

# A rule: None when the member may, else the reason (shown to the user) why not.
Reason = Any  # a str, or a lazy translation of one
Rule = Callable[[Membership, Any], Reason | None]

NO_MEMBERSHIP = _("You do not act for any institution.")
NOT_VISIBLE = _("You do not have access to this record.")
ROLE_MAY_NOT = _("Your role does not allow this.")


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
    on_grants_changed: fn(row, institution) run after object_share/object_unshare.
    """

    model: type[models.Model]
    owner: str | None = "institution"
    parent: str | None = None
    group_permission_model: type[models.Model] | None = None
    roles: dict[str, frozenset[str]] = field(default_factory=dict)
    shared_actions: frozenset[str] = frozenset({VIEW})
    condition: Callable[[Membership], Q] | None = None
    rules: dict[str, Rule] = field(default_factory=dict)
    # Called by object_share / object_unshare, in their transaction, after the grants
    # of one row to one institution changed: keeps a table derived from the grants
    # (the clients' access table) in step with them.
    on_grants_changed: Callable[[models.Model, Institution], None] | None = None

    def codename(self, action: str) -> str:
        return f"{action}_{self.model._meta.model_name}"

    @property
    def actions(self) -> frozenset[str]:
        """Every action this policy answers for (the matrix must have a row for each)."""
        return frozenset({VIEW, *self.roles, *self.rules})

    def reason(
        self, user: User | AnonymousUser, obj: models.Model | type[models.Model], action: str
    ) -> Reason | None:
        """Why the user may not do `action` to `obj` (a row, or the model for creation);
        None when they may."""
        membership = membership_of(user)
        if membership is None:
            return NO_MEMBERSHIP
        if action not in self.actions:
            raise LookupError(f"{self.model.__name__} has no rule for {action!r}")
        allowed_roles = self.roles.get(action)
        if allowed_roles is not None and membership.role not in allowed_roles:
            return ROLE_MAY_NOT
        if isinstance(obj, models.Model):
            # A rule of its own decides on the row the member can see; otherwise the
            # action follows visibility (owned, or shared for that action).
            acting_on = action if action not in self.rules else VIEW
            if not row_visible(obj, user, acting_on):
                return NOT_VISIBLE
        rule = self.rules.get(action)
        return rule(membership, obj) if rule is not None else None

    def require(
        self, user: User | AnonymousUser, obj: models.Model | type[models.Model], action: str
    ) -> None:
        """Raise PermissionDenied carrying the reason unless the user may do `action`."""
        reason = self.reason(user, obj, action)
        if reason is not None:
            raise PermissionDenied(reason)

    def can(
        self, user: User | AnonymousUser, obj: models.Model | type[models.Model], action: str
    ) -> bool:
        return self.reason(user, obj, action) is None


_registry: dict[type[models.Model], Policy] = {}


def register(policy: Policy) -> Policy:
    _registry[policy.model] = policy
    return policy


def add_rule(model: type[models.Model], action: str, rule: Rule) -> None:
    """Another app's action on this model (e.g. SEPI's lookup about a client), declared
    in that app's permissions.py so the dependency runs from it to the model's app."""
    policy_for(model).rules[action] = rule


def policies() -> list[Policy]:
    return list(_registry.values())


def policy_for(model: type[models.Model]) -> Policy:
    try:
        return _registry[model._meta.concrete_model or model]
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
    if membership is not None:
        # Rules that start from the membership (`granted`) reach the same user
        # object, its cached membership included, instead of loading both again.
        membership.user = user  # type: ignore[assignment]
    user._active_membership = membership  # type: ignore[union-attr]
    return membership


def institution_of(user: User | AnonymousUser) -> Institution | None:
    membership = membership_of(user)
    return membership.institution if membership else None


def acting_institution(user: User | AnonymousUser) -> Institution:
    """The institution a service acts for: the acting user's. Called after
    `require`, which refuses anyone without an active membership."""
    membership = membership_of(user)
    assert membership is not None  # require() refused anyone without one
    return membership.institution


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


# --- one answer per row and action within a request that changes nothing -------------
# A page asks "may this user see this client?" once to fetch it, then again for
# every button and panel that asks the policy (share, change, SEPI, promotion...).
# Within a GET nothing changes who sees what, so the answer is remembered for the
# request (InstitutionMiddleware opens the memo for safe methods only; services
# run outside requests, and POSTs, always ask the database).
_seen: ContextVar[dict[tuple[str, Any, str, Any], bool] | None] = ContextVar(
    "permission_answers", default=None
)


@contextmanager
def remembered_answers() -> Iterator[None]:
    """Remember row-visibility answers until the block ends (one safe request)."""
    token = _seen.set({})
    try:
        yield
    finally:
        _seen.reset(token)


def _answer_key(obj: models.Model, user: Any, action: str) -> tuple[str, Any, str, Any]:
    return (obj._meta.label, obj.pk, action, getattr(user, "pk", None))


def remember_visible(obj: models.Model, user: User | AnonymousUser, action: str) -> None:
    """`obj` was just fetched through `visible(..., user, action)`: no need to ask again."""
    seen = _seen.get()
    if seen is not None:
        seen[_answer_key(obj, user, action)] = True


def row_visible(obj: models.Model, user: User | AnonymousUser, action: str) -> bool:
    """Is this row among `visible(Model, user, action)`? One EXISTS query, asked once
    per request while the memo is open."""
    seen = _seen.get()
    key = _answer_key(obj, user, action)
    if seen is not None and key in seen:
        return seen[key]
    rows = obj.__class__._default_manager.filter(pk=obj.pk)
    answer = visible(rows, user, action).exists()
    if seen is not None:
        seen[key] = answer
    return answer


def _model(obj: models.Model | type[models.Model]) -> type[models.Model]:
    # __class__, not type(): a lazy object (request.institution) reports its target's.
    return obj if isinstance(obj, type) else obj.__class__


def can(
    user: User | AnonymousUser, obj: models.Model | type[models.Model], action: str = VIEW
) -> bool:
    """May the user do `action` to this row (or, given a model, create one)?"""
    return policy_for(_model(obj)).can(user, obj, action)


def require(
    user: User | AnonymousUser, obj: models.Model | type[models.Model], action: str = VIEW
) -> None:
    """The first line of every service that changes something: PermissionDenied with
    the reason (in the user's language) unless the user may do `action` to `obj`."""
    policy_for(_model(obj)).require(user, obj, action)


def reason(
    user: User | AnonymousUser, obj: models.Model | type[models.Model], action: str = VIEW
) -> Reason | None:
    return policy_for(_model(obj)).reason(user, obj, action)


# --- small rules, composed per action --------------------------------------------


def all_of(*rules: Rule) -> Rule:
    """The first reason any of the rules gives (they are asked in order)."""

    def rule(membership: Membership, obj: Any) -> Reason | None:
        for r in rules:
            if (why := r(membership, obj)) is not None:
                return why
        return None

    return rule


def role_in(roles: Iterable[str], why: Reason = ROLE_MAY_NOT) -> Rule:
    allowed = frozenset(roles)
    return lambda membership, obj: None if membership.role in allowed else why


def kind_in(kinds: Iterable[str], why: Reason) -> Rule:
    allowed = frozenset(kinds)
    return lambda membership, obj: None if membership.institution.kind in allowed else why


def owner_is_mine(path: str, why: Reason) -> Rule:
    """The row's owning institution (at `path`, e.g. "owner_id") is the member's.
    Asked of the model (may I do this at all?), it holds: what a member creates or
    manages that way is their own institution's."""

    def rule(membership: Membership, obj: Any) -> Reason | None:
        if isinstance(obj, type):
            return None
        value: Any = obj
        for part in path.split("__"):
            value = getattr(value, part)
        return None if value == membership.institution_id else why

    return rule


def granted(action: str, why: Reason = NOT_VISIBLE) -> Rule:
    """The row is the member's institution's, or shared with it for `action`."""

    def rule(membership: Membership, obj: Any) -> Reason | None:
        return None if row_visible(obj, membership.user, action) else why

    return rule


ALLOW: Rule = lambda membership, obj: None  # noqa: E731 - the open rule, named in tables


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
        found = visible(qs, user, action).get(**lookup)
    except qs.model.DoesNotExist:  # type: ignore[attr-defined]
        if action != VIEW and visible(qs, user, VIEW).filter(**lookup).exists():
            raise PermissionDenied from None
        raise Http404 from None
    remember_visible(found, user, action)
    return found


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


MANAGE_PEOPLE = "manage_people"  # invite, change roles, end memberships
_ONLY_MANAGERS = _("Only a coordinator or an administrator of this institution may do this.")
_managers = all_of(role_in(MANAGING_ROLES, _ONLY_MANAGERS), owner_is_mine("pk", _ONLY_MANAGERS))

register(
    Policy(
        Institution,
        owner="pk",
        roles={CHANGE: MANAGING_ROLES},
        rules={CHANGE: _managers, MANAGE_PEOPLE: _managers},
    )
)
register(Policy(Membership, roles={VIEW: MANAGING_ROLES, CHANGE: MANAGING_ROLES}))
register(Policy(AuditEvent, roles={VIEW: MANAGING_ROLES}))
