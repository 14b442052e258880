"""Follow-up questions: when to rewrite one, and whether a rewrite kept the question.

A small model asked to make "How did they get there?" standalone once wrote
"Where did the wounded go after being attacked by Syria near Palmyra?": it
changed the question word and carried in a claim from an earlier answer. A
rewrite may only resolve references, so it is accepted only when it keeps the
question word and every content word of the follow-up, and adds nothing but
words of earlier questions and names from the conversation. Otherwise
retrieval uses the follow-up with the previous question beside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rag.llm_reply import first_line
from rag.prompts import rewrite_messages
from rag.text import content_stems, normalize_text

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

_FOLLOWUP = re.compile(
    r"\b(he|she|it|they|them|him|his|her|hers|its|their|theirs|there|that|those|this|these|"
    r"then|the same|the other|former|latter)\b|^(and|but|so|also|what about|how about|and what)\b",
    re.I,
)
_QUESTION_WORD = re.compile(r"\b(how many|how much|who|whom|whose|what|which|where|when|why|how)\b")
_NAME = re.compile(r"\b[A-Z][\w'’-]*")
# Plain words a rewrite may take from earlier answers ("there" -> "the hospital");
# more than this is a claim carried in, not a reference resolved.
MAX_ANSWER_WORDS = 2


def looks_like_followup(question: str) -> bool:
    """Does the question lean on earlier turns (a pronoun, 'and ...', very short)?"""
    return bool(_FOLLOWUP.search(question)) or len(question.split()) <= 3


MAX_PREVIOUS_CHARS = 1000  # the question cap (rag.answer.MAX_QUESTION_CHARS)


def question_word(question: str) -> str | None:
    match = _QUESTION_WORD.search(normalize_text(question).lower())
    return match[1] if match else None


def last_user_turn(history: Sequence[dict[str, str]]) -> str:
    return next((m["content"] for m in reversed(history) if m.get("role") == "user"), "")


def with_previous_question(question: str, history: Sequence[dict[str, str]]) -> str:
    """The follow-up as asked, with the previous question beside it for retrieval.

    The previous turn is clipped like a question: whatever a caller sends as
    history, the search query stays question-sized.
    """
    previous = " ".join(str(last_user_turn(history)).split())[:MAX_PREVIOUS_CHARS]
    return f"{question} ({previous})" if previous else question


def rewrite_keeps_question(
    question: str, rewritten: str, history: Sequence[dict[str, str]]
) -> bool:
    """True when ``rewritten`` only resolves references in ``question``."""
    word = question_word(question)
    if word and question_word(rewritten) != word:
        return False
    asked = set(content_stems(question))
    new = set(content_stems(rewritten))
    if not asked <= new:
        return False
    turns = [(m.get("role"), str(m.get("content", ""))) for m in history]
    user_words = {s for role, text in turns if role == "user" for s in content_stems(text)}
    names = {s for _, text in turns for name in _NAME.findall(text) for s in content_stems(name)}
    answer_words = {s for role, text in turns if role != "user" for s in content_stems(text)}
    extra = new - asked - user_words - names
    return extra <= answer_words and len(extra) <= MAX_ANSWER_WORDS


def standalone_question(
    llm: LLM | None, question: str, history: Sequence[dict[str, str]] | None, turns: int
) -> str:
    """A follow-up rewritten by the LLM to stand on its own, kept only when it keeps the
    question; otherwise (or with no LLM) the follow-up beside the previous question."""
    history = [m for m in (history or []) if m.get("content")]
    if not history or not looks_like_followup(question):
        return question
    if llm is None:
        return with_previous_question(question, history)
    messages = rewrite_messages(question, history, turns)
    rewritten = first_line(llm, messages, 60, "Rewriting the follow-up question").strip('"')
    if len(rewritten) <= 3:
        return question
    if not rewrite_keeps_question(question, rewritten, history):
        return with_previous_question(question, history)
    return rewritten
