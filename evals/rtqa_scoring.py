"""The news benchmark's numbers from its per-question records.

Separate from the runner so a saved ``results.json`` can be re-summarised, and
so the summary's keys (which reports and tests rely on) live in one place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from evals import metrics, prompts
from evals.report import ReportSpec

SUMMARY_KEYS = (
    "questions",
    "answerable",
    "recall_at_1",
    "recall_at_5",
    "recall_at_10",
    "mc_accuracy",
    "open_em",
    "open_f1",
    "closed_book_mc_accuracy",
    "seconds_per_question",
)

GROUPS = (
    "gold in top 5",
    "gold in top 6-10",
    "gold not retrieved",
    "gold not in allowed articles",
)
GROUP_METRICS = ("mc_correct", "closed_mc_correct", "open_em", "open_f1", "refused")


def group_of(record: dict[str, Any]) -> str:
    """Where retrieval left the question: the breakdown the report shows."""
    if not record["answerable"]:
        return GROUPS[3]
    rank = record["retrieval_rank"]
    if rank is not None and rank <= 5:
        return GROUPS[0]
    return GROUPS[1] if rank is not None else GROUPS[2]


def _ordered(groups: dict[str, Any]) -> dict[str, Any]:
    """Retrieval outcomes from best to worst, whatever order the questions came in."""
    return {name: groups[name] for name in GROUPS if name in groups}


def summarize(records: Sequence[dict[str, Any]], seconds: float | None = None) -> dict[str, Any]:
    """The benchmark's numbers; recall is over the answerable questions only."""
    answerable = [r for r in records if r["answerable"]]
    n = len(records)
    closed = [r for r in records if r.get("closed_mc_correct") is not None]
    letters = Counter(
        prompts.LETTERS[r["mc_choice"]] for r in records if r.get("mc_choice") is not None
    )
    summary: dict[str, Any] = {
        "questions": n,
        "answerable": len(answerable),
        "recall_at_1": metrics.mean(r["hit_at_1"] for r in answerable),
        "recall_at_5": metrics.mean(r["hit_at_5"] for r in answerable),
        "recall_at_10": metrics.mean(r["hit_at_10"] for r in answerable),
        "mc_accuracy": metrics.mean(r.get("mc_correct") for r in records),
        "open_em": metrics.mean(r["open_em"] for r in records),
        "open_f1": metrics.mean(r["open_f1"] for r in records),
        "closed_book_mc_accuracy": metrics.mean(r["closed_mc_correct"] for r in closed)
        if closed
        else None,
        "seconds_per_question": (seconds / n if seconds is not None and n else None),
        "refusal_rate": metrics.mean(r["refused"] for r in records),
        "closed_book_open_em": metrics.mean(r["closed_em"] for r in closed) if closed else None,
        "closed_book_open_f1": metrics.mean(r["closed_f1"] for r in closed) if closed else None,
        "answerable_share": len(answerable) / n if n else None,
        "recall_at_5_all": metrics.mean(bool(r["hit_at_5"]) for r in records),
        "date_leaks": sum(r["date_leaks"] for r in records),
        "mc_choice_counts": dict(sorted(letters.items())),
        "latency": metrics.latency_summary([r["timings"] for r in records]),
        "by_group": _ordered(metrics.mean_by(records, "group", GROUP_METRICS)),
    }
    if seconds is None:
        summary["seconds_per_question"] = metrics.mean(r["timings"]["total"] for r in records)
    return summary


# --- ours against a reference run on the same questions -----------------------------------------

COMPARE_ROWS = (
    "questions",
    "answerable",
    "recall_at_1",
    "recall_at_5",
    "recall_at_10",
    "recall_at_5_all",
    "mc_accuracy",
    "open_em",
    "open_f1",
    "refusal_rate",
    "date_leaks",
    "seconds_per_question",
)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def compare(ours: dict[str, Any], other: dict[str, Any], name: str = "naive") -> dict[str, Any]:
    """``{name: other's summary, "delta": ours - other}`` over the numbers both have."""
    delta = {
        key: round(ours[key] - value, 6) if _number(ours.get(key)) and _number(value) else None
        for key, value in other.items()
        if value is None or _number(value)
    }
    return {name: other, "delta": delta}


def compare_markdown(ours: dict[str, Any], comparison: dict[str, Any], name: str = "naive") -> str:
    """The report's section: one row per metric, ours, the reference and the difference."""

    def cell(value: Any) -> str:
        if value is None:
            return "–"
        return f"{value:+.3f}" if isinstance(value, float) else f"{value:+d}"

    def plain(value: Any) -> str:
        if value is None:
            return "–"
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    other, delta = comparison[name], comparison["delta"]
    lines = [
        f"## Ours vs {name}",
        "",
        f"Same questions, date cut-offs and scoring, in the same run. `{name}` is the "
        "reference recipe of `evals/naive.py`; closed book is not rerun for it (no retrieval), "
        "so its `seconds_per_question` covers retrieval, the open answer and multiple choice.",
        "",
        f"| Metric | ours | {name} | ours − {name} |",
        "|---|---|---|---|",
    ]
    for key in COMPARE_ROWS:
        if key in other:
            lines.append(
                f"| {key} | {plain(ours.get(key))} | {plain(other.get(key))} | "
                f"{cell(delta.get(key))} |"
            )
    return "\n".join(lines) + "\n"


def report_spec(compare: str | None = None) -> ReportSpec:
    """How the report groups metrics and which per-question columns it shows.

    With ``compare``, each question also shows the reference run's rank, MC and EM
    (``record[compare]``, see ``evals.naive.attach``).
    """

    def other(key: str) -> Any:
        return lambda r: (r.get(compare) or {}).get(key)

    extra = [
        (f"{compare} {name}", other(key))
        for name, key in (("rank", "retrieval_rank"), ("MC", "mc_correct"), ("EM", "open_em"))
        if compare
    ]
    return ReportSpec(
        title="RealTime QA over a pooled, date-filtered news corpus",
        group_title="Metrics by retrieval outcome",
        group_label="Retrieval",
        group_key="by_group",
        group_metrics=GROUP_METRICS,
        question_columns=[
            ("id", lambda r: r["id"]),
            ("date", lambda r: r["date"]),
            ("rank", lambda r: r["retrieval_rank"]),
            ("MC", lambda r: r["mc_correct"]),
            ("closed MC", lambda r: r["closed_mc_correct"]),
            ("EM", lambda r: r["open_em"]),
            ("F1", lambda r: r["open_f1"]),
            *extra,
            ("gold", lambda r: r["gold_text"]),
            ("answer", lambda r: r["open_answer"][:100]),
            ("question", lambda r: r["question"][:120]),
        ],
    )
