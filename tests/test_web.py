"""What the chat page shows and how uploads are saved, without a server or a browser."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rag import uploads, web
from rag.answer import REFUSAL
from rag.api import ApiError, BasicAuthMiddleware, OpenAIMessage, history_from_messages
from rag.types import Answer, Passage


def passage(number: int = 1, **fields: object) -> Passage:
    values: dict[str, object] = {
        "number": number,
        "chunk_id": f"doc#{number}",
        "source": "a.txt",
        "title": "Title",
        "date": "2025-12-14",
        "url": "",
        "text": "First sentence. The wounded went to Et-Tanf.  Last one.",
        "score": 0.0321,
        "publisher": "Gazette",
        "quote": "The wounded went to Et-Tanf.",
    }
    values.update(fields)
    return Passage(**values)  # type: ignore[arg-type]


def test_citation_markers_become_links_to_their_cards() -> None:
    text = web.link_citations("They went to Et-Tanf [1]. Both said so [1, 2].", turn=3)
    assert text == (
        "They went to Et-Tanf [\\[1\\]](#src-3-1). Both said so [\\[1\\]](#src-3-1)"
        "[\\[2\\]](#src-3-2)."
    )


def test_highlight_marks_the_quote_and_escapes_the_rest() -> None:
    out = web.highlight("<b>x</b> The  wounded went\nthere. ${y}", "The wounded went there.")
    assert out.startswith("&lt;b&gt;x&lt;/b&gt; <mark")
    assert "The  wounded went\nthere.</mark>" in out
    assert "${" not in out and "&#36;{y}" in out
    assert web.highlight("no match", "other") == "no match"


def test_source_card_is_escaped_and_complete() -> None:
    card = web.source_card(
        passage(title="<script>alert(1)</script>", url="javascript:alert(1)"), 2, cited=True
    )
    assert "<script>" not in card and "&lt;script&gt;" in card
    assert "javascript:" not in card
    assert 'id="src-2-1"' in card
    assert "Gazette" in card and "2025-12-14" in card and "<code>a.txt</code>" in card
    assert "score 0.032" in card
    assert '<mark class="quote">The wounded went to Et-Tanf.</mark>' in card
    linked = web.source_card(passage(url="https://example.org/a"), 1, cited=True)
    assert 'href="https://example.org/a"' in linked


def test_refusal_shows_the_closest_passages_and_says_why() -> None:
    answer = Answer(
        question="Cake?",
        answer=REFUSAL,
        refused=True,
        citations=[],
        passages=[passage(n) for n in range(1, 6)],
    )
    html = web.answer_sources(answer, turn=1)
    assert "No answer" in html and "closest passages" in html
    assert html.count('class="src-card closest"') == web.CLOSEST_ON_REFUSAL
    assert "<mark" not in html  # nothing was cited, so nothing is highlighted
    assert REFUSAL in web.chat_text(answer, 1)
    hint = 'Only articles from 28 September 2026 were searched, for "this week".'
    answer.answer = f"{REFUSAL} {hint}"  # rag.window_hint: the chat shows it too
    assert hint in web.chat_text(answer, 1)


def test_sources_panel_folds_earlier_turns_under_their_questions() -> None:
    assert "appear here" in web.sources_panel([])
    turns = [{"question": f"Question {w}?", "html": f"<p>{w}</p>"} for w in ("one", "two", "three")]
    html = web.sources_panel(turns)
    assert html.index("three") < html.index("two") < html.index("one")
    assert html.count("<details") == 2
    assert "<summary>1. Question one?</summary>" in html
    assert "<summary>2. Question two?</summary>" in html


def test_card_says_undated_and_how_many_outlets_also_reported() -> None:
    card = web.source_card(passage(date="", also_in=[]), 1, cited=True)
    assert "undated" in card and "also reported" not in card
    others = [
        {"source": "b.txt", "publisher": "Herald", "date": "2025-12-15"},
        {"source": "c.txt", "publisher": "Times", "date": ""},
    ]
    card = web.source_card(passage(also_in=others), 1, cited=True)
    assert "also reported by 2 outlets" in card and 'title="Herald, Times"' in card
    assert "2025-12-14" in card and "undated" not in card
    assert 'href="article?file=a.txt&amp;quote=The+wounded' in card


def test_conflicts_sit_side_by_side_and_the_window_is_shown() -> None:
    answer = Answer(
        question="How many?",
        answer="Three [1], or four [2].",
        refused=False,
        citations=[passage(1), passage(2)],
        window={"from": "2025-12-01", "to": "2025-12-31"},
        conflicts=[
            {
                "about": "the death toll",
                "values": [{"value": "3", "citations": [1]}, {"value": "4", "citations": [2]}],
            }
        ],
    )
    html = web.answer_sources(answer, turn=3)
    assert "searched articles dated 2025-12-01 to 2025-12-31" in html
    assert "disagree about the death toll" in html
    assert html.count('class="conflict-side"') == 2
    assert '<a href="#src-3-2">[2]</a>' in html
    assert "disagree" in web.chat_text(answer, 3)
    as_of = Answer(question="q", answer="a", refused=False, citations=[], as_of="2025-12-10")
    assert "as of 2025-12-10" in web.window_line(as_of)
    assert web.window_line(Answer(question="q", answer="a", refused=False, citations=[])) == ""


def test_a_checked_answer_that_differs_from_its_draft_says_so() -> None:
    answer = Answer(question="q", answer="It went to Et-Tanf [2].", refused=False, citations=[])
    assert "draft cited [1], now [2]" in web.chat_text(answer, 1, draft="It went to Et-Tanf [1].")
    assert "Revised" not in web.chat_text(answer, 1, draft="It went to Et-Tanf. [2]")
    note = web.revision_note("It went to Et-Tanf and Homs [2].", answer)
    assert "unsupported parts" in note
    assert web.turn_record(answer, 1, draft="It went to Et-Tanf [1].")["revised"] is True


def test_a_low_confidence_note_shows_in_the_chat_and_is_not_a_revision() -> None:
    from rag.answer import LOW_CONFIDENCE_NOTE

    text = f"{LOW_CONFIDENCE_NOTE}\n\nIt went to Et-Tanf [1]."
    answer = Answer(
        question="q", answer=text, refused=False, citations=[passage()], low_confidence=True
    )
    shown = web.chat_text(answer, 1, draft=f"{LOW_CONFIDENCE_NOTE}\n\nIt went to Et-Tanf [1].")
    assert shown.startswith(LOW_CONFIDENCE_NOTE)
    assert "Revised" not in shown
    assert "(#src-1-1)" in shown  # its citation still links to its card


def test_stage_line_ticks_only_while_answering() -> None:
    running = web.stage_line("Reading 5 passages", started=1_700_000_000.0)
    assert 'data-started="1700000000000"' in running and "Reading 5 passages…" in running
    done = web.stage_line("Answered in 2.0 s", done=True)
    assert "data-started" not in done and "Answered in 2.0 s" in done
    assert web.stage_line("") == ""


def test_conversation_exports_as_markdown_with_its_sources() -> None:
    from rag.transcript import conversation_markdown

    answer = Answer(
        question="Where?", answer="Et-Tanf [1].", refused=False, citations=[passage(1, date="")]
    )
    text = conversation_markdown("Palmyra", [web.turn_record(answer, 1)])
    assert text.startswith("# Palmyra\n")
    assert "## Where?\n\nEt-Tanf [1]." in text
    assert "- [1] Title (Gazette, undated; `a.txt`)" in text
    assert "  > The wounded went to Et-Tanf." in text


def test_status_line_and_report() -> None:
    status = {
        "documents": 2,
        "chunks": 11,
        "embedding_model": "all-MiniLM-L6-v2",
        "llm": "extractive (no LLM)",
        "last_ingest": "2026-01-02T03:04:05+00:00",
    }
    line = web.status_line(status)
    assert "**2** articles" in line and "**11** chunks" in line
    assert "2026-01-02 03:04:05 UTC" in line
    assert "corpus folder" not in line
    watched = {"at": "2026-01-02T03:05:00+00:00", "trigger": "watch", "text": "2 articles added"}
    line = web.status_line({**status, "last_report": watched})
    assert "corpus folder: 2 articles added (2026-01-02 03:05:00 UTC)" in line
    by_hand = {**watched, "trigger": "ingest"}  # `rag ingest` printed its own report
    assert "corpus folder" not in web.status_line({**status, "last_report": by_hand})


def test_examples_come_from_titles_newest_first() -> None:
    articles = [
        {"title": "Newer", "date": "2026-01-02", "file": "b.txt"},
        {"title": "Newer", "date": "2026-01-01", "file": "c.txt"},
        {"title": "Older", "date": "2025-01-01", "file": "a.txt"},
    ]
    assert web.example_questions(articles) == [
        "What does the article “Newer” report?",
        "What does the article “Older” report?",
    ]


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\me\\My Article (1).md", "My-Article-1.md"),
        (".hidden.txt", "hidden.txt"),
        ("Café report.html", "Café-report.html"),
    ],
)
def test_safe_names(name: str, safe: str) -> None:
    assert uploads.safe_name(name) == safe


def test_uploads_are_checked_and_never_overwrite(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "story.txt").write_text("old story")
    incoming = tmp_path / "uploads"
    incoming.mkdir()

    def upload(name: str, data: bytes) -> tuple[Path, str]:
        path = incoming / f"{len(list(incoming.iterdir()))}.bin"
        path.write_bytes(data)
        return path, name

    result = uploads.save_uploads(
        [
            upload("story.txt", b"new story"),  # a different file of that name exists
            upload("story.txt", b"old story"),  # the same file again
            upload("fresh.md", b"# Fresh"),
            upload("tool.exe", b"MZ"),
            upload("big.txt", b"x" * 2_000_001),
            upload("empty.txt", b""),
            upload("a.pdf.meta.json", b"{}"),
        ],
        corpus,
        max_mb=2,
    )
    assert result.saved == ["story-2.txt", "fresh.md"]  # a sidecar alone is refused
    assert (corpus / "story.txt").read_text() == "old story"
    assert (corpus / "story-2.txt").read_text() == "new story"
    assert any("already in the corpus" in m for m in result.messages)
    errors = " ".join(result.errors)
    assert "tool.exe: unsupported file type" in errors
    assert "big.txt is 2.0 MB; the limit is 2 MB" in errors
    assert "empty.txt is empty" in errors
    assert "a.pdf.meta.json: metadata is accepted only together with its article" in errors
    assert not list(corpus.glob(".upload-*"))  # no temporary files left behind
    assert "Not added" in result.markdown()


def test_openai_messages_split_into_question_and_history() -> None:
    messages = [
        OpenAIMessage(role="system", content="Be brief."),
        OpenAIMessage(role="user", content="What happened in Palmyra?"),
        OpenAIMessage(role="assistant", content="An attack [1]."),
        OpenAIMessage(role="user", content=[{"type": "text", "text": "And the wounded?"}]),
    ]
    question, history = history_from_messages(messages)
    assert question == "And the wounded?"
    assert history == [
        {"role": "user", "content": "What happened in Palmyra?"},
        {"role": "assistant", "content": "An attack [1]."},
    ]
    with pytest.raises(ApiError, match="last message"):
        history_from_messages(messages[:3])


def test_basic_auth_middleware() -> None:
    app = FastAPI()
    app.get("/ping")(lambda: {"ok": True})
    app.add_middleware(BasicAuthMiddleware, credentials="desk:pa:ss")
    client = TestClient(app)

    def basic(value: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(value.encode()).decode()}

    missing = client.get("/ping")
    assert missing.status_code == 401 and "Basic" in missing.headers["WWW-Authenticate"]
    assert client.get("/ping", headers=basic("desk:wrong")).status_code == 401
    assert client.get("/ping", headers={"Authorization": "Basic !!!"}).status_code == 401
    assert client.get("/ping", headers=basic("desk:pa:ss")).json() == {"ok": True}


def test_rag_package_never_imports_gradio() -> None:
    """The pipeline and the API stay usable without the UI library."""
    import re

    import rag

    for path in Path(rag.__file__).parent.rglob("*.py"):
        assert not re.search(r"^\s*(import|from)\s+gradio\b", path.read_text(), re.M), path


def test_the_app_checks_its_port_before_loading_models() -> None:
    import socket

    import app

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        problem = app.port_problem("127.0.0.1", port)
    assert problem is not None and f"RAG_PORT={port + 1}" in problem
    assert app.port_problem("127.0.0.1", port) is None  # free again
