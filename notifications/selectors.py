"""Reads of the notification centre: a person's own notices, the unread count
(cached per person), and what each person chose per kind."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from cooperation.models import User
from cooperation.permissions import membership_of

from .kinds import KINDS, Kind
from .models import DEFAULT_DIGEST_HOUR, DigestSchedule, Notice, Preference

UNREAD_SECONDS = 3600


def unread_key(user_id: int) -> str:
    return f"notices:unread:{user_id}"


def unread_count(user: Any) -> int:
    """How many of the person's notices are unread: from the cache, or one COUNT on
    the (recipient, read_at) index. Writers and readers of notices forget it."""
    key = unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notice.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_SECONDS)
    return int(count)


def notices_for(user: Any, *, unread: bool = False, kind: str = "") -> QuerySet[Notice]:
    """The person's own notices, newest first; nobody else's, ever."""
    qs = Notice.objects.filter(recipient=user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-pk")


def notice_get_for_user(user: Any, pk: int) -> Notice:
    """One of the person's notices; 404 for anyone else's."""
    return get_object_or_404(Notice, pk=pk, recipient=user)


def targets_of(notices: Iterable[Notice]) -> dict[tuple[int, int], Any]:
    """The objects the notices are about, one query per model: {(type id, id): object}."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for notice in notices:
        wanted[notice.target_type_id].add(notice.target_id)
    found = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        for pk, obj in model._default_manager.in_bulk(list(ids)).items():
            found[(type_id, pk)] = obj
    return found


def still_open(user: Any, notices: Iterable[Notice]) -> set[int]:
    """The ids of the notices whose target the person may still open. A constant
    number of queries whatever their number: the targets one query per model, then
    each kind's `visible_among` once per model and check (kinds sharing a check, like
    the four promotion kinds, share its query)."""
    notices = list(notices)
    targets = targets_of(notices)
    groups: dict[tuple[Any, int], tuple[Kind, dict[int, Any]]] = {}
    for notice in notices:
        kind = KINDS.get(notice.kind)
        target = targets.get((notice.target_type_id, notice.target_id))
        if kind is None or target is None:
            continue
        check = kind.may_see_many or kind.may_see
        _kind, objects = groups.setdefault((check, notice.target_type_id), (kind, {}))
        objects[target.pk] = target
    open_targets: set[tuple[Any, int, int]] = set()
    for (check, type_id), (kind, objects) in groups.items():
        for pk in kind.visible_among(user, list(objects.values())):
            open_targets.add((check, type_id, pk))
    found = set()
    for notice in notices:
        kind = KINDS.get(notice.kind)
        if kind is None:
            continue
        check = kind.may_see_many or kind.may_see
        if (check, notice.target_type_id, notice.target_id) in open_targets:
            found.add(notice.pk)
    return found


def notice_rows(user: Any, notices: Iterable[Notice]) -> list[Notice]:
    """The notices of a page, each with `kind_obj` and `visible` (may the person
    still open what it is about): a notice whose target they lost shows only its kind."""
    notices = list(notices)
    opened = still_open(user, notices)
    for notice in notices:
        notice.kind_obj = KINDS.get(notice.kind)  # type: ignore[attr-defined]
        notice.visible = notice.pk in opened  # type: ignore[attr-defined]
    return notices


def notice_target(notice: Notice) -> Any:
    model = ContentType.objects.get_for_id(notice.target_type_id).model_class()
    if model is None:
        return None
    return model._default_manager.filter(pk=notice.target_id).first()


def kinds_for(user: Any) -> list[Kind]:
    """The kinds that can reach the person (their role, their institution's kind)."""
    membership = membership_of(user)
    return [kind for kind in KINDS.values() if kind.reaches(membership)]


def kinds_grouped(kinds: Iterable[Kind] | None = None) -> list[tuple[str, list[Kind]]]:
    """The kinds (all declared ones by default) by their group heading, in declaration order."""
    groups: dict[str, list[Kind]] = {}
    for kind in KINDS.values() if kinds is None else kinds:
        groups.setdefault(str(kind.group), []).append(kind)
    return list(groups.items())


def modes_for(user_ids: Iterable[int], kind: Kind) -> dict[int, str]:
    """What each person chose for `kind` (the kind's default where they chose nothing)."""
    ids = list(user_ids)
    chosen = dict(
        Preference.objects.filter(user_id__in=ids, kind=kind.name).values_list("user_id", "mode")
    )
    return {pk: chosen.get(pk, kind.default_mode) for pk in ids}


def preferences_of(user: User) -> dict[str, str]:
    """{kind name: mode} for every declared kind."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "mode"))
    return {name: chosen.get(name, kind.default_mode) for name, kind in KINDS.items()}


def digest_hour_of(institution: Any) -> int:
    schedule = DigestSchedule.objects.filter(institution=institution).first()
    return schedule.hour if schedule else DEFAULT_DIGEST_HOUR
