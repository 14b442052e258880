"""Step 2, retrieval latency: ``HybridRetriever.search`` against an exact brute-force search.

Measured at the benchmark corpus size and at a synthetic size (real chunks plus
noisy copies of their vectors), so the figures say how search scales, not only
how fast it is on a small index. Raw rows go through ``rag.store`` only.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from evals.bench.common import BenchConfig, Log, base_settings, median, ms, ratio
from evals.metrics import percentile

if TYPE_CHECKING:
    from rag.config import Settings
    from rag.retrieve import ChunkTable, HybridRetriever

# Noise added to a real chunk vector to make a synthetic one: cosine to the
# original is about 1/sqrt(1 + sigma^2) = 0.8, so synthetic chunks keep the
# clustered shape of real embeddings (uniform random vectors would not).
SYNTHETIC_SIGMA = 0.75
SYNTHETIC_BATCH = 5000
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'“])")


def _brute_force(matrix: Any, vector: Sequence[float], k: int) -> Any:
    """Exact top-k by dot product, in torch: numpy's BLAS threads would fight the
    embedder's OpenMP threads for the two cores and slow both (measured: 2x at p50)."""
    import torch

    scores = matrix @ torch.tensor(vector, dtype=matrix.dtype)
    return torch.topk(scores, min(k, len(scores))).indices


def time_searches(
    retriever: HybridRetriever, queries: Sequence[str], as_of: Sequence[int] | None
) -> list[float]:
    out = []
    for i, query in enumerate(queries):
        started = time.perf_counter()
        retriever.search(query, as_of=as_of[i] if as_of else None)
        out.append(time.perf_counter() - started)
    return out


def stage_breakdown(retriever: HybridRetriever, queries: Sequence[str]) -> dict[str, float | None]:
    """Median milliseconds of each stage of ``search``, timed one stage at a time."""
    from rag.retrieve import rrf_fuse

    bm25 = retriever.bm25
    k = max(retriever.settings.candidates, retriever.settings.top_k)
    stages: dict[str, list[float]] = {
        k_: [] for k_ in ("correct", "embed", "dense", "bm25", "fuse")
    }
    for query in queries:
        t0 = time.perf_counter()
        fixed = bm25.correct_query(query)
        t1 = time.perf_counter()
        vector = retriever.embed_model.get_query_embedding(fixed)
        t2 = time.perf_counter()
        dense = retriever.dense_search_vector(vector, k)
        t3 = time.perf_counter()
        sparse = retriever.bm25_search(fixed, k)
        t4 = time.perf_counter()
        rrf_fuse([[d for d, _ in dense], [d for d, _ in sparse]], k=retriever.settings.rrf_k)
        t5 = time.perf_counter()
        for name, seconds in zip(
            stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True
        ):
            stages[name].append(seconds * 1000)
    return {name: median(values) for name, values in stages.items()}


def baseline_latencies(
    retriever: HybridRetriever, matrix: np.ndarray, queries: Sequence[str]
) -> dict[str, list[float]]:
    """Query embedding + exact brute force; and Chroma's dense query alone (vector given)."""
    import torch

    k = max(retriever.settings.candidates, retriever.settings.top_k)
    tensor = torch.from_numpy(matrix)
    brute, chroma = [], []
    for query in queries:
        t0 = time.perf_counter()
        vector = retriever.embed_model.get_query_embedding(query)
        _brute_force(tensor, vector, k)
        t1 = time.perf_counter()
        retriever.dense_search_vector(vector, k)
        t2 = time.perf_counter()
        brute.append(t1 - t0)
        chroma.append(t2 - t1)
    return {"embed_bruteforce": brute, "chroma_dense_only": chroma}


def bench_retriever(
    retriever: HybridRetriever,
    queries: Sequence[tuple[str, int]],
    repeat: int,
    matrix: np.ndarray,
    log: Log,
    label: str,
) -> dict[str, Any]:
    """p50/p95 of ``search`` over the queries, ``repeat`` passes, after a warm-up."""
    texts = [q for q, _ in queries]
    started = time.perf_counter()
    retriever.refresh()
    load_s = time.perf_counter() - started
    time_searches(retriever, texts[: min(10, len(texts))], None)  # warm-up
    runs: dict[str, list[list[float]]] = {"search": [], "baseline": [], "chroma": []}
    for _ in range(repeat):  # each pass: the search path, then the baselines
        runs["search"].append(ms(time_searches(retriever, texts, None)))
        base = baseline_latencies(retriever, matrix, texts)
        runs["baseline"].append(ms(base["embed_bruteforce"]))
        runs["chroma"].append(ms(base["chroma_dense_only"]))
    dated = ms(time_searches(retriever, texts, [d for _, d in queries]))

    def stat(name: str, q: float) -> float | None:
        """Median over passes of one pass's percentile ``q``."""
        return median(percentile(times, q) for times in runs[name])

    p50, p95 = stat("search", 50), stat("search", 95)
    result = {
        "chunks": retriever.size,
        "queries": len(texts),
        "passes": repeat,
        "index_load_s": load_s,
        "p50_ms": p50,
        "p95_ms": p95,
        "p50_runs_ms": [percentile(times, 50) for times in runs["search"]],
        "p95_runs_ms": [percentile(times, 95) for times in runs["search"]],
        "max_ms": max(max(times) for times in runs["search"]) if texts else None,
        "with_date_filter": {
            "passes": 1,
            "p50_ms": percentile(dated, 50),
            "p95_ms": percentile(dated, 95),
        },
        "breakdown_ms": stage_breakdown(retriever, texts),
        "baseline": {
            "what": "embed the query + exact dot product with every vector (torch), top-k",
            "p50_ms": stat("baseline", 50),
            "p95_ms": stat("baseline", 95),
            "chroma_dense_only_p50_ms": stat("chroma", 50),
        },
    }
    result["ratio_p50"] = ratio(p50, result["baseline"]["p50_ms"])
    log(
        f"retrieval ({label}, {retriever.size} chunks): p50 {p50:.1f} ms, p95 {p95:.1f} ms; "
        f"baseline p50 {result['baseline']['p50_ms']:.1f} ms"
    )
    return result


def synthetic_rows(
    table: ChunkTable, vectors: np.ndarray, n: int, seed: int = 13
) -> Iterable[tuple[list[str], list[str], list[dict[str, Any]], np.ndarray]]:
    """Batches of synthetic chunks: real sentences recombined, noisy copies of real vectors.

    Each synthetic chunk copies a random real chunk's metadata and length, fills
    that length with random real sentences, and gets the real chunk's vector
    plus Gaussian noise (``SYNTHETIC_SIGMA``), normalised.
    """
    rng = np.random.default_rng(seed)
    sentences = [s for text in table.texts for s in _SENTENCE_RE.split(text) if len(s) > 20]
    if not sentences:
        sentences = list(table.texts)
    dim = vectors.shape[1]
    for start in range(0, n, SYNTHETIC_BATCH):
        size = min(SYNTHETIC_BATCH, n - start)
        sources = rng.integers(0, len(table.ids), size)
        noise = rng.standard_normal((size, dim)).astype(np.float32) * (
            SYNTHETIC_SIGMA / np.sqrt(dim)
        )
        batch_vecs = vectors[sources] + noise
        batch_vecs /= np.linalg.norm(batch_vecs, axis=1, keepdims=True)
        ids, docs, metas = [], [], []
        for j, src in enumerate(sources):
            target, parts = len(table.texts[src]), []
            while sum(len(p) + 1 for p in parts) < target:
                parts.append(sentences[int(rng.integers(len(sentences)))])
            ids.append(f"synthetic-{start + j}")
            docs.append(" ".join(parts))
            metas.append(dict(table.metadatas[src] or {}))
        yield ids, docs, metas, batch_vecs


def build_synthetic_index(
    source: HybridRetriever, embedder: Any, total: int, index_dir: Path
) -> tuple[HybridRetriever, np.ndarray, float]:
    """The real chunks plus synthetic ones up to ``total``, written as raw rows of the store."""
    from rag import store
    from rag.components import build_vector_store
    from rag.retrieve import ChunkTable, HybridRetriever

    started = time.perf_counter()
    table = ChunkTable.from_vector_store(source.vector_store)
    real_vecs = store.vectors(source.vector_store, order=table.ids)
    settings = base_settings(source.settings.corpus_dir, index_dir)
    vector_store = build_vector_store(settings)
    metadatas = [m or {} for m in table.metadatas]
    store.add_rows(vector_store, table.ids, real_vecs, table.texts, metadatas)
    parts = [real_vecs]
    for ids, docs, metas, vecs in synthetic_rows(table, real_vecs, max(0, total - len(table.ids))):
        store.add_rows(vector_store, ids, vecs, docs, metas)
        parts.append(vecs)
    seconds = time.perf_counter() - started
    return HybridRetriever(settings, embedder, vector_store), np.vstack(parts), seconds


def bench_retrieval(
    cfg: BenchConfig,
    index_settings: Settings,
    embedder: Any,
    questions: Sequence[tuple[str, int]],
    work: Path,
    log: Log,
) -> dict[str, Any]:
    """Both sizes: the index step 1 built, then the synthetic one grown from it."""
    from rag import store
    from rag.components import build_vector_store
    from rag.retrieve import HybridRetriever

    queries = list(questions[: cfg.queries] if cfg.queries else questions)
    retriever = HybridRetriever(index_settings, embedder, build_vector_store(index_settings))
    matrix = store.vectors(retriever.vector_store)
    result: dict[str, Any] = {
        "measured": (
            "HybridRetriever.search (query correction, query embedding, Chroma HNSW dense, BM25, "
            "RRF fusion, node building) per benchmark question, after 10 warm-up queries; "
            "p50/p95 per pass, median over passes. with_date_filter: one pass with each "
            "question's as_of date."
        ),
        "benchmark": bench_retriever(retriever, queries, cfg.repeat, matrix, log, "benchmark"),
    }
    log(f"retrieval: building {cfg.synthetic_chunks} synthetic chunks")
    synthetic, big_matrix, build_s = build_synthetic_index(
        retriever, embedder, cfg.synthetic_chunks, work / "synthetic-index"
    )
    result["synthetic"] = bench_retriever(
        synthetic, queries, cfg.repeat, big_matrix, log, "synthetic"
    )
    result["synthetic"]["build_s"] = build_s
    result["synthetic"]["embeddings"] = (
        f"the benchmark chunks with their real vectors, plus synthetic chunks: texts of real "
        f"sentences recombined to a real chunk's length, vectors = that chunk's real vector + "
        f"Gaussian noise (sigma {SYNTHETIC_SIGMA}, cosine to it ~0.8), normalised"
    )
    return result
