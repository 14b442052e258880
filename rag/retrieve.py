"""The retriever: dense (Chroma) and BM25 (``rag.bm25``) over the same chunks, fused by rank.

Dense embeddings find paraphrases; BM25 finds names, numbers and rare words
that a 384-dimension MiniLM vector blurs. Weighted reciprocal-rank fusion
(Cormack et al. 2009) combines the two rankings without calibrating scores.
An optional date cut-off restricts both to articles published on or before a
day, which the news benchmark needs and users can use to ask "as of".
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from llama_index.core.vector_stores.types import (
    MetadataFilters,
    VectorStoreQuery,
)

from rag import store, stories
from rag.bm25 import BM25Index
from rag.config import Settings
from rag.date_filter import DateBounds, date_filter

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.vector_stores.types import BasePydanticVectorStore


def rrf_fuse(
    rankings: Sequence[Sequence[str]], weights: Sequence[float] | None = None, k: int = 60
) -> list[tuple[str, float]]:
    """Weighted reciprocal-rank fusion: score(d) = sum_r w_r / (k + rank_r(d)), ranks from 1.

    Ties keep the order in which ids were first seen, so the result is deterministic.
    """
    weights = list(weights) if weights is not None else [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + weight / (k + rank)
    order = {doc_id: i for i, doc_id in enumerate(scores)}
    return sorted(scores.items(), key=lambda item: (-item[1], order[item[0]]))


@dataclass
class ChunkTable:
    """Every chunk's id, text and metadata, loaded once from the vector store for BM25."""

    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    metadatas: list[dict[str, Any]] = field(default_factory=list)
    date_ints: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    position: dict[str, int] = field(default_factory=dict)
    files: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=str))  # article of each
    _name_keys: dict[int, set[str]] = field(default_factory=dict)  # see name_keys

    @classmethod
    def from_vector_store(cls, vector_store: BasePydanticVectorStore) -> ChunkTable:
        table = cls()
        table.ids, table.texts, table.metadatas = store.chunk_rows(vector_store)
        table.date_ints = np.array(
            [int((m or {}).get("date_int") or 0) for m in table.metadatas], dtype=np.int64
        )
        table.position = {chunk_id: i for i, chunk_id in enumerate(table.ids)}
        table.files = np.array([str((m or {}).get("file", "")) for m in table.metadatas])
        return table

    def search_text(self, i: int) -> str:
        """Title and text: BM25 should match words of the headline too."""
        title = (self.metadatas[i] or {}).get("title", "")
        return f"{title}\n{self.texts[i]}" if title else self.texts[i]

    def name_keys(self, i: int) -> set[str]:
        """``rag.subject.name_keys`` of chunk ``i``'s title and text, made once per chunk."""
        from rag.subject import name_keys

        keys = self._name_keys.get(i)
        if keys is None:
            keys = self._name_keys[i] = name_keys([self.search_text(i)])
        return keys

    def node(self, i: int) -> TextNode:
        meta = dict(self.metadatas[i] or {})
        start = end = None
        raw = meta.pop("_node_content", None)
        if raw:
            try:
                content = json.loads(raw)
                start, end = content.get("start_char_idx"), content.get("end_char_idx")
            except ValueError:
                pass
        for key in ("_node_type", "doc_id", "ref_doc_id"):
            meta.pop(key, None)
        return TextNode(
            id_=self.ids[i],
            text=self.texts[i],
            metadata=meta,
            start_char_idx=start,
            end_char_idx=end,
        )


def days_between(later: int, earlier: int) -> float:
    """Days from ``earlier`` to ``later``, both YYYYMMDD ints."""
    from datetime import date

    def to_date(value: int) -> date:
        return date(value // 10000, value // 100 % 100, value % 100)

    return float((to_date(later) - to_date(earlier)).days)


def recency_boosted(
    fused: list[tuple[str, float]],
    dates: dict[str, int],
    reference: int,
    weight: float,
    half_life_days: float,
    rrf_k: int,
    coverage: dict[str, float] | None = None,
) -> list[tuple[str, float]]:
    """Add ``weight / (rrf_k + 1) * 0.5 ** (age / half_life)`` to each fused score.

    News questions are mostly about what happened lately; an article from the
    reference day gains as much as a first place in one ranking would give it.
    Undated articles and ages below zero get no boost. ``coverage`` (the share of
    the question's names a chunk mentions) scales the boost: a newer article that
    names none of them is not about the question, and must not push out the older
    report that is.
    """
    if weight <= 0 or not reference:
        return fused
    unit = weight / (rrf_k + 1)
    boosted = []
    for chunk_id, score in fused:
        day = dates.get(chunk_id, 0)
        if day and day <= reference:
            share = 1.0 if coverage is None else coverage.get(chunk_id, 0.0)
            score += unit * share * 0.5 ** (days_between(reference, day) / half_life_days)
        boosted.append((chunk_id, score))
    order = {chunk_id: i for i, (chunk_id, _) in enumerate(fused)}
    return sorted(boosted, key=lambda item: (-item[1], order[item[0]]))


def name_coverage(
    query: str, fused: Sequence[tuple[str, float]], table: ChunkTable
) -> dict[str, float] | None:
    """The share of the question's names each candidate mentions (title included); None when
    the question names nothing."""
    from rag.subject import mentioned, question_names

    names = question_names(query)
    if not names:
        return None
    coverage = {}
    for chunk_id, _ in fused:
        i = table.position.get(chunk_id)
        if i is not None:
            keys = table.name_keys(i)
            coverage[chunk_id] = sum(mentioned([n], keys) for n in names) / len(names)
    return coverage


def diversified(
    ranked: Sequence[tuple[str, float]],
    article_of: Callable[[str], str | None],
    cap: int,
    top_k: int,
) -> list[tuple[str, float]]:
    """The first ``top_k`` of ``ranked`` with at most ``cap`` chunks per article.

    The cap spreads the passages over more articles (one long article otherwise
    crowds out the others); when too few articles match to fill ``top_k``, the
    held-back chunks fill the remaining places in rank order, so a small corpus
    still gets ``top_k`` passages. ``cap`` 0 turns the cap off.
    """
    chosen: list[tuple[str, float]] = []
    held: list[tuple[str, float]] = []
    per_article: dict[str, int] = {}
    for chunk_id, score in ranked:
        article = article_of(chunk_id)
        if article is None:
            continue
        if cap and per_article.get(article, 0) >= cap:
            held.append((chunk_id, score))
            continue
        per_article[article] = per_article.get(article, 0) + 1
        chosen.append((chunk_id, score))
        if len(chosen) == top_k:
            return chosen
    chosen.extend(held[: top_k - len(chosen)])
    return chosen


class HybridRetriever(BaseRetriever):
    """Dense + BM25 retrieval fused by weighted reciprocal rank.

    ``as_of`` (an int ``YYYYMMDD``) keeps only chunks of articles dated on or
    before that day; undated articles always pass.
    """

    def __init__(
        self,
        settings: Settings,
        embed_model: BaseEmbedding,
        vector_store: BasePydanticVectorStore,
        table: ChunkTable | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.embed_model = embed_model
        self.vector_store = vector_store
        self._lock = threading.Lock()
        self._table = table
        self._bm25: BM25Index | None = None
        if table is not None:
            self._bm25 = BM25Index([table.search_text(i) for i in range(len(table.ids))])

    def refresh(self) -> None:
        """Reload chunks after an ingest changed the collection."""
        table = ChunkTable.from_vector_store(self.vector_store)
        bm25 = BM25Index([table.search_text(i) for i in range(len(table.ids))])
        with self._lock:
            self._table, self._bm25 = table, bm25

    @property
    def table(self) -> ChunkTable:
        if self._table is None:
            self.refresh()
        assert self._table is not None
        return self._table

    @property
    def bm25(self) -> BM25Index:
        """The BM25 index over the current chunk table."""
        if self._bm25 is None:
            self.refresh()
        assert self._bm25 is not None
        return self._bm25

    @property
    def size(self) -> int:
        return len(self.table.ids)

    def dense_search(
        self, query: str, k: int, as_of: int | None = None, bounds: DateBounds | None = None
    ) -> list[tuple[str, float]]:
        embedding = self.embed_model.get_query_embedding(query)
        return self.dense_search_vector(embedding, k, as_of, bounds)

    def dense_search_vector(
        self,
        embedding: list[float],
        k: int,
        as_of: int | None = None,
        bounds: DateBounds | None = None,
    ) -> list[tuple[str, float]]:
        """Top ``k`` chunks by cosine similarity, within the date cut-off.

        Chroma's filtered search is ten times slower than its plain one, and a
        cut-off usually removes few chunks: so search plain with room to spare,
        drop chunks past the cut-off, and fall back to the filtered search only
        when too few are left.
        """
        bounds = bounds or DateBounds.of(as_of)
        if bounds.active:
            hits = self._query(embedding, min(3 * k, max(k, self.size)), None)
            dates, files = self.table.date_ints, self.table.files
            position = self.table.position
            kept = [
                (chunk_id, sim)
                for chunk_id, sim in hits
                if chunk_id in position
                and bounds.keeps(int(dates[position[chunk_id]]), str(files[position[chunk_id]]))
            ]
            if len(kept) >= k or len(hits) >= self.size:
                return kept[:k]
        return self._query(embedding, k, date_filter(None, bounds))

    def _query(
        self, embedding: list[float], k: int, filters: MetadataFilters | None
    ) -> list[tuple[str, float]]:
        result = self.vector_store.query(
            VectorStoreQuery(query_embedding=embedding, similarity_top_k=k, filters=filters)
        )
        ids = result.ids or []
        sims = result.similarities or [0.0] * len(ids)
        return list(zip(ids, sims, strict=False))

    def bm25_search(
        self, query: str, k: int, as_of: int | None = None, bounds: DateBounds | None = None
    ) -> list[tuple[str, float]]:
        table = self.table
        assert self._bm25 is not None
        bounds = bounds or DateBounds.of(as_of)
        mask = None
        if bounds.active:
            mask = bounds.mask(table.date_ints, table.files).astype(np.float32)
        return [(table.ids[i], score) for i, score in self._bm25.search(query, k, mask)]

    def search(
        self,
        query: str,
        top_k: int | None = None,
        as_of: int | None = None,
        date_from: int | None = None,
        date_to: int | None = None,
        dated_only: bool = False,
        recency_weight: float | None = None,
        files: Sequence[str] | None = None,
        extra: int = 0,
    ) -> list[NodeWithScore]:
        """Fused top ``top_k`` chunks for ``query``, each scored and annotated, then ``extra``
        more in the same order (the first ``top_k`` are what a search without them returns).

        ``date_from``/``date_to`` (YYYYMMDD, inclusive) and ``dated_only`` filter
        both rankings before fusion, so nothing outside the window is returned;
        ``recency_weight`` overrides the setting (current-state questions); ``files``
        keeps the search to those articles (corpus file names).
        """
        bounds = DateBounds.of(as_of, date_from, date_to, dated_only, files)
        top_k = top_k or self.settings.top_k
        table = self.table
        if not table.ids:
            return []
        k = max(self.settings.candidates, top_k)
        assert self._bm25 is not None
        query = self._bm25.correct_query(query)
        dense = self.dense_search(query, k, as_of, bounds)
        sparse = self.bm25_search(query, k, as_of, bounds)
        fused = rrf_fuse(
            [[d for d, _ in dense], [d for d, _ in sparse]],
            [self.settings.dense_weight, self.settings.bm25_weight],
            self.settings.rrf_k,
        )
        weight = self.settings.recency_weight if recency_weight is None else recency_weight
        if weight > 0:
            reference = bounds.high or int(table.date_ints.max(initial=0))
            dates = {
                chunk_id: int(table.date_ints[table.position[chunk_id]])
                for chunk_id, _ in fused
                if chunk_id in table.position
            }
            fused = recency_boosted(
                fused,
                dates,
                reference,
                weight,
                self.settings.recency_half_life_days,
                self.settings.rrf_k,
                name_coverage(query, fused, table),
            )
        index = stories.story_index(table)
        if self.settings.one_passage_per_story:
            fused = stories.one_copy_per_story(fused, index)
        dense_rank = {d: (r, s) for r, (d, s) in enumerate(dense, start=1)}
        sparse_rank = {d: (r, s) for r, (d, s) in enumerate(sparse, start=1)}
        results = []

        def article_of(chunk_id: str) -> str | None:
            """None for an id a concurrent ingest removed from this table."""
            i = table.position.get(chunk_id)
            return None if i is None else str((table.metadatas[i] or {}).get("file", chunk_id))

        for chunk_id, score in diversified(
            fused, article_of, self.settings.max_chunks_per_article, top_k + extra
        ):
            i = table.position[chunk_id]
            node = table.node(i)
            stories.annotate(node.metadata, index)
            node.metadata["dense_rank"], node.metadata["dense_score"] = dense_rank.get(
                chunk_id, (None, None)
            )
            node.metadata["bm25_rank"], node.metadata["bm25_score"] = sparse_rank.get(
                chunk_id, (None, None)
            )
            results.append(NodeWithScore(node=node, score=score))
        return results

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return self.search(query_bundle.query_str)
