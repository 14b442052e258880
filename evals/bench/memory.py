"""Step 4, peak memory: ``rag ask`` as its own process, and the running web app.

Both run as child processes on the seed corpus with the default local LLM, so
the figure is what a user's process really holds, not this (large) process.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.bench.common import ROOT, SEED_CORPUS, Log, read_text


def child_env(corpus: Path, index: Path) -> dict[str, str]:
    """This process's environment for a child, pointed at ``corpus`` and ``index``."""
    return {
        **os.environ,
        "RAG_CORPUS_DIR": str(corpus),
        "RAG_INDEX_DIR": str(index),
        "RAG_LLM": "local",
        "PYTHONUNBUFFERED": "1",
    }


# A child's ru_maxrss counts the memory it shared with its parent before exec, so a
# child forked from this (large) process would report our own RSS. A tiny Python in
# between forks the measured command and reports that command's own peak instead.
_MAXRSS_WRAPPER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(cmd: Sequence[str], env: dict[str, str], log_path: Path) -> tuple[int, int, float]:
    """Run to completion; (exit code, peak RSS of the command in bytes, seconds)."""
    rss_file = log_path.with_suffix(".maxrss")
    wrapper = [sys.executable, "-S", "-c", _MAXRSS_WRAPPER, str(rss_file)]
    started = time.perf_counter()
    with log_path.open("wb") as log:
        code = subprocess.call([*wrapper, *cmd], cwd=ROOT, env=env, stdout=log, stderr=log)
    seconds = time.perf_counter() - started
    try:
        rss = int(rss_file.read_text()) * 1024  # Linux reports kilobytes
    except (OSError, ValueError):
        rss = 0
    return code, rss, seconds


def bench_rag_ask(work: Path, question: str, log: Log) -> dict[str, Any]:
    """``rag ask --json`` as its own process, on an index built by ``rag ingest`` beforehand."""
    index = work / "cli-index"
    env = child_env(SEED_CORPUS, index)
    cli = [sys.executable, "-m", "rag.cli"]
    code, _, _ = run_measured([*cli, "ingest"], env, work / "rag-ingest.log")
    if code not in (0, 3):
        return {"error": f"rag ingest exited {code}", "log": _tail(work / "rag-ingest.log")}
    code, rss, seconds = run_measured([*cli, "ask", question, "--json"], env, work / "rag-ask.log")
    log(f"rss: rag ask peak {rss / 1e9:.2f} GB ({seconds:.1f} s)")
    result: dict[str, Any] = {
        "command": "python -m rag.cli ask QUESTION --json (default local LLM, seed corpus)",
        "exit_code": code,
        "peak_rss_bytes": rss,
        "peak_rss_gb": rss / 1e9,
        "wall_s": seconds,
    }
    if code != 0:
        result["log"] = _tail(work / "rag-ask.log")
    return result


def _tail(path: Path, chars: int = 2000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def vm_hwm(pid: int) -> int:
    """Peak resident set of one process (VmHWM), in bytes; 0 if it is gone."""
    match = re.search(r"^VmHWM:\s*(\d+) kB", read_text(f"/proc/{pid}/status"), re.M)
    return int(match[1]) * 1024 if match else 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _http(url: str, body: dict[str, Any] | None = None, timeout: float = 5.0) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"} if data else {}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def wait_for_app(url: str, proc: subprocess.Popen[bytes], deadline_s: float) -> bool:
    """True once the app answers /api/status; False if it exits or the deadline passes."""
    deadline = time.time() + deadline_s
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            _http(f"{url}/api/status", timeout=2)
            return True
        except (OSError, urllib.error.URLError, ValueError):
            time.sleep(0.5)
    return False


def bench_app(work: Path, questions: Sequence[str], log: Log) -> dict[str, Any]:
    """``python app.py`` on a free port: ask a few questions over HTTP, read its peak RSS."""
    app = ROOT / "app.py"
    if not app.exists():
        return {"skipped": "app.py not found"}
    port = free_port()
    env = {**child_env(SEED_CORPUS, work / "cli-index"), "RAG_HOST": "127.0.0.1"}
    env["RAG_PORT"] = str(port)
    url = f"http://127.0.0.1:{port}"
    log_path = work / "app.log"
    started = time.perf_counter()
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, str(app)], cwd=ROOT, env=env, stdout=log_file, stderr=log_file
        )
        try:
            if not wait_for_app(url, proc, 300):
                return {"error": "the app did not answer /api/status", "log": _tail(log_path)}
            ready_s = time.perf_counter() - started
            latencies = []
            for question in questions:
                t = time.perf_counter()
                _http(f"{url}/api/ask", {"question": question}, timeout=300)
                latencies.append(time.perf_counter() - t)
            tree = process_tree(proc.pid)
            main_hwm = vm_hwm(proc.pid)
            tree_hwm = sum(vm_hwm(pid) for pid in tree)
        except (OSError, urllib.error.URLError) as exc:
            return {"error": f"asking the app failed: {exc}", "log": _tail(log_path)}
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    log(f"rss: app peak {tree_hwm / 1e9:.2f} GB after {len(questions)} questions")
    return {
        "command": "python app.py (RAG_PORT free port, seed corpus, default local LLM)",
        "ready_s": ready_s,
        "questions": len(questions),
        "ask_latencies_s": latencies,
        "processes": len(tree),
        "peak_rss_bytes": tree_hwm,
        "peak_rss_gb": tree_hwm / 1e9,
        "main_process_peak_rss_gb": main_hwm / 1e9,
        "measured": "VmHWM of the app process plus its descendants, after the questions",
    }
