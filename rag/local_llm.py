"""A GGUF model run in-process by xllamacpp, as a llama-index LLM.

xllamacpp wraps llama.cpp's own server: prompt caching (the fixed system
prompt is evaluated once and reused), continuous batching and thread-safe
requests come with it, and its OpenAI-style calls map one to one onto
llama-index's chat interface.

We call it in process only, but the binding always starts llama.cpp's HTTP
listener too, with no key and CORS open to every origin by default: any web page
the user visits could drive a TCP port on 127.0.0.1. So it listens on a Unix
socket in a private (0700) folder that is removed as soon as the model is up,
behind a random API key, with CORS closed: no TCP port, nothing to connect to.
"""

from __future__ import annotations

import os
import queue
import secrets
import shutil
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
    LogProb,
    MessageRole,
)
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.custom import CustomLLM
from pydantic import Field, PrivateAttr

from rag.errors import LLMError

_DONE = object()


def _close_http_listener(params: Any) -> str:
    """Point llama.cpp's HTTP listener at a private Unix socket; returns its folder.

    The folder is removed once the server is up: the socket then has no path
    anyone could connect to. The key and the closed CORS are a second fence.
    """
    folder = tempfile.mkdtemp(prefix="rag-llm-")  # mode 0700
    params.hostnames = [os.path.join(folder, "llm.sock")]  # ".sock": llama.cpp binds AF_UNIX
    params.port = 0
    params.api_keys = [secrets.token_urlsafe(32)]
    params.cors_origins = ""
    params.cors_credentials = False
    params.endpoint_slots = False
    params.endpoint_props = False
    params.endpoint_metrics = False
    params.ui = False
    return folder


def _usage(raw: dict[str, Any]) -> dict[str, Any]:
    """Token counts of a reply; streamed replies carry only llama.cpp's timings."""
    usage = raw.get("usage") or {}
    timings = raw.get("timings") or {}
    cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens", timings.get("cache_n"))
    prompt = usage.get("prompt_tokens")
    if prompt is None and "prompt_n" in timings:
        prompt = timings["prompt_n"] + (timings.get("cache_n") or 0)
    result = {
        "prompt_tokens": prompt,
        "completion_tokens": usage.get("completion_tokens", timings.get("predicted_n")),
        "cached_tokens": cached,
    }
    if timings:
        result["prefill_tokens_per_s"] = timings.get("prompt_per_second")
        result["decode_tokens_per_s"] = timings.get("predicted_per_second")
    return result


def _logprobs(choice: dict[str, Any]) -> list[list[LogProb]] | None:
    content = (choice.get("logprobs") or {}).get("content")
    if not content:
        return None
    return [
        [
            LogProb(token=alt.get("token", ""), logprob=alt.get("logprob", 0.0), bytes=[])
            for alt in step.get("top_logprobs") or [step]
        ]
        for step in content
    ]


class LocalLLM(CustomLLM):
    """Chat with a local GGUF file through llama.cpp, no network involved."""

    model_path: str = Field(description="Path of the GGUF file.")
    context_window: int = Field(default=4096, description="Tokens of context.")
    n_threads: int = Field(default=2, description="CPU threads.")
    max_tokens: int = Field(default=160, description="Default cap on generated tokens.")
    temperature: float = Field(default=0.0, description="Sampling temperature.")
    label: str = Field(default="", description="Human-readable model name.")
    verbose: bool = Field(default=False, description="Let llama.cpp log to stderr.")

    _server: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            context_window=self.context_window,
            num_output=self.max_tokens,
            is_chat_model=True,
            model_name=self.label or Path(self.model_path).name,
        )

    @classmethod
    def class_name(cls) -> str:
        return "LocalLLM"

    def _get_server(self) -> Any:
        with self._lock:
            if self._server is None:
                import xllamacpp as xlc

                params = xlc.CommonParams()
                params.model.path = self.model_path
                params.n_ctx = self.context_window
                params.cpuparams.n_threads = self.n_threads
                params.cpuparams_batch.n_threads = self.n_threads
                params.n_parallel = 1
                # Prompts here are a few hundred tokens: small batches keep llama.cpp's
                # compute buffers small at no cost in prefill speed.
                params.n_batch = 512
                params.n_ubatch = 128
                # No repacked copy of the weights for the CPU kernels: it doubled the
                # model's memory (about 600 MB more) for no measurable speed-up here.
                params.no_extra_bufts = True
                params.cache_prompt = True
                params.warmup = False
                params.verbosity = 1 if self.verbose else -1
                folder = _close_http_listener(params)
                try:
                    self._server = xlc.Server(params)
                except Exception as exc:  # the binding raises plain RuntimeError
                    raise LLMError(
                        f"Could not load the GGUF model {self.model_path}: {exc}. "
                        "Check the file, or set RAG_LLM=extractive to answer without an LLM."
                    ) from exc
                finally:
                    shutil.rmtree(folder, ignore_errors=True)
            return self._server

    def load(self) -> None:
        """Load the weights now rather than on the first question."""
        self._get_server()

    def _request(self, messages: Sequence[ChatMessage], **kwargs: Any) -> dict[str, Any]:
        request: dict[str, Any] = {
            "messages": [
                {
                    "role": m.role.value if isinstance(m.role, MessageRole) else m.role,
                    "content": m.content or "",
                }
                for m in messages
            ],
            "max_tokens": kwargs.pop("max_tokens", self.max_tokens),
            "temperature": kwargs.pop("temperature", self.temperature),
            "cache_prompt": True,
        }
        for key in ("stop", "logprobs", "top_logprobs", "seed", "grammar", "response_format"):
            if key in kwargs:
                request[key] = kwargs.pop(key)
        return request

    @staticmethod
    def _check(result: Any) -> dict[str, Any]:
        if not isinstance(result, dict):
            raise LLMError(f"The local model returned an unexpected reply: {result!r}")
        if "error" in result:
            raise LLMError(f"The local model failed: {result['error']}")
        return result

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        server = self._get_server()
        raw = self._check(server.handle_chat_completions(self._request(messages, **kwargs)))
        choice = raw["choices"][0]
        return ChatResponse(
            message=ChatMessage(role=MessageRole.ASSISTANT, content=choice["message"]["content"]),
            raw=raw,
            logprobs=_logprobs(choice),
            additional_kwargs=_usage(raw),
        )

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        server = self._get_server()
        request = self._request(messages, **kwargs)
        request["stream"] = True
        chunks: queue.Queue[Any] = queue.Queue()
        cancelled = threading.Event()

        def on_chunk(chunk: Any) -> bool:
            chunks.put(chunk)
            return cancelled.is_set()  # True stops generation

        def run() -> None:
            try:
                result = server.handle_chat_completions(request, on_chunk)
                if isinstance(result, dict) and "error" in result:
                    chunks.put(LLMError(f"The local model failed: {result['error']}"))
            except Exception as exc:
                chunks.put(exc)
            finally:
                chunks.put(_DONE)

        worker = threading.Thread(target=run, daemon=True, name="local-llm-stream")
        worker.start()

        def gen() -> ChatResponseGen:
            text = ""
            usage: dict[str, Any] = {}
            try:
                while True:
                    item = chunks.get()
                    if item is _DONE:
                        break
                    if isinstance(item, Exception):
                        raise item if isinstance(item, LLMError) else LLMError(str(item))
                    if isinstance(item, dict) and "error" in item:
                        raise LLMError(f"The local model failed: {item['error']}")
                    if isinstance(item, dict) and ("usage" in item or "timings" in item):
                        usage = _usage(item)
                    for choice in item.get("choices", []) if isinstance(item, dict) else []:
                        delta = (choice.get("delta") or {}).get("content") or ""
                        if delta:
                            text += delta
                            yield ChatResponse(
                                message=ChatMessage(role=MessageRole.ASSISTANT, content=text),
                                delta=delta,
                                raw=item,
                            )
                yield ChatResponse(
                    message=ChatMessage(role=MessageRole.ASSISTANT, content=text),
                    delta="",
                    additional_kwargs=usage,
                )
            finally:
                cancelled.set()

        return gen()

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        response = self.chat([ChatMessage(role=MessageRole.USER, content=prompt)], **kwargs)
        return CompletionResponse(
            text=response.message.content or "",
            raw=response.raw,
            additional_kwargs=response.additional_kwargs,
        )

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        stream = self.stream_chat([ChatMessage(role=MessageRole.USER, content=prompt)], **kwargs)

        def gen() -> CompletionResponseGen:
            for response in stream:
                yield CompletionResponse(
                    text=response.message.content or "",
                    delta=response.delta,
                    additional_kwargs=response.additional_kwargs,
                )

        return gen()
