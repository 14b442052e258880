"""The seed gold set through the default local LLM: answers, citations, refusals.

This is the end-to-end quality check with the real model (about 5 s a
question). The floors are the level the pipeline reaches today, so a change
that makes answers or citations worse fails here; `make eval` prints the full
report.
"""

from __future__ import annotations

import json

import pytest

from evals.gold import load_gold, run_gold, summarize
from rag.pipeline import RAG
from tests.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.slow

GOLD = ROOT / "evals" / "seed_gold.jsonl"


@pytest.fixture(scope="module")
def gold_run(seed_index, embedder, qwen):
    items = load_gold(GOLD)
    rag = RAG(seed_index, embed_model=embedder, llm=qwen)
    records = run_gold(rag, items, progress=False)
    summary = summarize(records)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "gold-summary.json").write_text(
        json.dumps({"summary": summary, "records": records}, indent=2, default=str)
    )
    return items, records, summary


def test_retrieval_finds_the_evidence(gold_run) -> None:
    _, _, summary = gold_run
    assert summary["hit_at_5"] >= 0.95


def test_answers_are_right_and_cite_the_passage_that_says_so(gold_run) -> None:
    _, records, summary = gold_run
    wrong = [(r["id"], r["answer"]) for r in records if r["correct_cited"] == 0.0]
    assert summary["correct_cited"] >= 0.80, wrong
    assert summary["citation_precision"] >= 0.90


def test_unanswerable_questions_are_refused(gold_run) -> None:
    _, records, summary = gold_run
    answered = [(r["id"], r["answer"]) for r in records if r["unanswerable"] and not r["refused"]]
    assert summary["refusal_recall"] >= 0.8, answered
    assert summary["false_refusals"] <= 1
