"""A second, focused draft when the model refused.

The 1.5B model refuses some questions whose answering sentence was in its
prompt: among a dozen sentences of five passages it does not find the one that
words the fact differently from the question. Asked again on only the few
sentences that score best for the question (the prompt's own score: cosine +
half the word overlap), it sometimes answers. The second draft goes through every
check the first did, so a wrong answer to an unanswerable question still has
to pass grounding; measured on the dev sets in the README.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from rag.citations import CITATION_RE
from rag.claims import focus_stems
from rag.config import Settings
from rag.conflicts import sentence_scorer
from rag.context import Prepared
from rag.errors import LLMError
from rag.prompts import build_messages
from rag.text import content_stems
from rag.types import Answer, Passage


def focused_passages(prepared: Prepared, embed_model: Any, sentences: int) -> list[Passage]:
    """Copies of the shown passages holding only the ``sentences`` best-scoring sentences
    among them; a passage left with none is not shown."""
    score = sentence_scorer(prepared.standalone, prepared.sentence_vectors, embed_model)
    shown = [p for p in prepared.passages if p.in_prompt]
    ranked = sorted(
        (
            (score(passage, i), n, i)
            for n, passage in enumerate(shown)
            for i in range(len(passage.sentences))
        ),
        reverse=True,
    )
    chosen: dict[int, list[int]] = {}
    for _, n, i in ranked[:sentences]:
        chosen.setdefault(n, []).append(i)
    return [
        replace(p, selected=sorted(chosen[n]), in_prompt=True)
        if n in chosen
        else replace(p, in_prompt=False)
        for n, p in enumerate(shown)
    ] + [p for p in prepared.passages if not p.in_prompt]


def focused(prepared: Prepared, embed_model: Any, sentences: int) -> Prepared:
    """``prepared`` with the focused passages and the messages that show them."""
    passages = focused_passages(prepared, embed_model, sentences)
    messages = build_messages(prepared.standalone, passages, prepared.style)
    return replace(prepared, passages=passages, messages=messages)


def told_by_quotes(answer: Answer, question: str, shown: list[str]) -> bool:
    """Every word the answer adds to the question's is in a sentence it cites, and every
    word that tells the ``shown`` passages apart is in the answer or those sentences.

    The first draft refused, so the second is held to more than grounding: a
    re-asked unanswerable question ("the name of Russia's naval base") tends to
    come back with a claim stitched from nearby words ("located in Palmyra"), or
    with an answer to a nearby question (an arrest for "what bail was set").
    """
    said = set(content_stems(CITATION_RE.sub("", answer.answer)))
    quoted: set[str] = set()
    for passage in answer.citations:
        quoted.update(content_stems(passage.quote or passage.context_text()))
    added = said - set(content_stems(question))
    focus = focus_stems(question, shown)
    return bool(answer.citations) and added <= quoted and focus <= said | quoted


def second_draft(
    prepared: Prepared,
    embed_model: Any,
    llm: Any,
    settings: Settings,
    finalize: Callable[[Prepared, str], Answer],
) -> Answer | None:
    """The checked answer of a draft on the focused prompt, or None when it refuses or adds
    what its sentences do not tell (``told_by_quotes``)."""
    started = time.perf_counter()
    second = focused(prepared, embed_model, settings.reask_sentences)
    try:
        reply = llm.chat(
            second.messages, max_tokens=settings.max_answer_tokens, temperature=settings.temperature
        )
    except Exception as exc:
        raise LLMError(f"The language model failed: {exc}") from exc
    answer = finalize(second, reply.message.content or "")
    prepared.timings["reask"] = time.perf_counter() - started
    shown = [p.text for p in prepared.passages if p.in_prompt]
    if answer.refused or not told_by_quotes(answer, prepared.standalone, shown):
        return None
    answer.route = f"reask_{answer.route}"
    answer.passages = prepared.passages  # the sources found; the citations are focused copies
    answer.timings.update(prepared.timings)
    return answer
