"""Run a gold question set through the chatbot and score every answer.

A gold set is a JSONL file, one question a line::

    {"id": "a01", "type": "how_many", "question": "...", "answer": "3",
     "accepted": ["three"], "key_facts": [["3", "three"]],
     "evidence": "3 US citizens ... lost their lives", "source": "article.txt"}

``evidence`` and ``source`` may be lists (a comparison across articles needs
every piece); ``history`` holds earlier chat turns for a follow-up;
``"unanswerable": true`` marks a question the articles do not answer, which
the chatbot should refuse. ``key_facts`` is a list of groups: every group must
be in the answer, in any one of its variants.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals import metrics
from rag.citations import CITATION_RE, parse_claims
from rag.claims import question_type, supplies_type, unsupported_atoms

if TYPE_CHECKING:
    from rag.pipeline import RAG
    from rag.types import Answer

RETRIEVAL_DEPTH = 10
# "dev" questions may be looked at while tuning; "test" ones are only scored and reported.
SPLITS = ("dev", "test")
TYPE_METRICS = (
    "hit_at_5",
    "mrr",
    "key_facts",
    "correct_cited",
    "correct_supported",
    "f1",
    "citation_precision",
    "citation_recall",
    "refused",
    "answer_type_match",
    "context_recall",
)


@dataclass
class GoldItem:
    """One gold question; answer fields are empty for an unanswerable one."""

    id: str
    type: str
    question: str
    answer: str = ""
    accepted: list[str] = field(default_factory=list)
    key_facts: list[list[str]] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    history: list[dict[str, str]] = field(default_factory=list)
    unanswerable: bool = False
    split: str = "dev"

    @property
    def answers(self) -> list[str]:
        return [a for a in [self.answer, *self.accepted] if a]


def _listify(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(value)] if isinstance(value, str) else [str(v) for v in value]


def parse_item(data: dict[str, Any]) -> GoldItem:
    """A validated GoldItem; raises ValueError naming what is missing."""
    for key in ("id", "question"):
        if not str(data.get(key, "")).strip():
            raise ValueError(f"missing {key!r}")
    unanswerable = bool(data.get("unanswerable", False))
    item = GoldItem(
        id=str(data["id"]),
        type=str(data.get("type") or ("unanswerable" if unanswerable else "other")),
        question=str(data["question"]),
        answer=str(data.get("answer") or ""),
        accepted=_listify(data.get("accepted")),
        key_facts=[_listify(group) for group in data.get("key_facts") or []],
        evidence=_listify(data.get("evidence")),
        source=_listify(data.get("source")),
        history=list(data.get("history") or []),
        unanswerable=unanswerable,
        split=str(data.get("split") or "dev"),
    )
    if item.split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, not {item.split!r}")
    if not unanswerable and not item.answer:
        raise ValueError("an answerable question needs 'answer'")
    if not unanswerable and not item.evidence:
        raise ValueError("an answerable question needs 'evidence'")
    return item


def load_gold(path: Path) -> list[GoldItem]:
    """Read a gold JSONL file; a bad line is an error that names the line."""
    items: list[GoldItem] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            item = parse_item(json.loads(line))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: {exc}") from exc
        if item.id in seen:
            raise ValueError(f"{path}:{number}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise ValueError(f"{path} holds no questions")
    return items


def missing_sources(items: Sequence[GoldItem], corpus_dir: Path) -> list[str]:
    """Source files the gold set names that the corpus folder lacks."""
    names = {s for item in items for s in item.source}
    return sorted(n for n in names if not (corpus_dir / n).exists())


# --- scoring one answer ------------------------------------------------------------


def claim_checks(item: GoldItem, answer: Answer) -> list[dict[str, Any]]:
    """Each sentence of the answer, the passages it cites, and whether each supports it."""
    if answer.refused:
        return []
    by_number = {p.number: p for p in answer.passages}
    checks = []
    for claim in parse_claims(answer.answer):
        for number in claim.cited:
            passage = by_number.get(number)
            text = f"{passage.title}\n{passage.text}" if passage else ""
            supported = passage is not None and metrics.claim_supported(
                claim.text, text, item.evidence, item.key_facts
            )
            checks.append({"claim": claim.text, "cited": number, "supported": supported})
    if not checks and answer.citations:
        # A bare-phrase answer: its one citation stands for the whole answer.
        for passage in answer.citations:
            text = f"{passage.title}\n{passage.text}"
            supported = metrics.claim_supported(answer.answer, text, item.evidence, item.key_facts)
            checks.append({"claim": answer.answer, "cited": passage.number, "supported": supported})
    return checks


def score(item: GoldItem, answer: Answer, retrieved: Sequence[str]) -> dict[str, Any]:
    """Every metric of one question, from its answer and the top retrieved texts."""
    plain = CITATION_RE.sub("", answer.answer).strip()
    checks = claim_checks(item, answer)
    # The model sees each passage under its title and publisher: evidence there counts.
    cited_texts = [f"{p.title}\n{p.publisher or ''}\n{p.text}" for p in answer.citations]
    record: dict[str, Any] = {
        "refused": answer.refused,
        "citation_precision": metrics.citation_precision([c["supported"] for c in checks]),
        "claims": checks,
        "unsupported_claims": unsupported_claims(item, answer),
        "route": answer.route,
    }
    if item.unanswerable:
        record.update(
            dict.fromkeys(
                ("retrieval_rank", "hit_at_1", "hit_at_5", "hit_at_10", "mrr", "exact_match"), None
            )
        )
        record.update(
            dict.fromkeys(
                ("f1", "key_facts", "citation_recall", "correct_cited", "correct_supported"), None
            )
        )
        record.update({"false_refusal": None, "answer_type_match": None, "context_recall": None})
        return record
    rank = metrics.first_hit_rank(retrieved, item.evidence)
    prediction = "" if answer.refused else plain
    record.update(
        {
            "retrieval_rank": rank,
            "hit_at_1": metrics.hit_at_k(rank, 1),
            "hit_at_5": metrics.hit_at_k(rank, 5),
            "hit_at_10": metrics.hit_at_k(rank, 10),
            "mrr": metrics.reciprocal_rank(rank),
            "exact_match": metrics.exact_match(prediction, item.answers),
            "f1": metrics.token_f1(prediction, item.answers),
            "key_facts": float(
                bool(prediction) and metrics.key_facts_present(prediction, item.key_facts)
            ),
            "citation_recall": metrics.citation_recall(cited_texts, item.evidence),
        }
    )
    # The headline: right facts, and the passage that states them among the citations.
    record["correct_cited"] = float(
        record["key_facts"] == 1.0 and (record["citation_recall"] or 0.0) > 0.0
    )
    # Looser, reported beside it: right facts, and a cited passage that states them too. Another
    # article may give the fact the gold evidence sentence gives (a second report of one event).
    record["correct_supported"] = float(
        record["key_facts"] == 1.0
        and any(metrics.key_facts_present(t, item.key_facts) for t in cited_texts)
    )
    record["false_refusal"] = float(answer.refused)
    record["answer_type_match"] = (
        None
        if answer.refused
        else float(supplies_type(question_type(item.question), plain, item.question))
    )
    shown = [f"{p.title}\n{p.context_text()}" for p in answer.passages if p.in_prompt]
    record["context_recall"] = float(
        any(metrics.contains(t, e) for t in shown for e in item.evidence)
    )
    return record


def unsupported_claims(item: GoldItem, answer: Answer) -> list[str]:
    """Numbers, dates and names in the answer that no cited passage (nor the question) holds."""
    if answer.refused:
        return []
    evidence = [f"{p.title}\n{p.publisher}\n{p.date}\n{p.text}" for p in answer.citations]
    evidence += [item.question, answer.standalone_question]
    missing: list[str] = []
    for claim in parse_claims(answer.answer):
        missing.extend(a.text for a in unsupported_atoms(claim.text, evidence))
    return missing


# --- the optional LLM judge ------------------------------------------------------------


class Judge:
    """llama-index's faithfulness and correctness evaluators over an LLM judge."""

    def __init__(self, llm: Any) -> None:
        from llama_index.core.evaluation import CorrectnessEvaluator, FaithfulnessEvaluator

        self.faithfulness = FaithfulnessEvaluator(llm=llm)
        self.correctness = CorrectnessEvaluator(llm=llm)

    def __call__(self, item: GoldItem, answer: Answer) -> dict[str, Any]:
        """Scores of one answer; a judge failure is recorded, not raised (the run goes on)."""
        result: dict[str, Any] = {"faithfulness": None, "correctness": None}
        plain = CITATION_RE.sub("", answer.answer).strip()
        query = answer.standalone_question or item.question  # a follow-up, made standalone
        try:
            if not answer.refused:
                contexts = [p.context_text() for p in answer.passages if p.in_prompt]
                if contexts:
                    verdict = self.faithfulness.evaluate(
                        query=query, response=plain, contexts=contexts
                    )
                    result["faithfulness"] = float(bool(verdict.passing))
            if not item.unanswerable:
                verdict = self.correctness.evaluate(
                    query=query, response=plain, reference=item.answer
                )
                result["correctness"] = verdict.score
                result["correctness_passing"] = verdict.passing
        except Exception as exc:  # a judge that is down or replies out of format
            result["error"] = f"{type(exc).__name__}: {exc}"
        return result


# --- the run ------------------------------------------------------------------------------


def evaluate_item(rag: RAG, item: GoldItem, judge: Judge | None = None) -> dict[str, Any]:
    """Ask one gold question and score it; the record is JSON-ready."""
    started = time.perf_counter()
    answer = rag.ask(item.question, history=item.history or None, style="cited")
    wall = time.perf_counter() - started
    query = answer.search_query or answer.standalone_question or item.question
    nodes = rag.retriever.search(query, top_k=RETRIEVAL_DEPTH)
    retrieved = [f"{n.node.metadata.get('title', '')}\n{n.node.get_content()}" for n in nodes]
    record: dict[str, Any] = {
        "id": item.id,
        "type": item.type,
        "question": item.question,
        "history_turns": len(item.history),
        "standalone_question": answer.standalone_question,
        "unanswerable": item.unanswerable,
        "expected": item.answer,
        "answer": answer.answer,
        **score(item, answer, retrieved),
        "citations": [
            {"number": p.number, "source": p.source, "quote": p.quote, "text": p.text}
            for p in answer.citations
        ],
        "retrieved": [
            {
                "rank": rank,
                "source": str(n.node.metadata.get("file", "")),
                "has_evidence": any(metrics.contains(text, e) for e in item.evidence),
            }
            for rank, (n, text) in enumerate(zip(nodes, retrieved, strict=True), start=1)
        ],
        "timings": {k: round(v, 4) for k, v in answer.timings.items()},
        "usage": answer.usage,
        "wall_seconds": round(wall, 4),
    }
    if judge is not None:
        record["judge"] = judge(item, answer)
    return record


def run_gold(
    rag: RAG,
    items: Sequence[GoldItem],
    judge: Judge | None = None,
    progress: bool = True,
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Every question in turn, with a progress bar on stderr."""
    from tqdm.auto import tqdm

    records: list[dict[str, Any]] = []
    bar = tqdm(items, desc="Gold questions", unit="q", disable=not progress, leave=False)
    for item in bar:
        record = evaluate_item(rag, item, judge)
        records.append(record)
        if on_record is not None:
            on_record(record)
        kf = metrics.mean(r["key_facts"] for r in records)
        bar.set_postfix(key_facts=f"{kf:.2f}" if kf is not None else "-")
    bar.close()
    return records


def summarize(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate metrics: retrieval and correctness over answerable questions, refusal over all."""
    answerable = [r for r in records if not r["unanswerable"]]
    refusal = metrics.refusal_scores(
        [r["refused"] for r in records], [r["unanswerable"] for r in records]
    )
    summary: dict[str, Any] = {
        "questions": len(records),
        "answerable": len(answerable),
        "unanswerable": len(records) - len(answerable),
    }
    for key in (
        "hit_at_1",
        "hit_at_5",
        "hit_at_10",
        "mrr",
        "exact_match",
        "f1",
        "key_facts",
        "correct_cited",
        "correct_supported",
    ):
        summary[key] = metrics.mean(r[key] for r in answerable)
    for key in ("answer_type_match", "context_recall"):
        summary[key] = metrics.mean(r.get(key) for r in answerable)
    summary["unsupported_claims"] = sum(len(r.get("unsupported_claims") or []) for r in records)
    summary["answers_with_unsupported_claims"] = sum(
        bool(r.get("unsupported_claims")) for r in records
    )
    summary["followup_hit_at_5"] = metrics.mean(
        r["hit_at_5"] for r in answerable if r.get("history_turns")
    )
    summary["routes"] = dict(Counter(r.get("route", "draft") for r in records))
    summary["citation_precision"] = metrics.mean(r["citation_precision"] for r in records)
    summary["citation_recall"] = metrics.mean(r["citation_recall"] for r in answerable)
    summary.update(refusal)
    judged = [r["judge"] for r in records if r.get("judge")]
    for key in ("faithfulness", "correctness"):
        summary[key] = metrics.mean(j.get(key) for j in judged) if judged else None
    summary["seconds_per_question"] = metrics.mean(r["timings"].get("total") for r in records)
    summary["latency"] = metrics.latency_summary([r["timings"] for r in records])
    summary["by_type"] = metrics.mean_by(records, "type", TYPE_METRICS)
    return summary
