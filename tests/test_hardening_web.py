"""The web app and its APIs under attack and careless use.

The embedded llama.cpp opens no TCP port; request bodies, histories and OpenAI
parameters are bounded and checked (4xx with a message, never a 500); Gradio's
upload route keeps nothing it should refuse; the app will not serve the network
without a password; /api/status shows no absolute path; basic auth covers every
route and the websocket. Against the real app (``python app.py``, extractive
backend, the tiny SmolLM2 GGUF where a local model is needed). Uploads handled in
process are in ``test_hardening_inputs.py``, prompt injection in
``test_hardening_injection.py``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from rag.config import Settings, load_settings
from rag.errors import ConfigError
from rag.exposure import check_exposure
from tests.app_server import AppServer, running_app
from tests.conftest import ROOT

QUESTION = "Where were the wounded taken?"
AUTH = "desk:correct horse"

# --- which TCP ports a process listens on ---------------------------------------------------


def socket_inodes(pid: int | str) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    return inodes


def listening_tcp_ports(pid: int | str) -> set[int]:
    """Ports in LISTEN state (IPv4 and IPv6) whose socket this process holds."""
    inodes = socket_inodes(pid)
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def unix_socket_paths(pid: int | str) -> list[str]:
    inodes = socket_inodes(pid)
    paths = []
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        if len(fields) > 7 and fields[6] in inodes:
            paths.append(fields[7])
    return paths


def app_pid(port: int) -> int:
    """The child process of this test run that listens on ``port``."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == os.getpid() and port in listening_tcp_ports(entry.name):
                return int(entry.name)
        except (OSError, IndexError, ValueError):
            continue
    raise AssertionError(f"no child process listens on {port}")


def test_local_llm_opens_no_tcp_port() -> None:
    """llama.cpp's server always starts a listener: it must be a Unix socket nobody can reach."""
    from rag.local_llm import LocalLLM
    from rag.models import smollm_path

    before = listening_tcp_ports(os.getpid())
    llm = LocalLLM(model_path=str(smollm_path()), context_window=512, max_tokens=4, n_threads=1)
    llm.load()
    assert llm.complete("Say hi").text is not None  # it answers in process
    assert listening_tcp_ports(os.getpid()) == before
    llama_sockets = [p for p in unix_socket_paths(os.getpid()) if "rag-llm-" in p]
    assert llama_sockets, "expected llama.cpp's listener on a Unix socket"
    assert not any(Path(p).exists() for p in llama_sockets)  # its path is gone: unreachable


# --- settings: binding and auth ---------------------------------------------------------------


@pytest.mark.parametrize("auth", ["desk:", ":secret", "desk", " : "])
def test_auth_with_an_empty_part_is_refused(auth: str) -> None:
    with pytest.raises(ConfigError, match="RAG_AUTH must be user:password with neither part"):
        load_settings(auth=auth)


@pytest.mark.parametrize(
    ("host", "fields", "refused"),
    [
        ("0.0.0.0", {}, True),
        ("::", {}, True),
        ("192.168.1.20", {}, True),
        ("news.example.org", {}, True),
        ("0.0.0.0", {"auth": AUTH}, False),
        ("0.0.0.0", {"allow_open": True}, False),
        ("127.0.0.1", {}, False),
        ("127.0.0.2", {}, False),
        ("::1", {}, False),
        ("localhost", {}, False),
    ],
)
def test_network_bind_needs_auth(host: str, fields: dict[str, Any], refused: bool) -> None:
    settings = Settings(host=host, **fields)
    if refused:
        with pytest.raises(ConfigError, match="Set RAG_AUTH=user:password"):
            check_exposure(settings)
    else:
        check_exposure(settings)


def test_app_refuses_an_open_network_bind(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "RAG_HOST": "0.0.0.0",
        "RAG_CORPUS_DIR": str(tmp_path / "corpus"),
        "RAG_INDEX_DIR": str(tmp_path / "index"),
        "RAG_LLM": "extractive",
    }
    env.pop("RAG_AUTH", None)
    run = subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 1
    assert "RAG_HOST=0.0.0.0 makes the app reachable from other machines" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "index").exists()  # refused before any work


# --- the running app ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from rag.models import smollm_path

    base = tmp_path_factory.mktemp("app-hardening")
    with running_app(
        base,
        RAG_AUTH=AUTH,
        RAG_LLM_MODEL=str(smollm_path()),  # offers "local" next to the extractive default
        RAG_MAX_UPLOAD_MB="1",
        GRADIO_TEMP_DIR=str(base / "gradio-tmp"),
    ) as server:
        server.gradio_tmp = base / "gradio-tmp"  # type: ignore[attr-defined]
        yield server


def test_local_backend_request_opens_no_port(app: AppServer) -> None:
    port = int(app.url.rsplit(":", 1)[1])
    pid = app_pid(port)
    assert listening_tcp_ports(pid) == {port}
    status, data = app.request("/api/ask", {"question": QUESTION, "backend": "local"})
    assert status == 200, data
    assert listening_tcp_ports(pid) == {port}  # the model is loaded: still only the app
    llama_sockets = [p for p in unix_socket_paths(pid) if "rag-llm-" in p]
    assert llama_sockets and not any(Path(p).exists() for p in llama_sockets)


def test_status_shows_no_absolute_path(app: AppServer) -> None:
    status, data = app.request("/api/status")
    assert status == 200
    assert data["corpus_dir"] == "corpus" and data["index_dir"] == "index"
    text = json.dumps(data)
    assert str(app.corpus.parent) not in text and "/" not in data["llm"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b'{"question": "' + b"x" * 1_100_000 + b'"}', 413, "RAG_MAX_REQUEST_MB"),
        (b'{"question": "\\ud800"}', 400, "lone UTF-16 surrogate"),
        (
            b'{"question": "Who?", "history": [{"role": "user", "content": "\\udfff"}]}',
            400,
            "lone UTF-16 surrogate",
        ),
        (b"[" * 100_000 + b"]" * 100_000, 400, "nested too deeply"),
        (
            {"question": QUESTION, "history": [{"role": "user", "content": "Hi?"}] * 51},
            400,
            "at most 50 are accepted",
        ),
        (
            {"question": QUESTION, "history": [{"role": "user", "content": "w " * 600}]},
            400,
            "History turn 0 (user) is 1200 characters long; at most 1000",
        ),
        (
            {"question": QUESTION, "history": [{"role": "assistant", "content": "w" * 4001}]},
            400,
            "at most 4000",
        ),
        ({"question": QUESTION, "top_k": 10**9}, 400, "top_k"),
        ({"question": ["not", "text"]}, 400, "question"),
        (b'{"question": ', 400, "not valid JSON"),
    ],
)
def test_bad_asks_get_a_4xx_with_a_message(
    app: AppServer, body: Any, status: int, message: str
) -> None:
    got, data = app.request("/api/ask", body)
    assert got == status, data
    assert message in data["error"]["message"]
    assert "Traceback" not in json.dumps(data)


def chat(app: AppServer, **fields: Any) -> tuple[int, Any]:
    body = {"messages": [{"role": "user", "content": QUESTION}], **fields}
    return app.request("/v1/chat/completions", body)


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"n": 2}, "n"),
        ({"temperature": "hot"}, "temperature"),
        ({"temperature": 7}, "temperature"),
        ({"max_tokens": "many"}, "max_tokens"),
        ({"stream": "yes"}, "stream"),
        ({"logit_bias": {"1": 5}}, "logit_bias"),
        ({"tools": []}, "tools"),
        (
            {
                "messages": [
                    {"role": "user", "content": "x" * 1001},
                    {"role": "user", "content": "Q?"},
                ]
            },
            "History turn 0",
        ),
    ],
)
def test_openai_refuses_what_it_would_ignore(
    app: AppServer, fields: dict[str, Any], named: str
) -> None:
    status, data = chat(app, **fields)
    assert status == 400, data
    assert named in data["error"]["message"]


def test_openai_takes_its_documented_fields(app: AppServer) -> None:
    status, data = chat(
        app,
        model="news-rag",
        stream=False,
        temperature=0.2,
        max_tokens=64,
        n=1,
        user="desk-7",
        as_of="2026-04-30",
        date_from=20150101,
        date_to="2026-04-30",
    )
    assert status == 200, data
    assert "Tanf" in data["choices"][0]["message"]["content"]


def multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def gradio_upload(app: AppServer, name: str, data: bytes) -> tuple[int, Any]:
    import urllib.error
    import urllib.request

    body, content_type = multipart(name, data)
    request = urllib.request.Request(
        app.url + "/gradio_api/upload",
        data=body,
        headers={"Content-Type": content_type, **app.headers()},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def stored_uploads(app: AppServer) -> set[str]:
    folder: Path = app.gradio_tmp  # type: ignore[attr-defined]
    return {p.name for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def test_gradio_upload_stores_only_what_the_corpus_takes(app: AppServer) -> None:
    for name, data in [
        ("tool.py", b"import os\n"),
        ("bundle.zip", b"PK\x03\x04"),
        ("run.sh", b"#!/bin/sh\n"),
        ("huge.txt", b"x" * 1_500_000),  # over RAG_MAX_UPLOAD_MB=1
    ]:
        status, _ = gradio_upload(app, name, data)
        assert status in (413, 415), name
    assert not stored_uploads(app) & {"tool.py", "bundle.zip", "run.sh", "huge.txt"}
    status, paths = gradio_upload(app, "fine.txt", b"A short article.")
    assert status == 200 and Path(paths[0]).name == "fine.txt"
    assert "fine.txt" in stored_uploads(app)


def test_gradio_serves_no_file_outside_its_cache(app: AppServer) -> None:
    import urllib.error
    import urllib.request

    article = next(app.corpus.glob("*.txt"))
    for target in ("/etc/passwd", str(article), str(ROOT / "README.md")):
        request = urllib.request.Request(
            f"{app.url}/gradio_api/file={target}", headers=app.headers()
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code in (403, 404), target


def test_auth_covers_every_route_and_the_websocket(app: AppServer) -> None:
    status, spec = app.request("/api/openapi.json")
    assert status == 200
    paths = [p.replace("{", "").replace("}", "") for p in spec["paths"]]
    paths += ["/", "/config", "/gradio_api/info", "/gradio_api/upload", "/gradio_api/queue/join"]
    paths += ["/gradio_api/file=/etc/passwd", "/theme.css", "/nonexistent", "/api/docs"]
    for path in paths:
        for body in (None, b"{}"):
            got, _ = app.request(path, body, headers={"Authorization": ""})
            assert got == 401, (path, body)
    host, port = app.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as raw:
        raw.sendall(
            b"GET /gradio_api/queue/join HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            b"Sec-WebSocket-Version: 13\r\n\r\n"
        )
        reply = raw.recv(200).decode(errors="replace")
    assert not reply.startswith("HTTP/1.1 101"), reply
