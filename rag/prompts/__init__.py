"""Everything the model is told: the prompt files in this folder and the messages built from them.

The wording lives in the ``.txt`` and ``.json`` files beside this module, so it
can be read and changed without touching code; this module only loads them and
fills them in. The system prompt and the worked examples come first and never
change between questions, so llama.cpp caches their evaluation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from importlib import resources

from llama_index.core.base.llms.types import ChatMessage, MessageRole

from rag.citations import CITATION_RE
from rag.types import Passage, Style

REFUSAL = "I could not find the answer in the articles."


@cache
def prompt_file(name: str) -> str:
    return resources.files("rag.prompts").joinpath(name).read_text(encoding="utf-8")


def prompt(name: str) -> str:
    return prompt_file(f"{name}.txt")


# Text in an article that could pass for prompt structure: chat-template tokens
# (llama.cpp parses special tokens in message text), our <passages> delimiters,
# and [n] markers that would read as passage headers or citations.
_TEMPLATE_TOKENS = re.compile(
    r"<\|[^<>|\n]{0,40}\|>|</?s>|\[/?INST\]|<(?:start|end)_of_turn>|</?passages>", re.I
)
_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")


def quoted(text: str) -> str:
    """Passage text made inert: template tokens dropped, ``[n]`` shown as ``(n)``."""
    return _MARKER.sub(r"(\1)", _TEMPLATE_TOKENS.sub(" ", text))


def format_passages(passages: Sequence[Passage]) -> str:
    """Numbered passages for the prompt; only our ``[n]`` headers look like markers."""
    blocks = []
    for p in passages:
        if p.in_prompt:
            number = f"[{p.number}]"
            header = number + quoted(p.header().removeprefix(number))
            blocks.append(f"{header}\n{quoted(p.context_text())}")
    return "\n\n".join(blocks)


@cache
def example_turns(style: Style) -> tuple[ChatMessage, ...]:
    """Worked examples as earlier chat turns: small models follow shown answers best.

    They sit in the fixed prefix of every prompt, so llama.cpp evaluates them once.
    """
    data = json.loads(prompt_file("examples.json"))
    turns = []
    for example in data[style]:
        user = prompt("answer_user").format(
            question=example["question"], passages=data["passages"][example["passages"]]
        )
        turns.append(ChatMessage(role=MessageRole.USER, content=user.strip()))
        turns.append(
            ChatMessage(
                role=MessageRole.ASSISTANT, content=example["answer"].format(refusal=REFUSAL)
            )
        )
    return tuple(turns)


def build_messages(
    question: str, passages: Sequence[Passage], style: Style, note: str = ""
) -> list[ChatMessage]:
    """The system prompt, the worked examples, then the passages and question (and ``note``)."""
    system = prompt("short_system" if style == "short" else "answer_system").format(refusal=REFUSAL)
    user = prompt("answer_user").format(passages=format_passages(passages), question=question)
    if note:
        user = f"{user.strip()}\n{note}"
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=system.strip()),
        *example_turns(style),
        ChatMessage(role=MessageRole.USER, content=user.strip()),
    ]


def format_history(history: Sequence[dict[str, str]], turns: int) -> str:
    lines = []
    for message in list(history)[-2 * turns :]:
        role = "User" if message.get("role") == "user" else "Assistant"
        content = CITATION_RE.sub("", str(message.get("content", ""))).strip()
        lines.append(f"{role}: {content[:600]}")
    return "\n".join(lines)


def rewrite_messages(
    question: str, history: Sequence[dict[str, str]], turns: int
) -> list[ChatMessage]:
    """Ask the model to turn a follow-up into a question that stands on its own."""
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=prompt("rewrite_system").strip()),
        ChatMessage(
            role=MessageRole.USER,
            content=prompt("rewrite_user")
            .format(history=format_history(history, turns), question=question)
            .strip(),
        ),
    ]
