"""A yes/no check of a drafted answer by the same LLM, read from its first-token probabilities.

Word overlap and entity checks cannot see a wrong relation ("Syria attacked
Palmyra" from "joint Syrian and US forces launched an attack in the Palmyra
area") or an answer about the wrong group ("3 US citizens" for "how many
Syrian soldiers?"). The model is asked once per answer whether the cited
passages state it; the probability of "Yes" against "No" decides. It costs one
short prefill (the cited sentences, the question and the answer), so it is off
by default (``RAG_VERIFY_ANSWERS``) and measured in the README.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from llama_index.core.base.llms.types import ChatMessage, MessageRole

from rag.prompts import prompt


def verify_messages(passages: str, question: str, answer: str) -> list[ChatMessage]:
    user = prompt("verify_user").format(passages=passages, question=question, answer=answer)
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=prompt("verify_system").strip()),
        ChatMessage(role=MessageRole.USER, content=user.strip()),
    ]


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
    messages = verify_messages(passages, question, answer)
    try:
        reply = llm.chat(messages, max_tokens=1, temperature=0.0, logprobs=True, top_logprobs=20)
    except Exception:  # a server without logprobs: read the word it writes
        reply = llm.chat(messages, max_tokens=2, temperature=0.0)
    top = [(lp.token, lp.logprob) for lp in (reply.logprobs or [[]])[0]]
    return yes_share(top, reply.message.content or "")
