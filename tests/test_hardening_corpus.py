"""The corpus reader as an attacker and a careless user would try it: links out of the
folder, loops, odd encodings, binary and NUL-laden files, huge files and lines,
unreadable folders, pipes. Each is reported by name; nothing outside the folder is read;
the good articles beside them are indexed with the real embedder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.components import build_vector_store
from rag.config import Settings
from rag.corpus import MB, ReadRules, list_corpus
from rag.documents import load_corpus, load_file
from rag.ingest import chunk_documents, ingest
from rag.store import chunk_rows
from tests.conftest import ROOT, make_settings

SECRET = "root:x:0:0:root:/root:/bin/bash"
ARTICLE = "---\ntitle: {title}\n---\nThe harbour in {town} reopened on Monday after the storm.\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def indexed_text(settings: Settings) -> str:
    _, texts, _ = chunk_rows(build_vector_store(settings))
    return "\n".join(texts)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the corpus holding a 'secret' and a folder of articles."""
    folder = tmp_path / "outside"
    write(folder / "passwd", SECRET + "\n")
    write(folder / "articles" / "a.txt", ARTICLE.format(title="Out", town="Elsewhere"))
    write(folder / "meta.json", '{"title": "PHISH", "url": "https://evil.example"}')
    return folder


def test_links_out_of_the_corpus_are_never_read(
    corpus: Path, outside: Path, tmp_path: Path, embedder
) -> None:
    write(corpus / "good.txt", ARTICLE.format(title="Good", town="Westbury"))
    (corpus / "outside.txt").symlink_to(outside / "passwd")
    (corpus / "outside-dir").symlink_to(outside / "articles")
    (corpus / "good.txt.meta.json").symlink_to(outside / "meta.json")
    write(corpus / "other.txt", ARTICLE.format(title="Other", town="Easton"))
    settings = make_settings(tmp_path)

    report = ingest(settings, embed_model=embedder)
    reasons = {s.path: s.reason for s in report.skipped}
    assert "outside the corpus folder" in reasons["outside.txt"]
    assert "RAG_ALLOW_OUTSIDE_LINKS" in reasons["outside.txt"]
    assert "outside the corpus folder" in reasons["outside-dir"]
    assert "sidecar" in reasons["good.txt"] and "outside the corpus" in reasons["good.txt"]
    assert report.added == ["other.txt"]
    text = indexed_text(settings)
    assert SECRET not in text and "root:x" not in text and "Elsewhere" not in text

    allowed = load_corpus(corpus, ReadRules(allow_outside_links=True))
    assert {d.doc_id for d in allowed.documents} >= {"outside.txt", "outside-dir/a.txt"}


def test_link_loops_end_and_links_inside_are_followed(corpus: Path) -> None:
    write(corpus / "real" / "a.txt", ARTICLE.format(title="A", town="Avon"))
    (corpus / "real" / "up").symlink_to(corpus)  # a loop back to the top
    (corpus / "self.txt").symlink_to(corpus / "self.txt")  # a link to itself
    (corpus / "alias.txt").symlink_to(corpus / "real" / "a.txt")  # inside: fine
    (corpus / "broken.txt").symlink_to(corpus / "missing.txt")
    started = time.perf_counter()
    result = load_corpus(corpus)
    assert time.perf_counter() - started < 10
    assert sorted(d.doc_id for d in result.documents) == ["alias.txt", "real/a.txt"]
    reasons = {s.path: s.reason for s in result.skipped}
    assert "loop" in reasons["real/up/"]
    assert "link" in reasons["self.txt"] and "link" in reasons["broken.txt"]


def test_latin1_and_cp1252_articles_are_indexed_with_their_encoding(
    corpus: Path, tmp_path: Path, embedder
) -> None:
    latin1 = "---\ntitle: Caf\xe9 reopens\n---\nThe caf\xe9 served cr\xe8me br\xfbl\xe9e."
    cp1252 = "The mayor said \u201cwe are ready\u201d \u2014 the caf\xe9\u2019s owner agreed."
    (corpus / "latin1.txt").write_bytes(latin1.encode("latin-1"))
    (corpus / "cp1252.txt").write_bytes(cp1252.encode("cp1252"))
    write(corpus / "utf8.txt", "The na\xefve r\xe9sum\xe9 was written in UTF-8.")
    settings = make_settings(tmp_path)
    report = ingest(settings, embed_model=embedder)
    assert sorted(report.added) == ["cp1252.txt", "latin1.txt", "utf8.txt"]
    assert not report.skipped
    _, texts, metas = chunk_rows(build_vector_store(settings))
    by_file = {m["file"]: (t, m) for t, m in zip(texts, metas, strict=True)}
    assert "cr\xe8me br\xfbl\xe9e" in by_file["latin1.txt"][0]
    assert by_file["latin1.txt"][1]["title"] == "Caf\xe9 reopens"
    assert "\u201cwe are ready\u201d \u2014" in by_file["cp1252.txt"][0]
    assert by_file["latin1.txt"][1]["encoding"] == "cp1252"
    assert by_file["cp1252.txt"][1]["encoding"] == "cp1252"
    assert "encoding" not in by_file["utf8.txt"][1]  # UTF-8 is the default, not recorded


def test_binary_files_are_skipped_and_nul_bytes_stripped_everywhere(corpus: Path) -> None:
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    (corpus / "zeros.txt").write_bytes(b"\x00" * 5000)
    body = "The ferry left at noon. " * 800  # about 19 KB
    dirty = body[:12000] + "\x00\x00 hidden\x1b[31m red\x07 bell\x00" + body[12000:]
    (corpus / "nul.txt").write_bytes(("---\ntitle: Fer\x00ry\n---\n" + dirty).encode())
    result = load_corpus(corpus)
    reasons = {s.path: s.reason for s in result.skipped}
    assert "binary" in reasons["image.txt"] and "binary" in reasons["zeros.txt"]
    [doc] = result.documents
    assert doc.doc_id == "nul.txt" and doc.metadata["title"] == "Ferry"
    assert "hidden[31m red bell" in doc.text
    assert not any(ch in doc.text for ch in "\x00\x1b\x07")


def test_size_limit_is_checked_before_reading(corpus: Path, tmp_path: Path) -> None:
    write(corpus / "small.txt", ARTICLE.format(title="Small", town="Ely"))
    with open(corpus / "huge.txt", "wb") as handle:  # 5 GB, sparse: reading it would show
        handle.truncate(5_000 * MB)
    started = time.perf_counter()
    result = load_corpus(corpus, ReadRules.from_settings(make_settings(tmp_path, max_file_mb=1)))
    assert time.perf_counter() - started < 5
    assert [d.doc_id for d in result.documents] == ["small.txt"]
    [skipped] = result.skipped
    assert skipped.path == "huge.txt"
    assert "5000.0 MB, over the 1 MB limit per file (RAG_MAX_FILE_MB)" in skipped.reason


def test_unreadable_folder_and_file_are_reported_and_keep_their_chunks(
    corpus: Path, tmp_path: Path, embedder
) -> None:
    write(corpus / "open.txt", ARTICLE.format(title="Open", town="Bath"))
    locked = corpus / "locked"
    write(locked / "inner.txt", ARTICLE.format(title="Inner", town="Wells"))
    closed = write(corpus / "closed.txt", ARTICLE.format(title="Closed", town="Frome"))
    settings = make_settings(tmp_path)
    first = ingest(settings, embed_model=embedder)
    assert sorted(first.added) == ["closed.txt", "locked/inner.txt", "open.txt"]
    locked.chmod(0)
    closed.chmod(0)
    try:
        if not (os.access(locked, os.R_OK) or os.access(closed, os.R_OK)):
            report = ingest(settings, embed_model=embedder).to_dict()
        elif shutil.which("setpriv"):  # root reads anything: drop that power for one run
            run = subprocess.run(
                [
                    *("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"),
                    *(sys.executable, "-m", "rag.cli", "ingest", "--json"),
                ],
                env={"RAG_CORPUS_DIR": str(corpus), "RAG_INDEX_DIR": str(settings.index_dir)},
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert run.returncode == 3, run.stderr
            assert "skipped locked/: folder cannot be read" in run.stderr
            report = json.loads(run.stdout)
        else:
            pytest.skip("running as root without setpriv: chmod 000 does not stop reading")
    finally:
        locked.chmod(0o755)
        closed.chmod(0o644)
    reasons = {s["path"]: s["reason"] for s in report["skipped"]}
    assert "folder cannot be read" in reasons["locked/"]
    assert "permission denied" in reasons["closed.txt"]
    assert report["removed"] == []  # unreadable for now is not deleted
    assert report["unchanged"] == ["open.txt"]
    assert "Wells" in indexed_text(settings) and "Frome" in indexed_text(settings)


def test_pipes_and_files_gone_while_read_are_skipped_by_name(corpus: Path) -> None:
    write(corpus / "good.txt", ARTICLE.format(title="Good", town="Poole"))
    os.mkfifo(corpus / "pipe.txt")  # reading it would block forever
    gone = write(corpus / "gone.txt", "Deleted between listing and reading.")
    [*_, listed] = sorted(list_corpus(corpus).files)
    gone.unlink()
    result = load_corpus(corpus)
    reasons = {s.path: s.reason for s in result.skipped}
    assert "not a regular file" in reasons["pipe.txt"]
    assert [d.doc_id for d in result.documents] == ["good.txt"]
    from rag.corpus import UnreadableFileError

    with pytest.raises(UnreadableFileError, match="removed while being read"):
        load_file(listed if listed.name == "gone.txt" else gone, corpus)


def test_a_30_mb_single_line_does_not_break_the_splitter(corpus: Path, tmp_path: Path) -> None:
    line = ("The council said that river levels rose again near the old mill. " * 470_000)[
        : 30 * MB
    ]
    write(corpus / "huge.txt", line)
    doc = load_file(corpus / "huge.txt", corpus, ReadRules(max_bytes=40 * MB))
    assert len(doc.text) > 29 * MB
    assert max(len(part) for part in doc.text.split("\n")) <= 10_000
    # Chunking a 3 MB slice of it goes through nltk's sentence splitter (5 s regex limit).
    write(corpus / "big.txt", line[: 3 * MB])
    big = load_file(corpus / "big.txt", corpus)
    started = time.perf_counter()
    nodes = chunk_documents([big], make_settings(tmp_path))
    assert len(nodes) > 1000
    assert time.perf_counter() - started < 120


def test_a_file_rewritten_while_read_is_never_read_torn(corpus: Path) -> None:
    """A writer rewrites the file in place without pause; every read is whole or refused."""
    import threading

    from rag.corpus import TransientReadError, read_bytes

    versions = [("A" * 2_000_000).encode(), ("B" * 1_500_000).encode()]
    path = corpus / "busy.txt"
    path.write_bytes(versions[0])
    stop = threading.Event()

    def rewrite() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            with open(path, "r+b") as handle:  # in place: the torn case a rename avoids
                handle.truncate(0)
                handle.write(versions[i % 2])

    writer = threading.Thread(target=rewrite)
    writer.start()
    outcomes = {"whole": 0, "refused": 0}
    try:
        for _ in range(200):
            try:
                raw = read_bytes(path, corpus, ReadRules())
            except TransientReadError as exc:
                assert "changed while being read" in str(exc)
                outcomes["refused"] += 1
                continue
            # Whole: one version, or the empty file between truncate and write.
            assert raw in (*versions, b""), f"a torn read of {len(raw)} bytes"
            outcomes["whole"] += 1
    finally:
        stop.set()
        writer.join()
    assert outcomes["refused"] > 0, outcomes  # the race was really run
