"""The page's working parts in headless Chromium, against the real app: Stop and Regenerate,
chats that survive a reload, the Articles view with delete, the source preview, and a
layout that neither overflows at 1400x900 nor on a phone. Each saves a screenshot in
test-artifacts/; the chat and Articles screenshots also go to docs/ for the README.

The app answers with the tiny SmolLM2-135M (slow enough to stop mid-answer); the other
tests pick the instant extractive backend.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.app_server import AppServer, running_app
from tests.conftest import ARTIFACTS, CHROMIUM, ROOT
from tests.test_app_browser import choose_extractive

DOCS = ROOT / "docs"
ANSWER_MS = 120_000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing"),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    from rag.models import smollm_path

    with running_app(
        tmp_path_factory.mktemp("ui-app"),
        RAG_LLM="local",
        RAG_LLM_MODEL=str(smollm_path()),
        RAG_MAX_ANSWER_TOKENS="600",
        RAG_LLM_CONTEXT_WINDOW="4096",
    ) as server:
        yield server


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    yield context
    context.close()


def open_page(context: Any, url: str) -> Any:
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    page.wait_for_selector("#chat")
    return page


def ask(page: Any, question: str, turn: int) -> Any:
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_selector(f"#sources [id^='src-{turn}-']", timeout=ANSWER_MS)
    return page.locator('#chat [data-testid="bot"]').last


def shot(page: Any, name: str, docs: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))
    if docs:
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / name))
    assert (ARTIFACTS / name).stat().st_size > 5_000


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_stop_keeps_the_conversation_and_regenerate_answers_again(
    context: Any, app: AppServer
) -> None:
    from playwright.sync_api import expect

    page = open_page(context, app.url)
    page.fill("#question textarea", "What happened in Palmyra according to Syria TV?")
    page.press("#question textarea", "Enter")
    bot = page.locator('#chat [data-testid="bot"]').last
    stage = page.locator("#stage")
    expect(stage).to_contain_text(re.compile(r"Writing the answer… \d+ s"), timeout=ANSWER_MS)
    expect(page.locator("#ask")).to_be_disabled()
    page.click("#stop")
    expect(bot).to_contain_text("Stopped")
    expect(bot).not_to_contain_text("▍")
    expect(page.locator('#chat [data-testid="user"]')).to_have_count(1)  # the chat is kept
    expect(page.locator("#ask")).to_be_enabled()
    expect(page.locator("#stop")).to_be_disabled()
    shot(page, "ui-stopped.png")

    choose_extractive(page)
    page.click("#regenerate")
    page.wait_for_selector("#sources [id^='src-1-']", timeout=ANSWER_MS)
    expect(bot).not_to_contain_text("Stopped")
    expect(bot.locator("a[href^='#src-1-']").first).to_be_visible()
    expect(page.locator('#chat [data-testid="user"]')).to_have_count(1)
    expect(page.locator("#stage")).to_contain_text("Answered in")
    page.click("#regenerate")  # once more: same turn, same numbering
    page.wait_for_selector("#stage:has-text('Answered in')", timeout=ANSWER_MS)
    expect(page.locator("#sources details.src-earlier")).to_have_count(0)
    shot(page, "ui-regenerated.png")


def test_chats_survive_a_reload_and_export_as_markdown(context: Any, app: AppServer) -> None:
    from playwright.sync_api import expect

    page = open_page(context, app.url)
    choose_extractive(page)
    ask(page, "What happened in Palmyra according to Syria TV?", turn=1)
    ask(page, "Where were the wounded taken?", turn=2)
    summary = page.locator("#sources details.src-earlier summary")
    expect(summary).to_contain_text("What happened in Palmyra")  # folded with its question
    expect(page.locator("#sources")).to_contain_text("undated")  # the seed articles have none
    page.locator("#settings").get_by_text("Settings").first.click()  # folded again
    page.evaluate("window.scrollTo(0, 0)")
    expect(page.locator("#status")).to_contain_text("LLM SmolLM2-135M-Instruct.Q4_1.gguf")
    shot(page, "chat.png", docs=True)

    page.reload()
    page.wait_for_selector("#chat")
    expect(page.locator('#chat [data-testid="user"]')).to_have_count(2)
    expect(page.locator("#sources [id^='src-2-']").first).to_be_visible()

    with page.expect_download() as download:
        page.click("#export")
    text = Path(download.value.path()).read_text()
    assert "## What happened in Palmyra according to Syria TV?" in text
    assert "syria-us-palmyra-attack-russia-bases.txt" in text and "> " in text

    page.click("#new-chat")
    expect(page.locator('#chat [data-testid="user"]')).to_have_count(0)
    page.locator("#past-chats").click()
    page.get_by_role("option", name=re.compile("What happened in Palmyra")).click()
    expect(page.locator('#chat [data-testid="user"]')).to_have_count(2)
    expect(page.locator("#sources")).to_contain_text("Tanf")
    shot(page, "ui-history.png")


def test_source_preview_and_whole_article(context: Any, app: AppServer) -> None:
    from playwright.sync_api import expect

    page = open_page(context, app.url)
    choose_extractive(page)
    answer = ask(page, "Where were the wounded taken?", turn=1)
    chip = answer.locator("a[href^='#src-1-']").first
    chip.hover()
    preview = page.locator("#src-preview")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("Palmyra")
    expect(preview).to_contain_text("undated")
    shot(page, "ui-preview.png")

    # Thumbs down with a note lands in the feedback file, one rating and one note.
    answer.hover()
    page.locator("#chat").get_by_label("Dislike", exact=True).last.click()
    expect(page.locator("#note-row")).to_be_visible()
    page.fill("#feedback-note textarea", "It was the Et-Tanf base.")
    page.click("#send-note")
    expect(page.locator("#note-row")).to_be_hidden()
    lines = (app.corpus.parent / "index" / "feedback.jsonl").read_text().splitlines()
    assert '"rating": "down"' in lines[-2] and "Where were the wounded taken?" in lines[-2]
    assert '"note": "It was the Et-Tanf base."' in lines[-1]

    link = page.locator("#sources .src-card a.src-open").first
    with context.expect_page() as opened:
        link.click()
    article = opened.value
    article.wait_for_load_state()
    expect(article.locator("h1")).to_contain_text("Palmyra")
    expect(article.locator("#passage")).to_contain_text("Tanf")
    shot(article, "ui-article.png")
    article.close()

    for bad in ("../pyproject.toml", "/etc/passwd", "nope.txt"):
        url = f"{app.url}/article?file={urllib.request.quote(bad, safe='')}"
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url, timeout=10)
        assert err.value.code == 404


def test_articles_view_lists_searches_and_deletes(context: Any, app: AppServer) -> None:
    from playwright.sync_api import expect

    page = open_page(context, app.url)
    page.get_by_role("tab", name="Articles").click()
    table = page.locator("#articles")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("undated")
    expect(table).to_contain_text("Syria TV")
    expect(page.locator("#upload")).to_be_visible()  # the upload box sits beside the list
    shot(page, "articles.png", docs=True)

    page.fill("#article-search textarea", "rayhaber")
    expect(table.locator("tbody tr")).to_have_count(1)
    page.fill("#article-search textarea", "")
    expect(table.locator("tbody tr")).to_have_count(2)

    victim = "syria-us-palmyra-attack-russia-bases.txt"
    page.get_by_label("Delete an article").click()
    page.get_by_role("option", name=re.compile(re.escape(victim))).click()
    page.click("#delete-article")
    expect(page.locator("#delete-report")).to_contain_text(f"Deleted {victim}")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(page.locator("#status")).to_contain_text("1 articles")
    assert not (app.corpus / victim).exists()
    assert len(list(app.corpus.iterdir())) >= 1
    shot(page, "ui-articles-deleted.png")


@pytest.mark.parametrize("viewport", [(1400, 900), (390, 844)], ids=["desktop", "phone"])
def test_layout_does_not_overflow(browser: Any, app: AppServer, viewport: tuple[int, int]) -> None:
    from playwright.sync_api import expect

    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = open_page(context, app.url)
        choose_extractive(page)
        for turn, question in enumerate(
            ["Who is Syria's foreign minister?", "What did Russia and Syria negotiate about?"], 1
        ):
            ask(page, question, turn)
        page.evaluate("document.querySelectorAll('#sources details').forEach(d => d.open = true)")
        expect(page.get_by_text("Settings", exact=True)).to_have_count(1)  # ours only
        boxes = {
            name: page.locator(selector).first.bounding_box()
            for name, selector in (
                ("sources", "#sources"),
                ("settings", "#settings"),
                ("chat", "#chat"),
                ("question", "#question"),
            )
        }
        for other in ("settings", "question") if width > 800 else ("settings",):
            assert not overlaps(boxes["sources"], boxes[other]), boxes
        # Nothing of the sources draws over the Settings header: a click there reaches it.
        page.locator("#settings").scroll_into_view_if_needed()
        hit = page.evaluate(
            """() => { const r = document.querySelector('#settings').getBoundingClientRect();
            const el = document.elementFromPoint(r.left + r.width / 2, r.top + 12);
            return !!(el && el.closest('#settings')); }"""
        )
        assert hit, "something covers the Settings header"
        if width > 800:
            assert not overlaps(boxes["sources"], boxes["chat"]), boxes
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width + 1, f"the page scrolls sideways: {scroll_width}px"
        shot(page, f"ui-layout-{width}x{height}.png")
        page.screenshot(
            path=str(ARTIFACTS / f"ui-layout-{width}x{height}-full.png"), full_page=True
        )
    finally:
        context.close()
