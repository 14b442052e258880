"""Yes/no checks by the same LLM, read from its first-token probabilities.

Two questions are asked this way: whether the cited passages state a drafted
answer (``yes_probability``), and, when the model refused, whether the best
sentence shown to it answers the question after all (``answers_probability``).

Word overlap and entity checks cannot see a wrong relation ("Syria attacked
Palmyra" from "joint Syrian and US forces launched an attack in the Palmyra
area") or an answer about the wrong group ("3 US citizens" for "how many
Syrian soldiers?"). The model is asked once per answer whether the cited
passages state it; the probability of "Yes" against "No" decides. The answer check costs
one short prefill (the cited sentences, the question and the answer), so it is
off by default (``RAG_VERIFY_ANSWERS``) and measured in the README. The refusal
check costs one prefill of about 80 tokens, and only on refusals
(``RAG_CHECK_REFUSALS``): a small model refuses when the article words a fact
differently from the question, and sentence similarity alone cannot tell such a
sentence from one that is merely on topic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from llama_index.core.base.llms.types import ChatMessage, MessageRole

from rag.prompts import prompt


def _messages(name: str, **fields: str) -> list[ChatMessage]:
    """The ``<name>_system`` prompt, then ``<name>_user`` filled with ``fields``."""
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=prompt(f"{name}_system").strip()),
        ChatMessage(role=MessageRole.USER, content=prompt(f"{name}_user").format(**fields).strip()),
    ]


def verify_messages(passages: str, question: str, answer: str) -> list[ChatMessage]:
    return _messages("verify", passages=passages, question=question, answer=answer)


def _ask(llm: Any, messages: list[ChatMessage]) -> float:
    try:
        reply = llm.chat(messages, max_tokens=1, temperature=0.0, logprobs=True, top_logprobs=20)
    except Exception:  # a server without logprobs: read the word it writes
        reply = llm.chat(messages, max_tokens=2, temperature=0.0)
    top = [(lp.token, lp.logprob) for lp in (reply.logprobs or [[]])[0]]
    return yes_share(top, reply.message.content or "")


def yes_share(top: Sequence[tuple[str, float]], text: str) -> float:
    """P(yes) / (P(yes) + P(no)) over the first token's alternatives; the written word if none."""
    mass = {"yes": 0.0, "no": 0.0}
    for token, logprob in top:
        word = token.strip().lower()
        if word in mass:
            mass[word] += math.exp(logprob)
    if mass["yes"] + mass["no"] > 0:
        return mass["yes"] / (mass["yes"] + mass["no"])
    return 1.0 if text.strip().lower().startswith("yes") else 0.0


def yes_probability(llm: Any, passages: str, question: str, answer: str) -> float:
    """How sure the model is that ``passages`` state ``answer`` to ``question``."""
    return _ask(llm, verify_messages(passages, question, answer))


def answerable_messages(title: str, sentence: str, question: str) -> list[ChatMessage]:
    return _messages("answerable", title=title, sentence=sentence, question=question)


def answers_probability(llm: Any, title: str, sentence: str, question: str) -> float:
    """How sure the model is that ``sentence`` (from the article ``title``) answers ``question``."""
    return _ask(llm, answerable_messages(title, sentence, question))
