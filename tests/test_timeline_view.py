"""The Timeline tab without a browser: the HTML of ``rag.timeline_view`` and the checks of
``ui.timeline.TimelineUI`` on what was typed (a note, never a traceback)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from rag.timeline_view import event_label, timeline_html
from ui.timeline import TimelineUI

TIMELINE = {
    "topic": "Marl <bridge>",
    "events": [
        {
            "date": "2026-04-14",
            "precision": "day",
            "label": "14 April 2026",
            "text": "The bridge opened <script>alert(1)</script> on 14 April 2026.",
            "citations": [
                {
                    "id": 2,
                    "source": "marl-03.md",
                    "title": "Bridge opens & traffic flows",
                    "date": "2026-04-15",
                    "url": "",
                    "quote": "The bridge opened <script>alert(1)</script> on 14 April 2026.",
                }
            ],
        },
        {
            "date": "2026-01-01",
            "precision": "month",
            "label": "January 2026",
            "text": "Councillors discussed the bridge in January 2026.",
            "citations": [
                {
                    "id": 1,
                    "source": "marl-01.md",
                    "title": "",
                    "date": "",
                    "url": "",
                    "quote": "Councillors discussed the bridge in January 2026.",
                }
            ],
        },
    ],
}


def test_events_are_drawn_in_date_order_with_their_citations() -> None:
    html = timeline_html(TIMELINE, {"marl-03.md": "Hesketh Courier"})
    assert html.index("January 2026") < html.index("14 April 2026")
    assert "2 events about “Marl &lt;bridge&gt;”" in html
    assert 'data-precision="month"' in html and "the month, not the day" in html
    assert "Hesketh Courier · 2026-04-15" in html
    assert '<span class="undated">undated</span>' in html  # an undated article says so
    assert ">marl-01.md</a>" in html  # no title: the file names the article


def test_all_article_text_is_escaped() -> None:
    html = timeline_html(TIMELINE)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Bridge opens &amp; traffic flows" in html


def test_a_citation_links_to_the_article_page_with_its_sentence() -> None:
    html = timeline_html(TIMELINE)
    start = html.index('href="article?file=marl-03.md') + len('href="')
    href = html[start : html.index('"', start)].replace("&amp;", "&")
    query = parse_qs(urlparse(href).query)
    assert urlparse(href).path == "article"
    assert query["file"] == ["marl-03.md"]
    assert query["quote"] == [TIMELINE["events"][0]["citations"][0]["quote"]]


def test_labels_without_a_label_field_respect_the_precision() -> None:
    assert event_label({"date": "2026-03-01", "precision": "month"}) == "March 2026"
    assert event_label({"date": "2026-01-01", "precision": "year"}) == "2026"
    assert event_label({"date": "2026-03-05", "precision": "day"}) == "5 March 2026"
    assert event_label({"date": "garbage"}) == "garbage"


def test_no_events_says_what_to_try_and_echoes_the_range() -> None:
    html = timeline_html({"topic": "zebras", "events": []}, date_from="2026-01-01")
    assert "No dated events found about “zebras” from 2026-01-01 on" in html
    assert "wider date range" in html


def test_bad_input_gives_a_note_before_anything_is_searched() -> None:
    ui = TimelineUI(None)  # type: ignore[arg-type]  # these checks never reach the index
    assert "Type a topic first" in ui.build("  ", "", "")
    assert "too long" in ui.build("x" * 400)
    bad = ui.build("Marl bridge", "2026-13-40", "")
    assert "Could not read the date &#x27;2026-13-40&#x27;" in bad and "2026-01-31" in bad
    assert "start date is after the end date" in ui.build("Marl bridge", "2026-05-01", "2026-04-01")
