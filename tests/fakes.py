"""Small deterministic stand-ins for unit tests of the logic around models.

They are real subclasses of the llama-index base types, so the pipeline code
under test runs unchanged. Every path also has tests with the real models.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.custom import CustomLLM
from pydantic import Field, PrivateAttr

from rag.text import word_tokens


class HashEmbedding(BaseEmbedding):
    """Bag of hashed words in 64 dimensions; counts how many texts it embedded."""

    dim: int = Field(default=64)
    _calls: list[int] = PrivateAttr(default_factory=list)

    @property
    def texts_embedded(self) -> int:
        return sum(self._calls)

    def reset(self) -> None:
        self._calls.clear()

    def _vector(self, text: str) -> list[float]:
        vec = np.zeros(self.dim)
        for word in word_tokens(text):
            digest = hashlib.md5(word.encode()).digest()
            vec[digest[0] % self.dim] += 1.0
        norm = np.linalg.norm(vec)
        return (vec / norm if norm else vec + 1.0 / np.sqrt(self.dim)).tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        self._calls.append(1)
        return self._vector(text)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        self._calls.append(len(texts))
        return [self._vector(t) for t in texts]


class ScriptedLLM(CustomLLM):
    """Replies with the next canned answer and records every prompt it was sent."""

    replies: list[str] = Field(default_factory=list)
    # the last reply again once the script runs out: a model asked twice says the same
    repeat_last: bool = False
    _last: str | None = PrivateAttr(default=None)
    _prompts: list[list[ChatMessage]] = PrivateAttr(default_factory=list)

    @property
    def prompts(self) -> list[list[ChatMessage]]:
        return self._prompts

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(is_chat_model=True, model_name="scripted")

    def _next(self) -> str:
        if not self.replies and self.repeat_last and self._last is not None:
            return self._last
        if not self.replies:
            raise AssertionError("ScriptedLLM ran out of replies")
        self._last = self.replies.pop(0)
        return self._last

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        self._prompts.append(list(messages))
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=self._next()))

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        self._prompts.append(list(messages))
        reply = self._next()

        def gen() -> ChatResponseGen:
            text = ""
            for word in reply.split(" "):
                delta = word if not text else " " + word
                text += delta
                yield ChatResponse(
                    message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=delta
                )

        return gen()

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self._next())

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        text = self._next()

        def gen() -> CompletionResponseGen:
            yield CompletionResponse(text=text, delta=text)

        return gen()
