"""The one place that turns settings into backends: embedder, Chroma store, LLM.

The rest of the pipeline depends only on llama-index base types
(``BaseEmbedding``, ``BasePydanticVectorStore``, ``LLM``), so swapping a backend
touches this file alone. Optional backends are imported lazily.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from rag.config import Settings
from rag.errors import ConfigError, StoreError
from rag.models import DEFAULT_LLM_LABEL, EMBED_LABEL, embed_model_path, resolve_gguf

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.llms import LLM
    from llama_index.vector_stores.chroma import ChromaVectorStore


def build_embedder(settings: Settings) -> BaseEmbedding:
    """all-MiniLM-L6-v2 (or RAG_EMBED_MODEL) through sentence-transformers on CPU."""
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    path = settings.embed_model or str(embed_model_path())
    return HuggingFaceEmbedding(
        model_name=path,
        device="cpu",
        embed_batch_size=settings.embed_batch_size,
        normalize=True,
        show_progress_bar=False,
    )


def sentence_transformer(embed_model: BaseEmbedding) -> Any:
    """The ``SentenceTransformer`` inside an embedder built here (for raw-encode baselines)."""
    model = getattr(embed_model, "_model", None)
    if model is None:
        raise ConfigError("This embedder does not wrap a sentence-transformers model.")
    return model


def embedder_label(settings: Settings) -> str:
    return settings.embed_model or EMBED_LABEL


def build_chroma_client(settings: Settings) -> Any:
    """An embedded persistent client, or an HTTP client for RAG_CHROMA_URL.

    Telemetry is always off; the collection never gets an embedding function,
    because Chroma's default one downloads a model.
    """
    import logging

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    logging.getLogger("chromadb").setLevel(logging.ERROR)  # its info logs are not ours to show

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise ConfigError(f"RAG_CHROMA_URL={settings.chroma_url} has no host.")
        port = url.port or (443 if url.scheme == "https" else 8000)
        try:
            client = chromadb.HttpClient(
                host=url.hostname, port=port, ssl=url.scheme == "https", settings=chroma_settings
            )
            client.heartbeat()
        except Exception as exc:
            raise StoreError(
                f"Cannot reach the Chroma server at {settings.chroma_url} ({exc}). Start it with "
                "`chroma run --path DIR --host 127.0.0.1 --port PORT`, or unset RAG_CHROMA_URL "
                "to use the embedded store."
            ) from exc
        return client
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
    except Exception as exc:
        raise StoreError(
            f"Cannot open the Chroma store in {settings.chroma_path} ({exc}). If it is damaged, "
            "delete that folder and run `rag ingest` again."
        ) from exc


def get_collection(client: Any, settings: Settings) -> Any:
    return client.get_or_create_collection(
        name=settings.collection,
        metadata={"hnsw:space": "cosine"},
        embedding_function=None,
    )


def build_vector_store(settings: Settings, client: Any | None = None) -> ChromaVectorStore:
    client = client if client is not None else build_chroma_client(settings)
    store = _batched_store_class()(chroma_collection=get_collection(client, settings))
    store.max_batch = int(client.get_max_batch_size())
    return store


@cache
def _batched_store_class() -> type[ChromaVectorStore]:
    from llama_index.vector_stores.chroma import ChromaVectorStore

    class BatchedChromaVectorStore(ChromaVectorStore):
        """Adds nodes in batches the Chroma client accepts.

        llama-index sends up to 41,665 at once; an embedded Chroma 1.5 takes
        5,461, so indexing a corpus of more chunks than that would fail.
        """

        max_batch: int = 5000

        def add(self, nodes: list[Any], **add_kwargs: Any) -> list[str]:
            ids: list[str] = []
            for start in range(0, len(nodes), max(1, self.max_batch)):
                ids.extend(super().add(nodes[start : start + self.max_batch], **add_kwargs))
            return ids

    return BatchedChromaVectorStore


def build_llm(settings: Settings) -> LLM | None:
    """The answer LLM for RAG_LLM; None means extractive answers (no LLM)."""
    if settings.llm == "extractive":
        return None
    if settings.llm == "openai":
        try:
            from llama_index.llms.openai_like import OpenAILike
        except ImportError as exc:  # pragma: no cover - the dependency is declared
            raise ConfigError(
                "RAG_LLM=openai needs llama-index-llms-openai-like: "
                "pip install 'llama-index-llms-openai-like>=0.8,<0.9'"
            ) from exc
        if not settings.llm_base_url:
            raise ConfigError(
                "RAG_LLM=openai needs RAG_LLM_BASE_URL, e.g. http://localhost:11434/v1 for Ollama "
                "or https://api.openai.com/v1."
            )
        api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "none"
        return OpenAILike(
            model=settings.llm_model or "default",
            api_base=settings.llm_base_url,
            api_key=api_key,
            is_chat_model=True,
            context_window=settings.llm_context_window,
            max_tokens=settings.max_answer_tokens,
            temperature=settings.temperature,
            timeout=settings.llm_timeout,
            max_retries=1,
        )
    from rag.local_llm import LocalLLM

    path = resolve_gguf(settings.llm_model, settings.cache_dir)
    # Room for the fixed prompt (~400 tokens), the passages, the question and the answer.
    needed = settings.context_tokens + settings.max_answer_tokens + 1000
    return LocalLLM(
        model_path=str(path),
        context_window=max(settings.llm_context_window, needed),
        n_threads=settings.llm_threads,
        max_tokens=settings.max_answer_tokens,
        temperature=settings.temperature,
        label=DEFAULT_LLM_LABEL if not settings.llm_model else path.name,
    )


def llm_label(settings: Settings) -> str:
    if settings.llm == "extractive":
        return "extractive (no LLM)"
    if settings.llm == "openai":
        return f"{settings.llm_model or 'default'} at {settings.llm_base_url}"
    return DEFAULT_LLM_LABEL if not settings.llm_model else settings.llm_model
