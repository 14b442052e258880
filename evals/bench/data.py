"""The benchmark corpus: RealTime QA articles and questions, read by the same loader as
``rag eval realtimeqa`` (``evals.rtqa_data``), written out as ``.txt`` files for ingest.

Files are named by the hash of the article's URL, so that "the first articles in
file-name order" (the ingest subset) is a fixed, date-independent sample.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from evals.rtqa_data import Article, article_file_text, load_dataset


@dataclass
class Benchmark:
    """Every distinct article, in URL-hash order, and every question with its date cut-off."""

    articles: list[Article]
    queries: list[tuple[str, int]]  # (question sentence, question date as YYYYMMDD)


def default_data_dir() -> Path:
    """The ``benchmark_dir`` setting (``RAG_BENCHMARK_DIR``), made absolute."""
    from rag.config import load_settings

    return Path(load_settings().benchmark_dir).resolve()


def load_benchmark(data_dir: Path) -> Benchmark:
    """The data folder's articles and questions; exits with a message when there are none."""
    hint = "pass --data DIR or set RAG_BENCHMARK_DIR"
    try:
        data = load_dataset(data_dir)
    except FileNotFoundError as exc:
        raise SystemExit(f"{exc}: {hint}.") from exc
    if not data.articles:
        raise SystemExit(f"No articles in the *_gcs.jsonl files of {data_dir}: {hint}.")
    queries = [(q.sentence, q.as_of) for q in data.questions if q.sentence]
    return Benchmark(sorted(data.articles, key=lambda a: a.key), queries)


def write_corpus(articles: Iterable[Article], folder: Path) -> Path:
    """One ``<url hash>.txt`` per article, with front matter, the format ``rag ingest`` reads."""
    folder.mkdir(parents=True, exist_ok=True)
    for article in articles:
        (folder / f"{article.key}.txt").write_text(article_file_text(article), "utf-8")
    return folder
