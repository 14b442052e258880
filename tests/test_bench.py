"""The speed benchmark's logic on a tiny benchmark-format corpus: figures, not timings.

No assert here is about speed; the test checks that every figure is produced,
positive and consistent (ratios are the quotients they claim to be).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.bench import answers, report, runner
from evals.bench.common import BenchConfig
from evals.bench.data import load_benchmark, write_corpus

TOPICS = [
    ("Harbor bridge reopens", "The harbor bridge in Lowport reopened on Monday after repairs."),
    ("Council passes budget", "The city council of Eastvale passed a budget of 40 million."),
    ("Storm hits coast", "A storm named Oriel hit the northern coast with strong winds."),
    ("Museum finds painting", "The Corlan museum found a lost painting by Ada Brenn."),
    ("Rail strike ends", "Rail workers in Midford ended a strike that lasted nine days."),
]


def article(i: int, title: str, lead: str) -> dict[str, object]:
    """An article long enough to make several chunks."""
    body = " ".join(
        f"{lead} Officials said on day {d} that work number {i * 100 + d} went as planned."
        for d in range(30)
    )
    return {
        "url": f"https://news.example/{i}",
        "title": title,
        "text": body,
        "authors": [],
        "publish_date": f"2026/01/{i + 1:02d}",
    }


def question(i: int, sentence: str, date: str, answer: str) -> dict[str, object]:
    """A question in the benchmark's format; the right choice is the first."""
    choices = [answer, "Tuesday", "Nobody", "Elsewhere"]
    return {
        "question_id": f"20260109_{i}",
        "question_date": date,
        "question_sentence": sentence,
        "choices": choices,
        "answer": ["0"],
    }


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """Two weeks in the RealTime QA layout, with a duplicate URL and an article without text."""
    folder = tmp_path / "data"
    folder.mkdir()
    articles = [article(i, t, lead) for i, (t, lead) in enumerate(TOPICS)]
    week1 = [
        {"question_id": "a_0", "search_result": articles[:3]},
        {"question_id": "a_1", "search_result": [articles[0], {"url": "https://x.example/no"}]},
    ]
    week2 = [{"question_id": "b_0", "search_result": articles[2:]}]
    questions = [
        question(0, "When did the harbor bridge reopen?", "2026-01-09", "Monday"),
        question(1, "Which storm hit the coast?", "2026-01-16", "Oriel"),
        question(2, "Who painted the lost painting?", "2026-01-16", "Ada Brenn"),
    ]
    for name, rows in (("20260109_gcs", week1), ("20260116_gcs", week2)):
        (folder / f"{name}.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (folder / "20260109_qa.jsonl").write_text("\n".join(json.dumps(q) for q in questions) + "\n")
    return folder


def test_load_articles_pools_dedupes_and_skips_textless(data_dir: Path) -> None:
    benchmark = load_benchmark(data_dir)
    articles = benchmark.articles
    assert sorted(a.url for a in articles) == [f"https://news.example/{i}" for i in range(5)]
    assert all(a.text and a.publisher == "news.example" for a in articles)
    assert [a.key for a in articles] == sorted(a.key for a in articles)  # the subset's order
    assert benchmark.queries[0] == ("When did the harbor bridge reopen?", 20260109)


def test_written_articles_load_with_metadata(data_dir: Path, tmp_path: Path) -> None:
    from rag.documents import load_corpus

    folder = write_corpus(load_benchmark(data_dir).articles, tmp_path / "corpus")
    docs = load_corpus(folder).documents
    assert len(docs) == 5
    by_title = {d.metadata["title"]: d for d in docs}
    assert by_title["Storm hits coast"].metadata["date"] == "2026-01-03"
    assert by_title["Storm hits coast"].metadata["url"] == "https://news.example/2"


def test_quick_run_writes_every_figure(data_dir: Path, tmp_path: Path, embedder) -> None:
    cfg = BenchConfig.quick_defaults(
        data=data_dir,
        out=tmp_path / "out",
        skip_llm=True,
        skip_app=True,
        repeat=2,
        subset_chunks=6,
        synthetic_chunks=300,
        queries=3,
    )
    runner.run_bench(cfg, embedder=embedder, log=lambda message: None)
    results = json.loads((tmp_path / "out" / "bench.json").read_text())
    assert {"machine", "settings", "config", "ingest", "retrieval", "targets"} <= set(results)
    assert "error" not in results["ingest"] and "error" not in results["retrieval"]
    assert results["machine"]["cores"] >= 1 and results["machine"]["cpu"]

    sub = results["ingest"]["subset"]
    assert 6 <= sub["chunks"] < results["ingest"]["corpus"]["chunks"]
    assert len(sub["pipeline_runs"]) == len(sub["raw_runs"]) == 2
    assert sub["pipeline_chunks_per_s"] > 0 and sub["raw_encode_chunks_per_s"] > 0
    assert sub["ratio"] == pytest.approx(
        sub["pipeline_chunks_per_s"] / sub["raw_encode_chunks_per_s"]
    )
    assert sub["cpu_ratio"] == pytest.approx(
        sub["cpu_pipeline_chunks_per_s"] / sub["cpu_raw_encode_chunks_per_s"]
    )
    assert results["ingest"]["full"] is None

    for key, size in (("benchmark", sub["chunks"]), ("synthetic", 300)):
        ret = results["retrieval"][key]
        assert ret["chunks"] == size and ret["queries"] == 3
        assert 0 < ret["p50_ms"] <= ret["p95_ms"]
        assert ret["baseline"]["p50_ms"] > 0
        assert ret["ratio_p50"] == pytest.approx(ret["p50_ms"] / ret["baseline"]["p50_ms"])
        assert set(ret["breakdown_ms"]) == {"correct", "embed", "dense", "bm25", "fuse"}

    targets = {row["metric"]: row for row in results["targets"]}
    assert targets["ingest throughput / raw encode"]["met"] in (True, False)
    assert targets["app peak RSS with LLM (GB)"]["met"] is None  # skipped, not guessed
    table = (tmp_path / "out" / "bench.md").read_text()
    assert "| metric | value |" in table and "retrieval p50 / p95" in table


def test_a_failing_step_is_recorded_and_the_rest_still_run(tmp_path: Path) -> None:
    results: dict[str, object] = {}
    messages: list[str] = []

    def boom() -> None:
        raise RuntimeError("no index")

    assert not runner.run_step(results, "retrieval", messages.append, boom)
    assert runner.run_step(results, "answer", messages.append, lambda: {"questions": 0})
    assert results["retrieval"] == {"error": "RuntimeError: no index"}
    assert "no index" in messages[0]
    results["machine"] = {"date": "2026-01-01", "cpu": "x", "cores": 2, "ram_gb": 1.0}
    results["machine"].update({"python": "3", "torch": "2", "load_average_start": [0.0]})
    results["config"] = {"quick": True}
    results["targets"] = report.target_rows(results)
    table = report.markdown_table(results)
    assert "retrieval: not measured | RuntimeError: no index" in table


def test_readme_table_goes_between_markers_only(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{report.README_START}\nold\n{report.README_END}\n\nTail\n")
    assert report.update_readme(readme, "| new |\n")
    assert readme.read_text() == (
        f"# Title\n\n{report.README_START}\n| new |\n{report.README_END}\n\nTail\n"
    )
    plain = tmp_path / "PLAIN.md"
    plain.write_text("no markers\n")
    assert not report.update_readme(plain, "| new |\n")
    assert plain.read_text() == "no markers\n"


def test_llm_seconds_from_llama_cpp_rates() -> None:
    usage = {
        "prompt_tokens": 700,
        "cached_tokens": 300,
        "completion_tokens": 40,
        "prefill_tokens_per_s": 80.0,
        "decode_tokens_per_s": 20.0,
    }
    assert answers.llm_seconds(usage) == (5.0, 2.0)
    assert answers.llm_seconds({}) == (None, None)
