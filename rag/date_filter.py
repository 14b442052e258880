"""Which chunks a search keeps (publish dates, and optionally only some articles), as a mask
over the chunk table and as Chroma's filter.

The dense and BM25 searches must drop the same chunks, or fusion would bring
back through one list what the other filtered out; both read ``DateBounds``.
The filter is expressed in llama-index's ``MetadataFilters`` on the integer
``date_int`` metadata, which the Chroma store turns into a ``where`` clause.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from llama_index.core.vector_stores.types import (
    FilterCondition,
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
)


@dataclass(frozen=True)
class DateBounds:
    """Which publish dates a search keeps: ``low``..``high`` (YYYYMMDD, inclusive, 0 open).

    Undated articles (date 0) pass unless ``dated_only``; ``as_of`` and
    ``date_to`` both bound from above, so the lower of the two wins.
    """

    low: int = 0
    high: int = 0
    dated_only: bool = False
    files: frozenset[str] = frozenset()  # only these articles (corpus file names); empty: all

    @classmethod
    def of(
        cls,
        as_of: int | None = None,
        date_from: int | None = None,
        date_to: int | None = None,
        dated_only: bool = False,
        files: Sequence[str] | None = None,
    ) -> DateBounds:
        highs = [d for d in (as_of, date_to) if d]
        low, high = int(date_from or 0), min(highs) if highs else 0
        return cls(low, high, bool(dated_only), frozenset(files or ()))

    @property
    def active(self) -> bool:
        return bool(self.low or self.high or self.dated_only or self.files)

    def keeps(self, day: int, file: str | None = None) -> bool:
        if self.files and file not in self.files:
            return False
        if not day:
            return not self.dated_only
        return (not self.low or day >= self.low) and (not self.high or day <= self.high)

    def mask(self, days: np.ndarray, files: np.ndarray | None = None) -> np.ndarray:
        """``files`` holds each chunk's article file name, needed when ``self.files`` is set."""
        keep = np.ones(len(days), dtype=bool)
        if self.low:
            keep &= days >= self.low
        if self.high:
            keep &= days <= self.high
        keep |= days == 0
        if self.dated_only:
            keep &= days != 0
        if self.files:
            known = files is not None and len(files) == len(days)
            keep &= np.isin(files, list(self.files)) if known else False
        return keep


def date_filter(as_of: int | None, bounds: DateBounds | None = None) -> MetadataFilters | None:
    """The Chroma ``where`` clause for a date cut-off or window (an int ``date_int``), and for
    the articles a search is kept to (``file``)."""
    bounds = bounds or DateBounds.of(as_of)
    if not bounds.active:
        return None
    dates = _dates_filter(bounds)
    if not bounds.files:
        return dates
    files = MetadataFilter(key="file", value=sorted(bounds.files), operator=FilterOperator.IN)
    return MetadataFilters(filters=[files, *([dates] if dates else [])])


def _dates_filter(bounds: DateBounds) -> MetadataFilters | None:
    dated: list[MetadataFilter | MetadataFilters] = []
    if bounds.low:
        dated.append(MetadataFilter(key="date_int", value=bounds.low, operator=FilterOperator.GTE))
    if bounds.high:
        dated.append(MetadataFilter(key="date_int", value=bounds.high, operator=FilterOperator.LTE))
    if bounds.dated_only:
        dated.append(MetadataFilter(key="date_int", value=0, operator=FilterOperator.GT))
        return MetadataFilters(filters=dated)
    if not dated:
        return None
    if not bounds.low:  # date_int <= high already lets undated (0) articles through
        return MetadataFilters(filters=dated)
    undated = MetadataFilter(key="date_int", value=0, operator=FilterOperator.EQ)
    return MetadataFilters(
        filters=[MetadataFilters(filters=dated), undated], condition=FilterCondition.OR
    )
