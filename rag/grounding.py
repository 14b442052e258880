"""The last step of an answer: check what the model wrote against the passages it cites.

Small models cite wrong numbers and sometimes answer from memory. Every
cited sentence is scored against its passage (word overlap and embedding
similarity) and must find each of its numbers, dates and names in it (see
``rag.claims``); wrong citations are repaired, unsupported sentences dropped.

A draft that is malformed (only citation markers, the question repeated), that
does not give what the question asks for (no place for "where"), or that
refuses while a sentence shown to the model answers the question strongly,
takes a second path: the best such sentence, quoted with its citation. An
answer with nothing left becomes the one fixed refusal, so the interfaces can
recognise it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from rag.citations import CITATION_RE, lexical_support, repair_citations, unfinished
from rag.claims import (
    heading_lines,
    malformed,
    question_type,
    strip_headings,
    strip_unsupported_years,
    supplies_type,
    title_lines,
    unsupported_atoms,
)
from rag.conflict_report import split_cited_clauses
from rag.context import Prepared, answering_sentences, calibrated_cosine, cosine_matrix
from rag.listitems import mentions_item, numbered_item
from rag.prompts import REFUSAL
from rag.subject import mentions_any, question_names
from rag.text import Sentence, content_stems, is_question, split_sentences
from rag.types import Answer, Passage


@dataclass(frozen=True)
class Policy:
    """When the second path answers: scores are cosine + 0.5 * word overlap of a sentence.

    ``fallback_score`` is the least a quoted sentence needs when the draft was
    malformed or off-type; ``rescue_score`` the least to answer over the model's
    refusal, where every distinguishing question word must also be in the sentence.
    """

    fallback_score: float = 0.45
    rescue_score: float = 0.75
    # below this share of its own words in the sentences it rests on, a draft is quoted over
    quote_paraphrase_below: float = 0.0
    # (cited sentences, question, answer) -> P(yes) from the LLM; None: no check
    verifier: Callable[[str, str, str], float] | None = None
    verify_min_yes: float = 0.5
    # (article title, sentence, question) -> P(yes) that the sentence answers; None: no check
    refusal_check: Callable[[str, str, str], float] | None = None
    refusal_check_min_yes: float = 0.75


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
    prepared: Prepared,
    raw: str,
    text: str,
    refused: bool,
    citations: list[Passage],
    route: str = "draft",
) -> Answer:
    return Answer(
        route=route,
        question=prepared.question,
        answer=text,
        refused=refused,
        citations=citations,
        passages=prepared.passages,
        standalone_question=prepared.standalone,
        search_query=prepared.search_query,
        timings=prepared.timings,
        usage=prepared.usage,
        raw_answer=raw,
    )


def _bare(text: str) -> str:
    words = re.sub(r"[^\w]+", " ", CITATION_RE.sub("", text).lower()).split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def drop_echoed_labels(answer: str, labels: list[str]) -> str:
    """Nothing, when every sentence only repeats a headline, a heading or a "(Publisher)" tag.

    A small model asked about something the passages lack sometimes lists their
    titles, each cited; that names sources, it answers nothing. An answer with any
    other sentence is kept whole, and sentences of fewer than four words never
    count as echoes ("RayHaber [1]." can answer "which outlet", a list item its list).
    """
    known = [bare for bare in map(_bare, labels) if bare]
    sentences = re.split(r"(?<=[.!?])\s+", answer.strip())
    for sentence in sentences:
        bare = _bare(sentence)
        tag = re.fullmatch(r"\(\s*[^()]+\s*\)", CITATION_RE.sub("", sentence).strip(" ."))
        if not (tag or (len(bare.split()) >= 4 and any(bare in label for label in known))):
            return answer
    return ""


def refusal_answer(prepared: Prepared, raw: str) -> Answer:
    """The fixed refusal, with the closest passages still attached to show."""
    return _answer(prepared, raw, REFUSAL, True, [], route="refusal")


def support(prepared: Prepared, embed_model: Any, claim: str, number: int) -> tuple[float, str]:
    """How well passage ``number`` supports ``claim``, and its best sentence.

    A claim with a number, date or name that the passage (or the question itself)
    does not contain gets no support from it, whatever its word overlap.
    """
    passage = next(p for p in prepared.passages if p.number == number)
    evidence = [passage.header(), passage.text, prepared.question, prepared.standalone]
    if unsupported_atoms(claim, evidence):
        return 0.0, ""
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
        asks = np.array([is_question(s.text) for s in passage.sentences])
        best = int(np.argmax(np.where(asks & ~asks.all(), -np.inf, sims + lex)))
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


def _shown(prepared: Prepared) -> list[Passage]:
    return [p for p in prepared.passages if p.in_prompt]


def best_sentence(
    prepared: Prepared, embed_model: Any, strict: bool
) -> tuple[float, Passage, Sentence] | None:
    """The shown sentence that best answers the question (``answering_sentences``)."""
    headings = frozenset(heading_lines(p.text for p in _shown(prepared)))
    found = answering_sentences(
        prepared.standalone,
        prepared.passages,
        prepared.sentence_vectors,
        embed_model,
        strict=strict,
        skip=headings,
    )
    best: tuple[float, Passage, Sentence] | None = None
    for score, passage, i in found:
        if best is None or score > best[0]:
            best = (score, passage, passage.sentences[i])
    return best


def quoted_answer(
    prepared: Prepared, raw: str, found: tuple[float, Passage, Sentence], route: str
) -> Answer:
    """The articles' own sentence as the answer, cited: exact by construction."""
    _, passage, sentence = found
    passage.quote = sentence.text
    text = f'The articles say: "{sentence.text.strip()}" [{passage.number}]'
    return _answer(prepared, raw, text, False, [passage], route=route)


def second_path(
    prepared: Prepared, raw: str, embed_model: Any, min_score: float, strict: bool, route: str
) -> Answer | None:
    """A quoted sentence when one clears ``min_score``, else None."""
    found = best_sentence(prepared, embed_model, strict)
    if found is None or found[0] < min_score:
        return None
    return quoted_answer(prepared, raw, found, route)


def finalize(
    prepared: Prepared, raw: str, embed_model: Any, policy: Policy | None = None
) -> Answer:
    """Check the draft against the passages; take the second path or refuse when it fails."""
    policy = policy or Policy()
    if prepared.style == "short":
        return _finalize_phrase(prepared, raw, embed_model)
    shown = _shown(prepared)
    evidence = [f"{p.header()}\n{p.text}" for p in shown] + [prepared.question, prepared.standalone]
    headings = heading_lines(p.text for p in shown)
    text = strip_headings(raw.strip(), headings)
    labels = [*headings, *title_lines(p.text for p in shown), *(p.title for p in shown)]
    text = drop_echoed_labels(text, labels)
    text = strip_unsupported_years(text, evidence)

    def rescue() -> Answer:
        quoted = second_path(prepared, raw, embed_model, policy.rescue_score, True, "rescue")
        return quoted or checked_rescue(prepared, raw, embed_model, policy)

    item = numbered_item(prepared.standalone, shown)
    if item is not None and not mentions_item(text, item[1].text):
        # "the fourth step": the list's own numbering says which sentence answers.
        return quoted_answer(prepared, raw, (1.0, *item), "list_item")
    if not text or is_refusal(text):
        return rescue()
    if malformed(text, prepared.standalone):
        # A model that only echoes the question often does not know: quote only a
        # sentence that holds every distinguishing word of the question, or one the
        # model itself says answers it.
        quoted = second_path(prepared, raw, embed_model, policy.fallback_score, True, "malformed")
        return quoted or checked_rescue(prepared, raw, embed_model, policy)
    supports = _Supports(prepared, embed_model)
    text = split_cited_clauses(text)  # each side of a conflict is checked against its source
    checked = _cite_sentences(text, [p.number for p in shown], supports)
    if checked is None:
        return rescue()
    repaired_text, cited = checked
    answer = _answer(prepared, raw, repaired_text, False, _citations(prepared, cited, supports))
    # The user's own words: a follow-up's names come from earlier turns, and its answer may
    # refer to them as "the two leaders".
    names = question_names(prepared.question)
    cited = [t for c in answer.citations for t in (c.header(), c.quote)]
    if names and not mentions_any(names, [repaired_text, *cited]):
        # Nothing the answer says or cites names what the question is about.
        quoted = second_path(prepared, raw, embed_model, policy.fallback_score, True, "off_subject")
        return quoted or checked_rescue(prepared, raw, embed_model, policy)
    qtype = question_type(prepared.standalone)
    if not supplies_type(qtype, repaired_text, prepared.standalone):
        # No number for "how many", no place for "where": quote a sentence that gives one,
        # or refuse rather than show an answer to another question.
        quoted = second_path(prepared, raw, embed_model, policy.fallback_score, False, "off_type")
        return quoted or refusal_answer(prepared, raw)
    quotes = [p.quote for p in answer.citations]
    below = policy.quote_paraphrase_below
    if below > 0 and copied_share(repaired_text, prepared, quotes) < below:
        # The model's own wording is where a 1.5B model moves the fact (the wrong clause,
        # a nearby reason): the sentence it rests on, quoted, says what the article says.
        quoted = second_path(prepared, raw, embed_model, policy.fallback_score, False, "paraphrase")
        if quoted is not None:
            return quoted
    if policy.verifier is not None and not _verified(prepared, answer, policy):
        quoted = second_path(prepared, raw, embed_model, policy.rescue_score, True, "rescue")
        return quoted or _answer(prepared, raw, REFUSAL, True, [], route="rejected")
    return answer


def copied_share(answer: str, prepared: Prepared, quotes: list[str]) -> float:
    """Share of the answer's own content words (those the question does not use) found in
    the sentences its citations rest on; 1.0 when it adds no word of its own."""
    asked = set(content_stems(f"{prepared.question} {prepared.standalone}"))
    own = [s for s in content_stems(CITATION_RE.sub("", answer)) if s not in asked]
    if not own:
        return 1.0
    quoted = set(content_stems(" ".join(quotes)))
    return sum(s in quoted for s in own) / len(own)


def checked_rescue(prepared: Prepared, raw: str, embed_model: Any, policy: Policy) -> Answer:
    """Over a refusal: the best sentence, quoted only if the model says it answers.

    Similarity cannot separate a sentence that answers in other words from one
    that is only on topic (both score alike on refused questions). The 1.5B
    model's yes/no does not reliably either (README, How answers are checked),
    so ``RAG_CHECK_REFUSALS`` is off by default; a stronger model may pay for it.
    """
    if policy.refusal_check is None:
        return refusal_answer(prepared, raw)
    found = best_sentence(prepared, embed_model, strict=False)
    if found is None or found[0] < policy.fallback_score:
        return refusal_answer(prepared, raw)
    started = time.perf_counter()
    _, passage, sentence = found
    yes = policy.refusal_check(passage.title, sentence.text, prepared.standalone)
    prepared.timings["refusal_check"] = time.perf_counter() - started
    prepared.usage["refusal_check_yes"] = round(yes, 4)
    if yes < policy.refusal_check_min_yes:
        return refusal_answer(prepared, raw)
    return quoted_answer(prepared, raw, found, "checked_rescue")


def _verified(prepared: Prepared, answer: Answer, policy: Policy) -> bool:
    """The LLM's yes/no check of the answer against the sentences it cites."""
    assert policy.verifier is not None
    started = time.perf_counter()
    cited = "\n".join(f"[{p.number}] {p.context_text()}" for p in answer.citations)
    plain = CITATION_RE.sub("", answer.answer).strip()
    yes = policy.verifier(cited, prepared.standalone, plain)
    prepared.timings["verify"] = time.perf_counter() - started
    prepared.usage["verify_yes"] = round(yes, 4)
    return yes >= policy.verify_min_yes


def _finalize_phrase(prepared: Prepared, raw: str, embed_model: Any) -> Answer:
    """Style "short": a bare phrase, cited to the passage that contains it, or refused."""
    text = raw.strip()
    text = text.splitlines()[0].strip() if text else ""
    if not text or is_refusal(text):
        return refusal_answer(prepared, raw)
    numbers = [p.number for p in _shown(prepared)]
    supports = _Supports(prepared, embed_model)
    checked = _cite_phrase(text, numbers, supports)
    if checked is None:
        return refusal_answer(prepared, raw)
    repaired_text, cited = checked
    return _answer(prepared, raw, repaired_text, False, _citations(prepared, cited, supports))
