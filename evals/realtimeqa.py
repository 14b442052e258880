"""The RealTime QA news benchmark (Kasai et al. 2023) over a pooled, date-filtered corpus.

A data folder holds weekly files: ``YYYYMMDD_qa.jsonl`` (questions with four
choices and the index of the right one) and ``YYYYMMDD_gcs.jsonl`` (the
articles a web search returned for each question). Every article of every week
is pooled into one corpus (one file per URL, written under the user cache,
never into the project) and indexed once; each question may then use only the
articles published on or before its ``question_date``.

Scored per question: retrieval (does a top-k passage hold the right choice's
text), the open-ended answer (exact match and token F1 against that text),
multiple choice with the passages, and the same model closed-book (no
passages) as the baseline. Runs go phase by phase over all questions, so the
local model's prompt cache keeps each phase's fixed prefix.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from llama_index.core.base.llms.types import ChatMessage, MessageRole

from evals import metrics, prompts
from rag.documents import date_to_int, find_date, normalize_date

if TYPE_CHECKING:
    from rag.config import Settings
    from rag.pipeline import RAG

RETRIEVAL_DEPTH = 10
MARKER = "realtimeqa-index.json"
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


# --- the data ------------------------------------------------------------------------------


@dataclass
class Question:
    id: str
    week: str
    date: str  # ISO question_date: the last day whose articles it may use
    sentence: str
    choices: list[str]
    gold: int
    source: str = ""

    @property
    def as_of(self) -> int:
        return date_to_int(self.date)

    @property
    def gold_text(self) -> str:
        return self.choices[self.gold]


@dataclass
class Article:
    url: str
    title: str
    text: str
    date: str  # ISO, '' when unknown (undated articles are allowed for every question)
    publisher: str = ""

    @property
    def date_int(self) -> int:
        return date_to_int(self.date)

    @property
    def file_name(self) -> str:
        digest = hashlib.sha1(self.url.encode("utf-8")).hexdigest()[:16]
        return f"{self.date or 'undated'}-{digest}.txt"

    @property
    def searchable(self) -> str:
        """Title and text: what a passage shows the model, and what hits are checked in."""
        return f"{self.title}\n{self.text}"


@dataclass
class Dataset:
    questions: list[Question]
    articles: list[Article]
    search_results: int = 0
    without_text: int = 0
    duplicates: int = 0
    stats: dict[str, int] = field(default_factory=dict)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc})") from exc
    return rows


def parse_question(row: dict[str, Any], week: str) -> Question:
    choices = [str(c) for c in row["choices"]]
    answer = row["answer"]
    gold = int(answer[0] if isinstance(answer, list) else answer)
    if not 0 <= gold < len(choices):
        raise ValueError(f"question {row.get('question_id')}: answer {gold} is not a choice")
    return Question(
        id=str(row["question_id"]),
        week=week,
        date=normalize_date(row.get("question_date")) or normalize_date(week),
        sentence=str(row["question_sentence"]).strip(),
        choices=choices,
        gold=gold,
        source=str(row.get("question_source") or ""),
    )


def article_date(publish_date: object, text: str) -> str:
    """The ISO date the index will give the article: its publish date, else one in its text."""
    return normalize_date(publish_date) or find_date(text[:400])


def load_dataset(data_dir: Path) -> Dataset:
    """Questions of every ``*_qa.jsonl`` and the articles of every ``*_gcs.jsonl``, deduplicated.

    The ``*_qa_nota.jsonl`` variants are left out. An article seen twice (same
    URL) is kept once, as first seen in file order; results without text are skipped.
    """
    if not data_dir.is_dir():
        raise FileNotFoundError(f"{data_dir} is not a folder")
    questions: list[Question] = []
    for path in sorted(data_dir.glob("*_qa.jsonl")):
        week = path.name.split("_")[0]
        questions.extend(parse_question(row, week) for row in _read_jsonl(path))
    if not questions:
        raise FileNotFoundError(f"{data_dir} holds no *_qa.jsonl question files")
    data = Dataset(questions=questions, articles=[])
    seen: set[str] = set()
    for path in sorted(data_dir.glob("*_gcs.jsonl")):
        for row in _read_jsonl(path):
            for result in row.get("search_result") or []:
                data.search_results += 1
                url = str(result.get("url") or "").strip()
                text = str(result.get("text") or "").replace("\r\n", "\n").strip()
                if not text or not url:
                    data.without_text += 1
                    continue
                if url in seen:
                    data.duplicates += 1
                    continue
                seen.add(url)
                title = " ".join(str(result.get("title") or "").split())
                data.articles.append(
                    Article(
                        url=url,
                        title=title or url,
                        text=text,
                        date=article_date(result.get("publish_date"), text),
                        publisher=urlparse(url).netloc.removeprefix("www."),
                    )
                )
    return data


# --- the pooled corpus under the cache -------------------------------------------------------


def data_key(data_dir: Path) -> str:
    """A short stable name for a data folder: the hash of its absolute path."""
    return hashlib.sha1(str(data_dir.resolve()).encode("utf-8")).hexdigest()[:12]


def cache_root(data_dir: Path, cache_dir: Path) -> Path:
    return cache_dir / "realtimeqa" / data_key(data_dir)


def article_file_text(article: Article) -> str:
    """Front matter (title, source, date, url) and the text, as ``rag.documents`` reads it."""
    lines = ["---", f'title: "{article.title}"', f"source: {article.publisher}"]
    if article.date:
        lines.append(f"date: {article.date}")
    lines += [f"url: {article.url}", "---", article.text, ""]
    return "\n".join(lines)


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
    """The user's settings, pointed at the pooled corpus and its own index and collection."""
    root = cache_root(data_dir, base.cache_dir)
    return base.model_copy(
        update={
            "corpus_dir": root / "corpus",
            "index_dir": index_dir or root / "index",
            "collection": f"realtimeqa-{data_key(data_dir)}",
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


# --- which questions --------------------------------------------------------------------------


def spread_subset(questions: Sequence[Question], limit: int | None) -> list[Question]:
    """``limit`` questions taken round-robin across weeks: deterministic and spread in time."""
    if limit is None or limit >= len(questions):
        return list(questions)
    by_week: dict[str, list[Question]] = {}
    for q in questions:
        by_week.setdefault(q.week, []).append(q)
    weeks = sorted(by_week)
    chosen: list[Question] = []
    depth = 0
    while len(chosen) < limit:
        for week in weeks:
            if depth < len(by_week[week]) and len(chosen) < limit:
                chosen.append(by_week[week][depth])
        depth += 1
    order = {q.id: i for i, q in enumerate(questions)}
    return sorted(chosen, key=lambda q: order[q.id])


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


# --- multiple choice -----------------------------------------------------------------------------


def letter_logprobs(top: Sequence[tuple[str, float]], n_choices: int) -> dict[int, float]:
    """Choice index -> log-probability of its letter as the first token (variants pooled).

    ``top`` is the first generated token's alternatives as (token, logprob);
    " B", "B" and "B." all count for B.
    """
    found: dict[int, list[float]] = {}
    for token, logprob in top:
        letter = token.strip().rstrip(".):").lstrip("(").upper()
        if len(letter) == 1 and letter in prompts.LETTERS[:n_choices]:
            found.setdefault(prompts.LETTERS.index(letter), []).append(logprob)
    return {i: _logsumexp(values) for i, values in found.items()}


def _logsumexp(values: Sequence[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


def parse_letter(text: str, n_choices: int) -> int | None:
    """The choice a free-text reply names: 'B', 'B.', '(B)', 'Answer: B'."""
    import re

    letters = prompts.LETTERS[:n_choices]
    match = re.search(rf"\b([{letters}])\b", text.strip().upper().removeprefix("ANSWER:"))
    return letters.index(match[1]) if match else None


def rotate(choices: Sequence[str], shift: int) -> list[int]:
    """Original choice indices in the order shown when the list is rotated by ``shift``."""
    n = len(choices)
    return [(i + shift) % n for i in range(n)]


def combine_rotations(scores: Sequence[dict[int, float]]) -> dict[int, float]:
    """Mean over rotations of each choice's probability, normalised among the letters.

    Showing every choice at every letter cancels a small model's bias for "A".
    """
    total: dict[int, float] = {}
    for per_rotation in scores:
        if not per_rotation:
            continue
        z = _logsumexp(list(per_rotation.values()))
        for choice, logprob in per_rotation.items():
            total[choice] = total.get(choice, 0.0) + math.exp(logprob - z) / len(scores)
    return total


def mc_messages(
    question: Question, order: Sequence[int], passages: str | None
) -> list[ChatMessage]:
    """The multiple-choice prompt; ``passages`` None makes it closed-book."""
    choices = prompts.format_choices([question.choices[i] for i in order])
    if passages is None:
        system = prompts.CLOSED_MC_SYSTEM
        user = prompts.CLOSED_MC_USER.format(
            date=question.date, question=question.sentence, choices=choices
        )
    else:
        system = prompts.MC_SYSTEM
        user = prompts.MC_USER.format(
            passages=passages or prompts.NO_PASSAGES,
            date=question.date,
            question=question.sentence,
            choices=choices,
        )
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=system),
        ChatMessage(role=MessageRole.USER, content=user),
    ]


def ask_choice(
    llm: Any, question: Question, passages: str | None, rotations: int = 1
) -> dict[str, Any]:
    """The model's choice: by first-token letter probabilities, else by its text."""
    n = len(question.choices)
    per_rotation: list[dict[int, float]] = []
    replies = []
    for shift in range(max(1, min(rotations, n))):
        order = rotate(question.choices, shift)
        messages = mc_messages(question, order, passages)
        try:
            reply = llm.chat(
                messages, max_tokens=1, temperature=0.0, logprobs=True, top_logprobs=20
            )
        except Exception:  # a server without logprobs: read the letter it writes
            reply = llm.chat(messages, max_tokens=4, temperature=0.0)
        text = reply.message.content or ""
        replies.append(text.strip())
        top = [(lp.token, lp.logprob) for lp in (reply.logprobs or [[]])[0]]
        shown = letter_logprobs(top, n)
        if not shown:
            picked = parse_letter(text, n)
            shown = {picked: 0.0} if picked is not None else {}
        per_rotation.append({order[i]: lp for i, lp in shown.items()})
    probs = combine_rotations(per_rotation)
    choice = max(probs, key=lambda i: (probs[i], -i)) if probs else None
    return {
        "choice": choice,
        "probs": {prompts.LETTERS[i]: round(p, 4) for i, p in sorted(probs.items())},
        "replies": replies,
    }


def lexical_choice(question: Question, passages: Sequence[str]) -> dict[str, Any]:
    """Without an LLM: the choice best supported by the passages (contained, else word overlap)."""
    from rag.citations import lexical_support

    scores = {}
    for i, choice in enumerate(question.choices):
        scores[i] = max(
            (1.0 if metrics.contains(p, choice) else lexical_support(choice, p) for p in passages),
            default=0.0,
        )
    best = max(scores, key=lambda i: (scores[i], -i))
    return {"choice": best if scores[best] > 0 else None, "probs": {}, "replies": []}


# --- the run ----------------------------------------------------------------------------------


def _bar(total: int, desc: str, progress: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="q", disable=not progress, leave=False)


def retrieval_record(rag: RAG, question: Question, answerable: bool) -> dict[str, Any]:
    """Top passages for the question alone, within its date cut-off, and the gold rank."""
    t = time.perf_counter()
    nodes = rag.retriever.search(question.sentence, top_k=RETRIEVAL_DEPTH, as_of=question.as_of)
    seconds = time.perf_counter() - t
    texts = [f"{n.node.metadata.get('title', '')}\n{n.node.get_content()}" for n in nodes]
    dates = [int(n.node.metadata.get("date_int") or 0) for n in nodes]
    rank = metrics.first_hit_rank(texts, question.gold_text) if answerable else None
    hits = {f"hit_at_{k}": metrics.hit_at_k(rank, k) if answerable else None for k in (1, 5, 10)}
    return {
        "retrieval_rank": rank,
        **hits,
        "date_leaks": sum(1 for d in dates if d and d > question.as_of),
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


GROUPS = (
    "gold in top 5",
    "gold in top 6-10",
    "gold not retrieved",
    "gold not in allowed articles",
)


def _group(record: dict[str, Any]) -> str:
    if not record["answerable"]:
        return GROUPS[3]
    rank = record["retrieval_rank"]
    if rank is not None and rank <= 5:
        return GROUPS[0]
    return GROUPS[1] if rank is not None else GROUPS[2]


def run_realtimeqa(
    rag: RAG,
    questions: Sequence[Question],
    answerable: set[str],
    rotations: int = 4,
    closed_book: bool = True,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Score every question in three phases: retrieval and open answer, MC, closed book."""
    from rag.answer import format_passages

    records: list[dict[str, Any]] = []
    contexts: list[str] = []
    passage_texts: list[list[str]] = []
    llm = rag.llm
    bar = _bar(len(questions), "Retrieve + open answer", progress)
    for q in questions:
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
        contexts.append(format_passages(shown))
        passage_texts.append([f"{p.title}\n{p.context_text()}" for p in shown])
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
        record["group"] = _group(record)
        records.append(record)
        bar.update(1)
        bar.set_postfix(em=f"{metrics.mean(r['open_em'] for r in records):.2f}")
    bar.close()

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

    closed = closed_book and llm is not None
    bar = _bar(len(questions) if closed else 0, "Closed book", progress)
    for q, record in zip(questions, records, strict=True):
        record.update(
            dict.fromkeys(("closed_mc_choice", "closed_mc_correct", "closed_answer"), None)
        )
        record.update({"closed_em": None, "closed_f1": None})
        if not closed:
            continue
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
        bar.update(1)
    bar.close()
    for record in records:
        record["timings"] = {k: round(v, 4) for k, v in record["timings"].items()}
        record["timings"]["total"] = round(sum(record["timings"].values()), 4)
    return records


def closed_book_answer(llm: Any, question: Question) -> str:
    """A short answer from the model alone: the open-ended closed-book baseline."""
    messages = [
        ChatMessage(role=MessageRole.SYSTEM, content=prompts.CLOSED_SYSTEM),
        ChatMessage(
            role=MessageRole.USER,
            content=prompts.CLOSED_USER.format(date=question.date, question=question.sentence),
        ),
    ]
    reply = llm.chat(messages, max_tokens=16, temperature=0.0)
    lines = (reply.message.content or "").strip().splitlines()
    return lines[0].strip() if lines else ""


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
        "by_group": _ordered(
            metrics.mean_by(
                records,
                "group",
                ("mc_correct", "closed_mc_correct", "open_em", "open_f1", "refused"),
            )
        ),
    }
    if seconds is None:
        summary["seconds_per_question"] = metrics.mean(r["timings"]["total"] for r in records)
    return summary
