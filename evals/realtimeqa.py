"""The RealTime QA news benchmark (Kasai et al. 2023) over a pooled, date-filtered corpus.

Every article of every week (``evals.rtqa_data`` reads them) is pooled into one
corpus (one file per URL, written under the user cache, never into the
project) and indexed once; each question may then use only the articles
published on or before its ``question_date``.

Scored per question: retrieval (does a top-k passage hold the right choice's
text), the open-ended answer (exact match and token F1 against that text),
multiple choice with the passages, and the same model closed-book (no
passages) as the baseline. Runs go phase by phase over all questions, so the
local model's prompt cache keeps each phase's fixed prefix. The choice prompts
live in ``evals.rtqa_choice``, the summary in ``evals.rtqa_scoring``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals import metrics
from evals.rtqa_choice import ask_choice, closed_book_answer, lexical_choice
from evals.rtqa_data import Article, Question, article_file_text
from evals.rtqa_scoring import group_of

if TYPE_CHECKING:
    from rag.config import Settings
    from rag.pipeline import RAG

RETRIEVAL_DEPTH = 10
MARKER = "realtimeqa-index.json"


# --- the pooled corpus under the cache -------------------------------------------------------


def data_key(data_dir: Path) -> str:
    """A short stable name for a data folder: the hash of its absolute path."""
    return hashlib.sha1(str(data_dir.resolve()).encode("utf-8")).hexdigest()[:12]


def cache_root(data_dir: Path, cache_dir: Path) -> Path:
    return cache_dir / "realtimeqa" / data_key(data_dir)


def materialise(articles: Sequence[Article], corpus_dir: Path) -> dict[str, int]:
    """Write one file per article, touching only new or changed ones; delete stale files."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    counts = Counter[str]()
    wanted = set()
    for article in articles:
        path = corpus_dir / article.file_name
        wanted.add(path.name)
        content = article_file_text(article)
        try:
            if path.read_text(encoding="utf-8") == content:
                counts["unchanged"] += 1
                continue
        except OSError:
            pass
        path.write_text(content, encoding="utf-8")
        counts["written"] += 1
    for path in corpus_dir.glob("*.txt"):
        if path.name not in wanted:
            path.unlink()
            counts["removed"] += 1
    return dict(counts)


def manifest_hash(articles: Sequence[Article]) -> str:
    digest = hashlib.sha1()
    for article in sorted(articles, key=lambda a: a.file_name):
        digest.update(article.file_name.encode())
        digest.update(hashlib.sha1(article_file_text(article).encode("utf-8")).digest())
    return digest.hexdigest()


def benchmark_settings(base: Settings, data_dir: Path, index_dir: Path | None = None) -> Settings:
    """The user's settings, pointed at the pooled corpus and its own index and collection.

    Question windows are off: a hard "this week" window costs recall@5 here (0.59 to
    0.41 on the 76 questions with a date phrase, ``evals/rtqa_windows.py``), since the
    benchmark's proxy also counts older articles that hold the answer. The question
    date is still the as-of cut-off, as for users.
    """
    root = cache_root(data_dir, base.cache_dir)
    return base.model_copy(
        update={
            "corpus_dir": root / "corpus",
            "index_dir": index_dir or root / "index",
            "collection": f"realtimeqa-{data_key(data_dir)}",
            "question_windows": False,
        }
    )


def index_marker(settings: Settings, manifest: str) -> dict[str, Any]:
    from rag.components import embedder_label

    return {
        "manifest": manifest,
        "embedder": embedder_label(settings),
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "collection": settings.collection,
    }


def prepare_index(
    rag: RAG, articles: Sequence[Article], show_progress: bool = True
) -> dict[str, Any]:
    """Materialise the corpus and index it, unless the index already holds exactly it."""
    settings = rag.settings
    started = time.perf_counter()
    files = materialise(articles, settings.corpus_dir)
    marker = index_marker(settings, manifest_hash(articles))
    marker_path = settings.index_dir / MARKER
    try:
        previous = json.loads(marker_path.read_text())
    except (OSError, ValueError):
        previous = None
    info: dict[str, Any] = {"files": files, "reused": False}
    if previous == marker and rag.chunk_count() > 0:
        info["reused"] = True
    else:
        report = rag.ingest(show_progress=show_progress)
        info["ingest"] = {
            "added": len(report.added),
            "updated": len(report.updated),
            "removed": len(report.removed),
            "chunks_embedded": report.chunks_embedded,
            "skipped": [s.path for s in report.skipped],
        }
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        marker_path.write_text(json.dumps(marker, indent=2))
    info["chunks"] = rag.chunk_count()
    info["seconds"] = round(time.perf_counter() - started, 2)
    return info


# --- which questions can be answered -----------------------------------------------------------


def allowed(article: Article, as_of: int) -> bool:
    """The date cut-off, as the retriever applies it: on or before the day; undated pass."""
    return article.date_int == 0 or article.date_int <= as_of


def answerable_ids(questions: Sequence[Question], articles: Sequence[Article]) -> set[str]:
    """Questions whose right choice's text occurs in some article they may use."""
    forms = [(a, metrics.match_form(a.searchable)) for a in articles]
    found = set()
    for q in questions:
        pattern = metrics.needle_pattern(q.gold_text)
        if pattern is None:
            continue
        if any(allowed(a, q.as_of) and pattern.search(form) for a, form in forms):
            found.add(q.id)
    return found


# --- the run ----------------------------------------------------------------------------------


def _bar(total: int, desc: str, progress: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="q", disable=not progress, leave=False)


def retrieval_record(rag: RAG, question: Question, answerable: bool) -> dict[str, Any]:
    """Top passages for the question, within its date cut-off, and the gold rank.

    Retrieval is the answer chain's own (``AnswerChain.search``): the question date
    is the as-of day, a date phrase in the question ("this week") sets the same
    window a user's question would get, and an unsure search is run again with the
    LLM's sketched answer (kept by the chain, so the answer's search reuses it).
    """
    from rag.types import AskOptions

    t = time.perf_counter()
    options = AskOptions(as_of=question.as_of, top_k=RETRIEVAL_DEPTH)
    nodes, _, window, *_ = rag.chain.search(question.sentence, options)
    seconds = time.perf_counter() - t
    texts = [f"{n.node.metadata.get('title', '')}\n{n.node.get_content()}" for n in nodes]
    dates = [int(n.node.metadata.get("date_int") or 0) for n in nodes]
    rank = metrics.first_hit_rank(texts, question.gold_text) if answerable else None
    hits = {f"hit_at_{k}": metrics.hit_at_k(rank, k) if answerable else None for k in (1, 5, 10)}
    return {
        "retrieval_rank": rank,
        **hits,
        "date_leaks": sum(1 for d in dates if d and d > question.as_of),
        "window": window.to_dict() if window else None,
        "retrieved": [
            {
                "rank": i,
                "date": str(n.node.metadata.get("date", "")),
                "title": str(n.node.metadata.get("title", "")),
                "url": str(n.node.metadata.get("url", "")),
                "has_gold": metrics.contains(text, question.gold_text),
            }
            for i, (n, text) in enumerate(zip(nodes, texts, strict=True), start=1)
        ],
        "_seconds": seconds,
    }


def _open_record(
    rag: RAG, q: Question, answerable: set[str]
) -> tuple[dict[str, Any], str, list[str]]:
    """One question's retrieval and open answer, plus the passages the MC phase reuses."""
    from rag.answer import format_passages

    record: dict[str, Any] = {
        "id": q.id,
        "week": q.week,
        "date": q.date,
        "question": q.sentence,
        "choices": q.choices,
        "gold_index": q.gold,
        "gold_text": q.gold_text,
        "answerable": q.id in answerable,
    }
    retrieval = retrieval_record(rag, q, record["answerable"])
    timings = {"retrieve": retrieval.pop("_seconds")}
    t = time.perf_counter()
    answer = rag.ask(q.sentence, as_of=q.as_of, style="short")
    timings["open"] = time.perf_counter() - t
    prediction = "" if answer.refused else answer.answer
    shown = [p for p in answer.passages if p.in_prompt]
    record.update(retrieval)
    record.update(
        {
            "open_answer": answer.answer,
            "refused": answer.refused,
            "open_em": metrics.exact_match(prediction, q.gold_text),
            "open_f1": metrics.token_f1(prediction, q.gold_text),
            "prompt_tokens": answer.usage.get("prompt_tokens"),
            "timings": timings,
        }
    )
    record["group"] = group_of(record)
    return record, format_passages(shown), [f"{p.title}\n{p.context_text()}" for p in shown]


def _open_phase(
    rag: RAG, questions: Sequence[Question], answerable: set[str], progress: bool
) -> tuple[list[dict[str, Any]], list[str], list[list[str]]]:
    """Phase 1 over all questions: records, formatted contexts and passage texts."""
    records: list[dict[str, Any]] = []
    contexts: list[str] = []
    passage_texts: list[list[str]] = []
    bar = _bar(len(questions), "Retrieve + open answer", progress)
    for q in questions:
        record, context, texts = _open_record(rag, q, answerable)
        contexts.append(context)
        passage_texts.append(texts)
        records.append(record)
        bar.update(1)
        bar.set_postfix(em=f"{metrics.mean(r['open_em'] for r in records):.2f}")
    bar.close()
    return records, contexts, passage_texts


def _choice_phase(
    llm: Any,
    questions: Sequence[Question],
    records: list[dict[str, Any]],
    contexts: list[str],
    passage_texts: list[list[str]],
    rotations: int,
    progress: bool,
) -> None:
    """Phase 2: multiple choice with the passages (lexical when there is no LLM)."""
    bar = _bar(len(questions), "Multiple choice", progress)
    for q, record, context, texts in zip(questions, records, contexts, passage_texts, strict=True):
        t = time.perf_counter()
        mc = lexical_choice(q, texts) if llm is None else ask_choice(llm, q, context, rotations)
        record["timings"]["mc"] = time.perf_counter() - t
        record.update(
            {
                "mc_choice": mc["choice"],
                "mc_correct": float(mc["choice"] == q.gold),
                "mc_probs": mc["probs"],
                "mc_replies": mc["replies"],
            }
        )
        bar.update(1)
        bar.set_postfix(acc=f"{metrics.mean(r.get('mc_correct') for r in records):.2f}")
    bar.close()


def _closed_record(llm: Any, q: Question, record: dict[str, Any], rotations: int) -> None:
    """The closed-book baseline for one question: MC and open answer without passages."""
    t = time.perf_counter()
    mc = ask_choice(llm, q, None, rotations)
    record["timings"]["closed_mc"] = time.perf_counter() - t
    t = time.perf_counter()
    text = closed_book_answer(llm, q)
    record["timings"]["closed_open"] = time.perf_counter() - t
    record.update(
        {
            "closed_mc_choice": mc["choice"],
            "closed_mc_correct": float(mc["choice"] == q.gold),
            "closed_answer": text,
            "closed_em": metrics.exact_match(text, q.gold_text),
            "closed_f1": metrics.token_f1(text, q.gold_text),
        }
    )


def _closed_phase(
    llm: Any,
    questions: Sequence[Question],
    records: list[dict[str, Any]],
    rotations: int,
    closed: bool,
    progress: bool,
) -> None:
    """Phase 3: closed book; the fields stay None when it is skipped, so records keep one shape."""
    bar = _bar(len(questions) if closed else 0, "Closed book", progress)
    for q, record in zip(questions, records, strict=True):
        record.update(
            dict.fromkeys(("closed_mc_choice", "closed_mc_correct", "closed_answer"), None)
        )
        record.update({"closed_em": None, "closed_f1": None})
        if not closed:
            continue
        _closed_record(llm, q, record, rotations)
        bar.update(1)
    bar.close()


def _round_timings(records: list[dict[str, Any]]) -> None:
    """Round each phase's seconds and add their total."""
    for record in records:
        record["timings"] = {k: round(v, 4) for k, v in record["timings"].items()}
        record["timings"]["total"] = round(sum(record["timings"].values()), 4)


def run_realtimeqa(
    rag: RAG,
    questions: Sequence[Question],
    answerable: set[str],
    rotations: int = 4,
    closed_book: bool = True,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Score every question in three phases: retrieval and open answer, MC, closed book.

    Phase by phase, not question by question, so the LLM's prompt cache keeps each prefix.
    """
    llm = rag.llm
    records, contexts, passage_texts = _open_phase(rag, questions, answerable, progress)
    _choice_phase(llm, questions, records, contexts, passage_texts, rotations, progress)
    closed = closed_book and llm is not None
    _closed_phase(llm, questions, records, rotations, closed, progress)
    _round_timings(records)
    return records
