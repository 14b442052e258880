"""Process set-up shared by every entry point: offline models, thread policy, quiet logs.

Nothing here runs at import time. The CLI, the web app, the evals and the
``RAG`` facade call ``prepare_process()`` once before they load a model; it is
idempotent and only sets what the user has not set already.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import warnings
from pathlib import Path

# pypdf warns of each flaw it reads past ("EOF marker not found") without naming the file;
# the ingest report names the file and the reason when a PDF cannot be read.
NOISY_LOGGERS = ("httpx", "sentence_transformers", "llama_index", "urllib3", "pypdf")

_prepared = False


def set_offline_env() -> None:
    """Make every Hugging Face library stay off the network, and quiet telemetry."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # "Loading weights" bars
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        # llama-index ships the cl100k_base file; tiktoken would otherwise download it.
        spec = importlib.util.find_spec("llama_index.core")
        if spec and spec.submodule_search_locations:
            cache = Path(spec.submodule_search_locations[0]) / "_static" / "tiktoken_cache"
            os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)


def set_thread_policy() -> None:
    """OpenMP threads sleep instead of spinning while they wait.

    torch (the embedder) and llama.cpp (the LLM) both use OpenMP; with spinning
    threads, any other busy process, or the two working in one process, slowed
    query embedding from 15 ms to 480 ms and decoding from 20 to under 4 tokens/s
    on 2 cores. It must be set before either library starts its thread pool.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def quiet_libraries() -> None:
    """Library warnings and info logs are not ours to show; errors still are."""
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def prepare_process(quiet: bool = True) -> None:
    """Everything above, once per process; call it before any model is loaded."""
    global _prepared
    set_offline_env()
    set_thread_policy()
    if quiet and not _prepared:
        quiet_libraries()
    _prepared = True
