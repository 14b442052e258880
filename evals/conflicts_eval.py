"""``rag eval conflicts`` and ``rag eval stories``: conflicting reports and syndicated copies.

    rag eval conflicts [--split dev|test|holdout|devN|testN] [--llm extractive]
                       [--out DIR] [--json]
    rag eval stories --corpus DIR [--out DIR] [--json]

``conflicts`` indexes ``evals/conflicts/corpus`` (fictional articles: reports
that disagree, reports that agree, syndicated copies) and asks its questions:
conflict recall (the answer gives both values and cites a copy of both
stories), detector recall (``Answer.conflicts`` holds both), false conflicts on
control questions, control answers right, duplicate copies in the prompt (two
passages from different copies of one story) and distinct stories among the
citations. The same questions run once more with the one-copy-per-story cap off,
to show what the cap removes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent / "conflicts"


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_questions(split: str | None) -> list[dict[str, Any]]:
    lines = (HERE / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines if line.strip()]
    return [q for q in items if split is None or q["split"] == split]


def _has(text: str, aliases: list[str]) -> bool:
    lower = text.lower()
    return any(a.lower() in lower for a in aliases)


def score(item: dict[str, Any], answer: Any, story_of: dict[str, str]) -> dict[str, Any]:
    """One question's record: what the answer and the prompt got right or wrong."""
    shown = [p for p in answer.passages if p.in_prompt]
    seen: dict[str, str] = {}
    duplicates = 0
    for p in shown:
        gold = story_of.get(p.source, p.source)
        if gold in seen and seen[gold] != p.source:
            duplicates += 1
        seen.setdefault(gold, p.source)
    cited_stories = [story_of.get(c.source, c.source) for c in answer.citations]
    record: dict[str, Any] = {
        "id": item["id"],
        "split": item["split"],
        "kind": item["kind"],
        "question": item["question"],
        "answer": answer.answer,
        "refused": answer.refused,
        "route": answer.route,
        "conflicts": answer.conflicts,
        "citations": [c.source for c in answer.citations],
        "duplicates_in_prompt": duplicates,
        "distinct_cited_stories": len(set(cited_stories)),
        "citations_count": len(cited_stories),
    }
    if item["kind"] == "conflict":
        by_number = {p.number: story_of.get(p.source, p.source) for p in answer.passages}
        record["recalled"] = all(
            _has(answer.answer, v["aliases"]) and v["story"] in cited_stories
            for v in item["values"]
        )
        record["detected"] = all(
            any(
                _has(side["value"], v["aliases"])
                and any(by_number.get(n) == v["story"] for n in side["citations"])
                for c in answer.conflicts
                for side in c["values"]
            )
            for v in item["values"]
        )
    else:
        record["false_conflict"] = bool(answer.conflicts)
        record["correct"] = not answer.refused and _has(answer.answer, item["answer"])
    return record


def summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    conflict = [r for r in records if r["kind"] == "conflict"]
    control = [r for r in records if r["kind"] == "control"]

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 3) if values else None

    return {
        "questions": len(records),
        "conflict_questions": len(conflict),
        "control_questions": len(control),
        "conflict_recall": mean([float(r["recalled"]) for r in conflict]),
        "detector_recall": mean([float(r["detected"]) for r in conflict]),
        "false_conflicts": mean([float(r["false_conflict"]) for r in control]),
        "control_correct": mean([float(r["correct"]) for r in control]),
        "duplicates_in_prompt": sum(r["duplicates_in_prompt"] for r in records),
        "distinct_stories_per_citation": mean(
            [r["distinct_cited_stories"] / r["citations_count"] for r in records if r["citations"]]
        ),
    }


def run_conflicts(settings: Any, split: str | None, out: Path) -> dict[str, Any]:
    """Index the conflict corpus under ``out`` and score every question of ``split``."""
    from rag.pipeline import RAG

    story_of = json.loads((HERE / "stories.json").read_text(encoding="utf-8"))
    items = load_questions(split)
    summary: dict[str, Any] = {"split": split or "all", "llm": settings.llm}
    all_records = {}
    for cap in (True, False):
        run_settings = settings.model_copy(
            update={
                "corpus_dir": HERE / "corpus",
                "index_dir": out / "index",
                "one_passage_per_story": cap,
            }
        )
        rag = RAG(run_settings)
        report = rag.ingest()
        summary["stories_found"] = rag.status()["stories"]
        summary["documents"] = report.documents_total
        records = []
        started = time.perf_counter()
        for item in items:
            records.append(score(item, rag.ask(item["question"]), story_of))
        label = "one_copy_per_story" if cap else "no_cap"
        summary[label] = summarise(records)
        summary[label]["seconds_per_question"] = round(
            (time.perf_counter() - started) / max(1, len(items)), 2
        )
        all_records[label] = records
        if settings.llm != "extractive":
            break  # the comparison without the cap is about the prompt, not the model
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(
        json.dumps({"summary": summary, "records": all_records}, indent=2, ensure_ascii=False),
        encoding="utf-8",
    )
    return summary


def command(args: argparse.Namespace) -> int:
    from rag.cli import settings_from_args

    settings = settings_from_args(args)
    out = args.out or Path("eval-out") / args.target
    if args.target == "stories":
        from evals.stories_eval import run

        summary = run(settings.corpus_dir, out, settings.story_threshold)
    else:
        summary = run_conflicts(settings, args.split, out)
    print(json.dumps(summary, indent=2))
    _err(f"details: {out / 'results.json'}")
    return 0
