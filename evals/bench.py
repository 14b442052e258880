"""`make bench`: speed figures of the pipeline, each next to a baseline measured in-process.

What it measures (medians over repeated runs; nothing here is a pass/fail test):

1. Ingest throughput (chunks/s) of the whole ``rag.ingest.ingest`` pipeline
   (loading, chunking, embedding, Chroma writes) on a fixed subset of the
   benchmark corpus, against ``SentenceTransformer.encode`` on exactly the same
   chunk texts: the physical limit of the embedder. Passes alternate between
   the two so that machine load hits both alike. A full-corpus pass follows
   (its index serves step 2).
2. Retrieval latency of ``HybridRetriever.search`` (query correction, query
   embedding, Chroma dense, BM25, fusion) over the benchmark questions, at the
   benchmark corpus size and at a synthetic size (100k chunks by default),
   against embedding the query plus an exact (brute-force) dot product.
3. Answer latency with the default local LLM on the seed corpus: time to first
   token and total, prompt tokens, against llama.cpp's own prefill/decode time.
4. Peak RSS of ``rag ask`` (a subprocess) and of the running web app.

The benchmark corpus (RealTime QA articles) is read from ``--data`` and
materialised in a temporary folder, never in the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path("/work/shared/benchmarks/realtimeqa-2026-jan-apr")
DATA_ENV = "RAG_BENCH_DATA"
SEED_CORPUS = ROOT / "corpus"
SEED_GOLD = Path(__file__).resolve().parent / "seed_gold.jsonl"
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"
# Noise added to a real chunk vector to make a synthetic one: cosine to the
# original is about 1/sqrt(1 + sigma^2) = 0.8, so synthetic chunks keep the
# clustered shape of real embeddings (uniform random vectors would not).
SYNTHETIC_SIGMA = 0.75

TARGETS = {
    "ingest_ratio": 0.9,
    "retrieval_p95_ms": 50.0,
    "ttft_s": 3.0,
    "answer_total_s": 10.0,
    "app_peak_rss_gb": 2.5,
}


@dataclass
class BenchConfig:
    """What to run and at which sizes; ``--quick`` shrinks every size for a smoke run."""

    data: Path = DEFAULT_DATA
    out: Path = Path("bench-out")
    repeat: int = 3
    quick: bool = False
    skip_llm: bool = False
    skip_app: bool = False
    readme: bool = False
    subset_chunks: int = 2000
    full_ingest: bool = True
    synthetic_chunks: int = 100_000
    questions: int = 0  # 0: every non-follow-up seed question
    queries: int = 0  # 0: every benchmark question

    @classmethod
    def quick_defaults(cls, **overrides: Any) -> BenchConfig:
        values: dict[str, Any] = {
            "quick": True,
            "repeat": 1,
            "subset_chunks": 200,
            "full_ingest": False,
            "synthetic_chunks": 5000,
            "questions": 3,
            "queries": 30,
        }
        values.update(overrides)
        return cls(**values)


# --- small statistics helpers ---------------------------------------------------------


def median(values: Iterable[float]) -> float | None:
    values = list(values)
    return float(statistics.median(values)) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else None


def ratio(value: float | None, baseline: float | None) -> float | None:
    if value is None or not baseline:
        return None
    return value / baseline


def ms(seconds: Iterable[float]) -> list[float]:
    return [s * 1000.0 for s in seconds]


# --- the benchmark corpus -------------------------------------------------------------


@dataclass
class Article:
    url: str
    title: str
    text: str
    date: str
    source: str

    @property
    def key(self) -> str:
        """Stable file name and subset order: a hash of the URL."""
        return hashlib.sha1(self.url.encode()).hexdigest()[:16]


def resolve_data_dir(arg: Path | None) -> Path:
    if arg is not None:
        return arg
    return Path(os.environ.get(DATA_ENV) or DEFAULT_DATA)


def _jsonl(path: Path) -> Iterable[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def load_articles(data_dir: Path) -> list[Article]:
    """Every article of every ``*_gcs.jsonl`` week, pooled, deduplicated by URL, text only."""
    files = sorted(data_dir.glob("*_gcs.jsonl"))
    if not files:
        raise SystemExit(f"No *_gcs.jsonl files in {data_dir}: pass --data DIR or set {DATA_ENV}.")
    seen: dict[str, Article] = {}
    for path in files:
        for record in _jsonl(path):
            for item in record.get("search_result") or []:
                url, text = (item.get("url") or "").strip(), (item.get("text") or "").strip()
                if not url or not text or url in seen:
                    continue
                seen[url] = Article(
                    url=url,
                    title=" ".join(str(item.get("title") or "").split()),
                    text=text,
                    date=str(item.get("publish_date") or ""),
                    source=urlparse(url).hostname or "",
                )
    return sorted(seen.values(), key=lambda a: a.key)


def load_questions(data_dir: Path) -> list[tuple[str, int]]:
    """(question_sentence, question date as YYYYMMDD) of every ``*_qa.jsonl`` week."""
    questions = []
    for path in sorted(data_dir.glob("*_qa.jsonl")):
        for record in _jsonl(path):
            text = (record.get("question_sentence") or "").strip()
            day = re.sub(r"\D", "", str(record.get("question_date") or ""))[:8]
            if text:
                questions.append((text, int(day) if len(day) == 8 else 0))
    return questions


def write_article(article: Article, folder: Path) -> None:
    """One ``.txt`` file with front matter, the format ``rag ingest`` reads."""
    meta = {"title": article.title, "source": article.source, "date": article.date}
    meta["url"] = article.url
    head = "\n".join(f"{k}: {' '.join(v.split())}" for k, v in meta.items() if v)
    (folder / f"{article.key}.txt").write_text(f"---\n{head}\n---\n{article.text}\n", "utf-8")


def write_corpus(articles: Iterable[Article], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for article in articles:
        write_article(article, folder)
    return folder


# --- machine and settings -------------------------------------------------------------


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine_info() -> dict[str, Any]:
    """Enough to tell apart the machines two runs were measured on."""
    cpu = re.search(r"^model name\s*:\s*(.+)$", _read("/proc/cpuinfo"), re.M)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", _read("/proc/meminfo"), re.M)
    try:
        import torch

        torch_version, torch_threads = torch.__version__, torch.get_num_threads()
    except ImportError:  # pragma: no cover - a declared dependency
        torch_version, torch_threads = None, None
    return {
        "cpu": cpu[1].strip() if cpu else platform.processor() or platform.machine(),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_count": os.cpu_count(),
        "ram_gb": round(int(mem[1]) / 1024**2, 1) if mem else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "torch": torch_version,
        "torch_threads": torch_threads,
        "load_average_start": list(os.getloadavg()),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def settings_info(settings: Any) -> dict[str, Any]:
    from rag.components import embedder_label, llm_label

    return {
        "embedding_model": embedder_label(settings),
        "llm": llm_label(settings.model_copy(update={"llm": "local"})),
        "embed_batch_size": settings.embed_batch_size,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "top_k": settings.top_k,
        "candidates": settings.candidates,
        "context_tokens": settings.context_tokens,
        "max_answer_tokens": settings.max_answer_tokens,
        "llm_threads": settings.llm_threads,
    }


def base_settings(corpus_dir: Path, index_dir: Path, **overrides: Any) -> Any:
    from rag.config import Settings

    return Settings(corpus_dir=corpus_dir, index_dir=index_dir, **overrides)


# --- 1. ingest throughput -------------------------------------------------------------


@dataclass
class Subset:
    """A fixed, deterministic slice of the corpus: articles in URL-hash order."""

    folder: Path
    articles: int
    texts: list[str] = field(default_factory=list)


def chunk_counts(corpus_dir: Path, settings: Any) -> tuple[dict[str, list[str]], float]:
    """Embedder input texts per document id, and how long chunking the corpus took."""
    from rag.documents import load_corpus
    from rag.ingest import chunk_documents, embed_text

    started = time.perf_counter()
    docs = load_corpus(corpus_dir).documents
    nodes = chunk_documents(docs, settings)
    seconds = time.perf_counter() - started
    texts: dict[str, list[str]] = {doc.doc_id: [] for doc in docs}
    for node in nodes:
        texts[node.ref_doc_id or ""].append(embed_text(node))
    return texts, seconds


def make_subset(
    corpus_dir: Path, texts: dict[str, list[str]], target_chunks: int, folder: Path
) -> Subset:
    """The first articles (in file-name order, i.e. URL-hash order) reaching ``target_chunks``."""
    folder.mkdir(parents=True, exist_ok=True)
    subset = Subset(folder=folder, articles=0)
    for doc_id in sorted(texts):
        if len(subset.texts) >= target_chunks:
            break
        shutil.copy2(corpus_dir / doc_id, folder / doc_id)
        subset.texts.extend(texts[doc_id])
        subset.articles += 1
    return subset


@dataclass
class Pass:
    """One timed pass: chunks, wall seconds and this process's CPU seconds."""

    chunks: int
    wall_s: float
    cpu_s: float

    @property
    def rate(self) -> float:
        return self.chunks / self.wall_s

    @property
    def cpu_rate(self) -> float:
        """Chunks per CPU second: less sensitive than wall time to other load on the machine."""
        return self.chunks / self.cpu_s if self.cpu_s else 0.0


def pipeline_pass(corpus_dir: Path, index_dir: Path, embedder: Any) -> tuple[Pass, Any]:
    """One full ``ingest()`` into a fresh index, and its settings."""
    from rag.ingest import ingest

    settings = base_settings(corpus_dir, index_dir)
    cpu = time.process_time()
    report = ingest(settings, embed_model=embedder)
    return Pass(report.chunks_embedded, report.seconds, time.process_time() - cpu), settings


def raw_pass(texts: Sequence[str], embedder: Any, batch_size: int) -> Pass:
    """``SentenceTransformer.encode`` alone on the same texts: the embedder's own limit."""
    from rag.components import sentence_transformer

    model = sentence_transformer(embedder)
    cpu, started = time.process_time(), time.perf_counter()
    model.encode(
        list(texts),
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return Pass(len(texts), time.perf_counter() - started, time.process_time() - cpu)


def bench_ingest(
    cfg: BenchConfig, corpus_dir: Path, work: Path, embedder: Any, log: Callable[[str], None]
) -> tuple[dict[str, Any], Any]:
    """Alternating pipeline/raw passes on the subset, then one full-corpus pipeline pass.

    Returns the figures and the settings of the largest index built (for retrieval).
    """
    settings = base_settings(corpus_dir, work / "unused-index")
    texts, chunk_seconds = chunk_counts(corpus_dir, settings)
    total_chunks = sum(len(t) for t in texts.values())
    subset = make_subset(corpus_dir, texts, cfg.subset_chunks, work / "subset-corpus")
    log(
        f"ingest: corpus {len(texts)} articles / {total_chunks} chunks; subset "
        f"{subset.articles} articles / {len(subset.texts)} chunks, {cfg.repeat} pass(es) each"
    )
    pipes: list[Pass] = []
    raws: list[Pass] = []
    index_settings = None
    for i in range(cfg.repeat):
        # ABBA order, so neither side always runs first (warm caches, load drifting in).
        if i % 2 == 0:
            raws.append(raw_pass(subset.texts, embedder, settings.embed_batch_size))
        pipe, index_settings = pipeline_pass(subset.folder, work / f"subset-index-{i}", embedder)
        if i % 2 == 1:
            raws.append(raw_pass(subset.texts, embedder, settings.embed_batch_size))
        if pipe.chunks != len(subset.texts):
            raise RuntimeError(
                f"ingest embedded {pipe.chunks} chunks, raw pass {len(subset.texts)}"
            )
        pipes.append(pipe)
        log(
            f"  pass {i + 1}: pipeline {pipe.rate:.1f} chunks/s, raw encode {raws[-1].rate:.1f} "
            f"chunks/s (per CPU second: {pipe.cpu_rate:.1f} vs {raws[-1].cpu_rate:.1f})"
        )
    pipe_med, raw_med = median(p.rate for p in pipes), median(r.rate for r in raws)
    pipe_cpu, raw_cpu = median(p.cpu_rate for p in pipes), median(r.cpu_rate for r in raws)
    result: dict[str, Any] = {
        "measured": (
            "Subset: the first articles in URL-hash order up to the chunk target. Each pass "
            "runs, in alternating order, SentenceTransformer.encode on the exact chunk texts "
            "the splitter makes (embed_text) and the whole ingest() (load files, chunk, embed "
            "in length-sorted batches, Chroma upserts, docstore) into a fresh index. Model "
            "loading excluded. cpu_*: chunks per CPU second of this process, a check on a "
            "loaded machine."
        ),
        "corpus": {
            "articles": len(texts),
            "chunks": total_chunks,
            "chunking_s": chunk_seconds,
        },
        "subset": {
            "articles": subset.articles,
            "chunks": len(subset.texts),
            "passes": cfg.repeat,
            "pipeline_chunks_per_s": pipe_med,
            "raw_encode_chunks_per_s": raw_med,
            "ratio": ratio(pipe_med, raw_med),
            "pipeline_runs": [p.rate for p in pipes],
            "raw_runs": [r.rate for r in raws],
            "cpu_pipeline_chunks_per_s": pipe_cpu,
            "cpu_raw_encode_chunks_per_s": raw_cpu,
            "cpu_ratio": ratio(pipe_cpu, raw_cpu),
        },
        "full": None,
    }
    if cfg.full_ingest:
        log(f"ingest: full corpus pass ({total_chunks} chunks)")
        full, index_settings = pipeline_pass(corpus_dir, work / "full-index", embedder)
        result["full"] = {
            "articles": len(texts),
            "chunks": full.chunks,
            "seconds": full.wall_s,
            "pipeline_chunks_per_s": full.rate,
            "ratio_vs_subset_raw": ratio(full.rate, raw_med),
            "cpu_pipeline_chunks_per_s": full.cpu_rate,
            "note": "one pass; the ratio compares with the subset's raw encode median",
        }
        log(f"  full: {full.rate:.1f} chunks/s ({full.wall_s:.0f} s)")
    return result, index_settings


# --- 2. retrieval latency -------------------------------------------------------------


def _brute_force(matrix: Any, vector: Sequence[float], k: int) -> Any:
    """Exact top-k by dot product, in torch: numpy's BLAS threads would fight the
    embedder's OpenMP threads for the two cores and slow both (measured: 2x at p50)."""
    import torch

    scores = matrix @ torch.tensor(vector, dtype=matrix.dtype)
    return torch.topk(scores, min(k, len(scores))).indices


def collection_vectors(vector_store: Any, order: Sequence[str] | None = None) -> np.ndarray:
    """Every embedding in the collection (rows in ``order`` of ids if given)."""
    ids: list[str] = []
    parts, offset, page = [], 0, 5000
    collection = vector_store.client
    while True:
        batch = collection.get(include=["embeddings"], limit=page, offset=offset)
        if len(batch["ids"]):
            ids.extend(batch["ids"])
            parts.append(np.asarray(batch["embeddings"], dtype=np.float32))
        if len(batch["ids"]) < page:
            break
        offset += page
    matrix = np.vstack(parts) if parts else np.zeros((0, 1), dtype=np.float32)
    if order is None:
        return matrix
    row = {chunk_id: i for i, chunk_id in enumerate(ids)}
    return matrix[[row[chunk_id] for chunk_id in order]]


def time_searches(
    retriever: Any, queries: Sequence[str], as_of: Sequence[int] | None
) -> list[float]:
    out = []
    for i, query in enumerate(queries):
        started = time.perf_counter()
        retriever.search(query, as_of=as_of[i] if as_of else None)
        out.append(time.perf_counter() - started)
    return out


def stage_breakdown(retriever: Any, queries: Sequence[str]) -> dict[str, float | None]:
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
    retriever: Any, matrix: np.ndarray, queries: Sequence[str]
) -> dict[str, list[float]]:
    """Query embedding + exact brute force; and Chroma's dense query alone (vector given)."""
    import torch

    k = max(retriever.settings.candidates, retriever.settings.top_k)
    matrix = torch.from_numpy(matrix)
    brute, chroma = [], []
    for query in queries:
        t0 = time.perf_counter()
        vector = retriever.embed_model.get_query_embedding(query)
        _brute_force(matrix, vector, k)
        t1 = time.perf_counter()
        retriever.dense_search_vector(vector, k)
        t2 = time.perf_counter()
        brute.append(t1 - t0)
        chroma.append(t2 - t1)
    return {"embed_bruteforce": brute, "chroma_dense_only": chroma}


def bench_retriever(
    retriever: Any,
    queries: Sequence[tuple[str, int]],
    repeat: int,
    matrix: np.ndarray,
    log: Callable[[str], None],
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


_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'“])")


def synthetic_rows(
    table: Any, vectors: np.ndarray, n: int, seed: int = 13
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
    for start in range(0, n, 5000):
        size = min(5000, n - start)
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
    source: Any, embedder: Any, total: int, index_dir: Path
) -> tuple[Any, np.ndarray, float]:
    """The real chunks plus synthetic ones up to ``total``, written straight into Chroma."""
    from rag.components import build_vector_store
    from rag.retrieve import ChunkTable, HybridRetriever

    started = time.perf_counter()
    table = ChunkTable.from_vector_store(source.vector_store)
    real_vecs = collection_vectors(source.vector_store, order=table.ids)
    settings = base_settings(source.settings.corpus_dir, index_dir)
    store = build_vector_store(settings)
    collection = store.client
    batch = 5000
    for at in range(0, len(table.ids), batch):
        collection.add(
            ids=table.ids[at : at + batch],
            documents=table.texts[at : at + batch],
            metadatas=[m or {} for m in table.metadatas[at : at + batch]],
            embeddings=real_vecs[at : at + batch],
        )
    parts = [real_vecs]
    for ids, docs, metas, vecs in synthetic_rows(table, real_vecs, max(0, total - len(table.ids))):
        collection.add(ids=ids, documents=docs, metadatas=metas, embeddings=vecs)
        parts.append(vecs)
    seconds = time.perf_counter() - started
    return HybridRetriever(settings, embedder, store), np.vstack(parts), seconds


def bench_retrieval(
    cfg: BenchConfig,
    index_settings: Any,
    embedder: Any,
    questions: Sequence[tuple[str, int]],
    work: Path,
    log: Callable[[str], None],
) -> dict[str, Any]:
    from rag.components import build_vector_store
    from rag.retrieve import HybridRetriever

    queries = list(questions[: cfg.queries] if cfg.queries else questions)
    retriever = HybridRetriever(index_settings, embedder, build_vector_store(index_settings))
    matrix = collection_vectors(retriever.vector_store)
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


# --- 3. answer latency ----------------------------------------------------------------


def seed_questions(limit: int) -> list[str]:
    """The seed gold questions that need no chat history."""
    questions = [r["question"] for r in _jsonl(SEED_GOLD) if not r.get("history")]
    return questions[:limit] if limit else questions


def llm_seconds(usage: dict[str, Any]) -> tuple[float | None, float | None]:
    """llama.cpp's own prefill and decode seconds for one reply, from its token rates."""
    prompt, cached = usage.get("prompt_tokens"), usage.get("cached_tokens") or 0
    completion = usage.get("completion_tokens")
    pre_rate, dec_rate = usage.get("prefill_tokens_per_s"), usage.get("decode_tokens_per_s")
    prefill = (prompt - cached) / pre_rate if prompt is not None and pre_rate else None
    decode = completion / dec_rate if completion is not None and dec_rate else None
    return prefill, decode


def answer_record(question: str, answer: Any, wall: float) -> dict[str, Any]:
    usage, timings = answer.usage or {}, answer.timings or {}
    prefill, decode = llm_seconds(usage)
    prompt, cached = usage.get("prompt_tokens"), usage.get("cached_tokens") or 0
    return {
        "question": question,
        "refused": answer.refused,
        "ttft_s": timings.get("first_token"),
        "total_s": timings.get("total", wall),
        "retrieve_s": timings.get("retrieve"),
        "select_s": timings.get("select"),
        "check_s": timings.get("check"),
        "prompt_tokens": prompt,
        "uncached_prompt_tokens": None if prompt is None else prompt - cached,
        "completion_tokens": usage.get("completion_tokens"),
        "llm_prefill_s": prefill,
        "llm_decode_s": decode,
        "prefill_tokens_per_s": usage.get("prefill_tokens_per_s"),
        "decode_tokens_per_s": usage.get("decode_tokens_per_s"),
    }


def summarize_answers(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Medians and p95 over the questions that reached the LLM."""
    used = [r for r in records if r["ttft_s"] is not None and r["prompt_tokens"] is not None]

    def col(key: str) -> list[float]:
        return [r[key] for r in used if r[key] is not None]

    ttft, total = col("ttft_s"), col("total_s")
    prefill = col("llm_prefill_s")
    llm_total = [
        r["llm_prefill_s"] + r["llm_decode_s"]
        for r in used
        if r["llm_prefill_s"] is not None and r["llm_decode_s"] is not None
    ]
    return {
        "questions": len(records),
        "reached_llm": len(used),
        "ttft_p50_s": median(ttft),
        "ttft_p95_s": percentile(ttft, 95),
        "total_p50_s": median(total),
        "total_p95_s": percentile(total, 95),
        "prompt_tokens_p50": median(col("prompt_tokens")),
        "uncached_prompt_tokens_p50": median(col("uncached_prompt_tokens")),
        "completion_tokens_p50": median(col("completion_tokens")),
        "prefill_tokens_per_s_p50": median(col("prefill_tokens_per_s")),
        "decode_tokens_per_s_p50": median(col("decode_tokens_per_s")),
        "retrieve_p50_s": median(col("retrieve_s")),
        "select_p50_s": median(col("select_s")),
        "check_p50_s": median(col("check_s")),
        "baseline": {
            "what": "llama.cpp's own prefill (uncached prompt tokens / prefill rate) and "
            "prefill + decode time for the same replies",
            "prefill_p50_s": median(prefill),
            "prefill_decode_p50_s": median(llm_total),
        },
        "ttft_ratio": ratio(median(ttft), median(prefill)),
        "total_ratio": ratio(median(total), median(llm_total)),
    }


def bench_answers(
    cfg: BenchConfig, embedder: Any, work: Path, log: Callable[[str], None]
) -> dict[str, Any]:
    """Every question once on the seed corpus: the first one cold, the rest warm."""
    from rag.pipeline import RAG

    settings = base_settings(SEED_CORPUS, work / "seed-index", llm="local")
    rag = RAG(settings, embed_model=embedder)
    rag.ingest()
    rag.retriever.refresh()
    started = time.perf_counter()
    rag.llm.load()
    load_s = time.perf_counter() - started
    questions = seed_questions(cfg.questions or 0)
    records = []
    for question in questions:
        t = time.perf_counter()
        answer = rag.ask(question)
        records.append(answer_record(question, answer, time.perf_counter() - t))
        r = records[-1]
        log(
            f"  answer: ttft {r['ttft_s'] or 0:.2f} s, total {r['total_s']:.2f} s, "
            f"prompt {r['prompt_tokens']} ({r['uncached_prompt_tokens']} uncached)"
        )
    return {
        "measured": (
            "RAG.ask on the seed corpus, default local LLM loaded beforehand; each question "
            "once. ttft and total are the chain's own timings (from the call, retrieval "
            "included). The first question is cold (system prompt not cached yet)."
        ),
        "llm_load_s": load_s,
        "cold": records[0] if records else None,
        "warm": summarize_answers(records[1:]),
        "records": records,
    }


# --- 4. peak RSS ----------------------------------------------------------------------


def rag_env(corpus: Path, index: Path) -> dict[str, str]:
    return {
        **os.environ,
        "RAG_CORPUS_DIR": str(corpus),
        "RAG_INDEX_DIR": str(index),
        "RAG_LLM": "local",
        "PYTHONUNBUFFERED": "1",
    }


# A child's ru_maxrss counts the memory it shared with its parent before exec, so a
# child forked from this (large) process would report our own RSS. A tiny Python in
# between forks the measured command and reports that command's own peak instead.
_MAXRSS_WRAPPER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(cmd: Sequence[str], env: dict[str, str], log_path: Path) -> tuple[int, int, float]:
    """Run to completion; (exit code, peak RSS of the command in bytes, seconds)."""
    rss_file = log_path.with_suffix(".maxrss")
    wrapper = [sys.executable, "-S", "-c", _MAXRSS_WRAPPER, str(rss_file)]
    started = time.perf_counter()
    with log_path.open("wb") as log:
        code = subprocess.call([*wrapper, *cmd], cwd=ROOT, env=env, stdout=log, stderr=log)
    seconds = time.perf_counter() - started
    try:
        rss = int(rss_file.read_text()) * 1024  # Linux reports kilobytes
    except (OSError, ValueError):
        rss = 0
    return code, rss, seconds


def bench_rag_ask(work: Path, question: str, log: Callable[[str], None]) -> dict[str, Any]:
    """``rag ask --json`` as its own process, on an index built by ``rag ingest`` beforehand."""
    index = work / "cli-index"
    env = rag_env(SEED_CORPUS, index)
    cli = [sys.executable, "-m", "rag.cli"]
    code, _, _ = run_measured([*cli, "ingest"], env, work / "rag-ingest.log")
    if code not in (0, 3):
        return {"error": f"rag ingest exited {code}", "log": _tail(work / "rag-ingest.log")}
    code, rss, seconds = run_measured([*cli, "ask", question, "--json"], env, work / "rag-ask.log")
    log(f"rss: rag ask peak {rss / 1e9:.2f} GB ({seconds:.1f} s)")
    result: dict[str, Any] = {
        "command": "python -m rag.cli ask QUESTION --json (default local LLM, seed corpus)",
        "exit_code": code,
        "peak_rss_bytes": rss,
        "peak_rss_gb": rss / 1e9,
        "wall_s": seconds,
    }
    if code != 0:
        result["log"] = _tail(work / "rag-ask.log")
    return result


def _tail(path: Path, chars: int = 2000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def vm_hwm(pid: int) -> int:
    """Peak resident set of one process (VmHWM), in bytes; 0 if it is gone."""
    match = re.search(r"^VmHWM:\s*(\d+) kB", _read(f"/proc/{pid}/status"), re.M)
    return int(match[1]) * 1024 if match else 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _http(url: str, body: dict[str, Any] | None = None, timeout: float = 5.0) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"} if data else {}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def wait_for_app(url: str, proc: subprocess.Popen[bytes], deadline_s: float) -> bool:
    deadline = time.time() + deadline_s
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            _http(f"{url}/api/status", timeout=2)
            return True
        except (OSError, urllib.error.URLError, ValueError):
            time.sleep(0.5)
    return False


def bench_app(work: Path, questions: Sequence[str], log: Callable[[str], None]) -> dict[str, Any]:
    """``python app.py`` on a free port: ask a few questions over HTTP, read its peak RSS."""
    app = ROOT / "app.py"
    if not app.exists():
        return {"skipped": "app.py not found"}
    port = free_port()
    env = {**rag_env(SEED_CORPUS, work / "cli-index"), "RAG_HOST": "127.0.0.1"}
    env["RAG_PORT"] = str(port)
    url = f"http://127.0.0.1:{port}"
    log_path = work / "app.log"
    started = time.perf_counter()
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, str(app)], cwd=ROOT, env=env, stdout=log_file, stderr=log_file
        )
        try:
            if not wait_for_app(url, proc, 300):
                return {"error": "the app did not answer /api/status", "log": _tail(log_path)}
            ready_s = time.perf_counter() - started
            latencies = []
            for question in questions:
                t = time.perf_counter()
                _http(f"{url}/api/ask", {"question": question}, timeout=300)
                latencies.append(time.perf_counter() - t)
            tree = process_tree(proc.pid)
            main_hwm = vm_hwm(proc.pid)
            tree_hwm = sum(vm_hwm(pid) for pid in tree)
        except (OSError, urllib.error.URLError) as exc:
            return {"error": f"asking the app failed: {exc}", "log": _tail(log_path)}
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    log(f"rss: app peak {tree_hwm / 1e9:.2f} GB after {len(questions)} questions")
    return {
        "command": "python app.py (RAG_PORT free port, seed corpus, default local LLM)",
        "ready_s": ready_s,
        "questions": len(questions),
        "ask_latencies_s": latencies,
        "processes": len(tree),
        "peak_rss_bytes": tree_hwm,
        "peak_rss_gb": tree_hwm / 1e9,
        "main_process_peak_rss_gb": main_hwm / 1e9,
        "measured": "VmHWM of the app process plus its descendants, after the questions",
    }


# --- report ---------------------------------------------------------------------------


def _get(data: dict[str, Any], *path: str) -> Any:
    """``data[path[0]][path[1]]...``; None where missing or where a step failed."""
    for key in path:
        if not isinstance(data, dict) or data.get(key) is None or "error" in data:
            return None
        data = data[key]
    return None if isinstance(data, dict) and "error" in data else data


def target_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured value and whether it is met."""
    ingest_ratio = _get(results, "ingest", "subset", "ratio")
    p95 = _get(results, "retrieval", "benchmark", "p95_ms")
    ttft = _get(results, "answer", "warm", "ttft_p50_s")
    total = _get(results, "answer", "warm", "total_p50_s")
    rss = _get(results, "rss", "app", "peak_rss_gb")
    rows = [
        ("ingest throughput / raw encode", ingest_ratio, ">=", TARGETS["ingest_ratio"]),
        ("retrieval p95 at benchmark size (ms)", p95, "<=", TARGETS["retrieval_p95_ms"]),
        ("time to first token, warm median (s)", ttft, "<=", TARGETS["ttft_s"]),
        ("full answer, warm median (s)", total, "<=", TARGETS["answer_total_s"]),
        ("app peak RSS with LLM (GB)", rss, "<=", TARGETS["app_peak_rss_gb"]),
    ]
    out = []
    for metric, value, op, target in rows:
        met = None if value is None else (value >= target if op == ">=" else value <= target)
        out.append({"metric": metric, "value": value, "target": f"{op} {target:g}", "met": met})
    return out


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def table_rows(r: dict[str, Any]) -> list[list[str]]:
    """[metric, value, baseline, ratio, target (met?)] rows of the Markdown table."""
    t = {row["metric"]: row for row in r["targets"]}
    rows: list[list[str]] = []

    def add(metric: str, value: str, base: str = "", rat: str = "", goal: str = "") -> None:
        if goal:
            mark = {True: "met", False: "missed", None: "not measured"}[t[goal]["met"]]
            goal = f"{t[goal]['target']} ({mark})"
        rows.append([metric, value, base, rat, goal])

    sub = _get(r, "ingest", "subset")
    if sub:
        add(
            f"ingest, chunks/s ({sub['chunks']} chunks, median of {sub['passes']})",
            _fmt(sub["pipeline_chunks_per_s"]),
            f"raw encode {_fmt(sub['raw_encode_chunks_per_s'])}",
            f"{_fmt(sub['ratio'], 2)} (per CPU second {_fmt(sub.get('cpu_ratio'), 2)})",
            "ingest throughput / raw encode",
        )
    full = _get(r, "ingest", "full")
    if full:
        add(
            f"ingest, full corpus ({full['chunks']} chunks, 1 pass)",
            _fmt(full["pipeline_chunks_per_s"]),
            "subset raw encode",
            _fmt(full["ratio_vs_subset_raw"], 2),
        )
    for key in ("benchmark", "synthetic"):
        ret = _get(r, "retrieval", key)
        if ret:
            add(
                f"retrieval p50 / p95, ms ({ret['chunks']:,} chunks)",
                f"{_fmt(ret['p50_ms'])} / {_fmt(ret['p95_ms'])}",
                f"embed + brute force {_fmt(ret['baseline']['p50_ms'])}",
                _fmt(ret["ratio_p50"], 2),
                "retrieval p95 at benchmark size (ms)" if key == "benchmark" else "",
            )
    warm = _get(r, "answer", "warm")
    if warm and warm.get("reached_llm"):
        base = warm["baseline"]
        add(
            f"time to first token, s (median / p95 of {warm['reached_llm']})",
            f"{_fmt(warm['ttft_p50_s'], 2)} / {_fmt(warm['ttft_p95_s'], 2)}",
            f"llama.cpp prefill {_fmt(base['prefill_p50_s'], 2)}",
            _fmt(warm["ttft_ratio"], 2),
            "time to first token, warm median (s)",
        )
        add(
            "full answer, s (median / p95)",
            f"{_fmt(warm['total_p50_s'], 2)} / {_fmt(warm['total_p95_s'], 2)}",
            f"llama.cpp prefill+decode {_fmt(base['prefill_decode_p50_s'], 2)}",
            _fmt(warm["total_ratio"], 2),
            "full answer, warm median (s)",
        )
        tokens = (_fmt(warm["prompt_tokens_p50"], 0), _fmt(warm["uncached_prompt_tokens_p50"], 0))
        add("prompt tokens, median (total / uncached)", " / ".join(tokens))
    cold = _get(r, "answer", "cold")
    if cold and cold.get("ttft_s") is not None:
        cold_s = f"{_fmt(cold['ttft_s'], 2)} / {_fmt(cold['total_s'], 2)}"
        add("cold first question: first token / total, s", cold_s)
    ask = _get(r, "rss", "rag_ask")
    if ask and ask.get("peak_rss_gb") is not None:
        add("peak RSS, `rag ask`, GB", _fmt(ask["peak_rss_gb"], 2))
    app = _get(r, "rss", "app")
    if app and app.get("peak_rss_gb") is not None:
        add(
            "peak RSS, running app, GB",
            _fmt(app["peak_rss_gb"], 2),
            goal="app peak RSS with LLM (GB)",
        )
    rss = r.get("rss") if isinstance(r.get("rss"), dict) else {}
    gaps = {key: r.get(key) for key in ("ingest", "retrieval", "answer", "rss")}
    gaps.update({"rag ask": rss.get("rag_ask"), "app": rss.get("app")})
    for name, part in gaps.items():
        if isinstance(part, dict) and ("error" in part or "skipped" in part):
            why = str(part.get("error") or part.get("skipped")).replace("|", "/")
            add(f"{name}: not measured", why[:160])
    return rows


def markdown_table(results: dict[str, Any]) -> str:
    m = results["machine"]
    head = (
        f"Measured {m['date'][:10]} on {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, "
        f"Python {m['python']}, torch {m['torch']}"
        f"{' (quick smoke run: small sizes)' if results['config']['quick'] else ''}; "
        f"load average at start {m['load_average_start'][0]:.1f}. "
        f"`make bench` regenerates this table and `bench-out/bench.json`."
    )
    lines = [
        head,
        "",
        "| metric | value | baseline (same process) | ratio | target |",
        "|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(results)]
    return "\n".join(lines) + "\n"


def update_readme(readme: Path, table: str) -> bool:
    """Replace the text between the bench markers; False when the file or markers are missing."""
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError:
        return False
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        return False
    new = text[: start + len(README_START)] + "\n" + table + text[end:]
    readme.write_text(new, encoding="utf-8")
    return True


# --- driver ---------------------------------------------------------------------------


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_step(
    results: dict[str, Any], key: str, log: Callable[[str], None], fn: Callable[[], Any]
) -> bool:
    """Run one step into ``results[key]``; a failure is recorded there, not fatal to the rest."""
    try:
        results[key] = fn()
        return True
    except Exception as exc:
        log(f"{key}: failed: {exc!r}\n{traceback.format_exc()}")
        results[key] = {"error": f"{type(exc).__name__}: {exc}"}
        return False


def run_bench(
    cfg: BenchConfig, embedder: Any = None, log: Callable[[str], None] = _log
) -> dict[str, Any]:
    """Run every enabled step; bench.json and bench.md under ``cfg.out`` after each one."""
    from rag.components import build_embedder
    from rag.config import Settings
    from rag.env import prepare_process

    prepare_process()
    results: dict[str, Any] = {
        "machine": machine_info(),
        "settings": settings_info(Settings()),
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(cfg).items()},
    }
    embedder = embedder if embedder is not None else build_embedder(Settings())
    articles = load_articles(cfg.data)
    questions = load_questions(cfg.data)
    asks = seed_questions(3)
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        work = Path(tmp)
        corpus = write_corpus(articles, work / "corpus")
        index: dict[str, Any] = {}

        def ingest_step() -> dict[str, Any]:
            figures, index["settings"] = bench_ingest(cfg, corpus, work, embedder, log)
            return figures

        steps: list[tuple[str, Callable[[], Any]]] = [("ingest", ingest_step)]
        steps.append(
            (
                "retrieval",
                lambda: bench_retrieval(cfg, index["settings"], embedder, questions, work, log),
            )
        )
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


def write_outputs(cfg: BenchConfig, results: dict[str, Any]) -> None:
    """bench.json and bench.md from what has been measured so far."""
    results["targets"] = target_rows(results)
    cfg.out.mkdir(parents=True, exist_ok=True)
    (cfg.out / "bench.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (cfg.out / "bench.md").write_text(markdown_table(results))


def parse_args(argv: Sequence[str] | None = None) -> BenchConfig:
    p = argparse.ArgumentParser(prog="python -m evals.bench", description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, help=f"benchmark folder (env {DATA_ENV})")
    p.add_argument("--out", type=Path, default=Path("bench-out"), help="output folder")
    p.add_argument("--repeat", type=int, help="passes per measurement (default 3, quick 1)")
    p.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    p.add_argument("--skip-llm", action="store_true", help="no answer latency, no RSS runs")
    p.add_argument("--skip-app", action="store_true", help="do not start app.py")
    p.add_argument("--readme", action="store_true", help="rewrite README.md's bench table")
    p.add_argument("--subset-chunks", type=int, help="chunks in the ingest subset (2000)")
    p.add_argument("--synthetic-chunks", type=int, help="size of the synthetic index (100000)")
    p.add_argument("--no-full-ingest", action="store_true", help="skip the full-corpus pass")
    p.add_argument("--questions", type=int, help="seed questions for answer latency (0: all)")
    p.add_argument("--queries", type=int, help="benchmark questions used as queries (0: all)")
    args = p.parse_args(argv)
    overrides: dict[str, Any] = {
        "data": resolve_data_dir(args.data),
        "out": args.out,
        "skip_llm": args.skip_llm,
        "skip_app": args.skip_app,
        "readme": args.readme,
    }
    for name in ("repeat", "subset_chunks", "synthetic_chunks", "questions", "queries"):
        if getattr(args, name) is not None:
            overrides[name] = getattr(args, name)
    if args.no_full_ingest:
        overrides["full_ingest"] = False
    cfg = BenchConfig.quick_defaults(**overrides) if args.quick else BenchConfig(**overrides)
    if cfg.repeat < 1:
        p.error("--repeat must be at least 1")
    return cfg


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    cfg = parse_args(argv)
    results = run_bench(cfg)
    table = markdown_table(results)
    print(table)
    print(f"wrote {cfg.out / 'bench.json'} and {cfg.out / 'bench.md'}")
    if cfg.readme:
        if update_readme(ROOT / "README.md", table):
            print("updated the performance table in README.md")
        else:
            print(
                f"README.md has no {README_START} ... {README_END} markers: table not written "
                "there (copy it from bench-out/bench.md)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
