"""The development gold sets: each loads, and each gold fact is where the set says it is.

A gold item whose evidence is not verbatim in its source scores every answer as
uncited, and a key fact the source never states can never be matched; both
would make tuning on these sets chase noise. No model is loaded here.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evals import gold, metrics, rtqa_data
from rag.config import Settings
from tests.conftest import SEED_CORPUS

ROOT = Path(__file__).resolve().parents[1]
SEED_DEV3 = ROOT / "evals" / "gold" / "seed_dev3.jsonl"
NEWS_DEV = ROOT / "evals" / "gold" / "news_dev.jsonl"


def _check_item(item: gold.GoldItem, text: str) -> list[str]:
    """What is wrong with one answerable item against its source text."""
    problems = []
    if item.split != "dev":
        problems.append(f"{item.id}: split {item.split!r}")
    if len(item.evidence) != 1 or len(item.source) != 1:
        problems.append(f"{item.id}: needs exactly one evidence and one source")
    for piece in item.evidence:
        if piece not in text:
            problems.append(f"{item.id}: evidence not verbatim in {item.source}")
    for group in item.key_facts:
        if not any(metrics.contains(text, variant, stem=True) for variant in group):
            problems.append(f"{item.id}: key fact {group} not in its source")
    if not metrics.key_facts_present(item.answer, item.key_facts):
        problems.append(f"{item.id}: the gold answer lacks its own key facts")
    return problems


def test_seed_dev3_loads_with_every_type() -> None:
    items = gold.load_gold(SEED_DEV3)
    types = Counter(item.type for item in items)
    assert len(items) == 50
    assert types["unanswerable"] == 8 and types["followup"] == 5
    assert {"who", "what", "where", "when", "how_many", "list", "relation"} <= set(types)
    assert {"yes_no", "why", "misspelled"} <= set(types)
    assert all(item.history for item in items if item.type == "followup")
    assert all(not item.answer and not item.evidence for item in items if item.unanswerable)


def test_seed_dev3_facts_are_in_the_seed_articles() -> None:
    problems = []
    for item in gold.load_gold(SEED_DEV3):
        if item.unanswerable:
            continue
        assert gold.missing_sources([item], SEED_CORPUS) == []
        text = (SEED_CORPUS / item.source[0]).read_text(encoding="utf-8")
        problems += _check_item(item, text)
    assert problems == []


def test_news_dev_loads() -> None:
    items = gold.load_gold(NEWS_DEV)
    assert len(items) == 40
    assert sum(item.unanswerable for item in items) == 6
    assert all(item.source[0].startswith("http") for item in items if not item.unanswerable)


def test_news_dev_facts_are_in_the_pooled_articles() -> None:
    data_dir = Settings().benchmark_dir
    if not data_dir.is_dir():
        pytest.skip(f"RealTime QA data not found at {data_dir}")
    articles = {a.url: a for a in rtqa_data.load_dataset(data_dir).articles}
    problems = []
    for item in gold.load_gold(NEWS_DEV):
        if item.unanswerable:
            continue
        article = articles.get(item.source[0])
        if article is None:
            problems.append(f"{item.id}: {item.source[0]} is not in the pooled corpus")
            continue
        problems += _check_item(item, f"{article.title}\n{article.text}")
    dates = {
        row["id"]: row.get("date")
        for row in map(json.loads, NEWS_DEV.read_text(encoding="utf-8").splitlines())
    }
    for item in gold.load_gold(NEWS_DEV):
        article = None if item.unanswerable else articles.get(item.source[0])
        if article is not None and dates[item.id] != article.date:
            problems.append(f"{item.id}: date {dates[item.id]} is not the article's {article.date}")
    assert problems == []
