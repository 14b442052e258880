"""The Articles view, deleting an article, the whole-article page, feedback and kept chats:
plain functions and the real pipeline (real embedder, real Chroma), no browser."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rag import feedback, library
from rag.pipeline import RAG
from tests.conftest import SEED_CORPUS, make_settings
from ui import chats

ARTICLES = [
    {
        "file": "b.txt",
        "title": "Bees",
        "publisher": "Herald",
        "date": "2025-12-01",
        "chunks": 3,
        "story_id": "s1",
    },
    {
        "file": "a.txt",
        "title": "Ants",
        "publisher": "Times",
        "date": "",
        "chunks": 2,
        "story_id": "",
    },
    {
        "file": "c.txt",
        "title": "Crabs",
        "publisher": "Herald",
        "date": "2025-12-09",
        "chunks": 1,
        "story_id": "s1",
    },
]


def test_articles_filter_and_sort_with_undated_last() -> None:
    assert [a["file"] for a in library.filter_articles(ARTICLES)] == ["c.txt", "b.txt", "a.txt"]
    oldest = library.filter_articles(ARTICLES, sort="oldest")
    assert [a["file"] for a in oldest] == ["b.txt", "c.txt", "a.txt"]
    assert [a["file"] for a in library.filter_articles(ARTICLES, "herald crab")] == ["c.txt"]
    assert library.filter_articles(ARTICLES, None)[0]["story_size"] == 2  # type: ignore[arg-type]
    table = library.articles_table(library.filter_articles(ARTICLES, "ants"), len(ARTICLES))
    assert "1 of 3 articles" in table and "undated" in table and "Bees" not in table
    assert 'href="article?file=a.txt"' in table
    assert "No articles are indexed" in library.articles_table([], 0)


def test_only_indexed_files_inside_the_corpus_are_reachable(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    settings.corpus_dir.mkdir()
    (tmp_path / "secret.txt").write_text("outside")
    (settings.corpus_dir / "link.txt").symlink_to(tmp_path / "secret.txt")
    known = {"../secret.txt", "link.txt", "a.txt"}
    for name in ("../secret.txt", "link.txt", "nope.txt", "/etc/passwd"):
        with pytest.raises(LookupError):
            library.corpus_path(settings, name, known)
    assert (
        library.corpus_path(settings, "a.txt", known) == (settings.corpus_dir / "a.txt").resolve()
    )


@pytest.fixture
def seed_rag(tmp_path: Path, embedder) -> RAG:
    shutil.copytree(SEED_CORPUS, tmp_path / "corpus")
    rag = RAG(make_settings(tmp_path), embed_model=embedder, llm=None)
    rag.ingest()
    return rag


def test_delete_article_removes_its_file_and_chunks_only(seed_rag: RAG, tmp_path: Path) -> None:
    files = {a["file"]: a for a in seed_rag.articles()}
    victim = "syria-us-palmyra-attack-russia-bases.txt"
    kept = next(f for f in files if f != victim)
    outside = tmp_path / "outside.txt"
    outside.write_text("not an article")
    with pytest.raises(LookupError):
        seed_rag.delete_article("../outside.txt")
    before = seed_rag.chunk_count()
    report = seed_rag.delete_article(victim)
    assert not (seed_rag.settings.corpus_dir / victim).exists()
    assert (seed_rag.settings.corpus_dir / kept).exists() and outside.exists()
    assert [a["file"] for a in seed_rag.articles()] == [kept]
    assert seed_rag.chunk_count() == before - files[victim]["chunks"] == report.chunks_total
    assert seed_rag.ingest().changed is False  # the ingest state agrees with the folder
    answer = seed_rag.ask("Where were the wounded of the Palmyra attack taken?")
    assert all(p.source == kept for p in answer.passages)  # BM25 forgot it too


def test_deleting_refreshes_a_retriever_already_in_use(seed_rag: RAG) -> None:
    before = seed_rag.ask("Where were the wounded taken?")
    victim = before.passages[0].source
    seed_rag.delete_article(victim)
    after = seed_rag.ask("Where were the wounded taken?")
    assert after.passages and all(p.source != victim for p in after.passages)


def test_article_page_highlights_the_passage(seed_rag: RAG) -> None:
    article = next(a for a in seed_rag.articles() if a["file"].startswith("syria"))
    page = library.article_page(seed_rag.settings, article, quote="Et-Tanf base")
    assert '<mark id="passage" class="quote">Et-Tanf base</mark>' in page
    assert "undated" in page and article["title"] in page
    text = (seed_rag.settings.corpus_dir / article["file"]).read_text()
    start = text.split("---", 2)[-1].strip().index("The aftermath")
    page = library.article_page(seed_rag.settings, article, start, start + 40)
    assert '<span id="passage" class="passage">The aftermath' in page


def test_feedback_lines_merge_with_their_notes(tmp_path: Path) -> None:
    path = tmp_path / "fb" / "feedback.jsonl"
    turn = {"question": "Where?", "answer": "Et-Tanf [1].", "sources": [{"source": "a.txt"}]}
    first = feedback.record(path, "up", turn, chat_id="c1")
    second = feedback.record(path, "down", {"question": "Who?", "answer": "Bob [1]."})
    feedback.add_note(path, second, "  It was Alice.  ")
    with path.open("a") as out:
        out.write("not json\n")
    items = {i["id"]: i for i in feedback.read(path)}
    assert items[first]["rating"] == "up" and items[first]["note"] == ""
    assert items[second]["note"] == "It was Alice."
    assert feedback.read(tmp_path / "missing.jsonl") == []
    with pytest.raises(ValueError):
        feedback.record(path, "meh", turn)
    assert all(json.loads(line) for line in path.read_text().splitlines()[:3])


def test_kept_chats_are_listed_newest_first_and_capped() -> None:
    store: chats.Store = {}
    for i in range(chats.MAX_CHATS + 3):
        turn = {"question": f"Question {i}?", "answer": "a", "html": "", "sources": []}
        store = chats.save(store, f"id{i}", [{"role": "user", "content": "x"}], [], [turn])
    listed = chats.choices(store)
    assert len(listed) == chats.MAX_CHATS
    assert listed[0][1] == store["current"]
    assert chats.save(store, "empty", [], [], [])["chats"].keys() == store["chats"].keys()
    parts = {"role": "user", "content": [{"type": "text", "text": "hi"}]}
    assert chats.message_text(parts) == "hi"


def test_feedback_becomes_gold_questions(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from evals.gold import load_gold

    path = tmp_path / "feedback.jsonl"
    cited = [{"number": 1, "source": "a.txt", "quote": "The wounded went to Et-Tanf."}]
    feedback.record(
        path,
        "up",
        {
            "question": "Where were the wounded taken?",
            "answer": "To Et-Tanf [1].",
            "sources": cited,
        },
    )
    wrong = feedback.record(
        path, "down", {"question": "Who is the minister?", "answer": "Bob [1].", "sources": cited}
    )
    feedback.add_note(path, wrong, "Assad al-Shibani")
    feedback.record(
        path, "up", {"question": "Cake recipe?", "answer": "I could not find it.", "refused": True}
    )
    feedback.record(path, "down", {"question": "Why?", "answer": "No [1].", "sources": cited})
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "rag.cli", "eval", "feedback", "--out", str(out)],
        env={**os.environ, "RAG_FEEDBACK_PATH": str(path), "RAG_INDEX_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "1 confirmed, 1 corrected, 1 skipped: thumbs down without a note, 1 unanswerable" in (
        result.stderr
    )
    items = {i.question: i for i in load_gold(Path(result.stdout.strip()))}
    assert items["Where were the wounded taken?"].answer == "To Et-Tanf."
    assert items["Where were the wounded taken?"].evidence == ["The wounded went to Et-Tanf."]
    assert items["Who is the minister?"].answer == "Assad al-Shibani"
    assert items["Cake recipe?"].unanswerable
    assert "Why?" not in items


def test_date_range_typed_in_settings() -> None:
    assert library.date_window("", "") == {"date_from": None, "date_to": None}
    assert library.date_window("2026-01-05", " 2026-02-01 ") == {
        "date_from": 20260105,
        "date_to": 20260201,
    }
    with pytest.raises(ValueError, match="2026-01-31"):
        library.date_window("last tuesday-ish", "")
    with pytest.raises(ValueError, match="after the end"):
        library.date_window("2026-03-01", "2026-02-01")
