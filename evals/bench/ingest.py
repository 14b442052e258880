"""Step 1, ingest throughput: the whole ``ingest()`` pipeline against the embedder alone.

The baseline is ``SentenceTransformer.encode`` on exactly the chunk texts the
splitter makes, so the ratio says how much the pipeline (loading, chunking,
batching, Chroma writes, docstore) costs on top of the embedding it cannot avoid.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals.bench.common import BenchConfig, Log, base_settings, median, ratio

if TYPE_CHECKING:
    from rag.config import Settings


@dataclass
class Subset:
    """A fixed, deterministic slice of the corpus: articles in URL-hash order."""

    folder: Path
    articles: int
    texts: list[str] = field(default_factory=list)


def chunk_counts(corpus_dir: Path, settings: Settings) -> tuple[dict[str, list[str]], float]:
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


def pipeline_pass(corpus_dir: Path, index_dir: Path, embedder: Any) -> tuple[Pass, Settings]:
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


MEASURED = (
    "Subset: the first articles in URL-hash order up to the chunk target. Each pass "
    "runs, in alternating order, SentenceTransformer.encode on the exact chunk texts "
    "the splitter makes (embed_text) and the whole ingest() (load files, chunk, embed "
    "in length-sorted batches, Chroma upserts, docstore) into a fresh index. Model "
    "loading excluded. cpu_*: chunks per CPU second of this process, a check on a "
    "loaded machine."
)


def alternating_passes(
    cfg: BenchConfig, subset: Subset, work: Path, embedder: Any, batch_size: int, log: Log
) -> tuple[list[Pass], list[Pass], Settings | None]:
    """``cfg.repeat`` pipeline and raw passes on the subset, ABBA-ordered to cancel drift."""
    pipes: list[Pass] = []
    raws: list[Pass] = []
    index_settings = None
    for i in range(cfg.repeat):
        # ABBA order, so neither side always runs first (warm caches, load drifting in).
        if i % 2 == 0:
            raws.append(raw_pass(subset.texts, embedder, batch_size))
        pipe, index_settings = pipeline_pass(subset.folder, work / f"subset-index-{i}", embedder)
        if i % 2 == 1:
            raws.append(raw_pass(subset.texts, embedder, batch_size))
        if pipe.chunks != len(subset.texts):
            raise RuntimeError(
                f"ingest embedded {pipe.chunks} chunks, raw pass {len(subset.texts)}"
            )
        pipes.append(pipe)
        log(
            f"  pass {i + 1}: pipeline {pipe.rate:.1f} chunks/s, raw encode {raws[-1].rate:.1f} "
            f"chunks/s (per CPU second: {pipe.cpu_rate:.1f} vs {raws[-1].cpu_rate:.1f})"
        )
    return pipes, raws, index_settings


def subset_figures(
    subset: Subset, passes: int, pipes: Sequence[Pass], raws: Sequence[Pass]
) -> dict[str, Any]:
    """Medians (wall and CPU) of both sides and their ratios; each run kept for the record."""
    pipe_med, raw_med = median(p.rate for p in pipes), median(r.rate for r in raws)
    pipe_cpu, raw_cpu = median(p.cpu_rate for p in pipes), median(r.cpu_rate for r in raws)
    return {
        "articles": subset.articles,
        "chunks": len(subset.texts),
        "passes": passes,
        "pipeline_chunks_per_s": pipe_med,
        "raw_encode_chunks_per_s": raw_med,
        "ratio": ratio(pipe_med, raw_med),
        "pipeline_runs": [p.rate for p in pipes],
        "raw_runs": [r.rate for r in raws],
        "cpu_pipeline_chunks_per_s": pipe_cpu,
        "cpu_raw_encode_chunks_per_s": raw_cpu,
        "cpu_ratio": ratio(pipe_cpu, raw_cpu),
    }


def full_pass(
    corpus_dir: Path, work: Path, embedder: Any, articles: int, raw_med: float | None, log: Log
) -> tuple[dict[str, Any], Settings]:
    """One pipeline pass over the whole corpus, compared with the subset's raw encode."""
    full, index_settings = pipeline_pass(corpus_dir, work / "full-index", embedder)
    figures = {
        "articles": articles,
        "chunks": full.chunks,
        "seconds": full.wall_s,
        "pipeline_chunks_per_s": full.rate,
        "ratio_vs_subset_raw": ratio(full.rate, raw_med),
        "cpu_pipeline_chunks_per_s": full.cpu_rate,
        "note": "one pass; the ratio compares with the subset's raw encode median",
    }
    log(f"  full: {full.rate:.1f} chunks/s ({full.wall_s:.0f} s)")
    return figures, index_settings


def bench_ingest(
    cfg: BenchConfig, corpus_dir: Path, work: Path, embedder: Any, log: Log
) -> tuple[dict[str, Any], Settings | None]:
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
    pipes, raws, index_settings = alternating_passes(
        cfg, subset, work, embedder, settings.embed_batch_size, log
    )
    sub = subset_figures(subset, cfg.repeat, pipes, raws)
    result: dict[str, Any] = {
        "measured": MEASURED,
        "corpus": {
            "articles": len(texts),
            "chunks": total_chunks,
            "chunking_s": chunk_seconds,
        },
        "subset": sub,
        "full": None,
    }
    if cfg.full_ingest:
        log(f"ingest: full corpus pass ({total_chunks} chunks)")
        result["full"], index_settings = full_pass(
            corpus_dir, work, embedder, len(texts), sub["raw_encode_chunks_per_s"], log
        )
    return result, index_settings
