"""Reading articles: metadata conventions, formats, and bad files."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from rag.documents import (
    find_date,
    guess_title,
    load_corpus,
    load_file,
    normalize_date,
    parse_front_matter,
    parse_html,
)


def minimal_pdf(text: str, title: str = "PDF Headline") -> bytes:
    """A valid one-page PDF with a text layer, written by hand (no PDF library needed)."""
    stream = zlib.compress(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({title}) /Author (Wire Service) /CreationDate (D:20260102090000Z) >>".encode(),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_front_matter_gives_title_source_date(corpus: Path) -> None:
    (corpus / "story.txt").write_text(
        "---\ntitle: Floods close the port\nsource: Harbour Times\ndate: 14 March 2026\n"
        'url: "https://example.org/floods"\n---\nThe port closed on Friday after floods.\n'
    )
    doc = load_file(corpus / "story.txt", corpus)
    assert doc.doc_id == "story.txt"
    assert doc.text == "The port closed on Friday after floods."
    assert doc.metadata["title"] == "Floods close the port"
    assert doc.metadata["source"] == "Harbour Times"
    assert doc.metadata["date"] == "2026-03-14"
    assert doc.metadata["date_int"] == 20260314
    assert doc.metadata["url"] == "https://example.org/floods"


def test_plain_text_without_metadata_still_works(corpus: Path) -> None:
    (corpus / "plain_story.txt").write_text(
        "Mayor opens new bridge\n\nJan. 5, 2026 — The mayor opened the bridge on Monday.\n"
    )
    (corpus / "no-headline.txt").write_text("The council met. It voted to raise the budget.\n")
    docs = {d.doc_id: d for d in load_corpus(corpus).documents}
    assert docs["plain_story.txt"].metadata["title"] == "Mayor opens new bridge"
    assert docs["plain_story.txt"].metadata["date"] == "2026-01-05"
    assert docs["no-headline.txt"].metadata["title"] == "No headline"
    assert docs["no-headline.txt"].metadata["date"] == ""


def test_sidecar_overrides_file_metadata(corpus: Path) -> None:
    (corpus / "a.md").write_text("# Markdown headline\n\nBody text here.\n")
    (corpus / "a.md.meta.json").write_text(
        json.dumps({"source": "Sidecar News", "date": "2025-12-01"})
    )
    result = load_corpus(corpus)
    assert [d.doc_id for d in result.documents] == ["a.md"]  # the sidecar is not an article
    meta = result.documents[0].metadata
    assert meta["title"] == "Markdown headline"
    assert meta["source"] == "Sidecar News"
    assert meta["date"] == "2025-12-01"


def test_html_metadata_and_text() -> None:
    html = """<html><head><title>Page title</title>
    <meta property="og:title" content="Storm hits coast">
    <meta property="og:site_name" content="Coastal Daily">
    <meta property="article:published_time" content="2026-02-03T08:00:00Z">
    <style>.x{color:red}</style><script>var a = 1;</script></head>
    <body><nav>Home | News</nav><h1>Storm hits coast</h1>
    <p>Winds reached 120 km/h.</p><p>Two ferries were cancelled.</p>
    <footer>Copyright</footer></body></html>"""
    meta, text = parse_html(html)
    assert meta["title"] == "Storm hits coast"
    assert meta["source"] == "Coastal Daily"
    assert normalize_date(meta["date"]) == "2026-02-03"
    assert "Winds reached 120 km/h." in text and "Two ferries were cancelled." in text
    assert "var a" not in text and "Home | News" not in text and "Copyright" not in text


def test_pdf_text_and_info(corpus: Path) -> None:
    (corpus / "report.pdf").write_bytes(minimal_pdf("The dam was completed in 2025."))
    doc = load_file(corpus / "report.pdf", corpus)
    assert "The dam was completed in 2025." in doc.text
    assert doc.metadata["title"] == "PDF Headline"
    assert doc.metadata["source"] == "Wire Service"
    assert doc.metadata["date"] == "2026-01-02"


def test_bad_files_are_skipped_with_reasons_and_the_rest_loads(corpus: Path) -> None:
    (corpus / "good.txt").write_text("A good article about the harbour.")
    (corpus / "empty.txt").write_text("   \n")
    (corpus / "only-front-matter.md").write_text("---\ntitle: Nothing else\n---\n")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02 binary junk")
    (corpus / "latin1.txt").write_bytes("Caf\xe9 au lait".encode("latin-1"))  # read, not skipped
    (corpus / "random.txt").write_bytes(bytes(range(256)) * 4)
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (corpus / "image.png").write_bytes(b"\x89PNG\r\n")
    (corpus / "bad-sidecar.txt").write_text("Text with a broken sidecar.")
    (corpus / "bad-sidecar.txt.meta.json").write_text("{not json")
    (corpus / ".hidden.txt").write_text("ignored")
    result = load_corpus(corpus)
    assert [d.doc_id for d in result.documents] == ["good.txt", "latin1.txt"]
    assert result.documents[1].text == "Caf\xe9 au lait"
    reasons = {s.path: s.reason for s in result.skipped}
    assert set(reasons) == {
        "empty.txt",
        "only-front-matter.md",
        "binary.txt",
        "random.txt",
        "broken.pdf",
        "image.png",
        "bad-sidecar.txt",
    }
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "binary" in reasons["random.txt"]
    assert "PDF" in reasons["broken.pdf"]
    assert "unsupported" in reasons["image.png"]
    assert "sidecar" in reasons["bad-sidecar.txt"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Aug. 28, 2025 Updated Aug. 29", "2025-08-28"),
        ("Published 5 September 2024 by", "2024-09-05"),
        ("Sept. 3, 2025", "2025-09-03"),
        ("2026/01/08 news", "2026-01-08"),
        ("2025-12-14T10:00:00Z", "2025-12-14"),
        ("Feb 30, 2025", ""),
        ("no date here", ""),
    ],
)
def test_find_date(text: str, expected: str) -> None:
    assert find_date(text) == expected


def test_pdf_style_dates_normalise() -> None:
    assert normalize_date("D:20250102120000") == "2025-01-02"
    assert normalize_date(None) == ""


def test_front_matter_only_at_the_top() -> None:
    meta, body = parse_front_matter("Intro\n---\ntitle: x\n---\n")
    assert meta == {} and body.startswith("Intro")


def test_guess_title_falls_back_to_file_name() -> None:
    long_line = "This first line is a full sentence that ends with a period."
    assert guess_title(long_line, Path("city_council-vote.txt")) == "City council vote"


def test_markdown_articles_are_read_without_their_markup(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    source = (
        "---\nsource: Valley Courier\n---\n"
        "# Kestrel Falls opens its *new* bridge\n\n"
        "The **Kestrel Falls** footbridge opened on Friday. It cost 3.2 million euros and took "
        "*two years* to build, [the council said](https://example.org/council).\n\n"
        "The works went in steps:\n\n"
        "1. Foundations\n2. Deck\n3. Railings\n\n"
        "> Mayor Tomas Reyes cut the ribbon.\n"
    )
    (corpus / "bridge.md").write_text(source)
    doc = load_file(corpus / "bridge.md", corpus)
    assert doc.metadata["title"] == "Kestrel Falls opens its new bridge"
    text = doc.text
    assert "took two years to build, the council said." in text
    assert not any(mark in text for mark in ("**", "*", "#", "](", "https://", "> "))
    assert "\n2. Deck\n" in text  # ordered items keep their numbers
    assert "Mayor Tomas Reyes cut the ribbon." in text
    # A .txt file is text as written: only Markdown files are parsed.
    (corpus / "plain.txt").write_text("Sales rose *sharply* in 2026.\n")
    assert "*sharply*" in load_file(corpus / "plain.txt", corpus).text
