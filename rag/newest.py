"""The newest word wins: current-state questions, stale answers, and what changed over time.

A question about how things stand now ("when will the stadium open?") is
answered by the latest article that speaks to it, not the best-worded old one;
when even the newest source is more than a month older than the as-of day the
answer says "As of <date>:" so nobody reads an old state as today's; and when
the passages are of different dates the model is told to say what changed,
in one short line (prompt tokens are prefill time on a CPU).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from rag.dates import long_date
from rag.types import Passage

STALE_DAYS = 30

_CURRENT = re.compile(
    r"\b(now|currently|current|latest|still|as of|at present|so far|yet|"
    r"when (will|is|does|do)|will .+ (open|start|end|close|finish|happen|be)|"
    r"what is the (status|state|plan|date|timetable|schedule|cost|price|figure|number)|"
    r"expected|scheduled|due to|how (much|many) .+ (now|so far))\b",
    re.I,
)

CHANGE_NOTE = (
    "Passages have different dates; the newest is the current state. If they disagree, "
    "say what changed and when."
)


def is_current_state(question: str) -> bool:
    """True for questions about how things stand now, where a newer article overrides."""
    return bool(_CURRENT.search(question))


def _day(passage: Passage) -> date | None:
    try:
        return date.fromisoformat(passage.date) if passage.date else None
    except ValueError:
        return None


def newest_date(passages: Sequence[Passage]) -> date | None:
    days = [d for p in passages if (d := _day(p))]
    return max(days) if days else None


def stale_prefix(passages: Sequence[Passage], as_of: date) -> str:
    """'As of 2 April 2026: ' when the newest of ``passages`` is over a month before ``as_of``."""
    newest = newest_date(passages)
    if newest is None or (as_of - newest).days <= STALE_DAYS:
        return ""
    return f"As of {long_date(newest)}: "


def needs_change_note(passages: Sequence[Passage]) -> bool:
    """Several dates among the passages the model reads: it may have to say what changed."""
    return len({p.date for p in passages if p.in_prompt and p.date}) > 1


def prefer_newest(
    found: Sequence[tuple[float, Passage, int]], margin: float = 0.15
) -> list[tuple[float, Passage, int]]:
    """Answering sentences with the newest article first among those near the best score.

    For a current-state question a later article's sentence beats a slightly
    better-worded earlier one: the later one is what is true now.
    """
    if not found:
        return []
    best = max(score for score, _, _ in found)
    close = [f for f in found if f[0] >= best - margin]
    rest = [f for f in found if f[0] < best - margin]

    def key(item: tuple[float, Passage, int]) -> tuple[int, float]:
        day = _day(item[1])
        return (day.toordinal() if day else 0, item[0])

    return sorted(close, key=key, reverse=True) + sorted(rest, key=lambda f: -f[0])
