"""Gold-set evals: the seed set itself, scoring one answer, the LLM judge, `rag eval`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evals import gold, metrics
from evals.cli import seed_gold_path
from evals.sampling import round_robin
from rag.answer import REFUSAL
from rag.types import Answer, Passage
from tests.conftest import SEED_CORPUS
from tests.fakes import ScriptedLLM

TYPES = {
    "who",
    "what",
    "when",
    "where",
    "how_many",
    "comparison",
    "followup",
    "misspelled",
    "unanswerable",
}


# --- the seed gold set ------------------------------------------------------------------------


def test_seed_gold_set_covers_every_type_and_both_articles() -> None:
    items = gold.load_gold(seed_gold_path())
    assert len(items) >= 30
    assert {i.type for i in items} >= TYPES
    sources = {s for i in items for s in i.source}
    assert sources == {p.name for p in SEED_CORPUS.glob("*.txt")}
    assert any(len(i.source) == 2 for i in items if i.type == "comparison")
    assert all(i.history for i in items if i.type == "followup")
    assert all(not i.answer and not i.evidence for i in items if i.unanswerable)


def test_seed_gold_evidence_is_in_its_source_article() -> None:
    """Every evidence piece occurs (normalised) in the article it names."""
    for item in gold.load_gold(seed_gold_path()):
        texts = [(SEED_CORPUS / s).read_text(encoding="utf-8") for s in item.source]
        for piece in item.evidence:
            assert any(metrics.contains(t, piece) for t in texts), (item.id, piece)
        for answer in item.answers[:1]:
            assert item.key_facts, item.id
            assert metrics.key_facts_present(answer, item.key_facts), item.id


def test_load_gold_reports_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    good = {"id": "x", "question": "Q?", "answer": "A", "evidence": "e", "source": "s.txt"}
    path.write_text(json.dumps(good) + "\n" + json.dumps({"id": "y", "question": "Q?"}) + "\n")
    with pytest.raises(ValueError, match=r"g.jsonl:2: .*answer"):
        gold.load_gold(path)
    path.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n")
    with pytest.raises(ValueError, match="duplicate id"):
        gold.load_gold(path)
    path.write_text("{not json\n")
    with pytest.raises(ValueError, match=r"g\.jsonl:1"):
        gold.load_gold(path)
    path.write_text(json.dumps({"id": "u", "question": "Q?", "unanswerable": True}) + "\n")
    (item,) = gold.load_gold(path)
    assert item.unanswerable and item.type == "unanswerable"


def test_spread_by_type_round_robin() -> None:
    items = [gold.GoldItem(id=f"{t}{n}", type=t, question="q") for t in "abc" for n in range(3)]
    assert [i.id for i in round_robin(items, lambda i: i.type, 4)] == ["a0", "a1", "b0", "c0"]
    assert round_robin(items, lambda i: i.type, None) == items


# --- scoring one answer --------------------------------------------------------------------------

EVIDENCE = "3 US citizens, 2 soldiers and 1 civilian, lost their lives"
ITEM = gold.GoldItem(
    id="a01",
    type="how_many",
    question="How many US citizens died?",
    answer="3",
    accepted=["three"],
    key_facts=[["3", "three"]],
    evidence=[EVIDENCE],
    source=["r.txt"],
)


def passage(number: int, text: str) -> Passage:
    return Passage(number, f"c{number}", "r.txt", "Title", "", "", text, 1.0)


def answer(text: str, cited: list[int], passages: list[Passage], refused: bool = False) -> Answer:
    by_number = {p.number: p for p in passages}
    return Answer("q", text, refused, [by_number[n] for n in cited], passages)


def test_score_a_right_cited_answer() -> None:
    ps = [passage(1, f"Intro. {EVIDENCE}; it was grim."), passage(2, "Unrelated text on Iran.")]
    retrieved = [ps[1].text, ps[0].text]
    record = gold.score(ITEM, answer("Three US citizens lost their lives [1].", [1], ps), retrieved)
    assert record["retrieval_rank"] == 2
    assert (record["hit_at_1"], record["hit_at_5"], record["mrr"]) == (0.0, 1.0, 0.5)
    assert record["exact_match"] == 0.0
    assert record["f1"] == pytest.approx(2 * (1 / 6) * 1 / (1 / 6 + 1))  # "three" of 6 tokens
    assert record["key_facts"] == 1.0
    assert record["citation_precision"] == 1.0 and record["citation_recall"] == 1.0
    assert record["correct_cited"] == 1.0 and record["correct_supported"] == 1.0


def test_score_a_wrong_citation_and_a_bare_answer() -> None:
    ps = [passage(1, EVIDENCE), passage(2, "Unrelated text on Iran.")]
    text = "Three US citizens lost their lives [2]. Iran is mentioned [2]."
    record = gold.score(ITEM, answer(text, [2], ps), [ps[0].text])
    assert record["citation_precision"] == 0.5  # the first sentence's passage lacks it
    assert record["citation_recall"] == 0.0  # the evidence passage was not cited
    assert record["key_facts"] == 1.0 and record["correct_cited"] == 0.0  # right, wrongly cited
    assert record["correct_supported"] == 0.0  # and the cited passage does not say three
    # A second report that states the fact: not the gold sentence, but a passage that says it.
    other = [*ps, passage(3, "Another report: three Americans were killed.")]
    second = gold.score(ITEM, answer("Three US citizens died [3].", [3], other), [ps[0].text])
    assert second["correct_cited"] == 0.0 and second["correct_supported"] == 1.0
    bare = gold.score(ITEM, answer("three", [1], ps), [ps[0].text])
    assert bare["exact_match"] == 1.0 and bare["f1"] == 1.0
    assert bare["claims"] == [{"claim": "three", "cited": 1, "supported": True}]


def test_score_refusals() -> None:
    ps = [passage(1, EVIDENCE)]
    refused = gold.score(ITEM, answer(REFUSAL, [], ps, refused=True), [ps[0].text])
    assert refused["refused"] and refused["key_facts"] == 0.0 and refused["f1"] == 0.0
    assert refused["citation_precision"] is None and refused["citation_recall"] == 0.0
    assert refused["hit_at_1"] == 1.0  # retrieval is scored whatever the answer
    unanswerable = gold.GoldItem(id="u", type="unanswerable", question="q", unanswerable=True)
    record = gold.score(unanswerable, answer(REFUSAL, [], ps, refused=True), [ps[0].text])
    assert record["refused"] and record["f1"] is None and record["hit_at_5"] is None
    assert refused["correct_cited"] == 0.0 and record["correct_cited"] is None
    assert refused["correct_supported"] == 0.0 and record["correct_supported"] is None


def test_summarize_aggregates_over_the_right_questions() -> None:
    base = {"citation_precision": None, "timings": {"total": 1.0}, "type": "t"}
    answerable = {
        **base,
        "unanswerable": False,
        "refused": False,
        "hit_at_1": 1.0,
        "hit_at_5": 1.0,
        "hit_at_10": 1.0,
        "mrr": 1.0,
        "exact_match": 1.0,
        "f1": 1.0,
        "key_facts": 1.0,
        "citation_recall": 1.0,
        "citation_precision": 1.0,
        "correct_cited": 1.0,
        "correct_supported": 1.0,
    }
    missed = {**answerable, "refused": True, "hit_at_1": 0.0, "mrr": 0.5, "key_facts": 0.0}
    missed.update({"exact_match": 0.0, "f1": 0.0, "citation_recall": 0.0, "correct_cited": 0.0})
    missed["correct_supported"] = 0.0
    missed["citation_precision"] = None
    unanswerable = {**base, "unanswerable": True, "refused": True, "citation_recall": None}
    unanswerable.update(dict.fromkeys(("hit_at_1", "hit_at_5", "hit_at_10", "mrr"), None))
    unanswerable.update(dict.fromkeys(("exact_match", "f1", "key_facts", "correct_cited"), None))
    unanswerable["correct_supported"] = None
    summary = gold.summarize([answerable, missed, unanswerable])
    assert summary["correct_cited"] == 0.5 and summary["correct_supported"] == 0.5
    assert (summary["questions"], summary["answerable"], summary["unanswerable"]) == (3, 2, 1)
    assert summary["hit_at_1"] == 0.5 and summary["mrr"] == 0.75 and summary["key_facts"] == 0.5
    assert summary["citation_precision"] == 1.0 and summary["citation_recall"] == 0.5
    assert summary["refusal_precision"] == 0.5 and summary["refusal_recall"] == 1.0
    assert summary["faithfulness"] is None and summary["correctness"] is None
    assert summary["by_type"]["t"]["n"] == 3


# --- the LLM judge ---------------------------------------------------------------------------


def test_judge_runs_llama_index_evaluators() -> None:
    llm = ScriptedLLM(replies=["YES", "4.5\nThe answer matches the reference."])
    judge = gold.Judge(llm)
    ps = [passage(1, EVIDENCE)]
    result = judge(ITEM, answer("Three US citizens lost their lives [1].", [1], ps))
    assert result["faithfulness"] == 1.0
    assert result["correctness"] == 4.5 and result["correctness_passing"] is True
    assert llm.replies == []  # one call each
    prompts = [m.content for call in llm.prompts for m in call]
    assert any(EVIDENCE in p for p in prompts)


def test_judge_failure_is_recorded_not_raised() -> None:
    judge = gold.Judge(ScriptedLLM(replies=["NO", "no score here"]))
    result = judge(ITEM, answer("Three US citizens lost their lives [1].", [1], [passage(1, "x")]))
    assert result["faithfulness"] == 0.0 and result["correctness"] is None
    assert "error" in result


def test_judge_skips_what_it_cannot_judge() -> None:
    judge = gold.Judge(ScriptedLLM(replies=[]))  # any call would fail
    unanswerable = gold.GoldItem(id="u", type="unanswerable", question="q", unanswerable=True)
    result = judge(unanswerable, answer(REFUSAL, [], [passage(1, "x")], refused=True))
    assert result == {"faithfulness": None, "correctness": None}


# --- real embedder: retrieval on the seed set, and the command ------------------------------


def test_seed_gold_retrieval_hit_at_5(seed_index, embedder) -> None:
    from rag.pipeline import RAG

    rag = RAG(seed_index, embed_model=embedder, llm=None)
    ranks = []
    for item in gold.load_gold(seed_gold_path()):
        if item.unanswerable:
            continue
        query = rag.chain.standalone_question(item.question, item.history)
        nodes = rag.retriever.search(query, top_k=10)
        texts = [f"{n.node.metadata.get('title', '')}\n{n.node.get_content()}" for n in nodes]
        ranks.append(metrics.first_hit_rank(texts, item.evidence))
    assert metrics.mean(metrics.hit_at_k(r, 5) for r in ranks) >= 0.9
    assert metrics.mean(metrics.hit_at_k(r, 10) for r in ranks) >= 0.95


def test_rag_eval_seed_command_json(seed_corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "RAG_LLM": "extractive"}
    cmd = [sys.executable, "-m", "rag.cli", "eval", "--corpus", str(seed_corpus)]
    cmd += ["--index", str(tmp_path / "index"), "--out", str(out), "--json", "--limit", "10"]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    expected = {
        "questions",
        "answerable",
        "hit_at_1",
        "hit_at_5",
        "hit_at_10",
        "mrr",
        "exact_match",
        "f1",
        "key_facts",
        "citation_precision",
        "citation_recall",
        "refusal_precision",
        "refusal_recall",
        "faithfulness",
        "correctness",
        "seconds_per_question",
        "latency",
        "by_type",
    }
    assert expected <= set(summary)
    assert summary["questions"] == 10
    assert summary["hit_at_5"] >= 0.8
    assert set(summary["by_type"]) == TYPES  # round-robin over the 9 types
    assert summary["latency"]["total"]["n"] == 10
    data = json.loads((out / "results.json").read_text())
    assert len(data["records"]) == 10 and data["summary"] == summary
    assert (out / "report.md").is_file() and (out / "latency.png").is_file()
