"""Bar charts drawn on the server as inline SVG (no script, no library).

The promotion figures were the first; the indicators dashboard draws the same
way. A chart is never the only carrier of a number: every page that draws one
also prints its data table (WCAG 1.1.1 / 1.3.1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

CHART_HEIGHT = 160
CHART_BAR = 14


def bar_chart(
    table: Sequence[dict[str, Any]],
    *,
    series: Sequence[tuple[str, str, str]],
    label: str,
    group_gap: int = 20,
) -> dict[str, Any]:
    """Bar geometry for the inline SVG: one group per row of `table`, one bar per
    series `(key, css class, legend label)`.

    A value that is not a number (a suppressed "<5") draws no bar; its title
    says what the table says, taken from `row[key + "_text"]` when present.
    """
    numbers = [row[key] for row in table for key, _css, _l in series]
    peak = max([1, *(n for n in numbers if isinstance(n, int | float))])
    group = len(series) * CHART_BAR + group_gap
    groups = []
    for i, row in enumerate(table):
        x0 = 40 + i * group
        bars = []
        for j, (key, css, _legend) in enumerate(series):
            value = row[key]
            size = value if isinstance(value, int | float) else 0
            height = round(size * CHART_HEIGHT / peak)
            bars.append(
                {
                    "x": x0 + j * CHART_BAR,
                    "y": 10 + CHART_HEIGHT - height,
                    "height": height,
                    "value": row.get(f"{key}_text", value),
                    "css": css,
                    "key": key,
                }
            )
        # `short`: an abbreviated label under the bars (the full one is in the title and the table).
        groups.append({"label": row[label], "short": row.get("short"), "x": x0, "bars": bars})
    return {
        "groups": groups,
        "width": 60 + max(1, len(table)) * group,
        "height": CHART_HEIGHT + 40,
        "baseline": 10 + CHART_HEIGHT,
        "label_y": CHART_HEIGHT + 28,
        "peak": peak,
        "bar": CHART_BAR - 2,
        "legend": [(css, legend) for _key, css, legend in series],
    }
