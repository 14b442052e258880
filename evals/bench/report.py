"""Turning the figures into bench.json, bench.md and README.md's performance table.

Each row puts a measured value next to its in-process baseline and the target
it answers to; a step that failed or was skipped shows as "not measured" with
the reason, never as a guessed number.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evals.bench.common import BenchConfig

README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"

TARGETS = {
    "ingest_ratio": 0.9,
    "retrieval_p95_ms": 50.0,
    "ttft_s": 3.0,
    "answer_total_s": 10.0,
    "app_peak_rss_gb": 2.5,
}


def _get(data: dict[str, Any], *path: str) -> Any:
    """``data[path[0]][path[1]]...``; None where missing or where a step failed."""
    for key in path:
        if not isinstance(data, dict) or data.get(key) is None or "error" in data:
            return None
        data = data[key]
    return None if isinstance(data, dict) and "error" in data else data


def target_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured value and whether it is met."""
    ingest_ratio = _get(results, "ingest", "subset", "ratio")
    p95 = _get(results, "retrieval", "benchmark", "p95_ms")
    ttft = _get(results, "answer", "warm", "ttft_p50_s")
    total = _get(results, "answer", "warm", "total_p50_s")
    rss = _get(results, "rss", "app", "peak_rss_gb")
    rows = [
        ("ingest throughput / raw encode", ingest_ratio, ">=", TARGETS["ingest_ratio"]),
        ("retrieval p95 at benchmark size (ms)", p95, "<=", TARGETS["retrieval_p95_ms"]),
        ("time to first token, warm median (s)", ttft, "<=", TARGETS["ttft_s"]),
        ("full answer, warm median (s)", total, "<=", TARGETS["answer_total_s"]),
        ("app peak RSS with LLM (GB)", rss, "<=", TARGETS["app_peak_rss_gb"]),
    ]
    out = []
    for metric, value, op, target in rows:
        met = None if value is None else (value >= target if op == ">=" else value <= target)
        out.append({"metric": metric, "value": value, "target": f"{op} {target:g}", "met": met})
    return out


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


# Appends one table row: add(metric, value, baseline="", ratio="", goal=target_metric_name).
AddRow = Callable[..., None]


def _ingest_rows(r: dict[str, Any], add: AddRow) -> None:
    """Subset ingest against raw encode, and the optional full-corpus pass."""
    sub = _get(r, "ingest", "subset")
    if sub:
        add(
            f"ingest, chunks/s ({sub['chunks']} chunks, median of {sub['passes']})",
            _fmt(sub["pipeline_chunks_per_s"]),
            f"raw encode {_fmt(sub['raw_encode_chunks_per_s'])}",
            f"{_fmt(sub['ratio'], 2)} (per CPU second {_fmt(sub.get('cpu_ratio'), 2)})",
            "ingest throughput / raw encode",
        )
    full = _get(r, "ingest", "full")
    if full:
        add(
            f"ingest, full corpus ({full['chunks']} chunks, 1 pass)",
            _fmt(full["pipeline_chunks_per_s"]),
            "subset raw encode",
            _fmt(full["ratio_vs_subset_raw"], 2),
        )


def _retrieval_rows(r: dict[str, Any], add: AddRow) -> None:
    """Retrieval latency at benchmark size (the one with a target) and on synthetic data."""
    for key in ("benchmark", "synthetic"):
        ret = _get(r, "retrieval", key)
        if ret:
            add(
                f"retrieval p50 / p95, ms ({ret['chunks']:,} chunks)",
                f"{_fmt(ret['p50_ms'])} / {_fmt(ret['p95_ms'])}",
                f"embed + brute force {_fmt(ret['baseline']['p50_ms'])}",
                _fmt(ret["ratio_p50"], 2),
                "retrieval p95 at benchmark size (ms)" if key == "benchmark" else "",
            )


def _answer_rows(r: dict[str, Any], add: AddRow) -> None:
    """Warm answer latency against llama.cpp alone, prompt sizes, and the cold first question."""
    warm = _get(r, "answer", "warm")
    if warm and warm.get("reached_llm"):
        base = warm["baseline"]
        add(
            f"time to first token, s (median / p95 of {warm['reached_llm']})",
            f"{_fmt(warm['ttft_p50_s'], 2)} / {_fmt(warm['ttft_p95_s'], 2)}",
            f"llama.cpp prefill {_fmt(base['prefill_p50_s'], 2)}",
            _fmt(warm["ttft_ratio"], 2),
            "time to first token, warm median (s)",
        )
        add(
            "full answer, s (median / p95)",
            f"{_fmt(warm['total_p50_s'], 2)} / {_fmt(warm['total_p95_s'], 2)}",
            f"llama.cpp prefill+decode {_fmt(base['prefill_decode_p50_s'], 2)}",
            _fmt(warm["total_ratio"], 2),
            "full answer, warm median (s)",
        )
        tokens = (_fmt(warm["prompt_tokens_p50"], 0), _fmt(warm["uncached_prompt_tokens_p50"], 0))
        add("prompt tokens, median (total / uncached)", " / ".join(tokens))
    cold = _get(r, "answer", "cold")
    if cold and cold.get("ttft_s") is not None:
        cold_s = f"{_fmt(cold['ttft_s'], 2)} / {_fmt(cold['total_s'], 2)}"
        add("cold first question: first token / total, s", cold_s)


def _rss_rows(r: dict[str, Any], add: AddRow) -> None:
    """Peak memory of ``rag ask`` and of the running app (the one with a target)."""
    ask = _get(r, "rss", "rag_ask")
    if ask and ask.get("peak_rss_gb") is not None:
        add("peak RSS, `rag ask`, GB", _fmt(ask["peak_rss_gb"], 2))
    app = _get(r, "rss", "app")
    if app and app.get("peak_rss_gb") is not None:
        add(
            "peak RSS, running app, GB",
            _fmt(app["peak_rss_gb"], 2),
            goal="app peak RSS with LLM (GB)",
        )


def _gap_rows(r: dict[str, Any], add: AddRow) -> None:
    """A "not measured" row per failed or skipped step, with the reason, never a guess."""
    rss = r.get("rss") if isinstance(r.get("rss"), dict) else {}
    gaps = {key: r.get(key) for key in ("ingest", "retrieval", "answer", "rss")}
    gaps.update({"rag ask": rss.get("rag_ask"), "app": rss.get("app")})
    for name, part in gaps.items():
        if isinstance(part, dict) and ("error" in part or "skipped" in part):
            why = str(part.get("error") or part.get("skipped")).replace("|", "/")
            add(f"{name}: not measured", why[:160])


def table_rows(r: dict[str, Any]) -> list[list[str]]:
    """[metric, value, baseline, ratio, target (met?)] rows of the Markdown table."""
    t = {row["metric"]: row for row in r["targets"]}
    rows: list[list[str]] = []

    def add(metric: str, value: str, base: str = "", rat: str = "", goal: str = "") -> None:
        if goal:
            mark = {True: "met", False: "missed", None: "not measured"}[t[goal]["met"]]
            goal = f"{t[goal]['target']} ({mark})"
        rows.append([metric, value, base, rat, goal])

    for section in (_ingest_rows, _retrieval_rows, _answer_rows, _rss_rows, _gap_rows):
        section(r, add)
    return rows


def markdown_table(results: dict[str, Any]) -> str:
    """The machine line and the table, as bench.md and README.md show them."""
    m = results["machine"]
    head = (
        f"Measured {m['date'][:10]} on {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, "
        f"Python {m['python']}, torch {m['torch']}"
        f"{' (quick smoke run: small sizes)' if results['config']['quick'] else ''}; "
        f"load average at start {m['load_average_start'][0]:.1f}. "
        f"`make bench` regenerates this table and `bench-out/bench.json`."
    )
    lines = [
        head,
        "",
        "| metric | value | baseline (same process) | ratio | target |",
        "|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(results)]
    return "\n".join(lines) + "\n"


def update_readme(readme: Path, table: str) -> bool:
    """Replace the text between the bench markers; False when the file or markers are missing."""
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError:
        return False
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        return False
    new = text[: start + len(README_START)] + "\n" + table + text[end:]
    readme.write_text(new, encoding="utf-8")
    return True


def write_outputs(cfg: BenchConfig, results: dict[str, Any]) -> None:
    """bench.json and bench.md from what has been measured so far."""
    results["targets"] = target_rows(results)
    cfg.out.mkdir(parents=True, exist_ok=True)
    (cfg.out / "bench.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (cfg.out / "bench.md").write_text(markdown_table(results))
