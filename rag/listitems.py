"""The n-th item of a numbered list that a question asks for ("the fourth step"), without a model.

A small model reading "1. … 2. … 3. … 4. …" often answers with the first item;
the list's own numbering says which sentence is meant, so that sentence is
quoted instead of trusting the draft.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.text import Sentence, content_stems, normalize_text
from rag.types import Passage

ORDINALS = {
    word: i
    for i, word in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth".split(), 1
    )
}
_LIST_NOUNS = (
    r"(?:steps?|items?|points?|measures?|priorit(?:y|ies)|recommendations?|stages?|phases?|"
    r"goals?|demands?|rules?|pillars?|principles?|proposals?|conditions?|reasons?|actions?)"
)
_ORDINAL_FIRST = re.compile(
    r"\b(" + "|".join(ORDINALS) + r"|(?:10|[1-9])(?:st|nd|rd|th))\s+(?:[a-z]+\s+)?" + _LIST_NOUNS
)
_NUMBER_AFTER = re.compile(_LIST_NOUNS + r"\s+(?:number\s+|no\.?\s*)?(10|[1-9])\b")


def asked_ordinal(question: str) -> int | None:
    """The list position a question asks about ("the fourth step", "step 4"), else None."""
    q = normalize_text(question).lower()
    match = _ORDINAL_FIRST.search(q)
    if match:
        word = match[1]
        return ORDINALS.get(word) or int(re.match(r"\d+", word)[0])  # type: ignore[index]
    match = _NUMBER_AFTER.search(q)
    return int(match[1]) if match else None


def numbered_item(question: str, passages: Sequence[Passage]) -> tuple[Passage, Sentence] | None:
    """The shown sentence numbered as the question asks ("4. Safe return management: ..."),
    from the passage whose list shares most words with the question; None without one.
    """
    position = asked_ordinal(question)
    if position is None:
        return None
    marker = re.compile(rf"\s*{position}[.)]\s+\S")
    q_stems = set(content_stems(question))
    best: tuple[int, int, Passage, Sentence] | None = None
    for rank, passage in enumerate(p for p in passages if p.in_prompt):
        for sentence in passage.sentences:
            if marker.match(sentence.text):
                overlap = len(q_stems & set(content_stems(passage.text)))
                if best is None or (overlap, -rank) > (best[0], best[1]):
                    best = (overlap, -rank, passage, sentence)
    return (best[2], best[3]) if best else None


def mentions_item(answer: str, item: str) -> bool:
    """Whether ``answer`` gives the item: the words of its head (before any colon)."""
    head = re.sub(r"^\s*\d+[.)]\s+", "", item).split(":")[0]
    stems = set(content_stems(head)[:5])
    return bool(stems) and stems <= set(content_stems(answer))
