"""Load on a running app: N users asking at once for a while; run by hand, not by tests.

    python -m evals.bench.load --url http://127.0.0.1:7860 [--users 16] [--seconds 60]
        [--auth user:password] [--pid PID]

Each user asks the seed questions in turn through ``POST /api/ask`` and waits for
each answer. Prints one JSON object: requests sent and answered, status codes,
latency percentiles, and (with ``--pid``, the server's process id) its resident
memory at the start, the peak and the end.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

QUESTIONS = [
    "Where were the wounded taken?",
    "Who is Syria's foreign minister?",
    "What happened in Palmyra according to Syria TV?",
    "How many US citizens lost their lives in the Palmyra attacks?",
]


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def ask(url: str, question: str, headers: dict[str, str]) -> tuple[int, float]:
    body = json.dumps({"question": question}).encode()
    request = urllib.request.Request(
        f"{url}/api/ask", data=body, headers={"Content-Type": "application/json", **headers}
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0
    return status, time.perf_counter() - started


def run(url: str, users: int, seconds: float, auth: str | None, pid: int | None) -> dict[str, Any]:
    headers = {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}
    deadline = time.monotonic() + seconds
    results: list[tuple[int, float]] = []
    lock = threading.Lock()
    memory = [rss_mb(pid)] if pid else []

    def user(number: int) -> None:
        i = number
        while time.monotonic() < deadline:
            outcome = ask(url, QUESTIONS[i % len(QUESTIONS)], headers)
            with lock:
                results.append(outcome)
            i += 1

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        if pid:
            memory.append(rss_mb(pid))
        time.sleep(1)
    latencies = sorted(s for code, s in results if code == 200)

    def pct(p: float) -> float | None:
        return (
            round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 2)
            if latencies
            else None
        )

    seen = [m for m in memory if m is not None]
    return {
        "users": users,
        "seconds": seconds,
        "requests": len(results),
        "answered": sum(code == 200 for code, _ in results),
        "statuses": dict(Counter(code for code, _ in results)),
        "latency_p50_s": pct(0.5),
        "latency_p95_s": pct(0.95),
        "latency_mean_s": round(statistics.fmean(latencies), 2) if latencies else None,
        "rss_mb": {"start": seen[0], "peak": max(seen), "end": seen[-1]} if seen else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860")
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--auth", help="user:password when the app has RAG_AUTH")
    parser.add_argument("--pid", type=int, help="the app's process id, to sample its memory")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.url, args.users, args.seconds, args.auth, args.pid), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
