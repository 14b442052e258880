"""Whether the checked answer differs from the draft the user watched stream in, and how.

The check (``rag.grounding``) may repair a citation number or drop an
unsupported sentence; a number that silently changes from [1] to [2] between
draft and answer reads as a glitch, so the chat says what was revised.
"""

from __future__ import annotations

import re

from rag.citations import CITATION_RE
from rag.types import Answer


def citation_numbers(text: str) -> list[int]:
    return [int(n) for m in CITATION_RE.finditer(text) for n in re.findall(r"\d+", m.group(0))]


def words_of(text: str) -> list[str]:
    """The words of a text without its citation markers: punctuation moves do not count."""
    return re.findall(r"\w+", CITATION_RE.sub(" ", text).lower())


def revision_note(draft: str, answer: Answer) -> str:
    """Why the checked answer differs from the draft the user watched stream in, if it does."""
    if answer.refused or not draft.strip():
        return ""
    before, after = citation_numbers(draft), citation_numbers(answer.answer)
    if before != after:
        was = ", ".join(f"[{n}]" for n in dict.fromkeys(before)) or "none"
        now = ", ".join(f"[{n}]" for n in dict.fromkeys(after)) or "none"
        return (
            f"Revised after checking: the citations were corrected against the passages "
            f"(draft cited {was}, now {now})."
        )
    if words_of(draft) != words_of(answer.answer):
        return "Revised after checking: unsupported parts of the draft were changed or removed."
    return ""
