"""The apps import one another only one way: no loop between apps, and the core
(cooperation) imports no feature app. Read from the source with `ast`, every
import counted — at module level, inside functions and under TYPE_CHECKING —
so a loop cannot hide in a function-level import."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
CORE = "cooperation"


def _apps() -> set[str]:
    names = {name.split(".")[0] for name in settings.INSTALLED_APPS}
    return {name for name in names if (ROOT / name / "__init__.py").exists()} | {"bench"}


def _imported(path: Path, package: str) -> set[str]:
    """Top-level package names that the module at `path` imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(package if node.level else (node.module or "").split(".")[0])
    return found


def app_graph() -> dict[str, set[str]]:
    """For each app, the other apps its code imports (migrations left out: they
    name the apps they depend on by design)."""
    apps = _apps()
    graph: dict[str, set[str]] = {}
    for app in sorted(apps):
        deps: set[str] = set()
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                deps |= _imported(path, app)
        graph[app] = (deps & apps) - {app}
    return graph


def test_no_import_loop_between_apps() -> None:
    try:
        order = list(TopologicalSorter(app_graph()).static_order())
    except CycleError as exc:
        raise AssertionError(f"Import loop between apps: {' -> '.join(exc.args[1])}") from exc
    assert order[0] == CORE


def test_the_core_imports_no_feature_app() -> None:
    assert app_graph()[CORE] == set()


def test_the_check_sees_a_loop(tmp_path: Path) -> None:
    graph = {"a": {"b"}, "b": {"a"}}
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError:
        return
    raise AssertionError("a loop went unnoticed")
