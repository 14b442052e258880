"""``python -m evals.bench``: the command line of the speed benchmark (``make bench``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import evals.bench
from evals.bench.common import ROOT, BenchConfig
from evals.bench.report import README_END, README_START, markdown_table, update_readme


def parse_args(argv: Sequence[str] | None = None) -> BenchConfig:
    """The configuration from flags; ``--data`` defaults to the ``benchmark_dir`` setting."""
    doc = evals.bench.__doc__ or ""
    p = argparse.ArgumentParser(prog="python -m evals.bench", description=doc.splitlines()[0])
    p.add_argument("--data", type=Path, help="benchmark folder (setting RAG_BENCHMARK_DIR)")
    p.add_argument("--out", type=Path, default=Path("bench-out"), help="output folder")
    p.add_argument("--repeat", type=int, help="passes per measurement (default 3, quick 1)")
    p.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    p.add_argument("--skip-llm", action="store_true", help="no answer latency, no RSS runs")
    p.add_argument("--skip-app", action="store_true", help="do not start app.py")
    p.add_argument("--readme", action="store_true", help="rewrite README.md's bench table")
    p.add_argument("--subset-chunks", type=int, help="chunks in the ingest subset (2000)")
    p.add_argument("--synthetic-chunks", type=int, help="size of the synthetic index (100000)")
    p.add_argument("--no-full-ingest", action="store_true", help="skip the full-corpus pass")
    p.add_argument("--questions", type=int, help="seed questions for answer latency (0: all)")
    p.add_argument("--queries", type=int, help="benchmark questions used as queries (0: all)")
    args = p.parse_args(argv)
    data = args.data
    if data is None:
        from evals.bench.data import default_data_dir
        from rag.errors import ConfigError

        try:
            data = default_data_dir()
        except ConfigError as exc:
            p.error(str(exc))
    overrides: dict[str, Any] = {
        "data": data,
        "out": args.out,
        "skip_llm": args.skip_llm,
        "skip_app": args.skip_app,
        "readme": args.readme,
    }
    for name in ("repeat", "subset_chunks", "synthetic_chunks", "questions", "queries"):
        if getattr(args, name) is not None:
            overrides[name] = getattr(args, name)
    if args.no_full_ingest:
        overrides["full_ingest"] = False
    cfg = BenchConfig.quick_defaults(**overrides) if args.quick else BenchConfig(**overrides)
    if cfg.repeat < 1:
        p.error("--repeat must be at least 1")
    return cfg


def main(argv: Sequence[str] | None = None) -> int:
    """Run, print the table, and rewrite README.md's table when ``--readme`` asks for it."""
    from evals.bench.runner import run_bench
    from rag.env import prepare_process

    prepare_process()
    cfg = parse_args(argv)
    results = run_bench(cfg)
    table = markdown_table(results)
    print(table)
    print(f"wrote {cfg.out / 'bench.json'} and {cfg.out / 'bench.md'}")
    if cfg.readme:
        if update_readme(ROOT / "README.md", table):
            print("updated the performance table in README.md")
        else:
            print(
                f"README.md has no {README_START} ... {README_END} markers: table not written "
                "there (copy it from bench-out/bench.md)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
