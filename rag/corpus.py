"""Finding and reading corpus files safely: the only code that opens an article.

Rules, each reported by file name when it bites:

* nothing whose resolved path lies outside the corpus folder is read (a link
  inside the folder to a file inside it is fine; ``RAG_ALLOW_OUTSIDE_LINKS``
  lifts the rule); link loops are cut; pipes, sockets and devices are left out;
* a file over ``RAG_MAX_FILE_MB`` is refused from its size, before reading;
* text is UTF-8 when it decodes as UTF-8, else the encoding ``charset-normalizer``
  finds (Western cp1252 preferred when it reads as well), else binary;
* NUL bytes and other control characters are stripped from the whole text;
* a file that changes or goes while it is read is not half-read: it is skipped
  and, when it was indexed before, its chunks stay until the next ingest.
"""

from __future__ import annotations

import os
import re
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rag.types import SkippedFile

if TYPE_CHECKING:
    from rag.config import Settings

SIDECAR_SUFFIX = ".meta.json"
SIDECAR_MAX_BYTES = 1_000_000
MB = 1_000_000
LONG_LINE = 10_000  # characters; longer lines are broken into paragraphs of at most...
PARAGRAPH = 4_000  # ...this, so the sentence splitter never sees megabytes at once
FRESH_SECONDS = 2.0  # a file modified this recently may still be under a writer...
RECHECK_SECONDS = 0.02  # ...so it is stat'ed again after this pause before it is trusted

OUTSIDE = (
    "is a link to a file or folder outside the corpus folder; not read "
    "(set RAG_ALLOW_OUTSIDE_LINKS=true to allow links out of the folder)"
)


class UnreadableFileError(Exception):
    """A corpus file we cannot index; the message is the reason shown to the user."""


class TransientReadError(UnreadableFileError):
    """Unreadable this time only (changed while read, no permission): keep its old chunks."""


def corpus_problem(corpus_dir: Path) -> str | None:
    """Why ``corpus_dir`` cannot be indexed, as the message to show; None when it can."""
    if corpus_dir.is_dir():
        return None
    if corpus_dir.exists():
        return (
            f"The corpus folder {corpus_dir} is not a folder: point --corpus or RAG_CORPUS_DIR "
            "at the folder that holds your articles."
        )
    return (
        f"The corpus folder {corpus_dir} does not exist: create it and put articles in it, "
        "or point --corpus or RAG_CORPUS_DIR at your articles."
    )


@dataclass(frozen=True)
class ReadRules:
    """What the reader may open; built from ``Settings`` by the caller."""

    max_bytes: int = 20 * MB
    allow_outside_links: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> ReadRules:
        return cls(
            max_bytes=int(settings.max_file_mb * MB),
            allow_outside_links=settings.allow_outside_links,
        )


@dataclass
class Listing:
    """The corpus as found on disk: files to read, what was left out, what must stay indexed."""

    files: list[Path] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # file names, or folders ending in "/"


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _fd_path(fd: int) -> str | None:
    """The path the kernel opened (race-free where /proc exists)."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


# --- listing --------------------------------------------------------------------


def list_corpus(corpus_dir: Path, rules: ReadRules | None = None) -> Listing:
    """Every file under the corpus, sorted; hidden files and sidecars left out."""
    rules = rules or ReadRules()
    root = os.path.realpath(corpus_dir)
    listing = Listing()
    _walk(Path(corpus_dir), "", (root,), root, rules, listing)
    return listing


def _walk(
    folder: Path, rel: str, chain: tuple[str, ...], root: str, rules: ReadRules, out: Listing
) -> None:
    try:
        with os.scandir(folder) as found:
            entries = sorted(found, key=lambda e: e.name)
    except FileNotFoundError:
        return  # removed while we walked: nothing there to index
    except OSError as exc:
        if rel:
            reason = (
                f"folder cannot be read ({exc.strerror or exc}); its articles were left as "
                "they were indexed (fix its permissions and re-index)"
            )
            out.skipped.append(SkippedFile(rel + "/", reason))
            out.held.append(rel + "/")
            return
        raise
    for entry in entries:
        if entry.name.startswith("."):
            continue
        name = f"{rel}/{entry.name}" if rel else entry.name
        path = folder / entry.name
        try:
            real = os.path.realpath(path)
            if entry.is_symlink() and not os.path.exists(real):
                out.skipped.append(SkippedFile(name, "is a broken link or a link loop; not read"))
                continue
            if not rules.allow_outside_links and not _inside(real, root):
                out.skipped.append(SkippedFile(name, OUTSIDE))
                continue
            is_dir, is_file = entry.is_dir(), entry.is_file()
        except OSError as exc:
            out.skipped.append(SkippedFile(name, f"cannot be looked at ({exc.strerror or exc})"))
            continue
        if is_dir:
            if real in chain:
                reason = "is a link back to a folder above it (a loop); left out"
                out.skipped.append(SkippedFile(name + "/", reason))
                continue
            _walk(path, name, (*chain, real), root, rules, out)
        elif is_file:
            if not entry.name.endswith(SIDECAR_SUFFIX):
                out.files.append(path)
        else:
            reason = "is not a regular file (a pipe, socket or device); left out"
            out.skipped.append(SkippedFile(name, reason))


# --- reading --------------------------------------------------------------------


def read_bytes(path: Path, root: Path, rules: ReadRules, max_bytes: int | None = None) -> bytes:
    """The file's bytes, after the resolved-path, type and size checks; one copy in memory."""
    limit = rules.max_bytes if max_bytes is None else max_bytes
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError as exc:
        raise UnreadableFileError("was removed while being read") from exc
    except PermissionError as exc:
        raise TransientReadError(
            "cannot be read (permission denied); fix its permissions and re-index"
        ) from exc
    except OSError as exc:
        raise UnreadableFileError(f"cannot be read ({exc.strerror or exc})") from exc
    with os.fdopen(fd, "rb") as handle:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            raise UnreadableFileError("is not a regular file; left out")
        if not rules.allow_outside_links:
            real = _fd_path(fd) or os.path.realpath(path)
            if not _inside(real, os.path.realpath(root)):
                raise UnreadableFileError(OUTSIDE)
        if before.st_size > limit:
            raise UnreadableFileError(_too_big(before.st_size, limit))
        try:
            raw = handle.read(limit + 1)
        except OSError as exc:
            raise TransientReadError(f"cannot be read ({exc.strerror or exc})") from exc
    if len(raw) > limit:
        raise UnreadableFileError(_too_big(len(raw), limit))
    _unchanged(path, before, len(raw))
    if time.time() - before.st_mtime < FRESH_SECONDS:
        # A writer stalled inside one write() leaves size and mtime still for a moment:
        # a file written just now is looked at again after a pause before it is trusted.
        time.sleep(RECHECK_SECONDS)
        _unchanged(path, before, len(raw))
    return raw


def _unchanged(path: Path, before: os.stat_result, read: int) -> None:
    """A TransientReadError unless ``path`` is still the file, size and mtime read."""
    try:
        after = os.stat(path)
    except FileNotFoundError as exc:
        raise UnreadableFileError("was removed while being read") from exc
    if (after.st_ino, after.st_size, after.st_mtime_ns) != (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    ) or read != before.st_size:
        raise TransientReadError("changed while being read; it is read again by the next ingest")


def _too_big(size: int, limit: int) -> str:
    return (
        f"is {size / MB:.1f} MB, over the {limit / MB:g} MB limit per file (RAG_MAX_FILE_MB); "
        "split it into articles or raise the limit"
    )


def read_text(path: Path, root: Path, rules: ReadRules) -> tuple[str, str]:
    """The file as clean text and the encoding it was read in."""
    raw = read_bytes(path, root, rules)
    text, encoding = decode(raw)
    del raw
    return clean_text(text), encoding


# --- decoding and cleaning ---------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_BAD = re.compile(r"[\x00-\x08\x0e-\x1f\ufffd]")
SAMPLE = 65_536


def looks_binary(text: str) -> bool:
    """More than 5% control characters (or replacement marks) in the opening text."""
    sample = text[:SAMPLE]
    return bool(sample) and len(_BAD.findall(sample)) > 0.05 * len(sample)


def decode(raw: bytes) -> tuple[str, str]:
    """UTF-8 first; else what charset-normalizer finds (cp1252 when it reads as well)."""
    try:
        text = raw.decode("utf-8-sig")
        encoding = "utf-8"
    except UnicodeDecodeError:
        text, encoding = _detect(raw)
    if looks_binary(text):
        raise UnreadableFileError("looks binary, not text")
    return text, encoding


def _detect(raw: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes
    from charset_normalizer.md import mess_ratio

    best = from_bytes(raw).best()
    if best is None:
        raise UnreadableFileError("looks binary, not text (no text encoding fits it)")
    try:
        western = raw.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    # charset-normalizer ties Western text between cp1250, cp1252 and others (and may
    # pick Farsi cp1006 for "Café"); news archives are overwhelmingly cp1252/Latin-1.
    if western is not None and mess_ratio(western[:SAMPLE], 1.0) <= best.chaos + 0.02:
        return western, "cp1252"
    return str(best), best.encoding


def clean_text(text: str) -> str:
    """No NUL bytes or control characters anywhere (tabs and line breaks kept)."""
    text = text.replace("\r\n", "\n").replace("\f", "\n")
    return _CONTROL.sub("", text)


def break_long_lines(text: str, limit: int = LONG_LINE, size: int = PARAGRAPH) -> str:
    """Lines over ``limit`` characters cut into paragraphs of at most ``size``.

    The cut falls after a sentence end when one is near, else at a space, else
    anywhere: a megabyte-long line (a scraped page, minified junk) then costs
    the splitter no more than the paragraphs of an ordinary article.
    """
    if len(text) <= limit or all(len(line) <= limit for line in text.split("\n")):
        return text
    out: list[str] = []
    for line in text.split("\n"):
        start = 0
        while len(line) - start > limit:
            window = line[start : start + size]
            cut = max(window.rfind(". "), window.rfind("! "), window.rfind("? "))
            if cut < size // 2:
                cut = window.rfind(" ")
            cut = cut + 1 if cut >= size // 2 else size
            out.append(window[:cut].strip())
            out.append("")
            start += cut
        out.append(line[start:].strip() if start else line)
    return "\n".join(out)
