"""Each LLM backend wired end to end with a real model.

* local: SmolLM2-135M (a real GGUF) in-process through xllamacpp;
* openai: the same GGUF behind a real OpenAI-compatible HTTP server (llama.cpp's,
  started on 127.0.0.1), reached through llama-index's OpenAILike client;
* extractive: no LLM at all.
SmolLM only echoes passages, so these tests check wiring, not answer quality.
"""

from __future__ import annotations

import pytest
from llama_index.core.base.llms.types import ChatMessage, MessageRole

from rag.components import build_llm
from rag.config import Settings
from rag.errors import ConfigError, ModelNotFoundError
from rag.local_llm import LocalLLM
from rag.models import DEFAULT_GGUF_SHA256, default_gguf_path, sha256_file, smollm_path
from rag.pipeline import RAG
from tests.conftest import free_port


@pytest.fixture(scope="module")
def openai_server():
    """llama.cpp's own HTTP server (OpenAI-compatible) with SmolLM on 127.0.0.1."""
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = str(smollm_path())
    params.n_ctx = 2048
    params.cpuparams.n_threads = 2
    params.cpuparams_batch.n_threads = 2
    params.verbosity = -1
    params.port = free_port()
    server = xlc.Server(params)
    yield server.listening_address.rstrip("/") + "/v1"
    del server


def test_local_backend_chat_and_stream(smollm: LocalLLM) -> None:
    messages = [ChatMessage(role=MessageRole.USER, content="Say hello.")]
    reply = smollm.chat(messages, max_tokens=8)
    assert reply.message.content
    assert reply.additional_kwargs["prompt_tokens"] > 0
    chunks = list(smollm.stream_chat(messages, max_tokens=8))
    deltas = "".join(c.delta or "" for c in chunks)
    assert deltas and deltas == chunks[-1].message.content
    assert chunks[-1].additional_kwargs["completion_tokens"] >= 1


def test_local_backend_in_the_pipeline(seed_index, embedder, smollm) -> None:
    answer = RAG(seed_index, embed_model=embedder, llm=smollm).ask("Where were the wounded taken?")
    assert answer.raw_answer  # the model produced text...
    # ...and the answer is either refused or grounded in a cited passage.
    assert answer.refused or all(c.text for c in answer.citations)
    assert answer.usage.get("prompt_tokens", 0) > 100


def test_openai_backend_against_a_real_server(seed_index, embedder, openai_server) -> None:
    settings = seed_index.model_copy(
        update={"llm": "openai", "llm_base_url": openai_server, "llm_model": "smollm"}
    )
    llm = build_llm(settings)
    assert type(llm).__name__ == "OpenAILike"
    reply = llm.chat([ChatMessage(role=MessageRole.USER, content="Say hello.")], max_tokens=8)
    assert reply.message.content
    answer = RAG(settings, embed_model=embedder, llm=llm).ask("Where were the wounded taken?")
    assert answer.raw_answer
    assert answer.refused or answer.citations


def test_openai_backend_needs_a_url() -> None:
    with pytest.raises(ConfigError, match="RAG_LLM_BASE_URL"):
        build_llm(Settings(llm="openai"))


def test_extractive_backend_has_no_llm() -> None:
    assert build_llm(Settings(llm="extractive")) is None


def test_local_backend_rejects_a_missing_gguf(tmp_path) -> None:
    with pytest.raises(ModelNotFoundError, match="not a file"):
        build_llm(Settings(llm="local", llm_model=str(tmp_path / "missing.gguf")))


def test_default_model_is_assembled_and_verified(tmp_path) -> None:
    """The 22 part packages join into the published file (sha256 checked)."""
    path = default_gguf_path(Settings().cache_dir)
    assert path.stat().st_size == 1_117_320_768
    assert path.with_suffix(".verified").read_text().strip() == DEFAULT_GGUF_SHA256
    with path.open("rb") as handle:
        assert handle.read(4) == b"GGUF"


@pytest.mark.slow
def test_fresh_assembly_matches_sha256(tmp_path) -> None:
    path = default_gguf_path(tmp_path)
    assert sha256_file(path) == DEFAULT_GGUF_SHA256
