"""The chat page in headless Chromium (Debian's, driven by Playwright), against the real app
with the default local LLM: ask, read the answer and its sources, follow up, upload an
article and find it answerable. Screenshots land in test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.app_server import AppServer, running_app
from tests.conftest import ARTIFACTS, CHROMIUM

ANSWER_MS = 300_000  # a local-LLM answer on a busy 2-core machine

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="/usr/bin/chromium is missing: `make browser` installs Debian's chromium",
    ),
]

# Records every text the latest bot message shows, to prove the answer streamed in.
WATCH_BOT_TEXT = """() => {
  window.botTexts = [];
  const chat = document.querySelector('#chat');
  new MutationObserver(() => {
    const bots = chat.querySelectorAll('[data-testid="bot"]');
    const text = bots.length ? bots[bots.length - 1].innerText : '';
    if (window.botTexts[window.botTexts.length - 1] !== text) window.botTexts.push(text);
  }).observe(chat, { subtree: true, childList: true, characterData: true });
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    with running_app(tmp_path_factory.mktemp("browser-app"), RAG_LLM="local") as server:
        yield server


def open_page(browser: Any, url: str) -> Any:
    """The chat in a fresh browser context: its own cookies, its own Gradio session."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_selector("#chat")
    return page


@pytest.fixture
def page(browser: Any, app: AppServer) -> Iterator[Any]:
    page = open_page(browser, app.url)
    yield page
    page.context.close()


def send(page: Any, question: str) -> None:
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")


def ask(page: Any, question: str, turn: int) -> Any:
    """Ask and wait for the sources of answer ``turn``; returns the answer's bubble."""
    send(page, question)
    page.wait_for_selector(f"#sources [id^='src-{turn}-']", timeout=ANSWER_MS)
    return page.locator('#chat [data-testid="bot"]').last


def choose_extractive(page: Any) -> None:
    """Pick the instant extractive backend in the collapsed settings panel."""
    page.locator("#settings").get_by_text("Settings").first.click()
    page.get_by_label("Answer with").click()
    page.get_by_role("option", name="extractive (no LLM, instant)").click()


def test_ask_follow_up_and_sources(page: Any) -> None:
    from playwright.sync_api import expect

    # The empty chat offers example questions drawn from the indexed articles.
    expect(page.locator("#chat")).to_contain_text("Joint Syrian-US Attack in Palmyra")
    expect(page.locator("#status")).to_contain_text("2 articles")

    page.evaluate(WATCH_BOT_TEXT)
    answer = ask(page, "What happened in Palmyra according to Syria TV?", turn=1)
    expect(answer).not_to_contain_text("▍")  # the draft was replaced by the checked answer
    streamed = page.evaluate("window.botTexts")
    assert any("▍" in text for text in streamed), streamed
    citation = answer.locator("a[href^='#src-1-']").first
    expect(citation).to_have_text("[1]")

    sources = page.locator("#sources")
    expect(sources).to_contain_text("Joint Syrian-US Attack in Palmyra")
    expect(sources).to_contain_text("syria-us-palmyra-attack-russia-bases.txt")
    expect(sources).to_contain_text("score")
    expect(sources.locator("mark.quote").first).to_contain_text("Palmyra")

    citation.click()  # scrolls to and flashes its card, without leaving the page
    expect(page.locator("#src-1-1")).to_have_class("src-card cited flash")
    assert page.url.rstrip("/") == page.url.split("#")[0].rstrip("/")

    answer = ask(page, "And where were the wounded taken?", turn=2)
    expect(answer).to_contain_text("Tanf", timeout=ANSWER_MS)
    expect(answer.locator("a[href^='#src-2-']").first).to_be_visible()
    expect(sources.locator("[id^='src-2-'] mark.quote").first).to_contain_text("Tanf")
    expect(sources.locator("details.src-earlier")).to_have_count(1)

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "chat.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_upload_reindex_and_ask(page: Any, app: AppServer, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    article = tmp_path / "port quillon lighthouse.txt"
    article.write_text(
        "---\ntitle: Harbour council names a new lighthouse keeper\nsource: Quillon Gazette\n"
        "date: 2026-11-20\n---\n"
        "The harbour council of Port Quillon named Marisol Vantongeren as the new keeper of "
        "the Quillon lighthouse on Thursday.\n"
        "She replaces Edgar Pohl, who retired after 31 years at the lamp.\n"
    )
    wrong = tmp_path / "notes.csv"
    wrong.write_text("a,b\n1,2\n")
    not_sidecar = tmp_path / "data.json"
    not_sidecar.write_text("{}")

    page.get_by_role("tab", name="Articles").click()  # the upload box sits beside the list
    page.set_input_files("#upload input[type=file]", [str(wrong)])
    expect(page.get_by_text("Invalid file type: notes.csv")).to_be_visible()
    page.set_input_files("#upload input[type=file]", [str(not_sidecar)])
    # Refused by the server's upload check before Gradio stores it; its message is shown.
    expect(page.get_by_text("data.json: unsupported file type").first).to_be_visible()
    report = page.locator("#report")
    page.set_input_files("#upload input[type=file]", [str(article)])
    expect(report).to_contain_text("Saved port-quillon-lighthouse.txt")
    expect(report).to_contain_text("Added (1)")
    expect(page.locator("#status")).to_contain_text("3 articles")
    assert (app.corpus / "port-quillon-lighthouse.txt").is_file()
    assert not (app.corpus / "notes.csv").exists()
    assert not (app.corpus / "data.json").exists()

    expect(page.locator("#articles")).to_contain_text("Harbour council names a new lighthouse")
    page.get_by_role("tab", name="Chat").click()
    choose_extractive(page)
    answer = ask(page, "Who is the new lighthouse keeper of Port Quillon?", turn=1)
    expect(answer).to_contain_text("Marisol Vantongeren")
    expect(page.locator("#sources")).to_contain_text("port-quillon-lighthouse.txt")

    # A refusal says so and shows the closest passages.
    answer = ask(page, "What is the recipe for chocolate cake?", turn=2)
    expect(answer).to_contain_text("I could not find the answer in the articles.")
    expect(page.locator("#sources .src-turn.refused")).to_contain_text("No answer")
    expect(page.locator("#sources .src-turn.refused .src-card.closest").first).to_be_visible()

    # The Re-index button reports a corpus already in step.
    page.get_by_role("tab", name="Articles").click()
    page.click("#reindex")
    expect(report).to_contain_text("Unchanged: 3")

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "upload.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.is_file()

    page.get_by_role("tab", name="Chat").click()
    page.click("#new-chat")  # forgets this session's conversation and sources
    expect(page.locator('#chat [data-testid="user"]')).to_have_count(0)
    expect(page.locator("#sources")).to_contain_text("appear here")


def test_two_sessions_keep_their_own_chats(browser: Any, app: AppServer) -> None:
    """Two users ask at the same time; each sees only their own question and answer."""
    from playwright.sync_api import expect

    users = [
        (open_page(browser, app.url), "Where were the wounded taken?", "Tanf"),
        (open_page(browser, app.url), "Who is Syria's foreign minister?", "Shibani"),
    ]
    try:
        for page, _, _ in users:
            choose_extractive(page)
        for page, question, _ in users:
            send(page, question)
        for (page, question, expected), (_, other, _) in zip(users, users[::-1], strict=True):
            page.wait_for_selector("#sources [id^='src-1-']", timeout=ANSWER_MS)
            expect(page.locator('#chat [data-testid="bot"]').last).to_contain_text(expected)
            expect(page.locator("#chat")).not_to_contain_text(other)
            expect(page.locator("#sources")).to_contain_text(question)
            expect(page.locator('#chat [data-testid="user"]')).to_have_count(1)
    finally:
        for page, _, _ in users:
            page.context.close()
