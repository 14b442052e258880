"""Writing an eval run: results.json round-trips, report.md has its tables, plots are PNGs."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

from evals import metrics
from evals.report import METRIC_HELP, ReportSpec, markdown, scalar_items, write_report

RECORDS = [
    {
        "id": "a01",
        "type": "who",
        "f1": 1.0,
        "hit_at_5": 1.0,
        "answer": "Nour al-Din | al-Baba [1]",
        "timings": {"retrieve": 0.1, "generate": 2.0, "total": 2.2},
    },
    {
        "id": "a02",
        "type": "when",
        "f1": 0.5,
        "hit_at_5": 0.0,
        "answer": "October 15th",
        "timings": {"retrieve": 0.3, "generate": 3.0, "total": 3.4},
    },
    {
        "id": "u01",
        "type": "unanswerable",
        "f1": None,
        "hit_at_5": None,
        "answer": "I could not find the answer in the articles.",
        "timings": {"retrieve": 0.2, "total": 0.3},
    },
]
SPEC = ReportSpec(
    title="Evaluation on tiny.jsonl",
    group_title="Metrics by question type",
    group_label="Type",
    group_key="by_type",
    group_metrics=("hit_at_5", "f1"),
    question_columns=[("id", lambda r: r["id"]), ("answer", lambda r: r["answer"])],
)


def summary() -> dict:
    return {
        "questions": 3,
        "hit_at_5": 0.5,
        "f1": 0.75,
        "faithfulness": None,
        "latency": metrics.latency_summary([r["timings"] for r in RECORDS]),
        "by_type": metrics.mean_by(RECORDS, "type", ["hit_at_5", "f1"]),
    }


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_write_report_files(tmp_path: Path) -> None:
    out = tmp_path / "run" / "nested"
    meta = {"kind": "gold set", "llm": "extractive (no LLM)"}
    paths = write_report(out, SPEC, RECORDS, summary(), meta)
    assert set(paths) == {"json", "markdown", "groups_plot", "latency_plot"}
    for path in paths.values():
        assert path.is_file() and path.parent == out

    data = json.loads(paths["json"].read_text())
    assert data["records"] == RECORDS
    assert data["summary"] == json.loads(json.dumps(summary()))
    assert data["meta"] == meta

    for key in ("groups_plot", "latency_plot"):
        width, height = png_size(paths[key])
        assert width > 200 and height > 200


def test_markdown_tables(tmp_path: Path) -> None:
    paths = write_report(tmp_path, SPEC, RECORDS, summary(), {"llm": "x"})
    text = paths["markdown"].read_text()
    assert text.startswith("# Evaluation on tiny.jsonl\n")
    assert "| Metric | Value | Meaning |" in text
    assert f"| hit_at_5 | 0.500 | {METRIC_HELP['hit_at_5']} |" in text
    assert "| faithfulness | – |" in text  # None shows as a dash
    assert "| Type | n | hit_at_5 | f1 |" in text
    assert "| who | 1 | 1.000 | 1.000 |" in text
    assert "| unanswerable | 1 | – | – |" in text
    assert "| Stage | n | mean | p50 | p90 | max |" in text
    assert "| retrieve | 3 | 0.200 | 0.200 |" in text
    assert "![Metrics by question type](metrics_by_group.png)" in text
    assert "![Latency per stage](latency.png)" in text
    # per-question rows; a pipe inside a cell is escaped so the table holds
    assert "| a01 | Nour al-Din \\| al-Baba [1] |" in text
    for line in text.splitlines():
        if line.startswith("| a0"):
            assert len(re.findall(r"(?<!\\)\|", line)) == 3  # two columns


def test_no_plots_without_groups_or_timings(tmp_path: Path) -> None:
    records = [{"id": "x", "answer": "y"}]
    paths = write_report(tmp_path, SPEC, records, {"questions": 1}, {})
    assert set(paths) == {"json", "markdown"}
    assert "![" not in paths["markdown"].read_text()


def test_scalar_items_skip_breakdowns() -> None:
    items = dict(scalar_items(summary()))
    assert set(items) == {"questions", "hit_at_5", "f1", "faithfulness"}
    text = markdown(SPEC, {"questions": 2, "rate": 0.12345}, [], {}, {})
    assert "| rate | 0.123 |  |" in text
