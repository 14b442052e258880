"""``rag eval dates``: the date features scored on a dated corpus of fictional stories.

The corpus (``evals/dated/corpus``) tells five stories over months in dated
articles that say "on Monday", "yesterday", "last year". The gold set
(``evals/dated/questions.jsonl``) asks temporal questions, each with the day it
is asked (``as_of``), the window the question should search, key facts, and for
current-state questions the article whose state is the latest; five timelines
(``evals/dated/timelines.jsonl``) give the expected events and their days.

Metrics: window accuracy (the window reported equals the gold one, None where
the question names no time), citations outside the window (must be 0), key
facts, latest-state accuracy (the latest article cited and its fact given),
citation precision (cited passages holding a key fact), timeline event recall,
order accuracy (concordant pairs of found events) and event date accuracy.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Sequence
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals import metrics
from rag.dates import day_int
from rag.types import AskOptions

if TYPE_CHECKING:
    from rag.pipeline import RAG
    from rag.types import Answer

DATED = Path(__file__).with_name("dated")
CORPUS = DATED / "corpus"
QUESTIONS = DATED / "questions.jsonl"
TIMELINES = DATED / "timelines.jsonl"


def load_jsonl(path: Path, split: str | None = None) -> list[dict[str, Any]]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [i for i in items if split is None or i.get("split") == split]


def _outside(day: str, window: dict[str, str | None] | None) -> bool:
    """Whether a citation's publish day lies outside ``window`` (undated ones never do)."""
    if not window or not day:
        return False
    return bool(
        (window.get("from") and day < str(window["from"]))
        or (window.get("to") and day > str(window["to"]))
    )


def score_question(item: dict[str, Any], answer: Answer) -> dict[str, Any]:
    """One question's record: window, leaks, key facts, latest state, citation precision."""
    gold_window = item.get("window")
    cited = [(c.source, c.date, c.quote or c.text) for c in answer.citations]
    facts = item.get("key_facts") or []
    variants = [v for group in facts for v in group]
    record: dict[str, Any] = {
        "id": item["id"],
        "type": item["type"],
        "split": item.get("split"),
        "question": item["question"],
        "as_of": item["as_of"],
        "answer": answer.answer,
        "refused": answer.refused,
        "window": answer.window,
        "gold_window": gold_window,
        "window_ok": answer.window == gold_window,
        "cited": [s for s, _, _ in cited],
        "outside_window": sum(1 for _, day, _ in cited if _outside(day, answer.window)),
        "outside_gold_window": sum(1 for _, day, _ in cited if _outside(day, gold_window)),
    }
    if facts:
        record["key_facts"] = (not answer.refused) and any(
            metrics.contains(answer.answer, v) for v in variants
        )
        record["citation_precision"] = (
            metrics.mean(any(metrics.contains(text, v) for v in variants) for _, _, text in cited)
            if cited
            else None
        )
    if item.get("latest_source"):
        record["latest_ok"] = bool(
            record.get("key_facts") and item["latest_source"] in record["cited"]
        )
    return record


def score_timeline(item: dict[str, Any], timeline: dict[str, Any]) -> dict[str, Any]:
    """Expected events found (by a key phrase), their order and their days."""
    lines = timeline["events"]
    found: list[tuple[int, int, bool]] = []  # (expected index, line index, date right)
    for n, expected in enumerate(item["events"]):
        # Among the lines naming the event, the one dated nearest the expected day: a key
        # word such as "steel" may also occur in the line of another event.
        matches = [
            (abs(date.fromisoformat(line["date"]) - date.fromisoformat(expected["date"])), k)
            for k, line in enumerate(lines)
            if any(metrics.contains(line["text"], w) for w in expected["contains"])
        ]
        if matches:
            k = min(matches)[1]
            found.append((n, k, lines[k]["date"] == expected["date"]))
    pairs = list(combinations(found, 2))
    concordant = sum(1 for a, b in pairs if (a[0] < b[0]) == (a[1] < b[1]) and a[1] != b[1])
    return {
        "id": item["id"],
        "split": item.get("split"),
        "topic": item["topic"],
        "lines": len(lines),
        "expected": len(item["events"]),
        "event_recall": len(found) / len(item["events"]),
        "order_accuracy": concordant / len(pairs) if pairs else None,
        "event_date_accuracy": sum(1 for f in found if f[2]) / len(found) if found else 0.0,
        "cited_every_line": all(line["citations"] for line in lines),
        "timeline": [f"{line['date']} {line['text']}" for line in lines],
    }


def summarize(questions: Sequence[dict[str, Any]], timelines: Sequence[dict[str, Any]]) -> dict:
    latest = [q["latest_ok"] for q in questions if "latest_ok" in q]
    return {
        "questions": len(questions),
        "window_accuracy": metrics.mean(q["window_ok"] for q in questions),
        "answers_citing_outside_window": sum(1 for q in questions if q["outside_window"]),
        "answers_citing_outside_gold_window": sum(1 for q in questions if q["outside_gold_window"]),
        "key_facts": metrics.mean(q["key_facts"] for q in questions if "key_facts" in q),
        "latest_state_accuracy": metrics.mean(latest),
        "latest_state_questions": len(latest),
        "citation_precision": metrics.mean(q.get("citation_precision") for q in questions),
        "timelines": len(timelines),
        "timeline_event_recall": metrics.mean(t["event_recall"] for t in timelines),
        "timeline_order_accuracy": metrics.mean(t["order_accuracy"] for t in timelines),
        "event_date_accuracy": metrics.mean(t["event_date_accuracy"] for t in timelines),
    }


def run(rag: RAG, split: str | None = None) -> dict[str, Any]:
    """Ask every gold question and build every gold timeline; records and the summary."""
    questions = []
    for item in load_jsonl(QUESTIONS, split):
        options = AskOptions(
            as_of=day_int(item["as_of"]),
            date_from=day_int(item.get("date_from")),
            date_to=day_int(item.get("date_to")),
        )
        questions.append(score_question(item, rag.ask(item["question"], options)))
    timelines = [
        score_timeline(item, rag.timeline(item["topic"])) for item in load_jsonl(TIMELINES, split)
    ]
    return {
        "summary": summarize(questions, timelines),
        "questions": questions,
        "timelines": timelines,
    }


def run_cli(args: Any, settings: Any) -> int:
    """``rag eval dates [--split dev|test] [--out DIR] [--json]`` over the dated corpus."""
    from rag.cli import print_report
    from rag.pipeline import RAG

    out = Path(args.out or f"eval-out/dates-{settings.llm}-{args.split or 'all'}")
    corpus = settings.corpus_dir if args.corpus_dir else CORPUS
    index = settings.index_dir if args.index_dir else out / "index"
    if not args.index_dir:  # a fresh index: event dates are resolved by the code being measured
        shutil.rmtree(index, ignore_errors=True)
    rag = RAG(settings.model_copy(update={"corpus_dir": corpus, "index_dir": index}))
    print_report(rag.ingest(), out=sys.stderr)
    result = run(rag, args.split)
    out.mkdir(parents=True, exist_ok=True)
    (out / "dates.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    summary = result["summary"]
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for key, value in summary.items():
            shown = f"{value:.3f}" if isinstance(value, float) else value
            print(f"{key:<36} {shown}")
        print(f"records: {out / 'dates.json'}")
    return 0
