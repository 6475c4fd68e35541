"""The hook mechanism (cooperation/hooks.py) and what each app contributes through it."""

from __future__ import annotations

from agreements.models import Scope
from agreements.scope import scope_lost_handlers
from clients.panels import tabs
from cooperation import hooks


def test_hooks_come_back_by_order_then_as_registered() -> None:
    def first() -> None: ...
    def second() -> None: ...
    def early() -> None: ...

    with (
        hooks.register_temporarily("test_hook", first),
        hooks.register_temporarily("test_hook", second),
        hooks.register_temporarily("test_hook", early, order=-1),
    ):
        assert hooks.get_hooks("test_hook") == [early, first, second]
    assert hooks.get_hooks("test_hook") == []


def test_register_works_as_a_decorator_and_keeps_one_of_each() -> None:
    @hooks.register("test_decorated", order=5)
    def handler() -> str:
        return "done"

    try:
        hooks.register("test_decorated", handler)
        assert hooks.get_hooks("test_decorated") == [handler]
        assert handler() == "done"  # the decorator returns the function itself
    finally:
        hooks._hooks.pop("test_decorated")


def _modules(name: str) -> list[str]:
    return [fn.__module__.split(".")[0] for fn in hooks.get_hooks(name)]


def test_each_app_contributes_through_its_hooks_module() -> None:
    assert _modules("client_anonymised") == [
        "reintegration", "meetings", "sepi", "promotion", "messaging",
    ]  # fmt: skip
    assert _modules("client_share_ended") == ["reintegration", "messaging"]
    assert _modules("referral_links") == ["promotion"]
    assert len(hooks.get_hooks("client_timeline")) == 7
    assert {p.key for p in hooks.get_hooks("client_panels")} == {
        "access", "plan", "case_conferences", "sepi", "joboffers", "promotion", "referrals",
        "messages",
    }  # fmt: skip
    assert {r.kind for r in hooks.get_hooks("retention_rules")} == {
        "client_documents", "consent_scans", "closed_clients", "sepi_answers",
        "promotion_cases", "referral_snapshots",
    }  # fmt: skip
    assert len(hooks.get_hooks("nav_items")) == 18  # indicators, notifications, messaging
    assert len(hooks.get_hooks("home_sections")) == 19
    assert _modules("processing_declarations") == [
        "clients", "reintegration", "sepi", "partners", "messaging", "promotion", "meetings",
    ]  # fmt: skip
    assert _modules("processing_recipients") == ["agreements"]
    for scope in (
        Scope.CLIENT_RECORDS,
        Scope.JOB_OFFERS,
        Scope.JOINT_PLANS,
        Scope.PROMOTION,
        Scope.REFERRALS,
    ):
        assert len(scope_lost_handlers(scope)) == 1, scope


def test_the_client_page_tabs_include_the_plan_reintegration_adds() -> None:
    owner_tabs = [t.key for t in tabs(is_owner=True)]
    assert owner_tabs == ["record", "plan", "timeline", "messages", "notes", "documents", "sharing"]
    assert [t.key for t in tabs(is_owner=False)] == owner_tabs[:-1]
