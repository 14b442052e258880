"""Which sentences of the retrieved passages the model gets to read.

Prefill time on a CPU grows with the prompt, so each passage is cut to the
sentences closest to the question, within a token budget. One score ranks
sentences everywhere: embedding cosine plus half the share of the question's
content words the sentence contains. The extractive backend (no LLM) answers
with the best-scoring sentences themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from llama_index.core.base.llms.types import ChatMessage

from rag.claims import focus_stems, question_type, supplies_type
from rag.prompts import REFUSAL
from rag.text import content_stems, is_question, split_sentences
from rag.types import Passage, Style

if TYPE_CHECKING:
    from llama_index.core.schema import NodeWithScore


@dataclass
class Prepared:
    """Everything decided before generation; ``messages`` is what the LLM gets."""

    question: str
    standalone: str
    passages: list[Passage]
    messages: list[ChatMessage]
    style: Style
    timings: dict[str, float]
    usage: dict[str, Any] = field(default_factory=dict)
    sentence_vectors: dict[str, np.ndarray] = field(default_factory=dict)
    claim_vectors: dict[str, np.ndarray] = field(default_factory=dict)
    as_of: str | None = None
    window: dict[str, str | None] | None = None
    respell: dict[str, str] = field(default_factory=dict)  # misspelled word -> corrected
    window_phrase: str = ""  # the question's date phrase that set ``window``, if one did
    current_state: bool = False
    conflicts: list[dict[str, Any]] = field(default_factory=list)  # rag.conflicts.detect
    low_confidence: bool = False  # rag.confidence.is_low
    search_query: str = ""  # what the passages were found with (rag.search)


def passages_from_nodes(nodes: Sequence[NodeWithScore]) -> list[Passage]:
    passages = []
    for number, item in enumerate(nodes, start=1):
        node = item.node
        meta = node.metadata
        text = node.get_content()
        passages.append(
            Passage(
                number=number,
                chunk_id=node.node_id,
                source=str(meta.get("file", "")),
                title=str(meta.get("title", "")),
                date=str(meta.get("date", "")),
                url=str(meta.get("url", "")),
                text=text,
                score=float(item.score or 0.0),
                publisher=str(meta.get("source", "")),
                story_id=str(meta.get("story_id") or ""),
                also_in=list(meta.get("also_in") or []),
                start_char=getattr(node, "start_char_idx", None),
                end_char=getattr(node, "end_char_idx", None),
                sentences=split_sentences(text),
            )
        )
    return passages


def cosine_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / (np.linalg.norm(a, axis=-1, keepdims=True) + 1e-9)
    b = b / (np.linalg.norm(b, axis=-1, keepdims=True) + 1e-9)
    return a @ b.T


def calibrated_cosine(cos: float, low: float = 0.35, high: float = 0.75) -> float:
    """Map MiniLM cosine to [0, 1]: below ``low`` is unrelated, above ``high`` a paraphrase."""
    return float(min(1.0, max(0.0, (cos - low) / (high - low))))


def overlap(question_stems: set[str], sentence: str) -> float:
    """Share of the question's content words present in the sentence."""
    if not question_stems:
        return 0.0
    return len(question_stems & set(content_stems(sentence))) / len(question_stems)


def sentence_scores(
    cosines: np.ndarray, question_stems: set[str], passage: Passage, rank: int | None = None
) -> list[float]:
    """Score each sentence of ``passage``: cosine to the question + 0.5 * word overlap.

    ``cosines`` holds one cosine per sentence. With ``rank`` (the passage's
    retrieval rank, from 0) each score loses ``0.02 * rank``, so among equal
    sentences the better-retrieved passage wins a place in the prompt.
    """
    scores = []
    for i, sentence in enumerate(passage.sentences):
        score = float(cosines[i]) + 0.5 * overlap(question_stems, sentence.text)
        if rank is not None:
            score -= 0.02 * rank
        scores.append(score)
    return scores


def select_sentences(
    passages: list[Passage],
    scores: dict[tuple[int, int], float],
    budget_tokens: int,
    count_tokens: Any,
    best_last: bool = False,
) -> None:
    """Greedy: best-scoring sentences first until the token budget is spent.

    Each chosen sentence brings its successor when that still fits (answers
    often sit in the sentence after the one that matches the question).
    Passages left with no sentence are marked ``in_prompt = False``.
    """
    used = 0
    chosen: dict[int, set[int]] = {p.number: set() for p in passages}
    by_number = {p.number: p for p in passages}
    seen: set[str] = set()  # overlapping chunks repeat sentences; show each once
    for (number, index), _ in sorted(scores.items(), key=lambda kv: -kv[1]):
        passage = by_number[number]
        for i in (index, index + 1):
            if i >= len(passage.sentences) or i in chosen[number]:
                continue
            key = passage.sentences[i].text.lower()
            if key in seen:
                continue
            cost = count_tokens(passage.sentences[i].text) + 1
            if used + cost > budget_tokens:
                if i == index:
                    break
                continue
            chosen[number].add(i)
            seen.add(key)
            used += cost
        if used >= budget_tokens:
            break
    for passage in passages:
        passage.selected = sorted(chosen[passage.number])
        passage.in_prompt = bool(passage.selected)
    # Number the passages the model sees 1..m in the order shown; the rest follow.
    shown = [p for p in passages if p.in_prompt]
    if best_last:
        shown.reverse()
    ordered = shown + [p for p in passages if not p.in_prompt]
    for number, passage in enumerate(ordered, start=1):
        passage.number = number
    passages[:] = ordered


def fit_context(
    question: str,
    passages: list[Passage],
    embed_model: Any,
    budget_tokens: int,
    count_tokens: Callable[[str], int],
    best_last: bool = False,
) -> dict[str, np.ndarray]:
    """Score every sentence against ``question`` and keep the best within the budget.

    Renumbers ``passages`` in place (see ``select_sentences``) and returns each
    passage's sentence embeddings by chunk id, for the grounding check later.
    """
    if not passages:
        return {}
    texts = [s.text for p in passages for s in p.sentences]
    q_vec = np.asarray(embed_model.get_query_embedding(question))
    s_vecs = np.asarray(embed_model.get_text_embedding_batch(texts))
    cos = cosine_matrix(q_vec[None, :], s_vecs)[0]
    q_stems = set(content_stems(question))
    scores: dict[tuple[int, int], float] = {}
    vectors: dict[str, np.ndarray] = {}
    k = 0
    for rank, passage in enumerate(passages):
        n = len(passage.sentences)
        vectors[passage.chunk_id] = s_vecs[k : k + n]
        for i, score in enumerate(sentence_scores(cos[k : k + n], q_stems, passage, rank)):
            scores[(passage.number, i)] = score
        k += n
    select_sentences(passages, scores, budget_tokens, count_tokens, best_last=best_last)
    return vectors


def answering_sentences(
    question: str,
    passages: Sequence[Passage],
    sentence_vectors: dict[str, np.ndarray],
    embed_model: Any,
    strict: bool = False,
    skip: frozenset[str] = frozenset(),
) -> list[tuple[float, Passage, int]]:
    """Shown sentences that could answer ``question``, each with its score, in prompt order.

    A sentence qualifies if it gives what the question asks for (a number for
    "how many", a place for "where": ``rag.claims``) and holds the question's
    distinguishing words: at least one, or all of them when ``strict``. Texts in
    ``skip`` (headings) and questions never qualify.
    """
    qtype = question_type(question)
    shown = [p for p in passages if p.in_prompt]
    focus = focus_stems(question, [p.text for p in shown])
    q_vec = np.asarray(embed_model.get_query_embedding(question))
    q_stems = set(content_stems(question))
    found: list[tuple[float, Passage, int]] = []
    for passage in shown:
        vecs = sentence_vectors.get(passage.chunk_id)
        if vecs is None or not len(vecs):
            continue
        scores = sentence_scores(cosine_matrix(q_vec[None, :], vecs)[0], q_stems, passage)
        for i in passage.selected:
            text = passage.sentences[i].text
            if text.strip() in skip or is_question(text):
                continue  # a heading, or a question the article asks ("What was the surprise?")
            stems = set(content_stems(text))
            if focus and not (focus <= stems if strict else focus & stems):
                continue
            if not supplies_type(qtype, text, question):
                continue
            found.append((scores[i], passage, i))
    return found


def extractive_answer(
    question: str,
    passages: Sequence[Passage],
    sentence_vectors: dict[str, np.ndarray],
    embed_model: Any,
    min_score: float = 0.45,
    newest_first: bool = False,
) -> str:
    """The best-supported sentences of the passages, cited: no LLM needed.

    It reads what the model would have read (the sentences selected for the
    prompt), and only sentences that could answer (``answering_sentences``); with
    none, the answer is the refusal, so "What is the population of Palmyra?" is
    not answered with a sentence that merely mentions Palmyra.
    """
    found = answering_sentences(question, passages, sentence_vectors, embed_model)
    best = sorted(((score, p.number, i) for score, p, i in found), reverse=True)
    if not best or best[0][0] < min_score:
        return REFUSAL
    chosen = [b for b in best[:2] if b[0] >= best[0][0] - 0.1]
    if newest_first:  # a current-state question: the latest article's sentence (rag.newest)
        from rag.newest import prefer_newest

        top = prefer_newest([f for f in found if f[0] >= min_score])[0]
        first = (top[0], top[1].number, top[2])
        chosen = [first, *[b for b in chosen if b[1:] != first[1:]]][:2]
    by_number = {p.number: p for p in passages}
    return " ".join(f"{by_number[n].sentences[i].text} [{n}]" for _, n, i in chosen)
