"""One short line from the LLM: the follow-up rewrite and the search sketch both ask for it.

Both want the first line the model writes, at temperature 0, and both turn a
failing backend into an ``LLMError`` that says which step failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rag.errors import LLMError

if TYPE_CHECKING:
    from llama_index.core.base.llms.types import ChatMessage
    from llama_index.core.llms import LLM


def first_line(llm: LLM, messages: Sequence[ChatMessage], max_tokens: int, step: str) -> str:
    """The first non-blank line of the reply, stripped; "" when there is none."""
    try:
        reply = llm.chat(list(messages), max_tokens=max_tokens, temperature=0.0)
    except Exception as exc:
        raise LLMError(f"{step} failed: {exc}") from exc
    lines = [line.strip() for line in (reply.message.content or "").splitlines() if line.strip()]
    return lines[0] if lines else ""
