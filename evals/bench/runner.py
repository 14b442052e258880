"""Running the benchmark's steps in order, each one's failure recorded without stopping the rest.

bench.json and bench.md are rewritten after every step, so a long run that is
interrupted still leaves what it measured.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evals.bench.answers import bench_answers, seed_questions
from evals.bench.common import BenchConfig, Log, machine_info, settings_info
from evals.bench.data import default_data_dir, load_benchmark, write_corpus
from evals.bench.ingest import bench_ingest
from evals.bench.memory import bench_app, bench_rag_ask
from evals.bench.report import write_outputs
from evals.bench.retrieval import bench_retrieval


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_step(results: dict[str, Any], key: str, log: Log, fn: Callable[[], Any]) -> bool:
    """Run one step into ``results[key]``; a failure is recorded there, not fatal to the rest."""
    try:
        results[key] = fn()
        return True
    except Exception as exc:
        log(f"{key}: failed: {exc!r}\n{traceback.format_exc()}")
        results[key] = {"error": f"{type(exc).__name__}: {exc}"}
        return False


def run_bench(cfg: BenchConfig, embedder: Any = None, log: Log = _log) -> dict[str, Any]:
    """Run every enabled step; bench.json and bench.md under ``cfg.out`` after each one."""
    from rag.components import build_embedder
    from rag.config import Settings
    from rag.env import prepare_process

    prepare_process()
    if cfg.data is None:
        cfg.data = default_data_dir()
    results: dict[str, Any] = {
        "machine": machine_info(),
        "settings": settings_info(Settings()),
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(cfg).items()},
    }
    embedder = embedder if embedder is not None else build_embedder(Settings())
    benchmark = load_benchmark(cfg.data)
    asks = seed_questions(3)
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        work = Path(tmp)
        corpus = write_corpus(benchmark.articles, work / "corpus")
        index: dict[str, Any] = {}

        def ingest_step() -> dict[str, Any]:
            figures, index["settings"] = bench_ingest(cfg, corpus, work, embedder, log)
            return figures

        def retrieval_step() -> dict[str, Any]:
            return bench_retrieval(cfg, index["settings"], embedder, benchmark.queries, work, log)

        steps: list[tuple[str, Callable[[], Any]]] = [
            ("ingest", ingest_step),
            ("retrieval", retrieval_step),
        ]
        if not cfg.skip_llm:
            steps.append(("answer", lambda: bench_answers(cfg, embedder, work, log)))
            steps.append(("rss", lambda: {"rag_ask": bench_rag_ask(work, asks[0], log)}))
        for key, fn in steps:
            run_step(results, key, log, fn)
            write_outputs(cfg, results)
        if not cfg.skip_llm and not cfg.skip_app and "error" not in results["rss"]:
            run_step(results["rss"], "app", log, lambda: bench_app(work, asks, log))
    results["machine"]["load_average_end"] = list(os.getloadavg())
    write_outputs(cfg, results)
    return results
