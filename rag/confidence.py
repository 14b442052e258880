"""How likely the retrieved passages are about the question at all: a retrieval confidence.

A question about something the articles never covered still gets five passages,
and an answer drawn from them reads as well as a right one. The retriever's own
numbers tell the two apart better than chance: on RealTime QA, questions whose
passages miss the answer have a lower top dense (cosine) similarity
(``python -m evals.rtqa_crossval --confidence``). Other cheap signals are
computed alongside so the cross-validation can compare them: the share of the
question's names and numbers found in the passages, and how many of the top
five passages both the dense and the BM25 ranking put in their own top five.
Everything here is pure: no model, no store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag.text import content_stems, content_words

if TYPE_CHECKING:
    from llama_index.core.schema import NodeWithScore

AGREEMENT_DEPTH = 5


@dataclass(frozen=True)
class Retrieved:
    """What confidence reads of one retrieved passage (the retriever's metadata)."""

    text: str
    title: str = ""
    dense_score: float | None = None
    dense_rank: int | None = None
    bm25_rank: int | None = None


def from_nodes(nodes: Sequence[NodeWithScore]) -> list[Retrieved]:
    """The retriever's nodes (``HybridRetriever.search``) as ``Retrieved``."""
    out = []
    for item in nodes:
        meta = item.node.metadata
        dense = meta.get("dense_score")
        out.append(
            Retrieved(
                text=item.node.get_content(),
                title=str(meta.get("title", "")),
                dense_score=None if dense is None else float(dense),
                dense_rank=meta.get("dense_rank"),
                bm25_rank=meta.get("bm25_rank"),
            )
        )
    return out


def top_dense(passages: Sequence[Retrieved]) -> float:
    """The highest cosine similarity of question and passage; 0 when none was dense-ranked."""
    return max((p.dense_score for p in passages if p.dense_score is not None), default=0.0)


def _coverage(question_stems: Sequence[str], passages: Sequence[Retrieved]) -> float:
    if not question_stems:
        return 1.0
    found: set[str] = set()
    for p in passages:
        found.update(content_stems(f"{p.title}\n{p.text}"))
    return sum(s in found for s in question_stems) / len(question_stems)


def salient_coverage(question: str, passages: Sequence[Retrieved]) -> float:
    """Share of the question's names and numbers (capitalised words, digits) in the passages.

    1 when the question has none: nothing then says the passages are off.
    """
    stems = list(dict.fromkeys(s for s, salient in content_words(question) if salient))
    return _coverage(stems, passages)


def word_coverage(question: str, passages: Sequence[Retrieved]) -> float:
    """Share of the question's content words (stopwords left out) found in the passages."""
    return _coverage(list(dict.fromkeys(content_stems(question))), passages)


def agreement(passages: Sequence[Retrieved], depth: int = AGREEMENT_DEPTH) -> float:
    """Share of the top ``depth`` passages that dense and BM25 both rank in their top ``depth``."""
    top = passages[:depth]
    both = sum(
        1
        for p in top
        if p.dense_rank is not None
        and p.bm25_rank is not None
        and p.dense_rank <= depth
        and p.bm25_rank <= depth
    )
    return both / depth


def signals(question: str, passages: Sequence[Retrieved]) -> dict[str, float]:
    """Every candidate signal, each higher when retrieval is more likely right."""
    dense = top_dense(passages)
    salient = salient_coverage(question, passages)
    words = word_coverage(question, passages)
    return {
        "top_dense": dense,
        "salient_coverage": salient,
        "word_coverage": words,
        "agreement": agreement(passages),
        "dense_x_salient": dense * (0.5 + 0.5 * salient),
        "dense_x_words": dense * (0.5 + 0.5 * words),
    }


SIGNAL = "top_dense"


def confidence(question: str, passages: Sequence[Retrieved]) -> float:
    """The chosen signal (``SIGNAL``); low means the passages may be about something else."""
    return signals(question, passages)[SIGNAL]


def is_low(question: str, passages: Sequence[Retrieved], threshold: float) -> bool:
    """Confidence under ``threshold`` (0 disables); no passages at all is not 'low' but empty."""
    if threshold <= 0 or not passages:
        return False
    return confidence(question, passages) < threshold
