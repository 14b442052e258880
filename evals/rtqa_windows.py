"""RealTime QA retrieval with and without question windows: does "this week" help recall@5?

Retrieval only (no answers), over the pooled, cached index that ``rag eval
realtimeqa`` builds: each question is searched through ``AnswerChain.search``
with its question date as the as-of day, once with date phrases in questions
turned into windows (``RAG_QUESTION_WINDOWS``, the default) and once without.

    python -m evals.rtqa_windows --data ../shared/benchmarks/realtimeqa-2026-jan-apr
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from evals import metrics


def compare(data_dir: Path) -> dict[str, Any]:
    from evals.realtimeqa import benchmark_settings, prepare_index, retrieval_record
    from evals.rtqa_data import load_dataset
    from rag.config import load_settings
    from rag.pipeline import RAG

    data = load_dataset(data_dir)
    settings = benchmark_settings(load_settings(llm="extractive"), data_dir)
    settings = settings.model_copy(update={"question_windows": True})
    rag = RAG(settings)
    prepare_index(rag, data.articles, show_progress=False)
    off = RAG(
        settings.model_copy(update={"question_windows": False}),
        rag.embed_model,
        rag.vector_store,
        None,
    )
    off._retriever = rag.retriever  # one chunk table for both
    rows = []
    for q in data.questions:
        on_rec = retrieval_record(rag, q, True)
        off_rec = retrieval_record(off, q, True)
        rows.append(
            {
                "id": q.id,
                "question": q.sentence,
                "window": on_rec["window"],
                "hit_at_5_on": on_rec["hit_at_5"],
                "hit_at_5_off": off_rec["hit_at_5"],
            }
        )
    windowed = [r for r in rows if r["window"]]
    return {
        "questions": len(rows),
        "with_window": len(windowed),
        "recall_at_5_on": metrics.mean(r["hit_at_5_on"] for r in rows),
        "recall_at_5_off": metrics.mean(r["hit_at_5_off"] for r in rows),
        "windowed_recall_at_5_on": metrics.mean(r["hit_at_5_on"] for r in windowed),
        "windowed_recall_at_5_off": metrics.mean(r["hit_at_5_off"] for r in windowed),
        "windowed": windowed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    args = parser.parse_args()
    result = compare(args.data)
    print(json.dumps({k: v for k, v in result.items() if k != "windowed"}, indent=2))
    for row in result["windowed"]:
        print(row["hit_at_5_off"], "->", row["hit_at_5_on"], row["window"], row["question"][:90])


if __name__ == "__main__":
    main()
