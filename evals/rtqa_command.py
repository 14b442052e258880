"""``rag eval realtimeqa``: flags checked, the pooled index prepared, the run reported."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals.cli import _err, _finish, _progress, _run_meta

if TYPE_CHECKING:
    from evals.rtqa_data import Dataset, Question
    from rag.config import Settings


def rtqa_data(args: argparse.Namespace) -> Dataset:
    """Check the flags and read the benchmark; bad input is a ConfigError, not a traceback."""
    from evals.rtqa_data import load_dataset
    from rag.errors import ConfigError

    if args.data is None:
        raise ConfigError("`rag eval realtimeqa` needs --data DIR (the benchmark's data folder).")
    if args.limit is not None and args.limit < 1:
        raise ConfigError("--limit must be at least 1.")
    try:
        data = load_dataset(args.data)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"Cannot read the benchmark in {args.data}: {exc}") from exc
    if args.corpus_dir is not None:
        _err("--corpus is ignored: the benchmark pools its own articles into its own corpus.")
    return data


def _rtqa_meta(
    args: argparse.Namespace,
    data: Dataset,
    questions: list[Question],
    settings: Settings,
    index: dict[str, Any],
    seconds: float,
) -> dict[str, Any]:
    """The run's facts for results.json and the report header."""
    return {
        "kind": "RealTime QA",
        "data": str(args.data),
        "weeks": len({q.week for q in data.questions}),
        "weeks_asked": sorted({q.week for q in questions}),
        "week_filter": args.weeks,
        "compare": args.compare,
        "questions_in_data": len(data.questions),
        "limit": args.limit,
        "articles": len(data.articles),
        "search_results": data.search_results,
        "duplicates": data.duplicates,
        "without_text": data.without_text,
        **_run_meta(settings),
        "chunks": index["chunks"],
        "index_reused": index["reused"],
        "index_seconds": index["seconds"],
        "mc_rotations": args.mc_rotations,
        "seconds": round(seconds, 1),
    }


def run_command(args: argparse.Namespace) -> int:
    """``rag eval realtimeqa``: the benchmark run, optionally beside the naive recipe."""
    from evals import realtimeqa as rtqa
    from evals.rtqa_data import pick_questions
    from evals.rtqa_scoring import report_spec, summarize
    from rag.cli import settings_from_args
    from rag.errors import ConfigError
    from rag.pipeline import RAG

    data = rtqa_data(args)
    try:
        questions = pick_questions(data.questions, args.weeks, args.limit)
    except ValueError as exc:
        raise ConfigError(f"--weeks: {exc}") from exc
    settings = rtqa.benchmark_settings(settings_from_args(args), args.data, args.index_dir)
    if args.compare == "naive":
        from evals.naive import with_room

        settings = with_room(settings)  # one LLM, shared: room for five whole chunks
    _err(
        f"{len(data.questions)} questions, {len(data.articles)} distinct articles "
        f"({data.duplicates} duplicates, {data.without_text} without text); "
        f"corpus and index under {settings.corpus_dir.parent}"
    )
    rag = RAG(settings)
    index = rtqa.prepare_index(rag, data.articles, show_progress=_progress())
    _err(
        ("reused the index" if index["reused"] else "indexed")
        + f": {index['chunks']} chunks ({index['seconds']} s)"
    )
    answerable = rtqa.answerable_ids(questions, data.articles)
    rag.warm_up()
    started = time.perf_counter()
    records = rtqa.run_realtimeqa(
        rag,
        questions,
        answerable,
        rotations=args.mc_rotations,
        closed_book=not args.no_closed_book,
        progress=_progress(),
    )
    seconds = time.perf_counter() - started
    summary = summarize(records, seconds)
    meta = _rtqa_meta(args, data, questions, settings, index, seconds)
    appendix = ""
    if args.compare == "naive":
        from evals import naive

        run = naive.run_comparison(rag, data.articles, questions, answerable, args.mc_rotations)
        appendix = naive.merge(run, records, summary, meta)
    out = args.out or Path("eval-out") / "realtimeqa"
    return _finish(args, out, report_spec(args.compare), records, summary, meta, appendix)
