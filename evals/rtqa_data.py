"""Reading a RealTime QA data folder (Kasai et al. 2023): the one loader for the runner and
``make bench``, so both see the same questions and the same articles, dated the same way.

A data folder holds weekly files: ``YYYYMMDD_qa.jsonl`` (questions with four
choices and the index of the right one) and ``YYYYMMDD_gcs.jsonl`` (the
articles a web search returned for each question). Articles are pooled across
weeks and deduplicated by URL; dates are normalised to ISO here, as the index
will store them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from rag.documents import date_to_int, find_date, normalize_date

WEEK_RE = re.compile(r"\d{8}")


@dataclass
class Question:
    """One benchmark question: four choices, the right one's index, the day it was asked."""

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
    """One distinct article (by URL), its date normalised as the index will store it."""

    url: str
    title: str
    text: str
    date: str  # ISO, '' when unknown (undated articles are allowed for every question)
    publisher: str = ""

    @property
    def date_int(self) -> int:
        return date_to_int(self.date)

    @property
    def key(self) -> str:
        """A short hash of the URL: stable across runs, and an order independent of dates."""
        return hashlib.sha1(self.url.encode("utf-8")).hexdigest()[:16]

    @property
    def file_name(self) -> str:
        return f"{self.date or 'undated'}-{self.key}.txt"

    @property
    def searchable(self) -> str:
        """Title and text: what a passage shows the model, and what hits are checked in."""
        return f"{self.title}\n{self.text}"


@dataclass
class Dataset:
    """A data folder's questions and pooled articles, with counts of what was dropped."""

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


def article_file_text(article: Article) -> str:
    """Front matter (title, source, date, url) and the text, as ``rag.documents`` reads it."""
    lines = ["---", f'title: "{article.title}"', f"source: {article.publisher}"]
    if article.date:
        lines.append(f"date: {article.date}")
    lines += [f"url: {article.url}", "---", article.text, ""]
    return "\n".join(lines)


def parse_weeks(spec: str, available: Sequence[str]) -> list[str]:
    """The weeks ``spec`` names, among ``available`` (the data files' YYYYMMDD prefixes).

    ``spec`` is a comma-separated list of weeks (``20260109``) and inclusive
    ranges (``20260109-20260227``). A week not in the data, a range holding none,
    or anything else is a ValueError.
    """
    weeks = sorted(set(available))
    chosen: set[str] = set()
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        first, _, last = part.partition("-")
        if not WEEK_RE.fullmatch(first) or (last and not WEEK_RE.fullmatch(last)):
            raise ValueError(f"{part!r} is not a week (YYYYMMDD) or a range of weeks (A-B)")
        if not last:
            if first not in weeks:
                raise ValueError(f"week {first} is not in the data ({', '.join(weeks)})")
            chosen.add(first)
            continue
        if last < first:
            raise ValueError(f"range {part} ends before it starts")
        inside = [w for w in weeks if first <= w <= last]
        if not inside:
            raise ValueError(f"no week of the data falls in {part} ({', '.join(weeks)})")
        chosen.update(inside)
    if not chosen:
        raise ValueError("no week given")
    return sorted(chosen)


def select_weeks(questions: Sequence[Question], weeks: Sequence[str]) -> list[Question]:
    """The questions of those weeks, in their order; the corpus stays pooled."""
    keep = set(weeks)
    return [q for q in questions if q.week in keep]


def pick_questions(
    questions: Sequence[Question], weeks: str | None, limit: int | None
) -> list[Question]:
    """The questions of the ``weeks`` named (all when None), cut to ``limit`` evenly by week.

    ``load_dataset`` lists questions week by week, in date order: the round-robin spreads them.
    """
    from evals.sampling import round_robin

    if weeks is not None:
        questions = select_weeks(questions, parse_weeks(weeks, [q.week for q in questions]))
    return round_robin(list(questions), lambda q: q.week, limit)
