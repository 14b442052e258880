"""Prompts of the news benchmark: multiple choice with and without passages, closed-book.

Kept apart from ``rag/prompts`` because they serve measurement only. The
choices come last, so trying them in several orders re-evaluates only the
tail of the prompt (llama.cpp keeps the shared prefix cached).
"""

from __future__ import annotations

LETTERS = "ABCDEFGH"

MC_SYSTEM = (
    "You answer multiple-choice questions about the news using the numbered passages you are "
    "given. Reply with the letter of the right choice only."
)
MC_USER = """Passages:
{passages}

Today is {date}.
Question: {question}
{choices}
Answer with the letter of the right choice."""

CLOSED_MC_SYSTEM = (
    "You answer multiple-choice questions about the news from what you know. "
    "Reply with the letter of the right choice only."
)
CLOSED_MC_USER = """Today is {date}.
Question: {question}
{choices}
Answer with the letter of the right choice."""

CLOSED_SYSTEM = (
    "You answer questions about the news from what you know. Reply with only the answer "
    "itself: a name, number, date, place or short phrase of at most six words, not a sentence."
)
CLOSED_USER = """Today is {date}.
Question: {question}"""

NO_PASSAGES = "(no passages found)"


def format_choices(choices: list[str]) -> str:
    """'A. first' lines, one per choice."""
    return "\n".join(f"{LETTERS[i]}. {choice}" for i, choice in enumerate(choices))
