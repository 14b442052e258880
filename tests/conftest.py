"""Shared fixtures: real models loaded once per session, fresh folders per test."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.env import prepare_process

prepare_process()
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

ROOT = Path(__file__).resolve().parents[1]
SEED_CORPUS = ROOT / "corpus"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's, driven by Playwright (`make browser`)
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

from rag.config import Settings  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_settings(base: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "corpus_dir": base / "corpus",
        "index_dir": base / "index",
        "llm": "extractive",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """An empty corpus folder for one test."""
    path = tmp_path / "corpus"
    path.mkdir()
    return path


@pytest.fixture
def seed_corpus(tmp_path: Path) -> Path:
    """A private copy of the seed articles."""
    path = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, path)
    return path


@pytest.fixture(scope="session")
def embedder():
    """The real all-MiniLM-L6-v2, loaded once."""
    from rag.components import build_embedder

    return build_embedder(Settings())


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> Settings:
    """The seed corpus indexed once with the real embedder in an embedded Chroma."""
    from rag.ingest import ingest

    base = tmp_path_factory.mktemp("seed")
    shutil.copytree(SEED_CORPUS, base / "corpus")
    settings = make_settings(base)
    report = ingest(settings, embed_model=embedder)
    assert report.chunks_total > 0
    return settings


@pytest.fixture(scope="session")
def qwen():
    """The default local LLM (Qwen2.5-Coder-1.5B Q4_K_M), loaded once."""
    from rag.components import build_llm

    llm = build_llm(Settings(llm="local"))
    llm.load()
    return llm


@pytest.fixture(scope="session")
def smollm():
    """SmolLM2-135M: a tiny real GGUF for wiring tests."""
    from rag.local_llm import LocalLLM
    from rag.models import smollm_path

    return LocalLLM(model_path=str(smollm_path()), context_window=2048, max_tokens=40)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    """A real `chroma run` server on 127.0.0.1, for server-mode tests."""
    chroma = Path(sys.executable).with_name("chroma")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = (data / "server.log").open("w")
    proc = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(data / "db"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    import urllib.request

    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                log_text = (data / "server.log").read_text()
                raise RuntimeError(f"chroma run did not start: {log_text}") from None
            time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for one test module (module scope: Playwright's sync loop lives only
    while that module's browser tests run)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
