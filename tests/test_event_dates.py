"""Dates written inside articles, resolved against the publish date (rag.event_dates)."""

from __future__ import annotations

from datetime import date

import pytest
from llama_index.core.schema import MetadataMode, TextNode

from rag.event_dates import (
    META_KEY,
    EventDate,
    EventDates,
    chunk_event_dates,
    decode,
    encode,
    event_dates,
    sentence_date,
)

THURSDAY = date(2026, 10, 8)

SENTENCES = [
    ("The council voted on Monday to close the plant.", 20261005),  # the example
    ("The minister spoke on Thursday.", 20261008),  # a Thursday paper: that very day
    ("Yesterday the mayor spoke.", 20261007),
    ("Two days ago, protesters gathered.", 20261006),
    ("He left last Thursday.", 20261001),
    ("Last year the plant lost money.", 20250000),
    ("In March the roof collapsed.", 20260300),
    ("The stadium will open in March, officials said.", 20270300),
    ("The council will meet on Friday.", 20261009),
    ("Officials said the port would reopen on Monday.", 20261012),  # reported future
    ("The port authority plans to reopen it on Monday.", 20261012),
    ("The port would have reopened on Monday.", 20261005),  # would have: the past
    ("The minister resigned on 2 September.", 20260902),
    ("He said it on Oct. 1.", 20261001),
    ("The talks ended on March 3, 2025.", 20250303),
    ("Construction began in 2024.", 20240000),
    ("It will cost 2 million crowns, the city said on Wednesday.", 20261007),
    ("The opening was moved to August, the city said on Thursday.", 20261008),
    ("Parliament voted 52 to 40 on Tuesday.", 20261006),
    ("May the best team win.", None),
    ("The 2025 budget was cut.", None),
    ("Shares rose 4 percent.", None),
]


@pytest.mark.parametrize(("sentence", "expected"), SENTENCES)
def test_sentence_dates_relative_to_the_publish_date(sentence: str, expected: int | None) -> None:
    assert sentence_date(sentence, THURSDAY) == expected


def test_event_dates_keep_each_sentence_span() -> None:
    text = "Shares rose. The board met on Monday. Last year was bad."
    found = event_dates(text, THURSDAY)
    assert [(d.day, text[d.start : d.end]) for d in found] == [
        (20261005, "The board met on Monday."),
        (20250000, "Last year was bad."),
    ]
    assert [d.precision for d in found] == ["day", "year"]
    assert found[1].iso == "2025-01-01"
    assert event_dates(text, None) == []  # undated article: "on Monday" means nothing


def test_encoding_round_trip_and_bad_entries() -> None:
    dates = [EventDate(20261005, 0, 24), EventDate(20260300, 25, 60)]
    assert decode(encode(dates)) == dates
    assert decode("20261005@0:24 junk 2026@1:2") == [EventDate(20261005, 0, 24)]
    assert decode("") == []


def test_ingest_step_stores_dates_outside_the_embedded_text() -> None:
    node = TextNode(
        text="The board met on Monday.",
        metadata={"title": "Board", "date": "2026-10-08", "date_int": 20261008},
    )
    (out,) = EventDates()([node])
    assert out.metadata[META_KEY] == "20261005@0:24"
    assert META_KEY not in out.get_content(metadata_mode=MetadataMode.EMBED)
    assert META_KEY not in out.get_content(metadata_mode=MetadataMode.LLM)
    assert chunk_event_dates(out.text, out.metadata) == [EventDate(20261005, 0, 24)]
    # A chunk indexed before event dates existed gets them computed on the fly.
    assert chunk_event_dates("The board met on Monday.", {"date_int": 20261008}) == [
        EventDate(20261005, 0, 24)
    ]


def test_day_and_month_without_a_year_is_the_nearest_one() -> None:
    monday = date(2026, 2, 2)
    assert sentence_date("The strike, which is to start on 10 February, was backed.", monday) == (
        20260210
    )
    assert sentence_date("The talks ended on 28 January.", monday) == 20260128
    assert sentence_date("The fair opens on 3 January.", date(2025, 12, 20)) == 20260103
