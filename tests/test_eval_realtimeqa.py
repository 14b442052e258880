"""The RealTime QA runner on a tiny synthetic data folder in the benchmark's format.

Pooling and deduplication, the materialised corpus, index reuse, the date
cut-off end to end, the answerable set, multiple-choice letter scoring and the
summary keys. A hash embedder and scripted LLMs keep it fast; one test runs
the real command (real embedder, extractive answers).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, LogProb, MessageRole

from evals import realtimeqa as rtqa
from evals import rtqa_choice, rtqa_data, rtqa_scoring
from evals.sampling import round_robin
from rag.config import Settings
from rag.documents import load_file
from rag.pipeline import RAG
from tests.fakes import HashEmbedding, ScriptedLLM

OSLO = "The Zorblat summit opened in Oslo on Monday, with delegates from nine countries."
LYON = "The Quorvex prize went to Lyon this year, the jury announced in a packed hall."
ROME = "Rome hosted the Blimfen festival last weekend; the crowds filled every square."
UNDATED = "Harbour cranes were repainted yellow in a quiet coastal town."


def _result(url: str, text: str, date: str, title: str) -> dict[str, Any]:
    return {"url": url, "title": title, "text": text, "authors": "[]", "publish_date": date}


def _question(qid: str, date: str, sentence: str, choices: list[str], gold: int) -> dict:
    return {
        "question_id": qid,
        "question_date": date,
        "question_source": "Test",
        "question_sentence": sentence,
        "choices": choices,
        "answer": [str(gold)],
        "evidence": "<a href='x'>evidence</a>",
    }


def _write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """Two weeks; one article dated after the first week's questions; duplicates; a blank."""
    d = tmp_path / "rtqa"
    d.mkdir()
    oslo = _result("https://a.example/oslo", OSLO, "2026/01/05", "Summit opens in Oslo")
    lyon = _result("https://b.example/lyon", LYON, "2026/01/20", "Quorvex prize announced")
    blank = _result("https://c.example/blank", "", "2026/01/05", "No text")
    rome = _result("https://www.d.example/rome", ROME, "2026/01/14", "Festival in Rome")
    undated = _result("https://e.example/cranes", UNDATED, "", "Cranes")
    _write(
        d / "20260109_qa.jsonl",
        [
            _question(
                "20260109_0",
                "2026-01-08",
                "Where did the Zorblat summit open?",
                ["Paris", "Madrid", "Oslo", "Rome"],
                2,
            ),
            _question(
                "20260109_1",
                "2026-01-08",
                "Which city won the Quorvex prize?",
                ["Lyon", "Paris", "Oslo", "Madrid"],
                0,
            ),
        ],
    )
    _write(
        d / "20260109_gcs.jsonl",
        [
            {"question_id": "20260109_0", "search_time": "x", "search_result": [oslo, blank]},
            {"question_id": "20260109_1", "search_time": "x", "search_result": [lyon, oslo]},
        ],
    )
    _write(
        d / "20260116_qa.jsonl",
        [
            _question(
                "20260116_0",
                "2026-01-15",
                "Which city hosted the Blimfen festival?",
                ["Rome", "Oslo", "Lyon", "Madrid"],
                0,
            )
        ],
    )
    _write(
        d / "20260116_gcs.jsonl",
        [{"question_id": "20260116_0", "search_time": "x", "search_result": [rome, lyon, undated]}],
    )
    # the "none of the above" variant is not read
    _write(d / "20260116_qa_nota.jsonl", [{"question_id": "ignored"}])
    return d


# --- loading, pooling, the corpus ----------------------------------------------------------------


def test_load_pools_and_dedupes_by_url(data_dir: Path) -> None:
    data = rtqa_data.load_dataset(data_dir)
    assert [q.id for q in data.questions] == ["20260109_0", "20260109_1", "20260116_0"]
    q = data.questions[0]
    assert (q.date, q.as_of, q.gold_text, q.week) == ("2026-01-08", 20260108, "Oslo", "20260109")
    urls = [a.url for a in data.articles]
    assert len(urls) == len(set(urls)) == 4
    assert data.duplicates == 2 and data.without_text == 1 and data.search_results == 7
    by_url = {a.url: a for a in data.articles}
    assert by_url["https://a.example/oslo"].date == "2026-01-05"
    assert by_url["https://e.example/cranes"].date == ""
    assert by_url["https://www.d.example/rome"].publisher == "d.example"


def test_missing_folder_and_empty_folder_are_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        rtqa_data.load_dataset(tmp_path / "nope")
    with pytest.raises(FileNotFoundError):
        rtqa_data.load_dataset(tmp_path)


def test_materialised_files_read_back_with_their_metadata(data_dir: Path, tmp_path: Path) -> None:
    data = rtqa_data.load_dataset(data_dir)
    corpus = tmp_path / "corpus"
    assert rtqa.materialise(data.articles, corpus) == {"written": 4}
    for article in data.articles:
        doc = load_file(corpus / article.file_name, corpus)
        assert doc.text == article.text
        assert doc.metadata["title"] == article.title
        assert doc.metadata["url"] == article.url
        assert doc.metadata["date"] == article.date
        assert doc.metadata["date_int"] == article.date_int
    # unchanged: nothing rewritten; a stale file is removed
    stamps = {p.name: p.stat().st_mtime_ns for p in corpus.iterdir()}
    (corpus / "stale.txt").write_text("old")
    assert rtqa.materialise(data.articles, corpus) == {"unchanged": 4, "removed": 1}
    assert {p.name: p.stat().st_mtime_ns for p in corpus.iterdir()} == stamps


def test_title_with_quotes_and_colons_survives_front_matter(tmp_path: Path) -> None:
    article = rtqa_data.Article(
        url="https://x.example/a", title='"Quoted": a title', text="Body text.", date=""
    )
    rtqa.materialise([article], tmp_path)
    doc = load_file(tmp_path / article.file_name, tmp_path)
    assert doc.metadata["title"] == '"Quoted": a title'


def test_corpus_and_index_live_in_the_cache_not_the_project(tmp_path: Path) -> None:
    base = Settings(cache_dir=tmp_path / "cache", llm="extractive")
    settings = rtqa.benchmark_settings(base, tmp_path / "data")
    root = tmp_path / "cache" / "realtimeqa" / rtqa.data_key(tmp_path / "data")
    assert settings.corpus_dir == root / "corpus"
    assert settings.index_dir == root / "index"
    assert settings.collection.startswith("realtimeqa-")
    custom = rtqa.benchmark_settings(base, tmp_path / "data", tmp_path / "elsewhere")
    assert custom.index_dir == tmp_path / "elsewhere"


# --- subset, answerable, date cut-off ------------------------------------------------------------


def test_round_robin_takes_weeks_in_turn(data_dir: Path) -> None:
    questions = rtqa_data.load_dataset(data_dir).questions

    def spread(limit: int | None) -> list[rtqa_data.Question]:
        return round_robin(questions, lambda q: q.week, limit)

    assert [q.id for q in spread(2)] == ["20260109_0", "20260116_0"]
    assert [q.id for q in spread(1)] == ["20260109_0"]
    assert spread(None) == questions
    assert spread(99) == questions


def test_answerable_only_counts_articles_on_or_before_the_question_date(data_dir: Path) -> None:
    data = rtqa_data.load_dataset(data_dir)
    # Lyon's only article is dated 2026-01-20, after the question's 2026-01-08
    assert rtqa.answerable_ids(data.questions, data.articles) == {"20260109_0", "20260116_0"}
    later = rtqa_data.Question("late", "20260130", "2026-01-25", "Which city?", ["Lyon", "X"], 0)
    assert rtqa.answerable_ids([later], data.articles) == {"late"}
    same_day = rtqa_data.Question("same", "20260130", "2026-01-20", "Which city?", ["Lyon", "X"], 0)
    assert rtqa.answerable_ids([same_day], data.articles) == {"same"}


def test_allowed_lets_undated_articles_pass() -> None:
    undated = rtqa_data.Article(url="u", title="t", text="x", date="")
    dated = rtqa_data.Article(url="v", title="t", text="x", date="2026-01-20")
    assert rtqa.allowed(undated, 20200101)
    assert rtqa.allowed(dated, 20260120) and not rtqa.allowed(dated, 20260119)


def _rag(data_dir: Path, tmp_path: Path, llm: Any = None) -> tuple[RAG, rtqa_data.Dataset]:
    # no sketched search (rag.expand): a scripted model's replies are the phases' own
    base = Settings(cache_dir=tmp_path / "cache", llm="extractive", top_k=5, expand_below=0)
    settings = rtqa.benchmark_settings(base, data_dir)
    return RAG(settings, embed_model=HashEmbedding(), llm=llm), rtqa_data.load_dataset(data_dir)


def test_date_cut_off_end_to_end_and_summary(data_dir: Path, tmp_path: Path) -> None:
    rag, data = _rag(data_dir, tmp_path)
    info = rtqa.prepare_index(rag, data.articles, show_progress=False)
    assert not info["reused"] and info["chunks"] >= 4
    answerable = rtqa.answerable_ids(data.questions, data.articles)
    records = rtqa.run_realtimeqa(rag, data.questions, answerable, progress=False)
    by_id = {r["id"]: r for r in records}
    for record in records:
        assert record["date_leaks"] == 0
        for hit in record["retrieved"]:
            assert not hit["date"] or hit["date"] <= record["date"]
    titles = {r["id"]: {h["title"] for h in r["retrieved"]} for r in records}
    # the Lyon article (2026-01-20) is after every question; Rome's (01-14) after week one's
    assert all("Quorvex prize announced" not in t for t in titles.values())
    assert "Festival in Rome" not in titles["20260109_0"] | titles["20260109_1"]
    assert "Festival in Rome" in titles["20260116_0"]
    assert "Cranes" in titles["20260109_1"]  # undated articles pass the cut-off
    lyon = by_id["20260109_1"]
    assert lyon["answerable"] is False and lyon["hit_at_5"] is None
    rome = by_id["20260116_0"]
    assert rome["retrieval_rank"] == 1 and rome["hit_at_1"] == 1.0
    assert by_id["20260109_0"]["retrieval_rank"] == 1

    summary = rtqa_scoring.summarize(records, seconds=3.0)
    assert set(rtqa_scoring.SUMMARY_KEYS) <= set(summary)
    assert summary["questions"] == 3 and summary["answerable"] == 2
    assert summary["recall_at_1"] == 1.0  # over the two answerable questions only
    assert summary["recall_at_5_all"] == pytest.approx(2 / 3)
    assert summary["seconds_per_question"] == 1.0
    assert summary["closed_book_mc_accuracy"] is None  # no LLM, no closed book
    assert summary["date_leaks"] == 0
    # without an LLM the choice comes from the passages: both answerable ones right
    assert by_id["20260109_0"]["mc_choice"] == 2 and by_id["20260116_0"]["mc_choice"] == 0
    json.dumps(summary)  # JSON-ready


def test_index_is_reused_when_the_data_is_unchanged(data_dir: Path, tmp_path: Path) -> None:
    rag, data = _rag(data_dir, tmp_path)
    rtqa.prepare_index(rag, data.articles, show_progress=False)
    again, data = _rag(data_dir, tmp_path)
    info = rtqa.prepare_index(again, data.articles, False)
    assert info["reused"] is True
    assert info["files"] == {"unchanged": 4}
    assert again.embed_model.texts_embedded == 0
    # a changed article is re-indexed, only it
    data.articles[0].text += " Extra sentence about Oslo."
    info = rtqa.prepare_index(again, data.articles, False)
    assert info["reused"] is False and info["ingest"]["updated"] == 1


# --- multiple choice with a model ----------------------------------------------------------------


def test_scripted_llm_open_mc_and_closed_book(data_dir: Path, tmp_path: Path) -> None:
    # one question; calls in phase order: open answer, MC, closed MC, closed open answer
    llm = ScriptedLLM(replies=["Oslo", "C", "A", "Paris"])
    rag, data = _rag(data_dir, tmp_path, llm=llm)
    rtqa.prepare_index(rag, data.articles, show_progress=False)
    question = data.questions[0]
    records = rtqa.run_realtimeqa(rag, [question], {question.id}, rotations=1, progress=False)
    (record,) = records
    assert record["open_answer"] == "Oslo" and record["open_em"] == 1.0
    assert record["mc_choice"] == 2 and record["mc_correct"] == 1.0
    assert record["closed_mc_choice"] == 0 and record["closed_mc_correct"] == 0.0
    assert record["closed_answer"] == "Paris" and record["closed_em"] == 0.0
    mc_prompt = llm.prompts[1][-1].content
    assert "Zorblat summit opened in Oslo" in mc_prompt
    assert "A. Paris\nB. Madrid\nC. Oslo\nD. Rome" in mc_prompt
    assert "Today is 2026-01-08." in mc_prompt
    closed_prompt = llm.prompts[2][-1].content
    assert "Zorblat summit opened" not in closed_prompt and "C. Oslo" in closed_prompt
    summary = rtqa_scoring.summarize(records)
    assert summary["mc_accuracy"] == 1.0 and summary["closed_book_mc_accuracy"] == 0.0
    assert summary["closed_book_open_em"] == 0.0


class LetterLLM:
    """Answers through first-token logprobs: likes "A", likes the right choice more."""

    def __init__(self, gold_text: str) -> None:
        self.gold_text = gold_text
        self.calls = 0

    def chat(self, messages: list[ChatMessage], **kwargs: Any) -> ChatResponse:
        self.calls += 1
        lines = messages[-1].content.splitlines()
        shown = {line[0]: line[3:] for line in lines if len(line) > 3 and line[1:3] == ". "}
        top = []
        for letter, text in shown.items():
            if text == self.gold_text:
                logprob = -0.1 if letter == "A" else -0.5
            else:
                logprob = -0.3 if letter == "A" else -3.0
            top.append(LogProb(token=letter if letter != "B" else " B", logprob=logprob, bytes=[]))
        best = max(top, key=lambda t: t.logprob)
        return ChatResponse(
            message=ChatMessage(role=MessageRole.ASSISTANT, content=best.token.strip()),
            logprobs=[top],
        )


def test_rotations_cancel_a_bias_for_the_first_letter() -> None:
    q = rtqa_data.Question("q", "w", "2026-01-08", "Which?", ["Paris", "Madrid", "Oslo", "Rome"], 2)
    once = rtqa_choice.ask_choice(LetterLLM("Oslo"), q, "passages", rotations=1)
    assert once["choice"] == 0  # the bias for "A" wins when asked once
    llm = LetterLLM("Oslo")
    rotated = rtqa_choice.ask_choice(llm, q, "passages", rotations=4)
    assert rotated["choice"] == 2 and llm.calls == 4
    assert sum(rotated["probs"].values()) == pytest.approx(1.0, abs=1e-3)


def test_letter_helpers() -> None:
    top = [(" B", -0.2), ("B.", -2.0), ("x", -0.1), ("E", -0.3)]
    assert rtqa_choice.letter_logprobs(top, 4) == {
        1: pytest.approx(-0.2 + math.log(1 + math.exp(-1.8)))
    }
    assert rtqa_choice.parse_letter("C", 4) == 2
    assert rtqa_choice.parse_letter("(B) Madrid", 4) == 1
    assert rtqa_choice.parse_letter("Answer: D", 4) == 3
    assert rtqa_choice.parse_letter("none", 4) is None
    assert rtqa_choice.rotate(["a", "b", "c", "d"], 1) == [1, 2, 3, 0]
    combined = rtqa_choice.combine_rotations([{0: 0.0, 1: 0.0}, {1: 0.0}])
    assert combined == {0: pytest.approx(0.25), 1: pytest.approx(0.75)}


# --- the command ----------------------------------------------------------------------------------


def test_rag_eval_realtimeqa_command(data_dir: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "RAG_LLM": "extractive",
        "RAG_INDEX_DIR": str(tmp_path / "ignored-index"),
    }
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "rag.cli", "eval", "realtimeqa", "--data", str(data_dir)]
    cmd += ["--limit", "2", "--out", str(out), "--json"]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert set(rtqa_scoring.SUMMARY_KEYS) <= set(summary)
    assert summary["questions"] == 2 and summary["answerable"] == 2
    assert summary["date_leaks"] == 0
    assert (out / "results.json").is_file() and (out / "report.md").is_file()
    cache = tmp_path / "xdg" / "news-rag" / "realtimeqa" / rtqa.data_key(data_dir)
    assert len(list((cache / "corpus").glob("*.txt"))) == 4
    assert (cache / "index" / rtqa.MARKER).is_file()
    assert not (tmp_path / "ignored-index").exists()


def test_rag_eval_realtimeqa_needs_data(capsys: pytest.CaptureFixture[str]) -> None:
    from rag.cli import main

    assert main(["eval", "realtimeqa", "--llm", "extractive"]) == 1
    err = capsys.readouterr().err
    assert "--data" in err and "Traceback" not in err
