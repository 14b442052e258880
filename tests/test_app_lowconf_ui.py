"""The low-confidence note in the chat page, in headless Chromium against the real app
(extractive backend, RAG_LOW_CONFIDENCE=0.99 so every answer carries it). A screenshot lands
in test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.app_server import AppServer, running_app
from tests.conftest import ARTIFACTS, CHROMIUM
from tests.test_app_browser import ask, open_page

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing"),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    base = tmp_path_factory.mktemp("lowconf-app")
    with running_app(base, RAG_LOW_CONFIDENCE="0.99") as server:
        yield server


def test_the_note_leads_the_chat_answer_and_its_citation_still_links(
    app: AppServer, browser: Any
) -> None:
    from playwright.sync_api import expect

    from rag.answer import LOW_CONFIDENCE_NOTE

    page: Any = open_page(browser, app.url)
    try:
        answer = ask(page, "Where were the wounded taken after the assault?", turn=1)
        expect(answer).to_contain_text("Tanf")
        text = answer.inner_text().strip()
        assert text.startswith(LOW_CONFIDENCE_NOTE), text
        assert "Revised" not in text  # the note streamed first: not a change to the draft
        expect(answer.locator("a[href^='#src-1-']").first).to_have_text("[1]")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "low-confidence.png"), full_page=True)
    finally:
        page.context.close()
