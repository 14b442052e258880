"""Retrieval time with and without the name-scaled recency boost, in one process.

Over the RealTime QA Jan-Apr questions on their pooled index (built by
``rag eval realtimeqa``), p50/p95 of ``HybridRetriever.search``: first with the
boost off, then on a cold chunk cache (each candidate's names read once), then
cached:

    python -m evals.name_coverage_timing
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def percentiles(search: Callable[[Any], object], questions: list[Any]) -> tuple[float, float]:
    """p50 and p95 in milliseconds of ``search`` over ``questions``."""
    times = []
    for question in questions:
        started = time.perf_counter()
        search(question)
        times.append(1000 * (time.perf_counter() - started))
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.95))]


def main() -> int:
    from evals import realtimeqa as rtqa
    from evals.rtqa_data import load_dataset
    from rag import retrieve as retrieve_module
    from rag.config import load_settings
    from rag.pipeline import RAG

    base = load_settings()
    data = load_dataset(base.benchmark_dir)
    rag = RAG(rtqa.benchmark_settings(base, base.benchmark_dir), llm=None)
    rtqa.prepare_index(rag, data.articles, show_progress=False)
    retriever = rag.retriever

    def search(question: Any) -> object:
        return retriever.search(question.sentence, top_k=5, as_of=question.as_of)

    coverage = retrieve_module.name_coverage
    print(f"{retriever.size} chunks, {len(data.questions)} questions")
    retrieve_module.name_coverage = lambda *args: None  # type: ignore[assignment]
    percentiles(search, data.questions)  # warm-up
    rows = [("boost not scaled", percentiles(search, data.questions))]
    retrieve_module.name_coverage = coverage  # type: ignore[assignment]
    rows.append(("scaled, names read for the first time", percentiles(search, data.questions)))
    rows.append(("scaled, names kept", percentiles(search, data.questions)))
    for label, (p50, p95) in rows:
        print(f"{label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
