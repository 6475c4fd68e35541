"""The top navigation and the home page, per role, extended by each app.

Apps add their entries in their `hooks.py` (hooks `nav_items` and
`home_sections`, see cooperation/hooks.py) so the base layout never needs to
know which apps exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

from . import hooks
from .http import MemberRequest

ALL_ROLES: frozenset[str] = frozenset()  # empty means "every role"


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str] = ALL_ROLES
    order: int = 100
    # Less frequent pages go under "More", so the bar stays one row at 1366 px.
    more: bool = False
    # ("app_label.Model", action): shown only to whom the policy allows it, so the
    # menu offers nothing the person may not use.
    permission: tuple[str, str] | None = None

    def allowed(self, user: Any) -> bool:
        if self.permission is None or user is None:
            return True
        from django.apps import apps

        from .permissions import can

        return can(user, apps.get_model(self.permission[0]), self.permission[1])


@dataclass(frozen=True)
class HomeSection:
    """A box on the home page listing the user's own work of one kind.

    `items(request)` returns the rows to show (already permission-filtered and
    limited); an empty list shows the section's `empty` text.

    `lazy=True`: the home page renders the box with its title and a placeholder,
    and htmx fills it from `/home/section/<key>/` (`home_section`), so the section's
    queries are not paid by the page's first paint. For boxes below the first
    screen, or whose query is more than one indexed lookup; the home page's
    budget (tests/cooperation/test_budgets.py) counts only eager sections.
    """

    key: str
    title: str | Promise
    template: str
    items: Callable[[MemberRequest], Any]
    roles: frozenset[str] = ALL_ROLES
    order: int = 100
    empty: str | Promise = ""
    more_url_name: str = ""
    lazy: bool = False


def _nav() -> list[NavItem]:
    return list(dict.fromkeys(hooks.get_hooks("nav_items")))


def _home() -> dict[str, HomeSection]:
    return {section.key: section for section in hooks.get_hooks("home_sections")}


def _for_role(roles: frozenset[str], role: str | None) -> bool:
    return not roles or (role is not None and role in roles)


def nav_for(role: str | None, user: Any = None) -> list[NavItem]:
    return sorted(
        (i for i in _nav() if _for_role(i.roles, role) and i.allowed(user)),
        key=lambda i: i.order,
    )


def nav_split(role: str | None, user: Any = None) -> tuple[list[NavItem], list[NavItem]]:
    """(the bar, the "More" menu) for a role (and the user, for items a policy guards);
    a lone "more" item stays on the bar."""
    items = nav_for(role, user)
    more = [i for i in items if i.more]
    if len(more) < 2:
        return items, []
    return [i for i in items if not i.more], more


@dataclass
class RenderedSection:
    section: HomeSection
    items: list[Any] = field(default_factory=list)
    # A lazy section's items are not loaded yet: the page shows a placeholder.
    pending: bool = False


def _render(section: HomeSection, request: MemberRequest, *, eager: bool) -> RenderedSection:
    if section.lazy and not eager:
        return RenderedSection(section=section, pending=True)
    return RenderedSection(section=section, items=list(section.items(request)))


def home_sections_for(request: MemberRequest) -> list[RenderedSection]:
    """The user's home page: every section for their role, in order; lazy ones pending."""
    role = request.membership.role if request.membership else None
    sections = sorted(
        (s for s in _home().values() if _for_role(s.roles, role)), key=lambda s: s.order
    )
    return [_render(s, request, eager=False) for s in sections]


def home_section_for(request: MemberRequest, key: str) -> RenderedSection | None:
    """One section of the user's home page, loaded (what `/home/section/<key>/`
    shows); None when there is no such section for the user's role."""
    section = _home().get(key)
    role = request.membership.role if request.membership else None
    if section is None or not _for_role(section.roles, role):
        return None
    return _render(section, request, eager=True)
