"""What is counted: every indicator, the table it sits in and the rows it counts.

A `Source` is one model read in one query. `side` is the path to the
institution that holds the row (the referrer of a referral, the proposer of a
promotion case); `other` the path to the institution on the other end of the
joint work (the partner, the target office), when there is one. A `Metric` is
one conditional aggregate over the source's rows, for a period.

`groups` name the additive identities of a table (total = sum of parts): the
suppression needs them to hide a second cell wherever one small cell could be
worked out by subtraction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .periods import Period

Window = Callable[[Period], Q]


def _on(path: str) -> Window:
    """Rows whose date or datetime `path` falls within the period."""

    def window(period: Period) -> Q:
        if path.endswith(("_on", "_date", "_from", "_until", "week_start")):
            return Q(**{f"{path}__gte": period.start, f"{path}__lt": period.end})
        return Q(**{f"{path}__gte": period.start_at, f"{path}__lt": period.end_at})

    return window


def _and(window: Window, extra: Q) -> Window:
    return lambda period: window(period) & extra


def _lapsed(period: Period) -> Q:
    """Consents that stopped being valid during the period and were not withdrawn.

    A consent is valid on its `valid_until` day and lapses the day after (as
    `clients.services` marks it), and only once that day has come: one valid
    until 31 March lapses in the second quarter, and one valid until later in
    the current period has not lapsed yet.
    """
    day = dt.timedelta(days=1)
    return Q(
        valid_until__gte=period.start - day,
        valid_until__lt=min(period.end - day, timezone.localdate()),
        withdrawn_on__isnull=True,
    )


def _overdue(period: Period) -> Q:
    """Steps overdue at the end of the period: added before its end, due before it
    and not done or dropped by then (`closed_on`, the day a step closed). In the
    current period: overdue by today, not by its end. A reopened step is open again
    (its earlier done day is cleared); a done or dropped step with no day known
    counts as closed before any period."""
    from reintegration.models import OPEN_STEP_STATUSES

    return Q(
        created_at__lt=period.end_at,
        due_date__lt=min(period.end, timezone.localdate()),
    ) & (Q(status__in=OPEN_STEP_STATUSES) | Q(closed_on__gte=period.end))


def _started(window: Window) -> Window:
    """Rows of the window whose `starts_at` has come: a meeting later in the
    current period has not been held yet."""
    return lambda period: window(period) & Q(starts_at__lt=timezone.now())


@dataclass(frozen=True)
class Metric:
    key: str
    label: Promise | str
    window: Window
    # "count" counts rows (people, cases: suppressed below 5 outside the owner);
    # "sum:<field>" adds a quantity (hours), shown only with its base count.
    aggregate: str = "count"
    base: str = ""  # for sums and medians: the count whose suppression they follow
    chart: bool = True


@dataclass(frozen=True)
class Median:
    """A median and a maximum of a duration between two datetimes, in `unit` hours."""

    key: str
    label: Promise | str
    on: str  # the datetime that puts a row in a period
    start: str
    finish: str
    base: str
    unit: float = 1.0
    longest_key: str = ""
    longest_label: Promise | str = ""


@dataclass(frozen=True)
class Source:
    model: str  # "app_label.Model"
    side: str
    other: str | None
    metrics: tuple[Metric, ...]
    medians: tuple[Median, ...] = ()
    # `other` crosses a many-valued relation (a plan's participants, an event's
    # institutions): a row may join several times, so counts must be DISTINCT.
    fans_out: bool = False


@dataclass(frozen=True)
class Breakdown:
    """One count split by a related row (a board, an institution): a row per
    value found in the scope, under a total. One query for all the rows."""

    key: str  # the total's key; a row's key is f"{key}_{id}"
    label: Promise | str  # the total's label
    source: Source  # its single metric is what is counted
    by: str  # the path to the id that makes a row
    name: str  # the path to the row's label

    @property
    def metric(self) -> Metric:
        return self.source.metrics[0]

    def row_key(self, pk: object) -> str:
        return f"{self.key}_{pk}"

    @property
    def rows_key(self) -> str:
        """Where the figures keep the rows' (key, label) pairs, newest labels first."""
        return f"{self.key}__rows"


@dataclass(frozen=True)
class Table:
    key: str
    title: Promise | str
    sources: tuple[Source, ...] = ()
    groups: tuple[tuple[str, tuple[str, ...]], ...] = field(default_factory=tuple)
    breakdown: Breakdown | None = None


def _status_parts(prefix: str, path: str, window: Window, choices) -> tuple[Metric, ...]:
    return tuple(
        Metric(f"{prefix}_{value}", label, _and(window, Q(**{path: value})), chart=False)
        for value, label in choices
    )


def tables() -> tuple[Table, ...]:
    """Built on first use: the choices come from the apps' models."""
    global _TABLES
    if _TABLES is None:
        _TABLES = _build()
    return _TABLES


_TABLES: tuple[Table, ...] | None = None


def _build() -> tuple[Table, ...]:  # noqa: PLR0915 - one declaration, read top to bottom
    from clients.models import AccessRequestStatus
    from meetings.models import ActionStatus, EventKind, EventStatus
    from partners.models import Outcome as ReferralOutcome
    from partners.models import Status as ReferralStatus
    from promotion.models import CaseOutcome, CaseStatus
    from reintegration.models import VOCATIONAL_AREAS, Area, PlanOutcome, PlanStatus, StepStatus
    from sepi.models import LookupStatus

    shared = _on("created_at")
    requests = _on("created_at")
    clients = Table(
        "clients",
        _("Shared clients, consents and access requests"),
        (
            Source(
                "clients.ClientShare",
                "client__owner",
                "partner",
                (
                    Metric("shares_new", _("clients newly shared"), shared),
                    Metric(
                        "shares_active",
                        _("clients shared at the end of the period"),
                        lambda p: (
                            Q(created_at__lt=p.end_at)
                            & (Q(ended_at__isnull=True) | Q(ended_at__gte=p.end_at))
                        ),
                    ),
                ),
            ),
            Source(
                "clients.Consent",
                "client__owner",
                "partner",
                (
                    Metric("consents_given", _("consents given"), _on("given_on")),
                    Metric("consents_withdrawn", _("consents withdrawn"), _on("withdrawn_on")),
                    Metric("consents_lapsed", _("consents lapsed"), _lapsed),
                ),
            ),
            Source(
                "clients.AccessRequest",
                "client__owner",
                "requester",
                (
                    Metric("requests", _("access requests"), requests),
                    *_status_parts("requests", "status", requests, AccessRequestStatus.choices),
                ),
            ),
        ),
        groups=(("requests", tuple(f"requests_{v}" for v in AccessRequestStatus.values)),),
    )

    due = _on("due_date")
    created = _on("created_at")
    reviewed = _on("held_on")
    plans = Table(
        "plans",
        _("Joint reintegration plans"),
        (
            Source(
                "reintegration.ReintegrationPlan",
                "client__owner",
                "participants__institution",
                fans_out=True,
                metrics=(
                    Metric("plans_opened", _("plans opened"), _on("created_at")),
                    Metric("plans_closed", _("plans closed"), _on("closed_at")),
                ),
            ),
            Source(
                "reintegration.Step",
                "institution",
                "plan__client__owner",
                (
                    Metric("steps_due", _("steps due"), due),
                    *_status_parts("steps_due", "status", due, StepStatus.choices),
                    Metric("steps_overdue", _("steps overdue at the end of the period"), _overdue),
                    Metric(
                        "steps_vocational_first",
                        _("vocational steps before a basic need was met (justified)"),
                        _and(created, Q(area__in=VOCATIONAL_AREAS) & ~Q(justification="")),
                    ),
                ),
            ),
            Source(
                "reintegration.Review",
                "institution",
                "plan__client__owner",
                (
                    Metric("reviews", _("plan reviews held"), reviewed),
                    Metric(
                        "reviews_on_time",
                        _("held by the date set for them"),
                        _and(reviewed, Q(due_on__isnull=False, held_on__lte=F("due_on"))),
                        chart=False,
                    ),
                    Metric(
                        "reviews_late",
                        _("held after the date set for them"),
                        _and(reviewed, Q(due_on__isnull=False, held_on__gt=F("due_on"))),
                        chart=False,
                    ),
                    Metric(
                        "reviews_unscheduled",
                        _("held with no date set for them"),
                        _and(reviewed, Q(due_on__isnull=True)),
                        chart=False,
                    ),
                ),
            ),
        ),
        groups=(
            ("steps_due", tuple(f"steps_due_{v}" for v in StepStatus.values)),
            ("reviews", ("reviews_on_time", "reviews_late", "reviews_unscheduled")),
        ),
    )

    # A plan closed before the outcome was asked for has "not recorded" (and a
    # blank one, loaded by other means, counts there too): total = sum of parts.
    ended = _and(_on("closed_at"), Q(status=PlanStatus.CLOSED))
    unrecorded = [PlanOutcome.NOT_RECORDED.value, ""]
    outcomes = Table(
        "outcomes",
        _("Joint plans closed, by outcome"),
        (
            Source(
                "reintegration.ReintegrationPlan",
                "client__owner",
                "participants__institution",
                fans_out=True,
                metrics=(
                    Metric("plans_ended", _("plans closed"), ended, chart=False),
                    *(
                        Metric(
                            f"plans_ended_{value}",
                            label,
                            _and(
                                ended,
                                Q(closing_outcome__in=unrecorded)
                                if value == PlanOutcome.NOT_RECORDED
                                else Q(closing_outcome=value),
                            ),
                        )
                        for value, label in PlanOutcome.choices
                    ),
                ),
            ),
        ),
        groups=(("plans_ended", tuple(f"plans_ended_{v}" for v in PlanOutcome.values)),),
    )

    areas = Table(
        "areas",
        _("Steps added, by need area"),
        (
            Source(
                "reintegration.Step",
                "institution",
                "plan__client__owner",
                (
                    Metric("steps_added", _("steps added"), created),
                    *_status_parts("steps_area", "area", created, Area.choices),
                ),
            ),
        ),
        groups=(("steps_added", tuple(f"steps_area_{v}" for v in Area.values)),),
    )

    sent = _on("sent_at")
    completed = _on("completed_on")
    referrals = Table(
        "referrals",
        _("Referrals to partner organisations"),
        (
            Source(
                "partners.Referral",
                "referrer",
                "partner",
                (
                    Metric("referrals_sent", _("referrals sent"), sent),
                    *_status_parts("referrals_status", "status", sent, ReferralStatus.choices),
                    Metric(
                        "referrals_answered_in_time",
                        _("answered within 2 working days"),
                        _and(
                            sent,
                            Q(answered_at__isnull=False, answered_at__date__lte=F("respond_by")),
                        ),
                    ),
                    Metric(
                        "referrals_completed",
                        _("referrals completed"),
                        _and(completed, Q(status=ReferralStatus.COMPLETED)),
                    ),
                    *_status_parts(
                        "referrals_completed",
                        "outcome",
                        _and(completed, Q(status=ReferralStatus.COMPLETED)),
                        [*ReferralOutcome.choices, ("", _("no outcome recorded"))],
                    ),
                ),
                medians=(
                    Median(
                        "referrals_answer_hours",
                        _("median time to answer (hours)"),
                        "sent_at",
                        "sent_at",
                        "answered_at",
                        base="referrals_sent",
                    ),
                ),
            ),
            Source(
                "partners.ServiceDelivery",
                "referral__referrer",
                "referral__partner",
                (
                    Metric("deliveries", _("services delivered"), _on("delivered_on")),
                    Metric(
                        "delivery_hours",
                        _("hours of service delivered"),
                        _on("delivered_on"),
                        aggregate="sum:hours",
                        base="deliveries",
                        chart=False,
                    ),
                ),
            ),
        ),
        groups=(
            ("referrals_sent", tuple(f"referrals_status_{v}" for v in ReferralStatus.values)),
            (
                "referrals_completed",
                tuple(f"referrals_completed_{v}" for v in [*ReferralOutcome.values, ""]),
            ),
        ),
    )

    offers = Table(
        "joboffers",
        _("Job offers"),
        (
            Source(
                "joboffers.Publication",
                "offer__institution",
                "board__institution",
                (
                    Metric(
                        "publications", _("offers published to noticeboards"), _on("published_at")
                    ),
                ),
            ),
            Source(
                "joboffers.BoardPrint",
                "board__institution",
                None,
                (Metric("prints", _("noticeboard sheets printed"), _on("week_start")),),
            ),
            Source(
                "joboffers.OfferProposal",
                "institution",
                "offer__institution",
                (Metric("proposals", _("offers proposed to clients"), _on("proposed_on")),),
            ),
        ),
    )

    boards = Table(
        "boards",
        _("Job offers published, by noticeboard"),
        breakdown=Breakdown(
            "board_publications",
            _("offers published to noticeboards"),
            Source(
                "joboffers.Publication",
                "offer__institution",
                "board__institution",
                (Metric("board_publications", "", _on("published_at")),),
            ),
            by="board__institution_id",
            name="board__institution__name",
        ),
    )

    closed = _and(_on("closed_at"), Q(status=CaseStatus.CLOSED))
    promotion = Table(
        "promotion",
        _("Promotion queue"),
        (
            Source(
                "promotion.PromotionCase",
                "proposer",
                "target",
                (
                    Metric("cases_proposed", _("clients proposed"), _on("proposed_at")),
                    Metric("cases_taken", _("cases taken by the labour office"), _on("taken_at")),
                    Metric("cases_closed", _("cases closed"), closed),
                    *_status_parts(
                        "cases_closed",
                        "outcome",
                        closed,
                        [*CaseOutcome.choices, ("", _("no outcome"))],
                    ),
                ),
                medians=(
                    Median(
                        "cases_wait_days",
                        _("median wait until taken (days)"),
                        "taken_at",
                        "proposed_at",
                        "taken_at",
                        base="cases_taken",
                        unit=24.0,
                        longest_key="cases_wait_longest",
                        longest_label=_("longest wait until taken (days)"),
                    ),
                ),
            ),
        ),
        groups=(("cases_closed", tuple(f"cases_closed_{v}" for v in [*CaseOutcome.values, ""])),),
    )

    present = _and(_on("occurrence__starts_at"), Q(present=True))
    held = _started(_and(_on("starts_at"), Q(cancelled=False, event__status=EventStatus.SCHEDULED)))
    meetings = Table(
        "meetings",
        _("Meetings and trainings"),
        (
            Source(
                "meetings.Occurrence",
                "event__organiser",
                "event__institution_links__institution",
                fans_out=True,
                metrics=(
                    Metric(
                        "meetings_held",
                        _("meetings held"),
                        _and(held, ~Q(event__kind=EventKind.TRAINING)),
                    ),
                    Metric(
                        "trainings_held",
                        _("trainings held"),
                        _and(held, Q(event__kind=EventKind.TRAINING)),
                    ),
                ),
            ),
            Source(
                "meetings.ActionItem",
                "institution",
                "minutes__occurrence__event__organiser",
                (
                    Metric("actions_due", _("action items due"), _on("due_date")),
                    Metric(
                        "actions_on_time",
                        _("action items done on time"),
                        _and(
                            _on("due_date"),
                            Q(status=ActionStatus.DONE, done_at__date__lte=F("due_date")),
                        ),
                    ),
                ),
            ),
        ),
    )

    attendance = Table(
        "attendance",
        _("Attendance at meetings and trainings, by institution"),
        breakdown=Breakdown(
            "attendance_by",
            _("attendances (people present)"),
            Source(
                "meetings.Attendance",
                "institution",
                "occurrence__event__organiser",
                (Metric("attendance_by", "", present),),
            ),
            by="institution_id",
            name="institution__name",
        ),
    )

    asked = _on("requested_at")
    sepi = Table(
        "sepi",
        _("SEPI"),
        (
            Source(
                "sepi.Lookup",
                "institution",
                "client__owner",
                (
                    Metric("lookups", _("SEPI lookups"), asked),
                    Metric(
                        "lookups_failed",
                        _("failed lookups"),
                        _and(asked, Q(status=LookupStatus.FAILED)),
                    ),
                    Metric(
                        "lookups_changes",
                        _("changes found by batch checks"),
                        _and(asked, Q(batch__isnull=False) & ~Q(changes=[])),
                    ),
                ),
            ),
        ),
    )
    return (
        clients,
        plans,
        outcomes,
        areas,
        referrals,
        offers,
        boards,
        promotion,
        meetings,
        attendance,
        sepi,
    )
