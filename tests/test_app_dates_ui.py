"""Dates and sources in headless Chromium, against the real app (extractive backend): the
chat's date range, the Timeline tab over a small dated corpus, and a conflicting answer
over the seed articles shown with both sides and both sources. Screenshots land in
test-artifacts/.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests import app_server
from tests.app_server import AppServer, running_app
from tests.conftest import ARTIFACTS, CHROMIUM, SEED_CORPUS

ANSWER_MS = 120_000
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing"),
]

# Three reports of one made-up story, each dated in its front matter and telling dated events.
BRIDGE = {
    "marl-bridge-01.md": """---
title: Hesketh council approves the Marl river bridge
source: Hesketh Courier
date: 2026-02-03
---

The Hesketh council approved the Marl river bridge on 2 February 2026.

Councillors first discussed the bridge in January 2026. It will cost 40 million euros.
""",
    "marl-bridge-02.md": """---
title: Work starts on the Marl river bridge
source: Valley Times
date: 2026-03-12
---

Construction of the Marl river bridge began on 10 March 2026, the builder said.

Crews closed the east bank road for the works.
""",
    "marl-bridge-03.md": """---
title: Marl river bridge opens to traffic
source: Hesketh Courier
date: 2026-04-15
---

The Marl river bridge opened to traffic on 14 April 2026.

Mayor Ilsa Brandt cut the ribbon in front of a large crowd.
""",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The app over the seed articles plus the three dated bridge reports."""
    base = tmp_path_factory.mktemp("dates-app")
    seed = base / "seed"
    shutil.copytree(SEED_CORPUS, seed)
    for name, text in BRIDGE.items():
        (seed / name).write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app_server, "SEED_CORPUS", seed)
        with running_app(base, RAG_LLM="extractive") as server:
            yield server


@pytest.fixture
def page(browser: Any, app: AppServer) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(app.url)
    page.wait_for_selector("#chat")
    yield page
    context.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    assert (ARTIFACTS / name).stat().st_size > 5_000


def field(page: Any, elem_id: str) -> Any:
    return page.locator(f"#{elem_id} textarea, #{elem_id} input").first


def ask(page: Any, question: str, turn: int) -> Any:
    """Ask, wait for the turn's sources, and return the latest turn's part of the panel."""
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_selector(f"#sources [id^='src-{turn}-']", timeout=ANSWER_MS)
    return page.locator("#sources .sources > .src-turn").first


def test_the_chat_date_range_keeps_sources_inside_it(page: Any) -> None:
    from playwright.sync_api import expect

    question = "How much will the Marl river bridge cost?"
    unbounded = ask(page, question, 1)
    expect(unbounded).to_contain_text("marl-bridge-01.md")  # the answer lies in February
    expect(unbounded.locator(".src-window")).to_have_count(0)

    page.locator("#settings").get_by_text("Settings").first.click()
    field(page, "date-from").fill("2026-03-01")
    field(page, "date-to").fill("2026-04-30")
    latest = ask(page, question, 2)
    expect(latest.locator(".src-window")).to_have_text(
        "searched articles dated 2026-03-01 to 2026-04-30"
    )
    cards = latest.locator(".src-card")
    assert cards.count() >= 1
    for meta in cards.locator(".src-meta").all_inner_texts():
        assert "marl-bridge-01.md" not in meta
        for day in DAY.findall(meta):
            assert "2026-03-01" <= day <= "2026-04-30", meta
    shot(page, "dates-chat-range.png")


def test_the_timeline_tab_lists_dated_events_in_order_with_citations(
    page: Any, app: AppServer
) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Timeline").click()
    field(page, "timeline-from").fill("2026-13-40")
    field(page, "timeline-topic").fill("Marl river bridge")
    page.click("#timeline-go")
    expect(page.locator("#timeline")).to_contain_text("Could not read the date '2026-13-40'")
    expect(page.locator("#timeline .tl-event")).to_have_count(0)

    field(page, "timeline-from").fill("")
    page.click("#timeline-go")
    events = page.locator("#timeline .tl-event")
    expect(events.first).to_be_visible()
    days = [events.nth(i).get_attribute("data-date") for i in range(events.count())]
    assert days == sorted(days)
    labels = page.locator("#timeline .tl-date").all_inner_texts()
    wanted = ["2 February 2026", "10 March 2026", "14 April 2026"]
    assert [label for label in labels if label in wanted] == wanted
    # "Councillors first discussed the bridge in January 2026": the month, not 1 January.
    month = events.filter(has_text="first discussed")
    expect(month).to_have_attribute("data-precision", "month")
    expect(month.locator(".tl-date")).to_have_text("January 2026")
    opened = events.filter(has_text="opened to traffic")
    expect(opened.locator(".tl-date")).to_have_text("14 April 2026")
    cite = opened.locator(".tl-cite").first
    expect(cite.locator(".tl-title")).to_have_text("Marl river bridge opens to traffic")
    expect(cite.locator(".tl-meta")).to_have_text("Hesketh Courier · 2026-04-15")
    expect(cite.locator(".tl-quote")).to_contain_text("opened to traffic on 14 April 2026")
    href = cite.locator(".tl-title").get_attribute("href")
    assert href.startswith("article?file=marl-bridge-03.md")
    article = page.request.get(f"{app.url}/{href}")
    assert article.status == 200 and "Mayor Ilsa Brandt" in article.text()
    shot(page, "dates-timeline.png")


def test_a_conflicting_answer_shows_both_sides_and_both_sources(page: Any) -> None:
    from playwright.sync_api import expect

    latest = ask(page, "Who was responsible for the attack in Palmyra?", 1)
    expect(page.locator('#chat [data-testid="bot"]').last).to_contain_text("The sources disagree")
    conflict = latest.locator(".src-conflict")
    expect(conflict.locator(".conflict-about")).to_contain_text("The sources disagree")
    sides = conflict.locator(".conflict-side")
    expect(sides).to_have_count(2)
    texts = " | ".join(sides.all_inner_texts())
    assert "ISIS" in texts and ("United States" in texts or "US" in texts), texts
    cited = {latest.locator(f"#src-1-{n} code").inner_text() for n in (1, 2)}
    assert cited == {
        "rayhaber-trump-retaliation-isis-palmyra.txt",
        "syria-us-palmyra-attack-russia-bases.txt",
    }
    side_refs = [side.locator("a").all_inner_texts() for side in sides.all()]
    assert sorted(ref for refs in side_refs for ref in refs) == ["[1]", "[2]"]
    shot(page, "dates-conflict.png")


def test_the_chat_can_be_kept_to_chosen_articles(page: Any) -> None:
    page.locator("#settings").get_by_text("Settings").first.click()
    page.locator("#only-articles input").first.click()
    page.get_by_role("option", name=re.compile(r"marl-bridge-03\.md")).first.click()
    page.keyboard.press("Escape")
    # Without the choice this question's answer comes from the February report.
    latest = ask(page, "How much will the Marl river bridge cost?", 1)
    metas = latest.locator(".src-card .src-meta").all_inner_texts()
    assert metas and all("marl-bridge-03.md" in meta for meta in metas), metas
    shot(page, "dates-chat-articles.png")
