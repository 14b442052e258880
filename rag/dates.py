"""Dates in questions: "last week", "in March", "since June 1" become a retrieval window.

News questions are about time, and a date phrase is only two more words for
BM25 unless it narrows what is searched. ``dateparser`` finds the phrases
(``search_dates``) and says what each spans (a day, a week, a month, a year:
``DateDataParser``), resolved against the as-of day; this module adds only what
it lacks: the relation words ("since", "before", "between ... and ..."), ranges
("the past two weeks"), and guards against words that only look like dates
("May" the verb, "the March" the protest, bare numbers).

A window is a pair of ``date`` bounds, either open; ``Window.to_dict`` is the
``{"from", "to"}`` object every interface reports, and ``describe`` the short
line a person reads ("searched articles from 9–15 March 2026").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from rag.days import (  # noqa: F401  (kept importable from here)
    as_date,
    day_int,
    describe,
    from_int,
    long_date,
    parse_day,
    to_int,
    window_dict,
)

MONTHS = {m.lower() for m in calendar.month_name[1:]} | {m.lower() for m in calendar.month_abbr[1:]}
# Words before a bare month or year that make it a date ("in March", not "the March").
DATE_PREPOSITIONS = {
    "in",
    "since",
    "before",
    "after",
    "until",
    "till",
    "by",
    "during",
    "from",
    "through",
    "of",
    "early",
    "late",
    "mid",
    "end",
    "beginning",
    "on",
    "to",
    "and",
}
RELATIONS = {"since": "since", "from": "since", "after": "after", "before": "before"}
RELATIONS |= {"until": "until", "till": "until", "through": "until", "by": "until"}
TRAILING = {"the", "a", "an", "and", "or", "of", "to", "at", "was", "is", "did", "has", "had"}
UNITS = {"day": 1, "week": 7, "month": 30, "year": 365}
NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
NUMBERS |= {"seven": 7, "eight": 8, "nine": 9, "ten": 10, "few": 3, "couple of": 2}

_PAST_N = re.compile(
    r"\b(?:in |over |during )?the (?:past|last) (?:(\d+|couple of|few|"
    + "|".join(k for k in NUMBERS if " " not in k)
    + r") )?(day|week|month|year)s?\b",
    re.I,
)
_SO_FAR = re.compile(r"\bso far this (week|month|year)\b|\bearlier this (week|month|year)\b", re.I)
_BETWEEN = re.compile(r"\b(?:between|from) (.+?) (?:and|to|until|-|–) (.+?)(?=[?.!,;]|$)", re.I)
_CALENDAR = re.compile(r"\d|\b(" + "|".join(sorted(MONTHS)) + r")\b", re.I)
_RELATIVE = re.compile(r"\b(ago|last|this|next|past|yesterday|today)\b", re.I)
DISTANT_DAYS = 400
NOT_WINDOWS = {"now", "right now", "currently", "at present"}  # the as-of day is no window
FUTURE = re.compile(
    r"\b(will|won't|would(?! have)|expected|due|scheduled|planned|going to|set to|supposed to|"
    r"(?:plan|hope|aim|intend|expect)s? to|(is|are) to)\b",
    re.I,
)
_EVENT = re.compile(r"\b(before|after|since|until) (the [a-z][\w-]*(?: [a-z][\w-]*){0,2})", re.I)


@dataclass(frozen=True)
class Window:
    """Publish-date bounds (inclusive; None is open) and the phrase they came from.

    ``strict`` is False for a calendar date that may name the event rather than
    the time of the news ("the October 15th meeting", "the BAFTAs in February"):
    such a window is dropped when no article falls in it. Relative phrases ("last
    week"), ranges ("since June 1") and explicit bounds are always kept.
    """

    start: date | None
    end: date | None
    phrase: str = ""
    strict: bool = True

    def to_dict(self) -> dict[str, str | None]:
        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
        }

    @property
    def start_int(self) -> int | None:
        return to_int(self.start) if self.start else None

    @property
    def end_int(self) -> int | None:
        return to_int(self.end) if self.end else None

    def intersect(self, other: Window | None) -> Window:
        if other is None:
            return self
        starts = [d for d in (self.start, other.start) if d]
        ends = [d for d in (self.end, other.end) if d]
        phrase = " and ".join(p for p in (self.phrase, other.phrase) if p)
        return Window(
            max(starts) if starts else None,
            min(ends) if ends else None,
            phrase,
            self.strict or other.strict,
        )


@cache
def _parser(base: date, prefer: str) -> Any:
    from dateparser.date import DateDataParser

    settings = {
        "RELATIVE_BASE": datetime(base.year, base.month, base.day),
        "PREFER_DATES_FROM": prefer,
        "PREFER_DAY_OF_MONTH": "first",
    }
    return DateDataParser(languages=["en"], settings=settings)


WEEKDAYS = [d.lower() for d in calendar.day_name]
WEEKDAY_PHRASE = re.compile(
    r"(?:(last|next|this|past|coming) )?(" + "|".join(WEEKDAYS) + r")"
    r"(?: (?:night|morning|afternoon|evening))?",
    re.I,
)


def weekday_day(text: str, base: date, prefer: str = "past") -> date | None:
    """'Monday' in news written on ``base``: the latest Monday on or before it (or after it
    when the sentence speaks of the future, or says 'next'). dateparser takes 'Thursday' in
    a Thursday article for a week earlier; a newspaper means that very day.
    """
    m = WEEKDAY_PHRASE.fullmatch(text.strip())
    if not m:
        return None
    target = WEEKDAYS.index(m[2].lower())
    modifier = (m[1] or "").lower()
    if modifier in ("next", "coming") or (prefer == "future" and modifier != "last"):
        ahead = (target - base.weekday()) % 7 or 7
        return base + timedelta(days=ahead)
    back = (base.weekday() - target) % 7
    if modifier in ("last", "past") and back == 0:
        back = 7
    return base - timedelta(days=back)


def span(text: str, base: date, prefer: str = "past") -> tuple[date, date] | None:
    """The first and last day that a date phrase covers, or None if it is not a date."""
    if (weekday := weekday_day(text, base, prefer)) is not None:
        return weekday, weekday
    data = _parser(base, prefer).get_date_data(text)
    if data is None or data.date_obj is None:
        return None
    day = data.date_obj.date()
    if not 1900 <= day.year <= 2200:  # "the year it overtook ..." is no year 1
        return None
    period = data.period or "day"
    if period == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    if period == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    if period == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    return day, day


def _words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.lower())


def is_real_date(question: str, phrase: str, start: int) -> bool:
    """False for words that only look like dates: 'May' the verb, 'the March', bare numbers."""
    words = _words(phrase)
    if not words or all(re.fullmatch(r"\d+(st|nd|rd|th)", w) for w in words):
        return False  # '98th' (the 98th Academy Awards) is no date
    if not re.search(r"[a-z]", phrase, re.I):  # numbers alone: '3', '2025'
        before = _words(question[:start])
        return bool(re.fullmatch(r"(19|20)\d\d", phrase.strip())) and bool(
            before and before[-1] in DATE_PREPOSITIONS
        )
    core = [w for w in words if w not in TRAILING and w not in DATE_PREPOSITIONS]
    if core and all(w.isdigit() for w in core):  # 'the 2025 election' is a name, not a time
        before = _words(question[:start])
        prep = words[0] in DATE_PREPOSITIONS or bool(before and before[-1] in DATE_PREPOSITIONS)
        return len(core) == 1 and bool(re.fullmatch(r"(19|20)\d\d", core[0])) and prep
    if core and all(w in MONTHS for w in core):
        # A bare month needs its capital and a preposition: "in March", not "May I" or "the March".
        before = _words(question[:start])
        has_prep = words[0] in DATE_PREPOSITIONS or bool(before and before[-1] in DATE_PREPOSITIONS)
        capital = re.search(r"\b[A-Z][a-z]+", phrase) is not None
        return has_prep and capital and words[0] != "the"
    return True


def trim_phrase(phrase: str) -> tuple[str, str]:
    """The phrase without trailing filler words, and a leading relation word if any."""
    words = phrase.split()
    while words and words[-1].lower().strip(",.?") in TRAILING:
        words.pop()
    relation = ""
    while words and words[0].lower() in DATE_PREPOSITIONS | {"the"}:
        relation = RELATIONS.get(words[0].lower(), relation)
        words.pop(0)
    return " ".join(words), relation


def extend_phrase(core: str, rest: str, base: date) -> str:
    """``core`` with a day or year that the search split off ('March' + ' 10')."""
    m = re.match(r"\.?\s*,?\s*(\d{1,2}(?:st|nd|rd|th)?(?:,? (?:19|20)\d\d)?|(?:19|20)\d\d)\b", rest)
    if m and span(f"{core} {m[1]}", base):
        return f"{core} {m[1]}"
    return core


def date_phrases(
    text: str, base: date, skip: Collection[str] = ()
) -> Iterator[tuple[str, str, int]]:
    """Each real date phrase dateparser finds in ``text`` relative to ``base``: its core
    (relation word cut off, a following year or day joined on), the relation word, and where
    it starts. Phrases whose core is in ``skip`` (lower case) are left out."""
    from dateparser.search import search_dates

    found = search_dates(
        text,
        languages=["en"],
        settings={"RELATIVE_BASE": datetime(base.year, base.month, base.day)},
    )
    cursor = 0
    for phrase, _ in found or []:
        start = text.find(phrase, cursor)
        if start < 0:
            continue
        cursor = start + len(phrase)
        if not is_real_date(text, phrase, start):
            continue
        core, relation = trim_phrase(phrase)
        if not core or core.lower() in skip:
            continue
        yield extend_phrase(core, text[cursor:], base), relation, start


def _found_dates(question: str, base: date) -> list[tuple[str, int, str]]:
    """(phrase, position, relation word) for each real date phrase in ``question``."""
    results: list[tuple[str, int, str]] = []
    for core, relation, start in date_phrases(question, base, NOT_WINDOWS):
        if FUTURE.search(question[:start]):
            continue  # "will it open in May?": the date is the event's, not the articles'
        before = _words(question[:start])
        if not relation and before:
            relation = RELATIONS.get(before[-1], "")
            if before[-2:] == ["so", "far"]:
                relation = "since"
        results.append((core, start, relation))
    return results


def _apply(relation: str, first: date, last: date, as_of: date) -> tuple[date | None, date]:
    if relation == "since":
        return first, as_of
    if relation == "after":
        return last + timedelta(days=1), as_of
    if relation == "before":
        return None, first - timedelta(days=1)
    if relation == "until":
        return None, min(last, as_of)
    if first == last:  # a day's news is reported that day or the next
        last += timedelta(days=1)
    return first, min(last, as_of)


def _number(word: str | None) -> int:
    if not word:
        return 1
    word = word.lower()
    return int(word) if word.isdigit() else NUMBERS.get(word, 1)


def window_from_question(
    question: str,
    as_of: date | None = None,
    event_date: Callable[[str], date | None] | None = None,
) -> Window | None:
    """The publish-date window a question asks about, resolved against ``as_of`` (today).

    None when the question names no time. ``event_date`` looks up the day of a
    named event ("before the vote") in the articles; without it, or when it
    finds none, such phrases set no window.
    """
    as_of = as_of or date.today()
    text = re.sub(r"\s+", " ", question).strip()
    if m := _PAST_N.search(text):
        n, unit = _number(m[1]), m[2].lower()
        days = UNITS[unit] * n
        return Window(as_of - timedelta(days=days - 1), as_of, m[0])
    if m := _SO_FAR.search(text):
        first, _ = span(f"this {m[1] or m[2]}", as_of) or (as_of, as_of)
        return Window(first, as_of, m[0])
    if m := _BETWEEN.search(text):
        second = span(m[2], as_of)
        first_text = m[1]
        if second and re.fullmatch(r"\d{1,2}", first_text.strip()):
            try:
                first = (second[0].replace(day=int(first_text)),) * 2
            except ValueError:
                first = None
        else:
            first = span(first_text, as_of)
        if first and second and first[0] <= second[1]:
            return Window(first[0], min(second[1], as_of), m[0])
    found = _found_dates(text, as_of)
    if found:
        phrase, _, relation = found[0]
        covered = span(phrase, as_of)
        if covered:
            start, end = _apply(relation, covered[0], covered[1], as_of)
            calendar_date = _CALENDAR.search(phrase) and not _RELATIVE.search(phrase)
            # More than a year back ("in 1924", "50 years ago") is the event's time, not news.
            distant = end is not None and (as_of - end).days > DISTANT_DAYS
            strict = (bool(relation) or not calendar_date) and not distant
            return Window(start, end, f"{relation} {phrase}".strip(), strict)
    if event_date is not None and (m := _EVENT.search(text)):
        relation, name = RELATIONS.get(m[1].lower(), m[1].lower()), m[2]
        day = event_date(name)
        if day is not None:
            if relation == "before":
                return Window(None, day - timedelta(days=1), m[0])
            if relation in ("after", "since"):
                return Window(day, as_of, m[0])
            return Window(None, day, m[0])
    return None


def search_window(
    question: str,
    as_of: int | None = None,
    date_from: int | None = None,
    date_to: int | None = None,
    parse: bool = True,
    event_date: Callable[[str], date | None] | None = None,
) -> tuple[date | None, Window | None]:
    """The as-of day to report and the window to search, from options and the question.

    Explicit bounds and a phrase in the question both apply (their intersection);
    the phrase is resolved against ``as_of``, or today. The reported as-of day is
    the given one, or today when the question's phrase was resolved against it.
    """
    reference = from_int(as_of)
    explicit = None
    if date_from or date_to:
        explicit = Window(from_int(date_from), from_int(date_to))
    parsed = None
    if parse:
        parsed = window_from_question(question, reference or date.today(), event_date)
    window = explicit.intersect(parsed) if explicit else parsed
    if window is not None and reference and (window.end is None or window.end > reference):
        window = Window(window.start, reference, window.phrase, window.strict)
    if reference is None and parsed is not None:
        reference = date.today()
    return reference, window
