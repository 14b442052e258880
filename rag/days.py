"""Days as the index stores them (YYYYMMDD ints), as people write them, and window lines.

Every interface takes a day as ``YYYY-MM-DD`` (or a ``YYYYMMDD`` int) and shows a
window as "searched articles from 9–15 March 2026": the conversions live here.
"""

from __future__ import annotations

import calendar
from datetime import date


def to_int(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def from_int(value: int | None) -> date | None:
    """The date of a YYYYMMDD int; None for 0/None (an undated article).

    ValueError for an int that is no day; a huge one (``10**20``) overflows the
    C ``date`` constructor, so that is caught too, never a 500 in the API.
    """
    if not value:
        return None
    try:
        return date(value // 10000, value // 100 % 100, value % 100)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"{value} is not a YYYYMMDD date.") from exc


def parse_day(value: str) -> date:
    """A YYYY-MM-DD string (CLI and API input) as a date; ValueError says how to write it."""
    try:
        return date.fromisoformat(value.strip())
    except (ValueError, AttributeError) as exc:
        raise ValueError(f"{value!r} is not a date: write it as YYYY-MM-DD.") from exc


def as_date(value: int | str | date | None) -> date | None:
    """A day given as YYYYMMDD int, YYYY-MM-DD string or date; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, int):
        return from_int(value)
    return parse_day(value)


def day_int(value: int | str | date | None) -> int | None:
    """A day as the YYYYMMDD int the index stores (see ``as_date``)."""
    day = as_date(value)
    return to_int(day) if day else None


def check_order(
    start: int | None, end: int | None, names: tuple[str, str] = ("date_from", "date_to")
) -> None:
    """ValueError when a window ends before it starts: it could only ever find nothing.

    Shared by every interface (the API's ``date_from``/``date_to``, the CLI's
    ``--since``/``--until``), each naming its own fields.
    """
    if start and end and start > end:
        raise ValueError(f"{names[0]} is after {names[1]}: swap them or widen the range.")


def long_date(day: date) -> str:
    """'2 April 2026': how the answer and the window line write a day."""
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def window_dict(start: int | None, end: int | None) -> dict[str, str | None] | None:
    """The ``{"from", "to"}`` object for int bounds; None when both are open."""
    if not start and not end:
        return None
    first, last = from_int(start), from_int(end)
    return {
        "from": first.isoformat() if first else None,
        "to": last.isoformat() if last else None,
    }


def describe(window: dict[str, str | None] | None) -> str:
    """The line a person reads: 'searched articles from 9–15 March 2026'; '' for no window."""
    if not window or not (window.get("from") or window.get("to")):
        return ""
    start = date.fromisoformat(window["from"]) if window.get("from") else None
    end = date.fromisoformat(window["to"]) if window.get("to") else None
    if start and end:
        if start == end:
            return f"searched articles from {long_date(start)}"
        if (start.year, start.month) == (end.year, end.month):
            month = f"{calendar.month_name[end.month]} {end.year}"
            return f"searched articles from {start.day}–{end.day} {month}"
        if start.year == end.year:
            head = f"{start.day} {calendar.month_name[start.month]}"
            return f"searched articles from {head} to {long_date(end)}"
        return f"searched articles from {long_date(start)} to {long_date(end)}"
    if start:
        return f"searched articles from {long_date(start)} on"
    assert end is not None
    return f"searched articles up to {long_date(end)}"
