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


def test_paired_interval_brackets_the_difference_and_narrows_with_more_questions() -> None:
    ours, naive = [1, 1, 1, 0, 1, 0, 1, 1, 0, 1], [1, 0, 1, 0, 0, 0, 1, 1, 0, 0]
    low, high = rtqa_crossval.paired_interval(ours, naive)
    assert low <= 0.3 <= high
    assert low >= 0.0  # never worse on any question: no draw can come out negative
    wide = high - low
    low4, high4 = rtqa_crossval.paired_interval(ours * 4, naive * 4)
    assert high4 - low4 < wide
    assert rtqa_crossval.paired_interval([1, 0], [1, 0]) == (0.0, 0.0)
    row = {"naive": {"r5": 0.3, "hits": naive}, "base": {"r5": 0.6, "hits": ours}}
    table = rtqa_crossval.markdown({"halves": {"a": "1"}, "rows": {"a": row}})
    assert f"0.600 (+0.300, 95% {low:+.3f} to {high:+.3f})" in table


def tiny_run(
    benchmark: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Settings, dict[str, str]]:
    """Settings over the two-week test benchmark with a hashing embedder, and its two halves."""
    import rag.pipeline

    monkeypatch.setattr(rag.pipeline, "build_embedder", lambda settings: HashEmbedding())
    base = Settings(cache_dir=tmp_path / "cache", llm="extractive", benchmark_dir=benchmark)
    return base, {"one": "20260109", "two": "20260116"}


def test_run_scores_naive_and_each_variant_per_half(
    data_dir: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, halves = tiny_run(data_dir, tmp_path, monkeypatch)
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


def test_confidence_threshold_is_chosen_on_one_half_and_scored_on_the_other() -> None:
    from evals import confidence_cv

    def rows(pairs: list[tuple[float, bool]]) -> list[dict[str, Any]]:
        return [{"id": str(i), "hit": hit, "s": s} for i, (s, hit) in enumerate(pairs)]

    a = rows([(0.2, False), (0.3, False), (0.5, True), (0.6, True), (0.7, True)])
    b = rows([(0.1, False), (0.45, True), (0.35, False), (0.8, True)])
    assert confidence_cv.auc(a, "s") == 1.0
    assert confidence_cv.auc(rows([(0.5, True), (0.5, False)]), "s") == 0.5
    assert confidence_cv.choose_threshold(a, "s") == pytest.approx(0.4)
    scored = confidence_cv.at_threshold(b, "s", 0.4)
    assert scored["flagged"] == 2 and scored["share_flagged"] == 0.5
    assert scored["flag_precision"] == 1.0 and scored["misses_flagged"] == 1.0
    assert scored["r5_flagged"] == 0.0 and scored["r5_unflagged"] == 1.0
    report = confidence_cv.cross_validate({"a": a, "b": b})
    entry = report["signals"]["s"]
    assert entry["chosen on a"]["b"]["threshold"] == pytest.approx(0.4)
    assert set(entry["chosen on b"]) == {"a"}
    assert "| s | 1.000 | 1.000 | a | b | 0.4 | 2 (0.500) |" in confidence_cv.markdown(report)
    top = [{"id": "x", "hit": 0.0, "top_dense": 0.3}, {"id": "y", "hit": 1.0, "top_dense": 0.6}]
    fixed = confidence_cv.cross_validate({"a": top, "b": top}, fixed=0.4)["fixed"]
    assert fixed["a"]["flagged"] == 1 and fixed["b"]["flag_precision"] == 1.0


def test_confidence_run_records_signals_and_hits_per_half(
    data_dir: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, halves = tiny_run(data_dir, tmp_path, monkeypatch)
    results = rtqa_crossval.run([], halves, base, confidence=True)
    for rows in results["rows"].values():
        (row,) = rows  # one answerable question per week
        assert row["hit"] in (0.0, 1.0)
        assert {"top_dense", "word_coverage", "agreement"} <= set(row)
