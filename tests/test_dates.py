"""Date phrases in questions become publish-date windows (rag.dates), resolved against an as-of day.

The as-of day is Sunday 15 March 2026 unless a case says otherwise. Each case is
(question, expected from, expected to); None for no window. Phrases that only
look like dates ("May" the verb, "the March" the protest, numbers, "now") give none.
"""

from __future__ import annotations

from datetime import date

import pytest

from rag.dates import (
    Window,
    as_date,
    day_int,
    describe,
    parse_day,
    search_window,
    weekday_day,
    window_dict,
    window_from_question,
)

AS_OF = date(2026, 3, 15)  # a Sunday

CASES = [
    ("What happened yesterday?", "2026-03-14", "2026-03-15"),
    ("What did the ministry announce last week?", "2026-03-02", "2026-03-08"),
    ("What is new this month?", "2026-03-01", "2026-03-15"),
    ("What happened in March?", "2026-03-01", "2026-03-15"),
    ("What changed since June 1?", "2025-06-01", "2026-03-15"),
    ("What happened two days ago?", "2026-03-13", "2026-03-14"),
    ("What happened so far this year?", "2026-01-01", "2026-03-15"),
    ("What happened on Monday?", "2026-03-09", "2026-03-10"),
    ("What happened last year?", "2025-01-01", "2025-12-31"),
    ("What happened between 9 and 15 March?", "2026-03-09", "2026-03-15"),
    ("What was said on 2 April?", "2025-04-02", "2025-04-03"),
    ("What happened in 2025?", "2025-01-01", "2025-12-31"),
    ("What happened during 2025?", "2025-01-01", "2025-12-31"),
    ("What happened last month?", "2026-02-01", "2026-02-28"),
    ("What happened this week?", "2026-03-09", "2026-03-15"),
    ("What happened today?", "2026-03-15", "2026-03-15"),
    ("What happened in the past two weeks?", "2026-03-02", "2026-03-15"),
    ("What happened over the last 7 days?", "2026-03-09", "2026-03-15"),
    ("What happened in the past week?", "2026-03-09", "2026-03-15"),
    ("What happened in the last few months?", "2025-12-16", "2026-03-15"),
    ("What happened before March 10?", None, "2026-03-09"),
    ("What happened after 1 March?", "2026-03-02", "2026-03-15"),
    ("What did they say earlier this month?", "2026-03-01", "2026-03-15"),
    ("What happened from 1 February to 10 March?", "2026-02-01", "2026-03-10"),
    ("Who said it on March 3, 2026?", "2026-03-03", "2026-03-04"),
    ("What did the mayor say in February?", "2026-02-01", "2026-02-28"),
    ("What happened three weeks ago?", "2026-02-16", "2026-02-22"),
    ("What happened last Friday?", "2026-03-13", "2026-03-14"),
    ("What did the council decide in January 2026?", "2026-01-01", "2026-01-31"),
    ("Since Monday, what changed?", "2026-03-09", "2026-03-15"),
    ("What happened until February?", None, "2026-02-28"),
    ("What was decided on 3 March 2026?", "2026-03-03", "2026-03-04"),
    ("What did the court rule in December?", "2025-12-01", "2025-12-31"),
    ("What happened after February?", "2026-03-01", "2026-03-15"),
    # no window: not dates, or dates of an event rather than of the articles
    ("May the council approve the plan?", None, None),
    ("may I ask about the stadium?", None, None),
    ("How big was the March for Science?", None, None),
    ("How many 3 people died?", None, None),
    ("Who won the 2025 election?", None, None),
    ("When will it open?", None, None),
    ("Is the stadium still expected to open in May?", None, None),
    ("Where are the crews working now?", None, None),
    ("What did Mark say about the budget?", None, None),
    ("How many of the 40 seats did the party win?", None, None),
]


@pytest.mark.parametrize(("question", "start", "end"), CASES)
def test_question_phrases_become_windows(question: str, start: str | None, end: str | None):
    window = window_from_question(question, AS_OF)
    if start is None and end is None:
        assert window is None, f"{question!r} gave {window}"
    else:
        assert window is not None, f"{question!r} gave no window"
        assert window.to_dict() == {"from": start, "to": end}


def test_at_least_forty_phrasings() -> None:
    assert len(CASES) >= 40
    assert sum(1 for _, s, e in CASES if s is None and e is None) >= 8


def test_resolved_against_the_as_of_day_not_today() -> None:
    window = window_from_question("What happened last week?", date(2026, 1, 7))
    assert window is not None and window.to_dict() == {"from": "2025-12-29", "to": "2026-01-04"}


def test_windows_never_reach_past_the_as_of_day() -> None:
    window = window_from_question("What happened this year?", AS_OF)
    assert window is not None and window.end == AS_OF


def test_weekday_is_the_same_day_or_the_one_before() -> None:
    thursday = date(2026, 10, 8)
    assert weekday_day("Monday", thursday) == date(2026, 10, 5)
    assert weekday_day("Thursday", thursday) == thursday  # a paper's "on Thursday" is that day
    assert weekday_day("last Thursday", thursday) == date(2026, 10, 1)
    assert weekday_day("next Monday", thursday) == date(2026, 10, 12)
    assert weekday_day("Friday", thursday, "future") == date(2026, 10, 9)
    assert weekday_day("Mondays are slow", thursday) is None


def test_event_phrases_use_the_lookup_when_given() -> None:
    vote = date(2026, 7, 7)
    found = window_from_question("What was said before the vote?", AS_OF, lambda name: vote)
    assert found is not None and found.to_dict() == {"from": None, "to": "2026-07-06"}
    after = window_from_question("What happened after the vote?", date(2026, 9, 1), lambda n: vote)
    assert after is not None and after.to_dict() == {"from": "2026-07-07", "to": "2026-09-01"}
    assert window_from_question("What was said before the vote?", AS_OF, lambda n: None) is None
    assert window_from_question("What was said before the vote?", AS_OF) is None


def test_search_window_intersects_options_and_question() -> None:
    as_of, window = search_window("What happened in March?", 20260315, 20260310, None)
    assert as_of == AS_OF
    assert window is not None and window.to_dict() == {"from": "2026-03-10", "to": "2026-03-15"}
    as_of, window = search_window("Who is the mayor?", None, None, None)
    assert as_of is None and window is None
    as_of, window = search_window("Who is the mayor?", 20260315, None, 20260401)
    assert window is not None and window.to_dict() == {"from": None, "to": "2026-03-15"}
    _, window = search_window("What happened last week?", 20260315, parse=False)
    assert window is None


def test_describe_is_a_short_human_line() -> None:
    assert describe({"from": "2026-03-09", "to": "2026-03-15"}) == (
        "searched articles from 9–15 March 2026"
    )
    assert describe({"from": "2026-02-01", "to": "2026-03-10"}) == (
        "searched articles from 1 February to 10 March 2026"
    )
    assert describe({"from": "2025-12-29", "to": "2026-01-04"}) == (
        "searched articles from 29 December 2025 to 4 January 2026"
    )
    assert describe({"from": None, "to": "2026-07-06"}) == "searched articles up to 6 July 2026"
    assert describe({"from": "2026-07-07", "to": None}) == "searched articles from 7 July 2026 on"
    assert describe({"from": "2026-03-14", "to": "2026-03-14"}) == (
        "searched articles from 14 March 2026"
    )
    assert describe(None) == ""


def test_day_parsing_errors_say_how_to_write_a_date() -> None:
    assert parse_day("2026-03-15") == AS_OF
    assert as_date(20260315) == AS_OF and day_int("2026-03-15") == 20260315
    assert as_date(None) is None and day_int("") is None
    for bad in ("15/03/2026", "2026-02-30", "yesterday"):
        with pytest.raises(ValueError, match="YYYY-MM-DD"):
            parse_day(bad)
    with pytest.raises(ValueError):
        as_date(20261399)


def test_an_int_too_big_for_any_day_is_a_value_error_not_an_overflow() -> None:
    for bad in (99999999999999999999, -(10**30), 20261399):
        with pytest.raises(ValueError, match=f"{bad} is not a YYYYMMDD date"):
            as_date(bad)
        with pytest.raises(ValueError, match="is not a YYYYMMDD date"):
            day_int(bad)


def test_window_dict_and_intersection() -> None:
    assert window_dict(None, None) is None
    assert window_dict(20260301, None) == {"from": "2026-03-01", "to": None}
    a = Window(date(2026, 3, 1), date(2026, 3, 31))
    b = Window(date(2026, 3, 10), None)
    assert a.intersect(b).to_dict() == {"from": "2026-03-10", "to": "2026-03-31"}


def test_calendar_dates_are_not_strict_relative_ones_are() -> None:
    def strict(question: str) -> bool:
        window = window_from_question(question, AS_OF)
        assert window is not None
        return window.strict

    assert not strict("Whom did Putin meet on October 15th?")
    assert not strict("Which phone did Apple announce in March 2026?")
    assert strict("What happened last week?") and strict("What changed since June 1?")
    assert strict("What happened in the past two weeks?") and strict("What happened yesterday?")
    byd = "How many cars did BYD sell in 2025, the year it led?"
    assert window_from_question(byd, AS_OF) is None


def test_ordinals_and_the_distant_past_do_not_hold_a_window() -> None:
    assert window_from_question("Where will the 98th Academy Awards take place?", AS_OF) is None
    for question in ("Which plane flew 50 years ago?", "Where were the 1924 Winter Olympics?"):
        window = window_from_question(question, AS_OF)
        assert window is None or not window.strict
