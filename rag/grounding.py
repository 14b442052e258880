"""The last step of an answer: check what the model wrote against the passages it cites.

Small models cite wrong numbers and sometimes answer from memory. Every
cited sentence is scored against its passage (word overlap and embedding
similarity); wrong citations are repaired, unsupported sentences dropped, and
an answer with nothing left, or one that says it cannot answer, becomes the
one fixed refusal, so the interfaces can recognise it.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from rag.citations import CITATION_RE, lexical_support, repair_citations, unfinished
from rag.context import Prepared, calibrated_cosine, cosine_matrix
from rag.prompts import REFUSAL
from rag.text import split_sentences
from rag.types import Answer, Passage

_REFUSAL_PATTERNS = re.compile(
    r"could not find the answer|can ?not find the answer|"
    r"(passages?|articles?|context|texts?|sources?) (do|does|did) not (contain|mention|say|provide|"
    r"include|specify|state|give|answer)|"
    r"\b(is|are|was|were) not (mentioned|specified|provided|stated|given|named|disclosed|reported|"
    r"included|found)\b|"
    r"\bno (information|mention)\b|"
    r"(cannot|can't|unable to) (be )?(answer|determin|find|tell)",
    re.I,
)


def is_refusal(text: str) -> bool:
    first = split_sentences(CITATION_RE.sub("", text).strip())
    head = first[0].text if first else text
    return bool(_REFUSAL_PATTERNS.search(head)) or not re.search(r"\w", text)


def _answer(
    prepared: Prepared, raw: str, text: str, refused: bool, citations: list[Passage]
) -> Answer:
    return Answer(
        question=prepared.question,
        answer=text,
        refused=refused,
        citations=citations,
        passages=prepared.passages,
        standalone_question=prepared.standalone,
        timings=prepared.timings,
        usage=prepared.usage,
        raw_answer=raw,
    )


def refusal_answer(prepared: Prepared, raw: str) -> Answer:
    """The fixed refusal, with the closest passages still attached to show."""
    return _answer(prepared, raw, REFUSAL, True, [])


def support(prepared: Prepared, embed_model: Any, claim: str, number: int) -> tuple[float, str]:
    """How well passage ``number`` supports ``claim``, and its best sentence."""
    passage = next(p for p in prepared.passages if p.number == number)
    lexical = lexical_support(claim, f"{passage.header()}\n{passage.text}")
    vecs = prepared.sentence_vectors.get(passage.chunk_id)
    quote, cos = "", 0.0
    if vecs is not None and len(vecs):
        c_vec = prepared.claim_vectors.get(claim)
        if c_vec is None:
            c_vec = np.asarray(embed_model.get_text_embedding(claim))
            prepared.claim_vectors[claim] = c_vec
        sims = cosine_matrix(c_vec[None, :], vecs)[0]
        lex = np.array([lexical_support(claim, s.text) for s in passage.sentences])
        best = int(np.argmax(sims + lex))
        cos, quote = float(sims[best]), passage.sentences[best].text
    return max(lexical, (lexical + calibrated_cosine(cos)) / 2), quote


class _Supports:
    """``support`` per (claim, passage), computed once; results keep the best quotes."""

    def __init__(self, prepared: Prepared, embed_model: Any) -> None:
        self.prepared = prepared
        self.embed_model = embed_model
        self.results: dict[tuple[str, int], tuple[float, str]] = {}

    def __call__(self, claim: str, number: int) -> float:
        if (claim, number) not in self.results:
            self.results[(claim, number)] = support(self.prepared, self.embed_model, claim, number)
        return self.results[(claim, number)][0]


def _cite_phrase(
    text: str, numbers: list[int], supports: _Supports
) -> tuple[str, list[int]] | None:
    """A bare phrase (style "short"): cite the passage that contains it, None if none does."""
    if unfinished(text):
        return None
    scores = {n: supports(text, n) for n in numbers}
    best = max(numbers, key=lambda n: scores[n])
    if scores[best] < 0.5:
        return None
    return CITATION_RE.sub("", text).strip(), [best]


def _cite_sentences(
    text: str, numbers: list[int], supports: _Supports
) -> tuple[str, list[int]] | None:
    """Repair the citations sentence by sentence; None when no sentence is supported."""
    repair = repair_citations(text, numbers, supports)
    if not repair.cited_ids:
        return None
    repaired_text, cited = repair.answer, repair.cited_ids
    for claim in repair.claims:
        for n in claim.kept:
            supports(claim.text, n)  # scores the kept citations, so each has a quote
    return repaired_text, cited


def _citations(prepared: Prepared, cited: list[int], supports: _Supports) -> list[Passage]:
    """The cited passages in order, each quoting its best-supporting sentence."""
    by_number = {p.number: p for p in prepared.passages}
    citations = []
    for n in cited:
        passage = by_number[n]
        quotes = [v for (_, m), v in supports.results.items() if m == n]
        if quotes:
            passage.quote = max(quotes)[1]
        citations.append(passage)
    return citations


def finalize(prepared: Prepared, raw: str, embed_model: Any) -> Answer:
    """Check citations against the passages; refuse when nothing is supported."""
    text = raw.strip()
    if prepared.style == "short":
        text = text.splitlines()[0].strip() if text else ""
    if not text or is_refusal(text):
        return refusal_answer(prepared, raw)
    numbers = [p.number for p in prepared.passages if p.in_prompt]
    supports = _Supports(prepared, embed_model)
    cite = _cite_phrase if prepared.style == "short" else _cite_sentences
    checked = cite(text, numbers, supports)
    if checked is None:
        return refusal_answer(prepared, raw)
    repaired_text, cited = checked
    return _answer(prepared, raw, repaired_text, False, _citations(prepared, cited, supports))
