"""Retrieval cross-validated by time: variant parsing, the per-half table, a tiny run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evals import rtqa_crossval
from rag.config import Settings
from tests.fakes import HashEmbedding
from tests.test_eval_naive import data_dir  # noqa: F401  (the two-week tiny dataset)


def test_variants_parse_numbers_booleans_and_base() -> None:
    assert rtqa_crossval.parse_variant("base") == {}
    assert rtqa_crossval.parse_variant("recency_weight=0,top_k=7") == {
        "recency_weight": 0,
        "top_k": 7,
    }
    assert rtqa_crossval.parse_variant("rrf_k=20.5,best_passage_last=true") == {
        "rrf_k": 20.5,
        "best_passage_last": True,
    }
    with pytest.raises(ValueError, match="key=value"):
        rtqa_crossval.parse_variant("recency_weight")


def test_table_marks_a_variant_kept_only_if_it_wins_on_both_halves() -> None:
    def row(naive: float, base: float, other: float) -> dict[str, Any]:
        return {"naive": {"r5": naive}, "base": {"r5": base}, "x=1": {"r5": other}}

    results = {
        "halves": {"a": "1", "b": "2"},
        "rows": {"a": row(0.5, 0.6, 0.7), "b": row(0.5, 0.55, 0.45)},
    }
    lines = rtqa_crossval.markdown(results).splitlines()
    assert lines[2] == "| naive | 0.500 (+0.000) | 0.500 (+0.000) | - |"
    assert lines[3] == "| base | 0.600 (+0.100) | 0.550 (+0.050) | yes |"
    assert lines[4] == "| x=1 | 0.700 (+0.200) | 0.450 (-0.050) | no |"


def test_run_scores_naive_and_each_variant_per_half(
    data_dir: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import rag.pipeline

    monkeypatch.setattr(rag.pipeline, "build_embedder", lambda settings: HashEmbedding())
    base = Settings(cache_dir=tmp_path / "cache", llm="extractive", benchmark_dir=data_dir)
    halves = {"one": "20260109", "two": "20260116"}
    results = rtqa_crossval.run(["base", "recency_weight=0"], halves, base)
    assert set(results["rows"]) == {"one", "two"}
    for row in results["rows"].values():
        assert set(row) == {"naive", "base", "recency_weight=0"}
        for scores in row.values():
            assert scores["date_leaks"] == 0
            assert 0.0 <= scores["r5"] <= 1.0
    # week one's Quorvex article is dated after its question: only one answerable question
    assert results["rows"]["one"]["base"]["answerable"] == 1
    assert results["rows"]["two"]["naive"]["answerable"] == 1
