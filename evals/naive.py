"""The naive reference RAG for ``rag eval realtimeqa --compare naive``.

The recipe (``../shared/benchmarks/README.md``, "A naive reference to beat"):
200-word chunks (split on whitespace, no overlap) with the article title
prepended; all-MiniLM-L6-v2 dense search (the app's embedder, from
``rag.components.build_embedder``) and BM25 over the same chunks, fused by
reciprocal rank (k=60, equal weights); the top 5 chunks. No recency boost, no
cap on chunks per article, no sentence selection: the whole chunks go into
the prompt as numbered passages.

It lives in its own Chroma collection, in its own index folder next to ours
(``<index>-naive``), with a marker file so a second run over the same data
reuses it; rows go through ``rag.store`` only.

How it answers: through ``rag.answer.AnswerChain`` itself, with the same LLM
object, the same prompts (``build_messages``, short style for open-ended; the
multiple-choice path of ``evals.rtqa_choice`` gets the same passages) and the
same answer check (the LLM's context window is raised to 4,096 tokens for the
whole run, ours included, so five whole chunks fit). Only the retriever and the
context step differ:
``NaiveChain.prepare`` puts every sentence of each top-5 chunk into the prompt
instead of ``fit_context``'s selection within a token budget. The same check
keeps "ours - naive" a measure of retrieval and context, not of post-processing.

Chunks longer than MiniLM's 256 word pieces are embedded truncated, as in the
recipe. From the command line the reference shares ours' embedder and LLM
objects (built by ``rag.components``), so each model is loaded once.

Details not fixed by the recipe, chosen as ours does: each retriever gives
``settings.candidates`` ids before fusion, BM25 is ``rag.bm25.BM25Index``
(stemming, stop words, query words unknown to the corpus corrected) over the
chunk text (title included once), and the date cut-off is applied to both
rankings. The prompt shows each passage's title in its header, so the title
line is taken off the chunk text there, not shown twice.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from llama_index.core.schema import NodeWithScore

from evals.realtimeqa import manifest_hash, run_realtimeqa
from evals.rtqa_data import Article, Question, article_file_text
from evals.rtqa_scoring import summarize
from rag import store
from rag.answer import AnswerChain, clean_question
from rag.context import Prepared, passages_from_nodes
from rag.prompts import build_messages
from rag.retrieve import HybridRetriever, rrf_fuse
from rag.types import Answer, AskOptions

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from rag.config import Settings
    from rag.types import Passage

CHUNK_WORDS = 200
TOP_K = 5
RRF_K = 60
MARKER = "naive-index.json"
# Five whole 200-word chunks and the app's fixed prompt can pass 2,048 tokens: the shared LLM
# gets room for them (a larger window does not change what fits already).
CONTEXT_WINDOW = 4096
RECIPE = (
    "200-word chunks with the title prepended, MiniLM dense + BM25, RRF k=60 equal weights, "
    "top 5 whole chunks; no recency boost, no per-article cap, no sentence selection"
)


# --- pure parts: chunking, the date cut-off, fusion ---------------------------------------------


def chunk_words(text: str, size: int = CHUNK_WORDS) -> list[str]:
    """``text`` split on whitespace into pieces of ``size`` words, no overlap."""
    words = text.split()
    return [" ".join(words[i : i + size]) for i in range(0, len(words), size)]


def article_chunks(title: str, text: str, size: int = CHUNK_WORDS) -> list[str]:
    """The naive chunks of one article: each 200-word piece with the title on its first line."""
    title = " ".join(title.split())
    return [f"{title}\n{piece}" if title else piece for piece in chunk_words(text, size)]


def within_cut_off(date_int: int, as_of: int | None) -> bool:
    """On or before ``as_of`` (YYYYMMDD); undated (0) passes; no cut-off passes everything."""
    return not as_of or not date_int or date_int <= as_of


def naive_rank(
    dense: Sequence[str],
    sparse: Sequence[str],
    dates: dict[str, int],
    as_of: int | None,
    top_k: int = TOP_K,
) -> list[tuple[str, float]]:
    """Drop ids past the cut-off from both rankings, fuse by RRF (k=60, equal weights), cut."""
    rankings = [
        [d for d in ranking if within_cut_off(dates.get(d, 0), as_of)]
        for ranking in (dense, sparse)
    ]
    return rrf_fuse(rankings, [1.0, 1.0], RRF_K)[:top_k]


def document_id(article: Article) -> str:
    """The article's key and a hash of its content: a changed article gets a new id."""
    digest = hashlib.sha1(article_file_text(article).encode("utf-8")).hexdigest()[:10]
    return f"{article.key}-{digest}"


def chunk_rows(article: Article) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """Ids, texts and metadata of one article's naive chunks, as stored."""
    doc_id = document_id(article)
    texts = article_chunks(article.title, article.text)
    meta = {
        "document_id": doc_id,
        "file": article.file_name,
        "title": article.title,
        "date": article.date,
        "date_int": article.date_int,
        "url": article.url,
        "source": article.publisher,
    }
    ids = [f"{doc_id}-{i}" for i in range(len(texts))]
    return ids, texts, [{**meta, "chunk": i} for i in range(len(texts))]


# --- retrieval and answering -------------------------------------------------------------------


class NaiveRetriever(HybridRetriever):
    """Dense + BM25 over the naive collection, fused by plain RRF; nothing else."""

    def refresh(self) -> None:
        """BM25 over the stored chunk texts, which already start with the title."""
        from rag.bm25 import BM25Index
        from rag.retrieve import ChunkTable

        table = ChunkTable.from_vector_store(self.vector_store)
        bm25 = BM25Index(table.texts)
        with self._lock:
            self._table, self._bm25 = table, bm25

    def search(
        self, query: str, top_k: int | None = None, as_of: int | None = None, **_: object
    ) -> list[NodeWithScore]:
        """The naive recipe knows only the cut-off: question windows and boosts are ignored."""
        top_k = top_k or TOP_K
        table = self.table
        if not table.ids:
            return []
        k = max(self.settings.candidates, top_k)
        dense = [d for d, _ in self.dense_search(query, k, as_of)]
        sparse = [d for d, _ in self.bm25_search(query, k, as_of)]
        dates = {d: int(table.date_ints[table.position[d]]) for d in {*dense, *sparse}}
        results = []
        for chunk_id, score in naive_rank(dense, sparse, dates, as_of, top_k):
            node = table.node(table.position[chunk_id])
            title = str(node.metadata.get("title") or "")
            text = node.get_content()
            if title and text.startswith(title + "\n"):
                node.set_content(text[len(title) + 1 :])  # the prompt header shows the title
            results.append(NodeWithScore(node=node, score=score))
        return results


def whole_passages(passages: list[Passage], embed_model: Any) -> dict[str, np.ndarray]:
    """Every sentence of every passage in the prompt; their vectors for the answer check."""
    texts = [s.text for p in passages for s in p.sentences]
    vecs = np.asarray(embed_model.get_text_embedding_batch(texts)) if texts else np.zeros((0, 1))
    vectors: dict[str, np.ndarray] = {}
    k = 0
    for passage in passages:
        n = len(passage.sentences)
        passage.selected = list(range(n))
        passage.in_prompt = True
        vectors[passage.chunk_id] = vecs[k : k + n]
        k += n
    return vectors


class NaiveChain(AnswerChain):
    """The app's answer chain with the naive context: top-5 whole chunks, no selection."""

    def prepare(self, question: str, options: AskOptions) -> Prepared:
        question = clean_question(question)
        timings = {"rewrite": 0.0}
        t = time.perf_counter()
        nodes = self.retriever.search(question, top_k=options.top_k or TOP_K, as_of=options.as_of)
        timings["retrieve"] = time.perf_counter() - t
        t = time.perf_counter()
        passages = passages_from_nodes(nodes)
        vectors = whole_passages(passages, self.embed_model)
        timings["select"] = time.perf_counter() - t
        messages = build_messages(question, passages, options.style)
        return Prepared(question, question, passages, messages, options.style, timings, {}, vectors)


def with_room(settings: Settings) -> Settings:
    """Ours with an LLM context window large enough for the naive prompts too."""
    window = max(settings.llm_context_window, CONTEXT_WINDOW)
    return settings.model_copy(update={"llm_context_window": window})


def naive_settings(settings: Settings) -> Settings:
    """Ours, pointed at the naive collection in ``<index>-naive`` next to our index."""
    index_dir = settings.index_dir.with_name(settings.index_dir.name + "-naive")
    return settings.model_copy(
        update={
            "index_dir": index_dir,
            "collection": f"{settings.collection}-naive",
            "top_k": TOP_K,
            "rrf_k": RRF_K,
            "dense_weight": 1.0,
            "bm25_weight": 1.0,
            "recency_weight": 0.0,
            "max_chunks_per_article": 0,
        }
    )


class NaiveRAG:
    """What the RealTime QA runner needs of a RAG (retriever, llm, ask), for the naive recipe."""

    def __init__(
        self,
        settings: Settings,
        embed_model: BaseEmbedding | None = None,
        llm: Any = None,
        vector_store: Any = None,
    ) -> None:
        from rag.components import build_embedder, build_vector_store

        self.settings = settings
        self.embed_model = embed_model if embed_model is not None else build_embedder(settings)
        self.vector_store = vector_store or build_vector_store(settings)
        self.llm = llm
        self.retriever = NaiveRetriever(settings, self.embed_model, self.vector_store)
        self.chain = NaiveChain(settings, self.retriever, llm)

    def chunk_count(self) -> int:
        return store.count(self.vector_store)

    def ask(self, question: str, options: AskOptions | None = None, /, **fields: Any) -> Answer:
        return self.chain.ask(question, AskOptions.of(options, **fields))


# --- the cached index ---------------------------------------------------------------------------


def index_marker(settings: Settings, manifest: str) -> dict[str, Any]:
    from rag.components import embedder_label

    return {
        "recipe": RECIPE,
        "manifest": manifest,
        "embedder": embedder_label(settings),
        "chunk_words": CHUNK_WORDS,
        "collection": settings.collection,
    }


def _sync(naive: NaiveRAG, articles: Sequence[Article], show_progress: bool) -> dict[str, int]:
    """Delete chunks of articles gone or changed, embed and add those missing."""
    vector_store = naive.vector_store
    wanted = {document_id(a): a for a in articles}
    present = store.document_ids(vector_store)
    stale = present - set(wanted)
    for doc_id in stale:
        store.delete_document(vector_store, doc_id)
    ids: list[str] = []
    texts: list[str] = []
    metas: list[dict[str, Any]] = []
    for doc_id, article in wanted.items():
        if doc_id not in present:
            rows = chunk_rows(article)
            ids += rows[0]
            texts += rows[1]
            metas += rows[2]
    if ids:
        vecs = naive.embed_model.get_text_embedding_batch(texts, show_progress=show_progress)
        store.add_rows(vector_store, ids, vecs, texts, metas)
    return {"removed": len(stale), "added": len(wanted.keys() - present), "embedded": len(ids)}


def prepare_index(
    naive: NaiveRAG, articles: Sequence[Article], show_progress: bool = True
) -> dict[str, Any]:
    """Index the articles in the naive collection, unless its marker says it holds them."""
    started = time.perf_counter()
    marker = index_marker(naive.settings, manifest_hash(articles))
    marker_path = Path(naive.settings.index_dir) / MARKER
    try:
        previous = json.loads(marker_path.read_text())
    except (OSError, ValueError):
        previous = None
    info: dict[str, Any] = {"reused": previous == marker and naive.chunk_count() > 0}
    if not info["reused"]:
        info["sync"] = _sync(naive, articles, show_progress)
        marker_path.parent.mkdir(parents=True, exist_ok=True)
        marker_path.write_text(json.dumps(marker, indent=2))
    naive.retriever.refresh()
    info["chunks"] = naive.chunk_count()
    info["index"] = str(naive.settings.index_dir)
    info["seconds"] = round(time.perf_counter() - started, 2)
    return info


# --- the comparison run ------------------------------------------------------------------------

RECORD_KEYS = (
    "retrieval_rank",
    "hit_at_5",
    "date_leaks",
    "mc_choice",
    "mc_correct",
    "open_answer",
    "refused",
    "open_em",
    "open_f1",
)


def run_naive(
    naive: NaiveRAG,
    questions: Sequence[Question],
    answerable: set[str],
    rotations: int = 4,
    progress: bool = True,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The same questions, cut-offs and scoring as ours, through the naive recipe.

    Closed book is not rerun: it does not use retrieval, so it is ours' baseline as it is.
    """
    started = time.perf_counter()
    records = run_realtimeqa(
        naive, questions, answerable, rotations=rotations, closed_book=False, progress=progress
    )
    return records, summarize(records, time.perf_counter() - started)


def run_comparison(
    rag: Any,
    articles: Sequence[Article],
    questions: Sequence[Question],
    answerable: set[str],
    rotations: int = 4,
) -> dict[str, Any]:
    """Build (or reuse) the naive index next to ``rag``'s and run the naive recipe.

    It shares ``rag``'s embedder and LLM objects (the same models, loaded once).
    """
    import sys

    progress = sys.stderr.isatty()
    naive = NaiveRAG(naive_settings(rag.settings), rag.embed_model, rag.llm)
    index = prepare_index(naive, articles, show_progress=progress)
    done = "reused the naive index" if index["reused"] else "indexed the naive recipe"
    print(f"{done}: {index['chunks']} chunks ({index['seconds']} s)", file=sys.stderr)
    records, summary = run_naive(naive, questions, answerable, rotations, progress)
    window = rag.settings.llm_context_window
    return {"records": records, "summary": summary, "index": index, "llm_context_window": window}


def merge(
    run: dict[str, Any],
    records: list[dict[str, Any]],
    summary: dict[str, Any],
    meta: dict[str, Any],
) -> str:
    """Put the naive run into ours: ``summary["compare"]``, per-question fields, meta.

    Returns the report's comparison section (markdown).
    """
    from evals.rtqa_scoring import compare, compare_markdown

    summary["compare"] = compare(summary, run["summary"], "naive")
    attach(records, run["records"])
    index = run["index"]
    meta.update(naive_recipe=RECIPE, naive_index=index["index"], naive_chunks=index["chunks"])
    meta["naive_index_reused"] = index["reused"]
    meta["llm_context_window"] = run.get("llm_context_window")
    return compare_markdown(summary, summary["compare"], "naive")


def attach(records: list[dict[str, Any]], naive_records: Sequence[dict[str, Any]]) -> None:
    """Each question's naive outcome under ``record["naive"]``, for results.json and the report."""
    by_id = {r["id"]: r for r in naive_records}
    for record in records:
        other = by_id.get(record["id"])
        record["naive"] = {k: other.get(k) for k in RECORD_KEYS} if other else None
