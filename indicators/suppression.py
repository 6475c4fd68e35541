"""Small numbers protect people: statistical disclosure control of a table.

Outside the institution that holds the rows, a count below `SMALL` is shown as
"<5" (primary suppression). Where a table states that a total is the sum of
parts, a lone hidden cell could be worked out by subtraction, so a second cell
of the same identity is hidden too (complementary suppression), repeated until
every identity holds no hidden cell or at least two. A sum or a median that
describes a hidden count is hidden with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

SMALL = 5
SMALL_TEXT = "<5"
HIDDEN_TEXT = "×"

Number = int | float | Decimal | None


@dataclass(frozen=True)
class Cell:
    value: Number
    text: str
    hidden: bool = False

    @property
    def number(self) -> Number:
        """What a chart may draw: nothing for a hidden cell."""
        return None if self.hidden else self.value


def _fmt(value: Number) -> str:
    if value is None:
        return "—"
    if isinstance(value, float | Decimal):
        text = f"{value:.1f}"
        return text[:-2] if text.endswith(".0") else text.replace(".", ",")
    return str(value)


def suppress(
    values: Mapping[str, Number],
    *,
    counts: Iterable[str],
    groups: Iterable[tuple[str, Iterable[str]]] = (),
    dependents: Mapping[str, str] | None = None,
    exact: bool = False,
) -> dict[str, Cell]:
    """Cells for one column of a table. `counts` are the keys that count people
    or cases; `groups` the (total, parts) identities; `dependents` map a sum or
    a median to the count it describes."""
    if exact:
        return {k: Cell(v, _fmt(v)) for k, v in values.items()}
    counts = set(counts)
    small = {k for k in counts if k in values and (values[k] or 0) < SMALL}
    hidden = set(small)
    identities = [(total, [p for p in parts if p in values]) for total, parts in groups]
    changed = True
    while changed:
        changed = False
        for total, parts in identities:
            members = [total, *parts]
            if sum(m in hidden for m in members) != 1:
                continue
            candidates = sorted(
                (m for m in parts if m not in hidden), key=lambda m: (values[m] or 0, m)
            ) or [m for m in (total,) if m not in hidden]
            if not candidates:  # a total with no parts (an empty breakdown): nothing to work out
                continue
            hidden.add(candidates[0])
            changed = True
    for key, base in (dependents or {}).items():
        if base in hidden:
            hidden.add(key)
    cells = {}
    for key, value in values.items():
        if key in small:
            cells[key] = Cell(None, SMALL_TEXT, hidden=True)
        elif key in hidden:
            cells[key] = Cell(None, HIDDEN_TEXT, hidden=True)
        else:
            cells[key] = Cell(value, _fmt(value))
    return cells
