"""Bad input handled in process: request-size limits and the upload type check (the
middleware in front of every route), uploads that never leave the corpus folder, sidecars
that cannot rewrite an indexed article, escaped article HTML."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path

import pytest
from fastapi import FastAPI, Request, WebSocket
from fastapi.testclient import TestClient

from rag import uploads, web
from rag.api import BasicAuthMiddleware
from rag.api.limits import RequestLimitMiddleware

AUTH = "desk:correct horse"

# --- the limits middleware in process ---------------------------------------------------------


def limited_app(calls: list[str]) -> TestClient:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        calls.append("echo")
        return {"bytes": len(await request.body())}

    @app.post("/gradio_api/upload")
    async def upload(request: Request) -> dict[str, int]:
        calls.append("upload")
        return {"bytes": len(await request.body())}

    app.add_middleware(
        RequestLimitMiddleware,
        max_body=1000,
        max_upload_file=2000,
        upload_name_ok=lambda name: uploads.upload_suffix_ok(uploads.safe_name(name)),
    )
    return TestClient(app)


def test_request_bodies_are_limited_even_when_chunked() -> None:
    calls: list[str] = []
    client = limited_app(calls)
    assert client.post("/echo", content=b"x" * 1000).json() == {"bytes": 1000}
    too_big = client.post("/echo", content=b"x" * 1001)
    assert too_big.status_code == 413 and "RAG_MAX_REQUEST_MB" in too_big.text
    chunked = client.post("/echo", content=iter([b"x" * 600, b"x" * 600]))  # no Content-Length
    assert chunked.status_code == 413
    assert calls == ["echo"]  # the over-limit bodies never reached the route


def test_uploads_of_refused_types_never_reach_gradio() -> None:
    calls: list[str] = []
    client = limited_app(calls)
    ok = client.post("/gradio_api/upload", files=[("files", ("story.txt", b"A story."))])
    assert ok.status_code == 200 and calls == ["upload"]
    for name in ("tool.py", "archive.zip", "story.txt.exe", "../evil.sh"):
        refused = client.post("/gradio_api/upload", files=[("files", (name, b"data"))])
        assert refused.status_code == 415, name
        assert "unsupported file type" in refused.json()["error"]["message"]
    mixed = [("files", ("a.txt", b"fine")), ("files", ("b.py", b"import os"))]
    assert client.post("/gradio_api/upload", files=mixed).status_code == 415
    big = client.post("/gradio_api/upload", files=[("files", ("big.txt", b"x" * 2001))])
    assert big.status_code == 413 and "RAG_MAX_UPLOAD_MB" in big.text
    assert calls == ["upload"]


def test_basic_auth_closes_an_unauthenticated_websocket() -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hello")
        await websocket.close()

    app.add_middleware(BasicAuthMiddleware, credentials=AUTH)
    client = TestClient(app)
    with pytest.raises(Exception), client.websocket_connect("/ws") as socket_:  # noqa: B017
        socket_.receive_text()
    token = base64.b64encode(AUTH.encode()).decode()
    with client.websocket_connect("/ws", headers={"Authorization": f"Basic {token}"}) as ok:
        assert ok.receive_text() == "hello"


# --- uploads: names, sidecars, temporary files -------------------------------------------------


def upload_file(folder: Path, data: bytes) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / uuid.uuid4().hex
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "name",
    [
        "../../outside.txt",
        "/etc/cron.d/evil.txt",
        "..\\..\\win.txt",
        "C:\\Windows\\evil.md",
        "a/../../b.txt",
        "\u202etxt.exe.md",
        "....txt",
        ".hidden.md",
        "x" * 500 + ".txt",
        "CON.txt",
        "story.txt\x00.md",
    ],
)
def test_uploads_never_leave_the_corpus_folder(tmp_path: Path, name: str) -> None:
    corpus = tmp_path / "site" / "corpus"
    corpus.mkdir(parents=True)
    result = uploads.save_uploads([(upload_file(tmp_path / "up", b"Text."), name)], corpus, 1)
    for saved in result.saved:
        assert (corpus / saved).resolve().parent == corpus.resolve()
        assert "/" not in saved and "\\" not in saved and not saved.startswith(".")
    written = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert written <= set(corpus.glob("*")), written  # nothing anywhere else, temp file gone


def test_a_sidecar_never_rewrites_an_indexed_article(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "story.txt").write_text("The original story.")
    original_meta = '{"title": "Original", "url": "https://news.example/story"}'
    (corpus / "story.txt.meta.json").write_text(original_meta)
    evil = json.dumps({"title": "Phish", "url": "https://evil.example", "date": "2030-01-01"})
    up = tmp_path / "up"

    alone = uploads.save_uploads(
        [(upload_file(up, evil.encode()), "story.txt.meta.json")], corpus, max_mb=1
    )
    assert alone.saved == []
    assert "accepted only together with its article" in " ".join(alone.errors)

    same_article = uploads.save_uploads(
        [
            (upload_file(up, b"The original story."), "story.txt"),
            (upload_file(up, evil.encode()), "story.txt.meta.json"),
        ],
        corpus,
        max_mb=1,
    )
    assert same_article.saved == []
    assert "not changed by upload" in " ".join(same_article.errors)
    assert (corpus / "story.txt.meta.json").read_text() == original_meta

    new_article = uploads.save_uploads(
        [
            (upload_file(up, b'{"title": "Fresh"}'), "story.txt.meta.json"),
            (upload_file(up, b"A different story."), "story.txt"),
        ],
        corpus,
        max_mb=1,
    )
    # The name is taken by other content: the pair is saved together under a new name.
    assert new_article.saved == ["story-2.txt", "story-2.txt.meta.json"]
    assert json.loads((corpus / "story-2.txt.meta.json").read_text()) == {"title": "Fresh"}
    assert (corpus / "story.txt.meta.json").read_text() == original_meta

    bad = uploads.save_uploads(
        [(upload_file(up, b"x"), "n.txt"), (upload_file(up, b"[1, 2]"), "n.txt.meta.json")],
        corpus,
        max_mb=1,
    )
    assert "must be a JSON object" in " ".join(bad.errors)
    assert not list(up.iterdir())  # every temporary upload removed, saved or refused


def test_an_upload_never_adopts_a_stale_sidecar(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.txt.meta.json").write_text('{"title": "Left behind"}')
    result = uploads.save_uploads([(upload_file(tmp_path / "up", b"New."), "note.txt")], corpus, 1)
    assert result.saved == ["note-2.txt"]


def test_html_in_an_article_stays_escaped() -> None:
    from rag.types import Passage

    passage = Passage(
        number=1,
        chunk_id="c1",
        source="x.html",
        title="<script>alert(1)</script>",
        date="2026-01-01",
        text='<img src=x onerror="alert(2)"> ${alert(3)} `x`',
        score=0.5,
        url="javascript:alert(4)",
    )
    card = web.source_card(passage, turn=1, cited=False)
    assert "<script>" not in card and "<img" not in card and "javascript:" not in card
    assert "${" not in card and "`" not in card
