"""Start the real web app (`python app.py`) in a subprocess for API and browser tests."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, SEED_CORPUS, free_port

STARTUP_SECONDS = 300  # the index, the embedder and (for RAG_LLM=local) 1 GB of weights


@dataclass
class AppServer:
    url: str
    corpus: Path
    log_path: Path
    auth: str | None = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def headers(self) -> dict[str, str]:
        if not self.auth:
            return {}
        return {"Authorization": "Basic " + base64.b64encode(self.auth.encode()).decode()}

    def request(
        self, path: str, body: Any = None, headers: dict[str, str] | None = None, timeout=600
    ) -> tuple[int, Any]:
        """(status, parsed JSON) of a GET, or of a POST when ``body`` is given."""
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data,
            headers={"Content-Type": "application/json", **self.headers(), **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")


@contextmanager
def running_app(base: Path, **env: str) -> Iterator[AppServer]:
    """The app on a free port over a private copy of the seed corpus; stopped afterwards."""
    corpus = base / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    port = free_port()
    log_path = base / "app.log"
    settings_env = {
        "RAG_CORPUS_DIR": str(corpus),
        "RAG_INDEX_DIR": str(base / "index"),
        "RAG_HOST": "127.0.0.1",
        "RAG_PORT": str(port),
        "RAG_LLM": "extractive",
        "RAG_WATCH": "0",  # uploads see their own ingest's report; tests/test_watch.py turns it on
        **env,
    }
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=ROOT,
            env={**os.environ, **settings_env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = AppServer(f"http://127.0.0.1:{port}", corpus, log_path, env.get("RAG_AUTH"))
    try:
        wait_until_ready(server, proc)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_until_ready(server: AppServer, proc: subprocess.Popen) -> None:
    deadline = time.time() + STARTUP_SECONDS
    while True:
        try:
            status, _ = server.request("/api/status", timeout=5)
            if status == 200:
                return
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise RuntimeError(f"app.py did not start:\n{server.log()[-4000:]}")
        time.sleep(0.5)
