"""One way for an app to add to what another app shows or does, without either
importing the other: named hooks, after Wagtail's `wagtail/hooks.py`.

Each app puts its contributions in its own `hooks.py`, found at start-up
(`autodiscover()`, called once from `CooperationConfig.ready()`):

    from cooperation import hooks

    hooks.register("nav_items", NavItem(_("Plans"), "reintegration:list", order=20))

    @hooks.register("client_anonymised")
    def plans_anonymise(*, client, acting_user): ...

`get_hooks(name)` returns what was registered under a name, by `order` and then
in the order the apps are installed. A hook is usually a function; for the
declarative hooks (nav items, home sections, client panels and tabs, retention
rules) it is the item itself. The hooks in use, who calls them and what they take:

- `nav_items` (cooperation.navigation): `NavItem`s of the top bar.
- `home_sections` (cooperation.navigation): `HomeSection`s of the home page.
- `audit_person_paths` (cooperation.audit): fn() -> {model: path to the person}.
- `client_panels` (clients.panels): `ClientPanel`s on the client page's tabs.
- `client_tabs` (clients.panels): `ClientTab`s the client page gains.
- `client_timeline` (clients.timeline): fn(client, user) -> Iterable[TimelineEntry].
- `retention_rules` (clients.retention): `RetentionRule`s.
- `client_anonymised` (clients.services): fn(client=, acting_user=).
- `client_share_ended` (clients.services): fn(share=, acting_user=, reason=).
- `scope_lost:<scope>` (agreements.scope, `scope_lost_hook(scope)`):
  fn(institution, partner, reason), inside the transaction that ends the coverage.
- `events` (cooperation.events): fn(event) after the emitting transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import Any, TypeVar, overload

from django.apps import apps
from django.utils.module_loading import module_has_submodule

T = TypeVar("T")

_hooks: dict[str, list[tuple[Any, int]]] = {}
_searched = False


@overload
def register(hook_name: str, fn: None = None, order: int = 0) -> Callable[[T], T]: ...
@overload
def register(hook_name: str, fn: T, order: int = 0) -> T: ...
def register(hook_name: str, fn: Any = None, order: int = 0) -> Any:
    """Add `fn` to `hook_name`; without `fn`, a decorator that does. Registering
    the same object twice under one name keeps one."""
    if fn is None:

        def decorator(fn: T) -> T:
            register(hook_name, fn, order=order)
            return fn

        return decorator
    entries = _hooks.setdefault(hook_name, [])
    if all(existing is not fn for existing, _ in entries):
        entries.append((fn, order))
    return fn


def autodiscover() -> None:
    """Import every installed app's `hooks` module, once. This module is the core's
    `hooks`, so the core's own contributions live in `cooperation/core_hooks.py`."""
    global _searched
    if _searched:
        return
    _searched = True
    for config in apps.get_app_configs():
        name = "core_hooks" if f"{config.name}.hooks" == __name__ else "hooks"
        if module_has_submodule(config.module, name):
            import_module(f"{config.name}.{name}")


def get_hooks(hook_name: str) -> list[Any]:
    """What is registered under `hook_name`, by order (stable: ties keep app order)."""
    autodiscover()
    return [fn for fn, _ in sorted(_hooks.get(hook_name, []), key=lambda entry: entry[1])]


@contextmanager
def register_temporarily(hook_name: str, fn: Any, order: int = 0) -> Iterator[None]:
    """For tests: `fn` is registered only inside the `with` block."""
    register(hook_name, fn, order=order)
    try:
        yield
    finally:
        _hooks[hook_name] = [entry for entry in _hooks[hook_name] if entry[0] is not fn]
