"""Picking a small, spread-out subset of questions for a quick run (``rag eval --limit``).

A gold set is spread over question types and the news benchmark over weeks; both
use the one round-robin here, so a short run still covers every group.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")


def round_robin(items: Sequence[T], group: Callable[[T], Hashable], limit: int | None) -> list[T]:
    """``limit`` items taken round-robin across groups, returned in their original order.

    Groups are visited in the order they first appear (the file order: question
    types as listed, weeks in date order), taking the first item of each, then
    the second of each, and so on. Deterministic; ``None`` or a ``limit`` at
    least the size of ``items`` keeps them all.
    """
    if limit is None or limit >= len(items):
        return list(items)
    groups: dict[Hashable, list[int]] = {}
    for index, item in enumerate(items):
        groups.setdefault(group(item), []).append(index)
    chosen: set[int] = set()
    depth = 0
    while len(chosen) < limit:
        for members in groups.values():
            if depth < len(members) and len(chosen) < limit:
                chosen.add(members[depth])
        depth += 1
    return [item for index, item in enumerate(items) if index in chosen]
