"""Uploads into the corpus folder: checked by type and size, saved under bare names, never
overwriting an article, and never written outside the corpus folder whatever the name.
"""

from __future__ import annotations

import html
import json
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from rag.documents import SIDECAR_SUFFIX, SUPPORTED_SUFFIXES

UPLOAD_SUFFIXES = sorted(SUPPORTED_SUFFIXES)
MAX_NAME_CHARS = 120
MAX_SIDECAR_BYTES = 64_000


@dataclass
class UploadResult:
    saved: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        errors = [f"- **Not added:** {html.escape(e)}" for e in self.errors]
        return "\n".join([f"- {m}" for m in self.messages] + errors)


def safe_name(name: str) -> str:
    """A plain file name: no folders, no hidden files, no odd characters."""
    name = unicodedata.normalize("NFKC", Path(name.replace("\\", "/")).name)
    name = re.sub(r"[^\w.\-]+", "-", name, flags=re.UNICODE).strip(".-_ ")
    name = re.sub(r"-*\.-*", ".", re.sub(r"-{2,}", "-", name))
    if len(name) > MAX_NAME_CHARS:
        stem, dot, suffix = name.rpartition(".")
        name = stem[: MAX_NAME_CHARS - len(suffix) - 1] + dot + suffix if dot else name
    return name


def upload_suffix_ok(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(SIDECAR_SUFFIX) or Path(lower).suffix in SUPPORTED_SUFFIXES


def _free_name(folder: Path, name: str, attempt: int) -> Path:
    if attempt == 1:
        return folder / name
    if name.lower().endswith(SIDECAR_SUFFIX):
        stem, suffix = name[: -len(SIDECAR_SUFFIX)], SIDECAR_SUFFIX
    else:
        stem, suffix = Path(name).stem, Path(name).suffix
    return folder / f"{stem}-{attempt}{suffix}"


def _create(path: Path, data: bytes) -> bool:
    """Write a new file; False if the name is taken (never overwrites)."""
    try:
        with path.open("xb") as handle:
            handle.write(data)
    except FileExistsError:
        return False
    return True


def save_upload(
    source: Path, corpus_dir: Path, name: str, result: UploadResult, sidecar: bytes | None = None
) -> None:
    """Copy one file into the corpus under a new name if its own is taken by other content.

    A name whose ``.meta.json`` sidecar already lies in the folder counts as taken, so
    an upload never adopts stale metadata. ``sidecar`` (the metadata uploaded with this
    article) is written first, next to the name the article then takes: it can only
    ever describe this new file, never an article already in the corpus.
    """
    data = source.read_bytes()
    temp = corpus_dir / f".upload-{uuid.uuid4().hex}.tmp"  # hidden: ingest ignores it
    temp.write_bytes(data)
    try:
        for attempt in range(1, 1000):
            target = _free_name(corpus_dir, name, attempt)
            meta = target.with_name(target.name + SIDECAR_SUFFIX)
            if target.exists() and target.read_bytes() == data:
                result.messages.append(f"`{target.name}` is already in the corpus, unchanged.")
                if sidecar is not None:
                    result.errors.append(
                        f"{name}{SIDECAR_SUFFIX}: the metadata of an article already in the "
                        "corpus is not changed by upload; edit it in the corpus folder."
                    )
                return
            if target.exists() or meta.exists():
                continue
            if sidecar is not None and not _create(meta, sidecar):
                continue
            try:
                os.link(temp, target)  # fails if the name exists: never overwrites
            except FileExistsError:
                if sidecar is not None:
                    meta.unlink(missing_ok=True)
                continue
            result.saved.append(target.name)
            if sidecar is not None:
                result.saved.append(meta.name)
            if target.name == name:
                result.messages.append(f"Saved `{name}`.")
            else:
                result.messages.append(
                    f"Saved as `{target.name}`: a different `{name}` is already in the corpus."
                )
            return
        result.errors.append(f"{name}: too many files with that name.")
    finally:
        temp.unlink(missing_ok=True)


def _upload_problem(path: Path, original: str, name: str, max_mb: float) -> str | None:
    size_mb = path.stat().st_size / 1_000_000
    if not name or not upload_suffix_ok(name):
        types = ", ".join(UPLOAD_SUFFIXES)
        return (
            f"{original}: unsupported file type; upload {types} files "
            f"(with, in the same upload, an article's <file>{SIDECAR_SUFFIX} sidecar)."
        )
    if size_mb > max_mb:
        return f"{original} is {size_mb:.1f} MB; the limit is {max_mb:g} MB (RAG_MAX_UPLOAD_MB)."
    if size_mb == 0:
        return f"{original} is empty."
    if name.lower().endswith(SIDECAR_SUFFIX):
        if path.stat().st_size > MAX_SIDECAR_BYTES:
            return f"{original}: a metadata sidecar is at most {MAX_SIDECAR_BYTES // 1000} kB."
        try:
            meta = json.loads(path.read_bytes())
        except ValueError:
            meta = None
        if not isinstance(meta, dict):
            return f"{original}: a metadata sidecar must be a JSON object."
    return None


def save_uploads(files: list[tuple[Path, str]], corpus_dir: Path, max_mb: float) -> UploadResult:
    """Check type and size of each (temporary path, original name) and save the good ones.

    An article's ``<file>.meta.json`` sidecar is taken only in the same upload as its
    article, and only if that article is saved as a new file: uploading a sidecar
    alone could rewrite the title, URL and date of an article already indexed.
    Each temporary file is removed once handled, saved or not, so nothing refused
    lingers where the web server keeps uploads.
    """
    result = UploadResult()
    corpus_dir.mkdir(parents=True, exist_ok=True)
    try:
        articles: list[tuple[Path, str]] = []
        sidecars: dict[str, tuple[str, bytes]] = {}
        for path, original in files:
            name = safe_name(original)
            problem = _upload_problem(path, original, name, max_mb)
            if problem:
                result.errors.append(problem)
            elif name.lower().endswith(SIDECAR_SUFFIX):
                sidecars[name[: -len(SIDECAR_SUFFIX)]] = (original, path.read_bytes())
            else:
                articles.append((path, name))
        for path, name in articles:
            _, meta = sidecars.pop(name, ("", None))
            save_upload(path, corpus_dir, name, result, meta)
        for article, (original, _) in sidecars.items():
            result.errors.append(
                f"{original}: metadata is accepted only together with its article "
                f"(`{article}`) in the same upload, so it cannot change an article "
                "already in the corpus."
            )
    finally:
        for path, _ in files:
            path.unlink(missing_ok=True)
    return result
