"""Step 3, answer latency with the default local LLM, against llama.cpp's own timings.

Time to first token and total come from the chain's timings; the baseline is
the prefill and decode time llama.cpp reports for the same replies, so the
ratio is what retrieval, prompt building and checking add to the model itself.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals.bench.common import (
    SEED_CORPUS,
    SEED_GOLD,
    BenchConfig,
    Log,
    base_settings,
    median,
    ratio,
)
from evals.metrics import percentile

if TYPE_CHECKING:
    from rag.types import Answer


def seed_questions(limit: int) -> list[str]:
    """The seed gold questions that need no chat history."""
    from evals.gold import load_gold

    questions = [item.question for item in load_gold(SEED_GOLD) if not item.history]
    return questions[:limit] if limit else questions


def llm_seconds(usage: dict[str, Any]) -> tuple[float | None, float | None]:
    """llama.cpp's own prefill and decode seconds for one reply, from its token rates."""
    prompt, cached = usage.get("prompt_tokens"), usage.get("cached_tokens") or 0
    completion = usage.get("completion_tokens")
    pre_rate, dec_rate = usage.get("prefill_tokens_per_s"), usage.get("decode_tokens_per_s")
    prefill = (prompt - cached) / pre_rate if prompt is not None and pre_rate else None
    decode = completion / dec_rate if completion is not None and dec_rate else None
    return prefill, decode


def answer_record(question: str, answer: Answer, wall: float) -> dict[str, Any]:
    """One question's timings and token counts, JSON-ready."""
    usage, timings = answer.usage or {}, answer.timings or {}
    prefill, decode = llm_seconds(usage)
    prompt, cached = usage.get("prompt_tokens"), usage.get("cached_tokens") or 0
    return {
        "question": question,
        "refused": answer.refused,
        "ttft_s": timings.get("first_token"),
        "total_s": timings.get("total", wall),
        "retrieve_s": timings.get("retrieve"),
        "select_s": timings.get("select"),
        "check_s": timings.get("check"),
        "prompt_tokens": prompt,
        "uncached_prompt_tokens": None if prompt is None else prompt - cached,
        "completion_tokens": usage.get("completion_tokens"),
        "llm_prefill_s": prefill,
        "llm_decode_s": decode,
        "prefill_tokens_per_s": usage.get("prefill_tokens_per_s"),
        "decode_tokens_per_s": usage.get("decode_tokens_per_s"),
    }


def summarize_answers(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Medians and p95 over the questions that reached the LLM."""
    used = [r for r in records if r["ttft_s"] is not None and r["prompt_tokens"] is not None]

    def col(key: str) -> list[float]:
        return [r[key] for r in used if r[key] is not None]

    ttft, total = col("ttft_s"), col("total_s")
    prefill = col("llm_prefill_s")
    llm_total = [
        r["llm_prefill_s"] + r["llm_decode_s"]
        for r in used
        if r["llm_prefill_s"] is not None and r["llm_decode_s"] is not None
    ]
    return {
        "questions": len(records),
        "reached_llm": len(used),
        "ttft_p50_s": median(ttft),
        "ttft_p95_s": percentile(ttft, 95),
        "total_p50_s": median(total),
        "total_p95_s": percentile(total, 95),
        "prompt_tokens_p50": median(col("prompt_tokens")),
        "uncached_prompt_tokens_p50": median(col("uncached_prompt_tokens")),
        "completion_tokens_p50": median(col("completion_tokens")),
        "prefill_tokens_per_s_p50": median(col("prefill_tokens_per_s")),
        "decode_tokens_per_s_p50": median(col("decode_tokens_per_s")),
        "retrieve_p50_s": median(col("retrieve_s")),
        "select_p50_s": median(col("select_s")),
        "check_p50_s": median(col("check_s")),
        "baseline": {
            "what": "llama.cpp's own prefill (uncached prompt tokens / prefill rate) and "
            "prefill + decode time for the same replies",
            "prefill_p50_s": median(prefill),
            "prefill_decode_p50_s": median(llm_total),
        },
        "ttft_ratio": ratio(median(ttft), median(prefill)),
        "total_ratio": ratio(median(total), median(llm_total)),
    }


def bench_answers(cfg: BenchConfig, embedder: Any, work: Path, log: Log) -> dict[str, Any]:
    """Every question once on the seed corpus: the first one cold, the rest warm."""
    from rag.pipeline import RAG

    settings = base_settings(SEED_CORPUS, work / "seed-index", llm="local")
    rag = RAG(settings, embed_model=embedder)
    rag.ensure_index()  # a fresh index: this ingests the seed corpus
    rag.retriever.refresh()
    started = time.perf_counter()
    rag.llm.load()
    load_s = time.perf_counter() - started
    questions = seed_questions(cfg.questions or 0)
    records = []
    for question in questions:
        t = time.perf_counter()
        answer = rag.ask(question)
        records.append(answer_record(question, answer, time.perf_counter() - t))
        r = records[-1]
        log(
            f"  answer: ttft {r['ttft_s'] or 0:.2f} s, total {r['total_s']:.2f} s, "
            f"prompt {r['prompt_tokens']} ({r['uncached_prompt_tokens']} uncached)"
        )
    return {
        "measured": (
            "RAG.ask on the seed corpus, default local LLM loaded beforehand; each question "
            "once. ttft and total are the chain's own timings (from the call, retrieval "
            "included). The first question is cold (system prompt not cached yet)."
        ),
        "llm_load_s": load_s,
        "cold": records[0] if records else None,
        "warm": summarize_answers(records[1:]),
        "records": records,
    }
