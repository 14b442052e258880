"""What every benchmark step shares: paths, the run's configuration, small statistics,
settings for a throw-away index, and a description of the machine the figures come from."""

from __future__ import annotations

import os
import platform
import re
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rag.config import Settings

ROOT = Path(__file__).resolve().parents[2]
SEED_CORPUS = ROOT / "corpus"
SEED_GOLD = Path(__file__).resolve().parents[1] / "seed_gold.jsonl"

Log = Callable[[str], None]


@dataclass
class BenchConfig:
    """What to run and at which sizes; ``--quick`` shrinks every size for a smoke run."""

    data: Path | None = None  # None: the benchmark_dir setting
    out: Path = Path("bench-out")
    repeat: int = 3
    quick: bool = False
    skip_llm: bool = False
    skip_app: bool = False
    readme: bool = False
    subset_chunks: int = 2000
    full_ingest: bool = True
    synthetic_chunks: int = 100_000
    questions: int = 0  # 0: every non-follow-up seed question
    queries: int = 0  # 0: every benchmark question

    @classmethod
    def quick_defaults(cls, **overrides: Any) -> BenchConfig:
        values: dict[str, Any] = {
            "quick": True,
            "repeat": 1,
            "subset_chunks": 200,
            "full_ingest": False,
            "synthetic_chunks": 5000,
            "questions": 3,
            "queries": 30,
        }
        values.update(overrides)
        return cls(**values)


# --- small statistics helpers (percentiles: evals.metrics.percentile) -------------------


def median(values: Iterable[float]) -> float | None:
    values = list(values)
    return float(statistics.median(values)) if values else None


def ratio(value: float | None, baseline: float | None) -> float | None:
    if value is None or not baseline:
        return None
    return value / baseline


def ms(seconds: Iterable[float]) -> list[float]:
    return [s * 1000.0 for s in seconds]


# --- machine and settings -------------------------------------------------------------


def read_text(path: str | Path) -> str:
    """A /proc file's text, '' where it cannot be read (another OS, a process gone)."""
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine_info() -> dict[str, Any]:
    """Enough to tell apart the machines two runs were measured on."""
    cpu = re.search(r"^model name\s*:\s*(.+)$", read_text("/proc/cpuinfo"), re.M)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", read_text("/proc/meminfo"), re.M)
    try:
        import torch

        torch_version, torch_threads = torch.__version__, torch.get_num_threads()
    except ImportError:  # pragma: no cover - a declared dependency
        torch_version, torch_threads = None, None
    return {
        "cpu": cpu[1].strip() if cpu else platform.processor() or platform.machine(),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_count": os.cpu_count(),
        "ram_gb": round(int(mem[1]) / 1024**2, 1) if mem else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "torch": torch_version,
        "torch_threads": torch_threads,
        "load_average_start": list(os.getloadavg()),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def settings_info(settings: Settings) -> dict[str, Any]:
    """The settings that move the figures, recorded next to them."""
    from rag.components import embedder_label, llm_label

    return {
        "embedding_model": embedder_label(settings),
        "llm": llm_label(settings.model_copy(update={"llm": "local"})),
        "embed_batch_size": settings.embed_batch_size,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "top_k": settings.top_k,
        "candidates": settings.candidates,
        "context_tokens": settings.context_tokens,
        "max_answer_tokens": settings.max_answer_tokens,
        "llm_threads": settings.llm_threads,
    }


def base_settings(corpus_dir: Path, index_dir: Path, **overrides: Any) -> Settings:
    """The user's settings pointed at a benchmark corpus and a fresh index of its own."""
    from rag.config import Settings

    return Settings(corpus_dir=corpus_dir, index_dir=index_dir, **overrides)
