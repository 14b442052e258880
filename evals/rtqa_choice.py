"""How the news benchmark asks the model to pick a choice, with and without passages.

Multiple choice is read from the first token's letter probabilities, averaged
over rotations of the choices (a small model favours "A"); a server without
logprobs falls back to the letter it writes. Without an LLM, the passages pick
the best-supported choice. Kept apart from the runner: this is the model-facing
part, tested on its own with scripted models.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from llama_index.core.base.llms.types import ChatMessage, MessageRole

from evals import metrics, prompts
from evals.rtqa_data import Question


def letter_logprobs(top: Sequence[tuple[str, float]], n_choices: int) -> dict[int, float]:
    """Choice index -> log-probability of its letter as the first token (variants pooled).

    ``top`` is the first generated token's alternatives as (token, logprob);
    " B", "B" and "B." all count for B.
    """
    found: dict[int, list[float]] = {}
    for token, logprob in top:
        letter = token.strip().rstrip(".):").lstrip("(").upper()
        if len(letter) == 1 and letter in prompts.LETTERS[:n_choices]:
            found.setdefault(prompts.LETTERS.index(letter), []).append(logprob)
    return {i: _logsumexp(values) for i, values in found.items()}


def _logsumexp(values: Sequence[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


def parse_letter(text: str, n_choices: int) -> int | None:
    """The choice a free-text reply names: 'B', 'B.', '(B)', 'Answer: B'."""
    letters = prompts.LETTERS[:n_choices]
    match = re.search(rf"\b([{letters}])\b", text.strip().upper().removeprefix("ANSWER:"))
    return letters.index(match[1]) if match else None


def rotate(choices: Sequence[str], shift: int) -> list[int]:
    """Original choice indices in the order shown when the list is rotated by ``shift``."""
    n = len(choices)
    return [(i + shift) % n for i in range(n)]


def combine_rotations(scores: Sequence[dict[int, float]]) -> dict[int, float]:
    """Mean over rotations of each choice's probability, normalised among the letters.

    Showing every choice at every letter cancels a small model's bias for "A".
    """
    total: dict[int, float] = {}
    for per_rotation in scores:
        if not per_rotation:
            continue
        z = _logsumexp(list(per_rotation.values()))
        for choice, logprob in per_rotation.items():
            total[choice] = total.get(choice, 0.0) + math.exp(logprob - z) / len(scores)
    return total


def mc_messages(
    question: Question, order: Sequence[int], passages: str | None
) -> list[ChatMessage]:
    """The multiple-choice prompt; ``passages`` None makes it closed-book."""
    choices = prompts.format_choices([question.choices[i] for i in order])
    if passages is None:
        system = prompts.CLOSED_MC_SYSTEM
        user = prompts.CLOSED_MC_USER.format(
            date=question.date, question=question.sentence, choices=choices
        )
    else:
        system = prompts.MC_SYSTEM
        user = prompts.MC_USER.format(
            passages=passages or prompts.NO_PASSAGES,
            date=question.date,
            question=question.sentence,
            choices=choices,
        )
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=system),
        ChatMessage(role=MessageRole.USER, content=user),
    ]


def ask_choice(
    llm: Any, question: Question, passages: str | None, rotations: int = 1
) -> dict[str, Any]:
    """The model's choice: by first-token letter probabilities, else by its text."""
    n = len(question.choices)
    per_rotation: list[dict[int, float]] = []
    replies = []
    for shift in range(max(1, min(rotations, n))):
        order = rotate(question.choices, shift)
        messages = mc_messages(question, order, passages)
        try:
            reply = llm.chat(
                messages, max_tokens=1, temperature=0.0, logprobs=True, top_logprobs=20
            )
        except Exception:  # a server without logprobs: read the letter it writes
            reply = llm.chat(messages, max_tokens=4, temperature=0.0)
        text = reply.message.content or ""
        replies.append(text.strip())
        top = [(lp.token, lp.logprob) for lp in (reply.logprobs or [[]])[0]]
        shown = letter_logprobs(top, n)
        if not shown:
            picked = parse_letter(text, n)
            shown = {picked: 0.0} if picked is not None else {}
        per_rotation.append({order[i]: lp for i, lp in shown.items()})
    probs = combine_rotations(per_rotation)
    choice = max(probs, key=lambda i: (probs[i], -i)) if probs else None
    return {
        "choice": choice,
        "probs": {prompts.LETTERS[i]: round(p, 4) for i, p in sorted(probs.items())},
        "replies": replies,
    }


def lexical_choice(question: Question, passages: Sequence[str]) -> dict[str, Any]:
    """Without an LLM: the choice best supported by the passages (contained, else word overlap)."""
    from rag.citations import lexical_support

    scores = {}
    for i, choice in enumerate(question.choices):
        scores[i] = max(
            (1.0 if metrics.contains(p, choice) else lexical_support(choice, p) for p in passages),
            default=0.0,
        )
    best = max(scores, key=lambda i: (scores[i], -i))
    return {"choice": best if scores[best] > 0 else None, "probs": {}, "replies": []}


def closed_book_answer(llm: Any, question: Question) -> str:
    """A short answer from the model alone: the open-ended closed-book baseline."""
    messages = [
        ChatMessage(role=MessageRole.SYSTEM, content=prompts.CLOSED_SYSTEM),
        ChatMessage(
            role=MessageRole.USER,
            content=prompts.CLOSED_USER.format(date=question.date, question=question.sentence),
        ),
    ]
    reply = llm.chat(messages, max_tokens=16, temperature=0.0)
    lines = (reply.message.content or "").strip().splitlines()
    return lines[0].strip() if lines else ""
