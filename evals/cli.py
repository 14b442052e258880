"""``rag eval``: score the chatbot on a gold set or on the RealTime QA news benchmark.

    rag eval [GOLD.jsonl] [--split dev|test] [--data DIR] [--out DIR] [--json]
    rag eval realtimeqa --data DIR [--weeks W,A-B] [--compare naive] [--limit N] [--out DIR]
    rag eval injection [--out DIR] [--json]
    rag eval conflicts [--split dev|test|holdout|devN|testN] [--llm extractive]
                                                        (evals/conflicts_eval.py)
    rag eval stories --corpus DIR                                      (evals/stories_eval.py)

Both write ``results.json``, ``report.md`` and PNG plots under ``--out``; with
``--json`` the summary object is the only thing printed on stdout (progress
and notes go to stderr). An LLM judge runs when ``--judge-base-url`` (or the
``judge_base_url`` setting, ``RAG_JUDGE_BASE_URL``) names an OpenAI-compatible server.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals.report import ReportSpec, scalar_items, write_report

if TYPE_CHECKING:
    from evals.gold import GoldItem
    from rag.config import Settings
    from rag.pipeline import RAG

SEED_GOLD = "seed_gold.jsonl"
# The held-out set over the seed articles: written before tuning, scored and reported only.
SEED_TEST = "gold/seed_test.jsonl"


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def seed_gold_path() -> Path:
    """The packaged seed set, found through the package path (works for editable installs)."""
    import evals

    for folder in evals.__path__:
        candidate = Path(folder) / SEED_GOLD
        if candidate.is_file():
            return candidate
    return Path(__file__).with_name(SEED_GOLD)


def register(
    sub: Any, common: argparse.ArgumentParser, answer_opts: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "eval",
        parents=[common, answer_opts],
        help="score answers and retrieval on a gold set or the RealTime QA benchmark",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "target",
        nargs="?",
        help="a gold JSONL file (default: the seed set), 'realtimeqa', 'dates' (the dated "
        "stories: windows, latest state, timelines), 'stories' (syndication clusters of "
        "--corpus), 'conflicts' (the conflicting-reports set), 'injection' (planted "
        "instructions in articles: how often they are followed), or 'feedback' (the web chat's "
        "thumbs up/down as gold questions)",
    )
    p.add_argument(
        "--split",
        choices=["dev", "test", "holdout", "dev2", "test2", "dev3", "test3", "dev4", "test4"],
        help="gold: only questions of this split; without a file, dev is the seed set and test "
        "its held-out set (conflicts also has holdout, and devN/testN of its rounds 2 to 4)",
    )
    p.add_argument("--out", type=Path, help="output folder (default: eval-out/<name>)")
    p.add_argument("--json", action="store_true", help="print only the summary JSON on stdout")
    p.add_argument(
        "--data",
        type=Path,
        help="the RealTime QA data folder: for `realtimeqa`, or to ask a gold set (such as "
        "evals/gold/news_test.jsonl) over the benchmark's pooled articles",
    )
    p.add_argument(
        "--limit",
        type=int,
        help="only this many questions, spread across question types (gold) or weeks (realtimeqa)",
    )
    p.add_argument(
        "--mc-rotations",
        type=int,
        default=4,
        help="realtimeqa: ask each multiple-choice question with the choices rotated this many "
        "times and average (cancels a bias for one letter; 1 = once)",
    )
    p.add_argument(
        "--no-closed-book", action="store_true", help="realtimeqa: skip the closed-book baseline"
    )
    p.add_argument(
        "--weeks",
        help="realtimeqa: only these weeks' questions (YYYYMMDD prefixes of the data files), "
        "comma-separated, ranges as A-B; the corpus stays pooled over every week",
    )
    p.add_argument(
        "--compare",
        choices=["naive"],
        help="realtimeqa: also run the naive reference recipe (evals/naive.py) on the same "
        "questions and report ours, it and the difference",
    )
    p.add_argument("--judge-model", help="LLM judge model name (RAG_JUDGE_MODEL)")
    p.add_argument(
        "--judge-base-url",
        help="OpenAI-compatible URL of the LLM judge (RAG_JUDGE_BASE_URL); unset: no judge",
    )
    p.set_defaults(func=cmd_eval)


def cmd_eval(args: argparse.Namespace) -> int:
    if args.target == "realtimeqa":
        from evals.rtqa_command import run_command

        return run_command(args)
    if args.target == "injection":
        from evals.injection import cmd_injection

        return cmd_injection(args)
    if args.target == "feedback":
        return _feedback(args)
    if args.target == "dates":
        from evals.temporal import run_cli
        from rag.cli import settings_from_args

        return run_cli(args, settings_from_args(args))
    if args.target in ("stories", "conflicts"):
        from evals import conflicts_eval

        return conflicts_eval.command(args)
    return _gold(args)


def _feedback(args: argparse.Namespace) -> int:
    """The web chat's feedback (RAG_FEEDBACK_PATH) as gold questions in eval-out/feedback/."""
    from evals.feedback import convert
    from rag.cli import settings_from_args

    source = settings_from_args(args).feedback_file
    out = (args.out or Path("eval-out/feedback")) / "feedback_gold.jsonl"
    counts = convert(source, out)
    _err(f"{source}: " + (", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "empty"))
    print(out)
    return 0


def build_judge(args: argparse.Namespace, settings: Settings) -> tuple[Any, str] | None:
    """The LLM judge from the settings (``judge_*``), the ``--judge-*`` flags overriding them.

    None when no URL is set: the judged metrics are then skipped, not guessed.
    """
    base_url = args.judge_base_url or settings.judge_base_url
    if not base_url:
        return None
    from llama_index.llms.openai_like import OpenAILike

    from evals.gold import Judge

    model = args.judge_model or settings.judge_model or "default"
    key = settings.judge_api_key.get_secret_value() if settings.judge_api_key else ""
    llm = OpenAILike(
        model=model,
        api_base=base_url,
        api_key=key or "none",
        is_chat_model=True,
        temperature=0.0,
        max_tokens=512,
        timeout=180,
        max_retries=1,
    )
    return Judge(llm), f"{model} at {base_url}"


def _progress() -> bool:
    return sys.stderr.isatty()


def _run_meta(settings: Any) -> dict[str, Any]:
    from rag.components import embedder_label, llm_label

    return {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "llm": llm_label(settings),
        "embedder": embedder_label(settings),
        "top_k": settings.top_k,
        "context_tokens": settings.context_tokens,
        "corpus": str(settings.corpus_dir),
        "index": str(settings.index_dir),
    }


def _finish(
    args: argparse.Namespace,
    out: Path,
    spec: ReportSpec,
    records: list[dict[str, Any]],
    summary: dict[str, Any],
    meta: dict[str, Any],
    appendix: str = "",
) -> int:
    paths = write_report(out, spec, records, summary, meta)
    if appendix:
        with paths["markdown"].open("a", encoding="utf-8") as report:
            report.write("\n" + appendix)
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
        _err(f"report: {paths['markdown']}")
        return 0
    width = max(len(k) for k, _ in scalar_items(summary))
    for key, value in scalar_items(summary):
        shown = f"{value:.3f}" if isinstance(value, float) else ("-" if value is None else value)
        print(f"{key.replace('_', ' '):<{width}}  {shown}")
    print()
    for name, path in paths.items():
        print(f"{name:<13} {path}")
    return 0


# --- gold sets ---------------------------------------------------------------------------------


def _gold_items(args: argparse.Namespace) -> tuple[Path, list[GoldItem]]:
    """The gold set's path and its items, cut to ``--limit`` evenly across question types."""
    from evals import gold
    from evals.sampling import round_robin
    from rag.errors import ConfigError

    if args.target:
        path = Path(args.target)
    else:
        path = seed_gold_path()
        if args.split == "test":
            path = path.parent / SEED_TEST
    try:
        items = gold.load_gold(path)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot read the gold set: {exc}") from exc
    if args.split:
        items = [item for item in items if item.split == args.split]
        if not items:
            raise ConfigError(f"{path} holds no {args.split} questions.")
    if args.limit is not None and args.limit < 1:
        raise ConfigError("--limit must be at least 1.")
    return path, round_robin(items, lambda item: item.type, args.limit)


def _gold_index(rag: RAG, settings: Settings, items: list[GoldItem]) -> None:
    """Bring the index up to date; fail on an empty one, warn when gold sources are missing."""
    from evals import gold
    from rag.cli import print_report
    from rag.errors import IndexEmptyError

    report = rag.ingest(show_progress=_progress())
    print_report(report, out=sys.stderr)
    if report.chunks_total == 0:
        raise IndexEmptyError(f"No articles could be indexed from {settings.corpus_dir}.")
    missing = gold.missing_sources(items, settings.corpus_dir)
    if missing:
        _err(
            f"warning: the corpus {settings.corpus_dir} lacks {len(missing)} source file(s) of "
            f"the gold set ({', '.join(missing[:3])}...): retrieval scores will be low."
        )


def _pooled_index(args: argparse.Namespace, settings: Settings) -> tuple[Settings, RAG]:
    """The RealTime QA articles pooled into their own cached index, for gold sets about them."""
    from evals.realtimeqa import benchmark_settings, prepare_index
    from evals.rtqa_command import rtqa_data
    from rag.pipeline import RAG

    data = rtqa_data(args)
    settings = benchmark_settings(settings, args.data)
    rag = RAG(settings)
    info = prepare_index(rag, data.articles, show_progress=_progress())
    _err(f"pooled corpus: {len(data.articles)} articles, {info['chunks']} chunks")
    return settings, rag


def _gold_spec(path: Path) -> ReportSpec:
    """How the gold-set report groups metrics and which per-question columns it shows."""
    from evals import gold

    return ReportSpec(
        title=f"Evaluation on {path.name}",
        group_title="Metrics by question type",
        group_label="Type",
        group_key="by_type",
        group_metrics=gold.TYPE_METRICS,
        question_columns=[
            ("id", lambda r: r["id"]),
            ("type", lambda r: r["type"]),
            ("rank", lambda r: r["retrieval_rank"]),
            ("key facts", lambda r: r["key_facts"]),
            ("F1", lambda r: r["f1"]),
            ("cit. P", lambda r: r["citation_precision"]),
            ("cit. R", lambda r: r["citation_recall"]),
            ("refused", lambda r: r["refused"]),
            ("s", lambda r: r["timings"].get("total")),
            ("answer", lambda r: r["answer"][:160]),
        ],
    )


def _gold(args: argparse.Namespace) -> int:
    from evals import gold
    from rag.cli import settings_from_args
    from rag.pipeline import RAG

    path, items = _gold_items(args)
    settings = settings_from_args(args)
    if args.data is not None:
        settings, rag = _pooled_index(args, settings)
    else:
        rag = RAG(settings)
        _gold_index(rag, settings, items)
    judge = build_judge(args, settings)
    if judge is None:
        _err("no LLM judge configured (--judge-base-url): faithfulness/correctness skipped")
    rag.warm_up()
    started = time.perf_counter()
    records = gold.run_gold(rag, items, judge[0] if judge else None, progress=_progress())
    summary = gold.summarize(records)
    meta = {
        "kind": "gold set",
        "gold_set": str(path),
        "split": args.split,
        "corpus": str(args.data) if args.data is not None else str(settings.corpus_dir),
        "limit": args.limit,
        **_run_meta(settings),
        "judge": judge[1] if judge else None,
        "seconds": round(time.perf_counter() - started, 1),
    }
    stem = "seed" if path == seed_gold_path() else path.stem
    out = args.out or Path("eval-out") / stem
    return _finish(args, out, _gold_spec(path), records, summary, meta)
