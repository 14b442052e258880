"""Token counts in cl100k_base, the unit of chunk sizes and of the prompt's passage budget."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache


@cache
def token_counter() -> Callable[[str], list[int]]:
    """cl100k_base from the cache llama-index ships (tiktoken would download it)."""
    from rag.env import set_offline_env

    set_offline_env()
    import tiktoken

    return tiktoken.get_encoding("cl100k_base").encode


def count_tokens(text: str) -> int:
    return len(token_counter()(text))
