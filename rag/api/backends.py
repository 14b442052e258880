"""Which LLM backends the server can answer with, decided once at start-up."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rag.config import LLMBackend, Settings
from rag.errors import ModelNotFoundError

MODEL_ID = "news-rag"


def available_backends(settings: Settings) -> list[LLMBackend]:
    """Backends that can answer now: extractive always, the others when configured.

    The configured default comes first. ``local`` needs its GGUF on disk (the
    default one assembled by ``rag models``); ``openai`` needs RAG_LLM_BASE_URL.
    """
    from rag.models import default_gguf_path

    found: list[LLMBackend] = [settings.llm]
    local_ok = (
        Path(settings.llm_model).expanduser().is_file()
        if settings.llm_model
        else _exists(lambda: default_gguf_path(settings.cache_dir, assemble=False))
    )
    if local_ok:
        found.append("local")
    if settings.llm_base_url:
        found.append("openai")
    found.append("extractive")
    return list(dict.fromkeys(found))


def _exists(locate: Callable[[], object]) -> bool:
    try:
        locate()
    except ModelNotFoundError:
        return False
    return True
