"""Retrieval cross-validated by time on RealTime QA: each setting alone, against naive.

A retrieval setting is kept only if it beats the naive recipe on both held-out
halves of the weeks (by default Jan-Feb and Mar-Apr). Only retrieval runs here
(the recall proxy: a top-k chunk holds the right choice's text), so a whole
table of variants costs seconds per variant instead of an LLM run each; a variant
with ``expand_below`` also runs the LLM's sketch for each unsure search:

    python -m evals.rtqa_crossval                      # defaults vs naive, both halves
    python -m evals.rtqa_crossval --variant recency_weight=0 --variant max_chunks_per_article=0
    python -m evals.rtqa_crossval --confidence         # low-confidence signals, chosen by time

Both indexes are the ones ``rag eval realtimeqa --compare naive`` builds and reuses.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from evals import confidence_cv, metrics

if TYPE_CHECKING:
    from rag.config import Settings

HALVES = {"jan-feb": "20260101-20260228", "mar-apr": "20260301-20260430"}


def parse_variant(spec: str) -> dict[str, Any]:
    """``key=value[,key=value]`` into Settings overrides (numbers parsed; 'base' is none)."""
    if spec in ("", "base"):
        return {}
    update: dict[str, Any] = {}
    for part in spec.split(","):
        key, sep, raw = part.partition("=")
        if not sep:
            raise ValueError(f"variant {spec!r}: expected key=value")
        value: Any
        try:
            value = int(raw)
        except ValueError:
            try:
                value = float(raw)
            except ValueError:
                value = {"true": True, "false": False}.get(raw.lower(), raw)
        update[key.strip()] = value
    return update


def recall(
    retriever: Any, questions: Sequence[Any], answerable: set[str], llm: Any = None
) -> dict[str, float | int]:
    """recall@1/5/10 over the answerable questions, and date leaks, for one retriever;
    ``llm`` sketches answers for unsure searches (``rag.expand``), as in the answer chain."""
    from evals.realtimeqa import retrieval_record
    from rag.answer import AnswerChain

    holder = SimpleNamespace(chain=AnswerChain(retriever.settings, retriever, llm))
    records = [retrieval_record(holder, q, q.id in answerable) for q in questions]  # type: ignore[arg-type]
    scored = [r for r in records if r["hit_at_5"] is not None]
    return {
        "answerable": len(scored),
        "hits": [int(r["hit_at_5"]) for r in scored],  # per question, for paired intervals
        "r1": metrics.mean(r["hit_at_1"] for r in scored),
        "r5": metrics.mean(r["hit_at_5"] for r in scored),
        "r10": metrics.mean(r["hit_at_10"] for r in scored),
        "date_leaks": sum(r["date_leaks"] for r in records),
    }


def run(
    variants: list[str],
    halves: dict[str, str],
    base: Settings | None = None,
    confidence: bool = False,
) -> dict[str, Any]:
    """recall of naive and of each variant on each half; ``base`` defaults to RAG_* settings.

    ``confidence``: instead, each question's confidence signals and hit@5 with the defaults.
    """
    from evals import naive as naive_recipe
    from evals import realtimeqa as rtqa
    from evals.rtqa_data import load_dataset, pick_questions
    from rag.config import load_settings
    from rag.pipeline import RAG
    from rag.retrieve import HybridRetriever

    base = base or load_settings()
    data_dir = base.benchmark_dir
    data = load_dataset(data_dir)
    settings = rtqa.benchmark_settings(base, data_dir)
    rag = RAG(settings)
    index = rtqa.prepare_index(rag, data.articles, show_progress=sys.stderr.isatty())
    if not confidence:
        naive = naive_recipe.NaiveRAG(naive_recipe.naive_settings(settings), rag.embed_model)
        naive_index = naive_recipe.prepare_index(naive, data.articles, show_progress=False)
        print(f"ours {index['chunks']} chunks, naive {naive_index['chunks']}", file=sys.stderr)
    table = rag.retriever.table
    results: dict[str, Any] = {"halves": halves, "rows": {}}
    for name, weeks in halves.items():
        questions = pick_questions(data.questions, weeks, None)
        answerable = rtqa.answerable_ids(questions, data.articles)
        if confidence:
            retriever = HybridRetriever(settings, rag.embed_model, rag.vector_store, table)
            results["rows"][name] = confidence_cv.records(
                retriever, [q for q in questions if q.id in answerable]
            )
            continue
        row = {"naive": recall(naive.retriever, questions, answerable)}  # its chain searches alike
        for spec in variants:
            update = parse_variant(spec)
            retriever = HybridRetriever(
                settings.model_copy(update=update), rag.embed_model, rag.vector_store, table
            )
            sketches = retriever.settings.expand_below > 0  # the LLM only when it is asked
            row[spec or "base"] = recall(
                retriever, questions, answerable, rag.llm if sketches else None
            )
        results["rows"][name] = row
    return results


def paired_interval(
    hits: Sequence[int], baseline: Sequence[int], draws: int = 2000
) -> tuple[float, float]:
    """95% paired-bootstrap interval of mean(hits) - mean(baseline) over the same questions.

    With 70 to 85 questions a half, one question is 1.2 to 1.4 points: the interval
    says which differences a half can tell apart from noise. Seeded, so reruns agree.
    """
    import numpy as np

    diff = np.asarray(hits, dtype=float) - np.asarray(baseline, dtype=float)
    if not len(diff):
        return 0.0, 0.0
    rng = np.random.default_rng(0)
    means = diff[rng.integers(0, len(diff), size=(draws, len(diff)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def markdown(results: dict[str, Any]) -> str:
    """One line per variant: recall@5 on each half and its difference to naive (with its 95%
    paired-bootstrap interval when per-question hits are known)."""
    halves = list(results["halves"])
    head = "| variant | " + " | ".join(f"{h} R@5 (vs naive)" for h in halves) + " | wins both |"
    lines = [head, "|---" * (len(halves) + 2) + "|"]
    names = list(next(iter(results["rows"].values())))
    for name in names:
        cells, wins = [], True
        for half in halves:
            row = results["rows"][half]
            value, base = row[name]["r5"], row["naive"]["r5"]
            interval = ""
            if name != "naive" and "hits" in row[name] and "hits" in row["naive"]:
                low, high = paired_interval(row[name]["hits"], row["naive"]["hits"])
                interval = f", 95% {low:+.3f} to {high:+.3f}"
            cells.append(f"{value:.3f} ({value - base:+.3f}{interval})")
            wins = wins and value > base
        flag = "-" if name == "naive" else ("yes" if wins else "no")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {flag} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    from rag.env import prepare_process

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        help="Settings overrides key=value[,key=value] (repeatable); 'base' is the defaults",
    )
    parser.add_argument(
        "--halves",
        help="name=weeks;name=weeks (weeks as for --weeks); default Jan-Feb and Mar-Apr",
    )
    parser.add_argument(
        "--confidence",
        action="store_true",
        help="score retrieval-confidence signals: a threshold chosen on one half, "
        "scored on the other",
    )
    parser.add_argument("--json", action="store_true", help="print the full results as JSON")
    args = parser.parse_args(argv)
    prepare_process()
    halves = HALVES
    if args.halves:
        halves = dict(part.split("=", 1) for part in args.halves.split(";"))
    if args.confidence:
        results = run([], halves, confidence=True)
        from rag.config import load_settings

        fixed = load_settings().low_confidence
        report = confidence_cv.cross_validate(results["rows"], fixed)
        print(json.dumps(report, indent=2) if args.json else confidence_cv.markdown(report))
        return 0
    results = run(["base", *args.variant], halves)
    print(json.dumps(results, indent=2) if args.json else markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
