"""Retrieval confidence cross-validated by time: a signal and threshold chosen on one half.

For each answerable RealTime QA question, the signals of ``rag.confidence`` on
the passages the answer chain retrieves (the default top k, the question date as
the as-of day) and whether the right choice's text is in them (hit@5, the
recall proxy). A threshold is chosen on one half (the one that best separates
misses from hits: true-positive minus false-positive rate) and scored on the
other half, which never saw it.

The same signal on the seed gold sets (their own corpus, shorter questions), as
counts only, so a test split is never read question by question:

    python -m evals.confidence_cv evals/seed_gold.jsonl evals/gold/seed_dev.jsonl
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from evals import metrics
from rag.confidence import SIGNAL, from_nodes, signals


def records(retriever: Any, questions: Sequence[Any]) -> list[dict[str, Any]]:
    """Signals and hit@5 per question, retrieval only (no LLM)."""
    from rag.answer import AnswerChain
    from rag.types import AskOptions

    chain = AnswerChain(retriever.settings, retriever, None)
    out = []
    for q in questions:
        nodes, *_ = chain.search(q.sentence, AskOptions(as_of=q.as_of))
        texts = [f"{n.node.metadata.get('title', '')}\n{n.node.get_content()}" for n in nodes]
        rank = metrics.first_hit_rank(texts, q.gold_text)
        out.append(
            {"id": q.id, "hit": metrics.hit_at_k(rank, 5), **signals(q.sentence, from_nodes(nodes))}
        )
    return out


def auc(rows: Sequence[dict[str, Any]], signal: str) -> float | None:
    """P(a hit scores above a miss), ties half: how well ``signal`` ranks hits over misses."""
    hits = [r[signal] for r in rows if r["hit"]]
    misses = [r[signal] for r in rows if not r["hit"]]
    if not hits or not misses:
        return None
    wins = sum((h > m) + 0.5 * (h == m) for h in hits for m in misses)
    return wins / (len(hits) * len(misses))


def choose_threshold(rows: Sequence[dict[str, Any]], signal: str) -> float:
    """The cut (flag below it) with the largest share of misses flagged minus hits flagged."""
    values = sorted({r[signal] for r in rows})
    misses = sum(1 for r in rows if not r["hit"]) or 1
    hits = sum(1 for r in rows if r["hit"]) or 1
    best, best_j = 0.0, -1.0
    for low, high in itertools.pairwise(values):
        cut = (low + high) / 2
        flagged_misses = sum(1 for r in rows if r[signal] < cut and not r["hit"])
        flagged_hits = sum(1 for r in rows if r[signal] < cut and r["hit"])
        j = flagged_misses / misses - flagged_hits / hits
        if j > best_j:
            best, best_j = cut, j
    return best


def at_threshold(rows: Sequence[dict[str, Any]], signal: str, cut: float) -> dict[str, Any]:
    """Share flagged, precision of the flag for misses, and hit@5 of flagged vs unflagged."""
    flagged = [r for r in rows if r[signal] < cut]
    kept = [r for r in rows if r[signal] >= cut]
    return {
        "threshold": round(cut, 4),
        "flagged": len(flagged),
        "share_flagged": len(flagged) / len(rows) if rows else None,
        "flag_precision": metrics.mean(not r["hit"] for r in flagged),
        "misses_flagged": metrics.mean(r[signal] < cut for r in rows if not r["hit"]),
        "r5_flagged": metrics.mean(r["hit"] for r in flagged),
        "r5_unflagged": metrics.mean(r["hit"] for r in kept),
    }


def cross_validate(
    halves: dict[str, list[dict[str, Any]]], fixed: float | None = None
) -> dict[str, Any]:
    """Per signal: AUC on each half; the threshold chosen on each half, scored on the other.

    ``fixed``: also the configured threshold of the chosen signal on each half.
    """
    names = [k for k in next(iter(halves.values()))[0] if k not in ("id", "hit")]
    report: dict[str, Any] = {"questions": {h: len(r) for h, r in halves.items()}, "signals": {}}
    if fixed is not None:
        report["fixed"] = {h: at_threshold(r, SIGNAL, fixed) for h, r in halves.items()}
    for signal in names:
        entry: dict[str, Any] = {"auc": {h: auc(r, signal) for h, r in halves.items()}}
        for chosen_on, rows in halves.items():
            cut = choose_threshold(rows, signal)
            entry[f"chosen on {chosen_on}"] = {
                scored_on: at_threshold(other, signal, cut)
                for scored_on, other in halves.items()
                if scored_on != chosen_on
            }
        report["signals"][signal] = entry
    return report


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def markdown(report: dict[str, Any]) -> str:
    """One line per signal and direction: AUCs, and the held-out half at the chosen threshold."""
    halves = list(report["questions"])
    head = (
        "| signal | "
        + " | ".join(f"AUC {h}" for h in halves)
        + " | threshold chosen on | scored on | threshold | flagged | flag precision (misses)"
        " | misses flagged | R@5 flagged / unflagged |"
    )
    lines = [head, "|---" * (len(halves) + 7) + "|"]
    for signal, entry in report["signals"].items():
        aucs = " | ".join(_fmt(entry["auc"][h]) for h in halves)
        for key, scored in entry.items():
            if not key.startswith("chosen on "):
                continue
            for scored_on, s in scored.items():
                lines.append(
                    f"| {signal} | {aucs} | {key[len('chosen on ') :]} | {scored_on} | "
                    f"{s['threshold']} | {s['flagged']} ({_fmt(s['share_flagged'])}) | "
                    f"{_fmt(s['flag_precision'])} | {_fmt(s['misses_flagged'])} | "
                    f"{_fmt(s['r5_flagged'])} / {_fmt(s['r5_unflagged'])} |"
                )
    for half, s in report.get("fixed", {}).items():
        lines.append(
            f"| {SIGNAL} (configured) | | | - | {half} | {s['threshold']} | "
            f"{s['flagged']} ({_fmt(s['share_flagged'])}) | {_fmt(s['flag_precision'])} | "
            f"{_fmt(s['misses_flagged'])} | {_fmt(s['r5_flagged'])} / {_fmt(s['r5_unflagged'])} |"
        )
    counts = ", ".join(f"{h} {n}" for h, n in report["questions"].items())
    return "\n".join([*lines, "", f"answerable questions: {counts}"])


def gold_counts(rag: Any, items: Sequence[Any], threshold: float) -> dict[str, Any]:
    """Answerable and unanswerable questions flagged at ``threshold``, retrieval only."""
    from rag.types import AskOptions

    values: dict[bool, list[float]] = {False: [], True: []}
    for item in items:
        nodes, *_ = rag.chain.search(item.question, AskOptions())
        values[item.unanswerable].append(signals(item.question, from_nodes(nodes))[SIGNAL])
    return {
        "threshold": threshold,
        "answerable": len(values[False]),
        "answerable_flagged": sum(v < threshold for v in values[False]),
        "unanswerable": len(values[True]),
        "unanswerable_flagged": sum(v < threshold for v in values[True]),
        "lowest_answerable": round(min(values[False]), 4) if values[False] else None,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Counts per gold set on its corpus (RAG_* settings, the extractive backend)."""
    import argparse
    import json
    from pathlib import Path

    from evals import gold
    from rag.config import load_settings
    from rag.env import prepare_process
    from rag.pipeline import RAG

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("gold", nargs="+", type=Path, help="gold .jsonl files")
    parser.add_argument("--threshold", type=float, help="default: RAG_LOW_CONFIDENCE")
    args = parser.parse_args(argv)
    prepare_process()
    settings = load_settings().model_copy(update={"llm": "extractive"})
    rag = RAG(settings)
    rag.ingest(show_progress=False)
    threshold = settings.low_confidence if args.threshold is None else args.threshold
    for path in args.gold:
        counts = gold_counts(rag, gold.load_gold(path), threshold)
        print(json.dumps({"gold": str(path), **counts}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
