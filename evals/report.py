"""Writing an eval run to a folder: results.json, report.md and PNG plots.

``results.json`` holds everything (run details, summary, every per-question
record) so any number in the report can be recomputed; ``report.md`` is for
people; the plots show the metrics per question group and the latency of each
pipeline stage.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Column = tuple[str, Callable[[Mapping[str, Any]], Any]]

METRIC_HELP = {
    "questions": "questions asked",
    "answerable": "questions with an answer in the articles",
    "unanswerable": "questions the articles do not answer",
    "hit_at_1": "gold evidence in the top retrieved passage",
    "hit_at_5": "gold evidence in the top 5 passages",
    "hit_at_10": "gold evidence in the top 10 passages",
    "mrr": "mean reciprocal rank of the first passage with the evidence",
    "exact_match": "answer equals the expected answer (normalised)",
    "f1": "token F1 of the answer against the expected answer",
    "key_facts": "every key fact appears in the answer",
    "correct_cited": "every key fact appears and the gold evidence is cited",
    "correct_supported": "every key fact appears and a cited passage states them too",
    "citation_precision": "cited passages that support their sentence",
    "citation_recall": "gold evidence pieces among the cited passages",
    "refusal_precision": "refusals that were right (question unanswerable)",
    "refusal_recall": "unanswerable questions refused",
    "refusal_rate": "questions refused",
    "false_refusals": "answerable questions refused",
    "faithfulness": "LLM judge: answer supported by the passages",
    "correctness": "LLM judge: correctness score (1-5)",
    "seconds_per_question": "wall time per question",
    "recall_at_1": "answerable questions with the gold text in the top passage",
    "recall_at_5": "answerable questions with the gold text in the top 5 passages",
    "recall_at_10": "answerable questions with the gold text in the top 10 passages",
    "recall_at_5_all": "all questions with the gold text in the top 5 passages",
    "mc_accuracy": "multiple choice with passages: right choice picked",
    "open_em": "open-ended answer equals the right choice's text",
    "open_f1": "token F1 of the open-ended answer against the right choice",
    "closed_book_mc_accuracy": "multiple choice without passages (baseline)",
    "closed_book_open_em": "open-ended without passages: exact match",
    "closed_book_open_f1": "open-ended without passages: token F1",
    "answerable_share": "share of questions whose answer is in the allowed articles",
    "date_leaks": "retrieved passages dated after their question (must be 0)",
}


@dataclass
class ReportSpec:
    """What a kind of eval shows: its group breakdown and per-question columns."""

    title: str
    group_title: str
    group_label: str  # the header of the group column: "Type", "Retrieval"
    group_key: str  # key in the summary holding {group: {n, metric: value}}
    group_metrics: Sequence[str]
    question_columns: Sequence[Column] = field(default_factory=list)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}" if not math.isnan(value) else "–"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def scalar_items(summary: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Summary entries that are single numbers (not breakdowns)."""
    return [(k, v) for k, v in summary.items() if v is None or isinstance(v, int | float | str)]


def markdown(
    spec: ReportSpec,
    summary: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    meta: Mapping[str, Any],
    plots: Mapping[str, str],
) -> str:
    parts = [f"# {spec.title}", ""]
    parts.append(_table(["Run", ""], [(k, v) for k, v in meta.items()]))
    parts += ["", "## Summary", ""]
    parts.append(
        _table(
            ["Metric", "Value", "Meaning"],
            [(k, v, METRIC_HELP.get(k, "")) for k, v in scalar_items(summary)],
        )
    )
    groups = summary.get(spec.group_key) or {}
    if groups:
        parts += ["", f"## {spec.group_title}", ""]
        headers = [spec.group_label, "n", *spec.group_metrics]
        rows = [
            [name, data.get("n"), *(data.get(m) for m in spec.group_metrics)]
            for name, data in groups.items()
        ]
        parts.append(_table(headers, rows))
        if "groups" in plots:
            parts += ["", f"![{spec.group_title}]({plots['groups']})"]
    latency = summary.get("latency") or {}
    if latency:
        parts += ["", "## Latency (seconds)", ""]
        rows = [
            [stage, d["n"], d["mean"], d["p50"], d["p90"], d["max"]] for stage, d in latency.items()
        ]
        parts.append(_table(["Stage", "n", "mean", "p50", "p90", "max"], rows))
        if "latency" in plots:
            parts += ["", f"![Latency per stage]({plots['latency']})"]
    if spec.question_columns and records:
        parts += ["", "## Questions", ""]
        headers = [name for name, _ in spec.question_columns]
        rows = [[get(r) for _, get in spec.question_columns] for r in records]
        parts.append(_table(headers, rows))
    return "\n".join(parts) + "\n"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_groups(
    path: Path, groups: Mapping[str, Mapping[str, Any]], metric_names: Sequence[str], title: str
) -> bool:
    """Grouped bars: one group of bars per question group, one bar per metric."""
    if not groups:
        return False
    plt = _pyplot()
    names = list(groups)
    width = 0.8 / max(1, len(metric_names))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.2 * len(names) + 2), 4.8))
    for j, metric in enumerate(metric_names):
        values = [groups[g].get(metric) for g in names]
        xs = [i + (j - (len(metric_names) - 1) / 2) * width for i in range(len(names))]
        ax.bar(xs, [v if v is not None else 0.0 for v in values], width, label=metric)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels([f"{g}\n(n={groups[g].get('n', '?')})" for g in names], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.set_title(title)
    ax.legend(
        fontsize=7,
        ncol=min(8, len(metric_names)),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        frameon=False,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def plot_latency(path: Path, timings: Sequence[Mapping[str, float]]) -> bool:
    """Box plot of seconds per stage, one box per stage that was timed."""
    stages: dict[str, list[float]] = {}
    for record in timings:
        for stage, seconds in record.items():
            if seconds is not None:
                stages.setdefault(stage, []).append(float(seconds))
    if not stages:
        return False
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(stages) + 2), 4.2))
    ax.boxplot(list(stages.values()), showfliers=True)
    ax.set_xticks(range(1, len(stages) + 1))
    ax.set_xticklabels(list(stages), fontsize=8)
    ax.set_ylabel("seconds")
    ax.set_title("Latency per stage")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write_report(
    out_dir: Path,
    spec: ReportSpec,
    records: Sequence[Mapping[str, Any]],
    summary: Mapping[str, Any],
    meta: Mapping[str, Any],
) -> dict[str, Path]:
    """Write results.json, report.md and the plots into ``out_dir``; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "results.json", "markdown": out_dir / "report.md"}
    payload = {"meta": dict(meta), "summary": dict(summary), "records": list(records)}
    paths["json"].write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    plots: dict[str, str] = {}
    groups = summary.get(spec.group_key) or {}
    group_png = out_dir / "metrics_by_group.png"
    if plot_groups(group_png, groups, spec.group_metrics, spec.group_title):
        plots["groups"] = group_png.name
        paths["groups_plot"] = group_png
    latency_png = out_dir / "latency.png"
    if plot_latency(latency_png, [r.get("timings") or {} for r in records]):
        plots["latency"] = latency_png.name
        paths["latency_plot"] = latency_png
    paths["markdown"].write_text(markdown(spec, summary, records, meta, plots))
    return paths


def load_results(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())
