"""How often the conflict detector speaks up on real news questions (RealTime QA Jan-Apr).

Real benchmark questions have one right answer and rarely a genuine disagreement
among the shown reports, so every flag is worth reading: most are false conflicts
that would put a wrong "Reports differ" note into an answer. Retrieval, sentence
selection and the detector run as in ``rag ask`` with each question's date cut-off;
no LLM is loaded:

    python -m evals.rtqa_conflicts [--out eval-out/rtqa-conflicts.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def flagged_questions(rag: Any, questions: Sequence[Any]) -> list[dict[str, Any]]:
    """The questions the detector flags, with the values, their sources and the gold answer."""
    from rag.types import AskOptions

    flagged = []
    for question in questions:
        prepared = rag.chain.prepare(question.sentence, AskOptions(as_of=question.as_of))
        if not prepared.conflicts:
            continue
        shown = {p.number: p for p in prepared.passages if p.in_prompt}
        flagged.append(
            {
                "question": question.sentence,
                "gold": question.choices[question.gold],
                "values": [
                    {
                        "value": v["value"],
                        "sources": [
                            {"date": shown[n].date, "title": shown[n].title, "url": shown[n].url}
                            for n in v["citations"]
                            if n in shown
                        ],
                    }
                    for v in prepared.conflicts[0]["values"]
                ],
            }
        )
    return flagged


def main(argv: Sequence[str] | None = None) -> int:
    from evals import realtimeqa as rtqa
    from evals.rtqa_data import load_dataset
    from rag.config import load_settings
    from rag.pipeline import RAG

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("eval-out/rtqa-conflicts.json"))
    args = parser.parse_args(argv)
    base = load_settings()
    data = load_dataset(base.benchmark_dir)
    rag = RAG(rtqa.benchmark_settings(base, base.benchmark_dir), llm=None)
    rtqa.prepare_index(rag, data.articles, show_progress=sys.stderr.isatty())
    started = time.perf_counter()
    flagged = flagged_questions(rag, data.questions)
    seconds = (time.perf_counter() - started) / max(1, len(data.questions))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(flagged, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"{len(flagged)} of {len(data.questions)} questions flagged ({seconds:.2f} s a question)")
    print(f"details: {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
