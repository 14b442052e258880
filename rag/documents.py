"""Reading the corpus folder into llama-index Documents with article metadata.

Metadata convention (documented in the README):

* ``.txt`` / ``.md``: optional front matter at the very top::

      ---
      title: Headline of the article
      source: Publisher
      date: 2025-12-14
      url: https://example.org/story
      ---

* any file: an optional sidecar ``<file name>.meta.json`` with the same keys
  (``report.pdf.meta.json``); it wins over anything read from the file.
* ``.html``: ``<title>``/``og:title``, ``og:site_name``, ``article:published_time``.
* ``.pdf``: the PDF's Title/Author/CreationDate fields.
* nothing given: the title is the first short line (or the file name), the
  date is the first date found in the article's opening lines.

Files that cannot be read (outside the folder, too big, unreadable, empty,
binary, no text in a PDF) are skipped with a reason; the rest are still indexed.
Opening and decoding files is ``rag.corpus``'s job.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

from llama_index.core import Document

from rag.corpus import (
    SIDECAR_MAX_BYTES,
    SIDECAR_SUFFIX,
    ReadRules,
    TransientReadError,
    UnreadableFileError,
    break_long_lines,
    clean_text,
    list_corpus,
    read_bytes,
    read_text,
)
from rag.markdown_text import markdown_text
from rag.types import SkippedFile

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES
META_KEYS = ("title", "source", "date", "url")

# Metadata that travels with every chunk; only the title is embedded with the text.
EMBED_EXCLUDED_KEYS = ["source", "date", "url", "file", "date_int", "doc_id", "encoding"]


@dataclass
class LoadedCorpus:
    documents: list[Document] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    # Names (folders end in "/") seen but unreadable this time: their chunks stay indexed.
    held: list[str] = field(default_factory=list)

    def is_held(self, name: str) -> bool:
        return any(name == h or (h.endswith("/") and name.startswith(h)) for h in self.held)


# --- dates -----------------------------------------------------------------

_MONTHS = {
    name: number
    for number, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}


def _month(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")[:3]]


_MONTH_RE = (
    r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE_PATTERNS = [
    re.compile(r"\b((?:19|20)\d\d)[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"),
    re.compile(_MONTH_RE + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b", re.I),
    re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_RE + r",?\s+((?:19|20)\d\d)\b", re.I),
]


def _make_date(year: int, month: int, day: int) -> str:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""


def normalize_date(value: object) -> str:
    """An ISO ``YYYY-MM-DD`` string for the many ways articles write dates; '' if none."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if not text:
        return ""
    pdf = re.match(r"^D:((?:19|20)\d\d)(\d\d)(\d\d)", text)
    if pdf:
        return _make_date(int(pdf[1]), int(pdf[2]), int(pdf[3]))
    return find_date(text)


def find_date(text: str) -> str:
    """The first date written in ``text`` (ISO, 'Jan. 5, 2026' or '5 January 2026')."""
    best: tuple[int, str] | None = None
    for index, pattern in enumerate(_DATE_PATTERNS):
        match = pattern.search(text)
        if not match:
            continue
        if index == 0:
            found = _make_date(int(match[1]), int(match[2]), int(match[3]))
        elif index == 1:
            found = _make_date(int(match[3]), _month(match[1]), int(match[2]))
        else:
            found = _make_date(int(match[3]), _month(match[2]), int(match[1]))
        if found and (best is None or match.start() < best[0]):
            best = (match.start(), found)
    return best[1] if best else ""


def date_to_int(iso: str) -> int:
    """20260108 for '2026-01-08', 0 when unknown: sortable and filterable in Chroma."""
    return int(iso.replace("-", "")) if re.fullmatch(r"\d{4}-\d\d-\d\d", iso or "") else 0


# --- text files --------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split ``key: value`` front matter between ``---`` lines from the body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta: dict[str, str] = {}
    for line in match[1].splitlines():
        if ":" not in line or line.lstrip().startswith("#"):
            continue
        key, value = line.split(":", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        meta[key.strip().lower()] = value
    return meta, text[match.end() :]


def guess_title(text: str, path: Path) -> str:
    """First line when it reads like a headline, else the file name in words."""
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if not line:
            continue
        if len(line) <= 160 and not line.endswith((".", ",", ";", ":")):
            return line
        break
    stem = path.name.split(".")[0]
    return re.sub(r"[_\-]+", " ", stem).strip().capitalize() or path.name


# --- HTML ----------------------------------------------------------------------


class _HTMLText(HTMLParser):
    _SKIP = frozenset("script style noscript nav header footer aside form svg".split())
    _BLOCK = frozenset(
        "p div br li h1 h2 h3 h4 h5 h6 tr section article blockquote pre ul ol table".split()
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.meta: dict[str, str] = {}
        self.title = ""
        self.h1 = ""
        self._skip = 0
        self._in_title = False
        self._in_h1 = False
        self._time = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in self._SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "h1":
            self._in_h1 = True
        elif tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and a.get("content"):
                self.meta.setdefault(key, a["content"].strip())
        elif tag == "time" and a.get("datetime") and not self._time:
            self._time = a["datetime"]
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False
        elif tag == "h1":
            self._in_h1 = False
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self._skip:
            return
        if self._in_h1:
            self.h1 += data
        self.parts.append(data)

    def text(self) -> str:
        lines = (
            re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(self.parts).split("\n")
        )
        return "\n".join(line for line in lines if line)


def parse_html(raw: str) -> tuple[dict[str, str], str]:
    parser = _HTMLText()
    parser.feed(raw)
    parser.close()
    m = parser.meta
    meta = {
        "title": m.get("og:title") or parser.title.strip() or parser.h1.strip(),
        "source": m.get("og:site_name") or m.get("author") or "",
        "date": m.get("article:published_time")
        or m.get("date")
        or m.get("pubdate")
        or m.get("datepublished")
        or parser._time,
        "url": m.get("og:url") or "",
    }
    return {k: v for k, v in meta.items() if v}, parser.text()


# --- PDF -------------------------------------------------------------------------


def parse_pdf(raw: bytes) -> tuple[dict[str, str], str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise UnreadableFileError(f"is not a readable PDF ({exc})") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise UnreadableFileError("has no text layer (a scanned PDF?); add a text version")
    meta = {
        "title": str(info.get("/Title") or "").strip(),
        "source": str(info.get("/Author") or "").strip(),
        "date": str(info.get("/CreationDate") or "").strip(),
    }
    return {k: v for k, v in meta.items() if v}, text


# --- one file, whole corpus --------------------------------------------------------


def _read_sidecar(path: Path, root: Path, rules: ReadRules) -> dict[str, str]:
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        raw = read_bytes(sidecar, root, rules, max_bytes=SIDECAR_MAX_BYTES)
    except UnreadableFileError as exc:
        raise type(exc)(f"has a sidecar {sidecar.name} that {exc}") from exc
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except ValueError as exc:
        raise UnreadableFileError(
            f"has a sidecar {sidecar.name} that is not valid JSON ({exc})"
        ) from exc
    if not isinstance(data, dict):
        raise UnreadableFileError(f"has a sidecar {sidecar.name} that is not a JSON object")
    return {k: clean_text(str(v)) for k, v in data.items() if k in META_KEYS and v is not None}


def load_file(path: Path, corpus_dir: Path, rules: ReadRules | None = None) -> Document:
    """One article as a Document whose id is its path relative to the corpus."""
    rules = rules or ReadRules()
    rel = path.relative_to(corpus_dir).as_posix()
    suffix = path.suffix.lower()
    encoding = "utf-8"
    if suffix in PDF_SUFFIXES:
        meta, body = parse_pdf(read_bytes(path, corpus_dir, rules))
    elif suffix in HTML_SUFFIXES:
        text, encoding = read_text(path, corpus_dir, rules)
        meta, body = parse_html(text)
    else:
        text, encoding = read_text(path, corpus_dir, rules)
        meta, body = parse_front_matter(text)
        if suffix in {".md", ".markdown"}:
            heading = re.search(r"^#\s+(.+)$", body, re.M)
            if heading and "title" not in meta:
                meta["title"] = markdown_text(heading[1]).strip()
            body = markdown_text(body)
    meta.update(_read_sidecar(path, corpus_dir, rules))
    meta = {k: clean_text(v) for k, v in meta.items()}
    body = break_long_lines(clean_text(body).strip())
    if not body:
        raise UnreadableFileError("is empty")
    iso = normalize_date(meta.get("date")) or find_date(body[:400])
    metadata: dict[str, str | int] = {
        "title": meta.get("title") or guess_title(body, path),
        "source": meta.get("source", ""),
        "date": iso,
        "url": meta.get("url", ""),
        "file": rel,
        "date_int": date_to_int(iso),
    }
    if encoding != "utf-8":
        # Recorded only when it is not UTF-8, so existing indexes keep their hashes.
        metadata["encoding"] = encoding
    return Document(
        text=body,
        id_=rel,
        metadata=metadata,
        excluded_embed_metadata_keys=list(EMBED_EXCLUDED_KEYS),
        excluded_llm_metadata_keys=list(EMBED_EXCLUDED_KEYS),
    )


def corpus_files(corpus_dir: Path, rules: ReadRules | None = None) -> list[Path]:
    """Every file under the corpus that may be read, hidden files and sidecars left out."""
    return list_corpus(corpus_dir, rules).files


def load_corpus(corpus_dir: Path, rules: ReadRules | None = None) -> LoadedCorpus:
    """Load every supported article; report the others by name and reason.

    One file never costs the others: whatever goes wrong reading or parsing it
    becomes a skipped file with the reason.
    """
    rules = rules or ReadRules()
    listing = list_corpus(corpus_dir, rules)
    result = LoadedCorpus(skipped=list(listing.skipped), held=list(listing.held))
    for path in listing.files:
        rel = path.relative_to(corpus_dir).as_posix()
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
            result.skipped.append(SkippedFile(rel, f"unsupported file type (use {supported})"))
            continue
        try:
            result.documents.append(load_file(path, corpus_dir, rules))
        except TransientReadError as exc:
            result.skipped.append(SkippedFile(rel, str(exc)))
            result.held.append(rel)
        except UnreadableFileError as exc:
            result.skipped.append(SkippedFile(rel, str(exc)))
        except (MemoryError, RecursionError, ValueError, RuntimeError) as exc:
            result.skipped.append(SkippedFile(rel, f"could not be parsed ({type(exc).__name__})"))
    return result
