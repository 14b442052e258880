"""The naive reference recipe and ``rag eval realtimeqa --compare naive --weeks ...``.

Pure parts (200-word chunks with the title, RRF arithmetic, the date cut-off,
week selection, the comparison table) on hand-made inputs; the naive index,
retriever and answer chain on a tiny corpus with a hash embedder; the command
in-process with the hash embedder and extractive answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evals import naive, rtqa_data, rtqa_scoring
from rag.config import Settings
from tests.fakes import HashEmbedding, ScriptedLLM
from tests.test_eval_realtimeqa import LYON, OSLO, ROME, _question, _result, _write

LONG = " ".join(f"w{i}" for i in range(450))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """Two weeks; Lyon's article is dated after week one's questions; one 450-word article."""
    d = tmp_path / "rtqa"
    d.mkdir()
    oslo = _result("https://a.example/oslo", OSLO, "2026/01/05", "Summit opens in Oslo")
    lyon = _result("https://b.example/lyon", LYON, "2026/01/20", "Quorvex prize announced")
    rome = _result("https://d.example/rome", ROME, "2026/01/14", "Festival in Rome")
    long = _result("https://f.example/long", LONG, "2026/01/02", "A long article")
    q1 = _question("20260109_0", "2026-01-08", "Where did the Zorblat summit open?", [], 0)
    q1["choices"], q1["answer"] = ["Paris", "Madrid", "Oslo", "Rome"], ["2"]
    q2 = _question("20260109_1", "2026-01-08", "Which city won the Quorvex prize?", [], 0)
    q2["choices"] = ["Lyon", "Paris", "Oslo", "Madrid"]
    q3 = _question("20260116_0", "2026-01-15", "Which city hosted the Blimfen festival?", [], 0)
    q3["choices"] = ["Rome", "Oslo", "Lyon", "Madrid"]
    _write(d / "20260109_qa.jsonl", [q1, q2])
    _write(
        d / "20260109_gcs.jsonl",
        [
            {"question_id": q1["question_id"], "search_result": [oslo, long]},
            {"question_id": q2["question_id"], "search_result": [lyon]},
        ],
    )
    _write(d / "20260116_qa.jsonl", [q3])
    _write(d / "20260116_gcs.jsonl", [{"question_id": q3["question_id"], "search_result": [rome]}])
    return d


# --- chunking, fusion, the cut-off ----------------------------------------------------------------


def test_chunks_are_200_words_without_overlap_and_carry_the_title() -> None:
    pieces = naive.chunk_words(LONG)
    assert [len(p.split()) for p in pieces] == [200, 200, 50]
    assert " ".join(pieces).split() == LONG.split()  # nothing lost, nothing repeated
    chunks = naive.article_chunks("A  long\narticle", LONG)
    assert len(chunks) == 3
    assert all(c.startswith("A long article\n") for c in chunks)
    assert chunks[1].split("\n", 1)[1].split()[0] == "w200"
    assert naive.article_chunks("Title", "") == []
    assert naive.article_chunks("", "one two") == ["one two"]


def test_chunk_rows_ids_and_metadata() -> None:
    article = rtqa_data.Article(url="https://x/a", title="T", text=LONG, date="2026-01-02")
    ids, texts, metas = naive.chunk_rows(article)
    assert len(ids) == len(set(ids)) == len(texts) == 3
    assert metas[0]["date_int"] == 20260102 and metas[2]["chunk"] == 2
    assert {m["document_id"] for m in metas} == {naive.document_id(article)}
    changed = rtqa_data.Article(
        url="https://x/a", title="T", text=LONG + " more", date="2026-01-02"
    )
    assert naive.document_id(changed) != naive.document_id(article)


def test_fusion_is_plain_rrf_with_k_60_and_equal_weights() -> None:
    fused = naive.naive_rank(["a", "b", "c"], ["b", "d"], {}, None, top_k=10)
    assert [d for d, _ in fused] == ["b", "a", "d", "c"]
    scores = dict(fused)
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["a"] == pytest.approx(1 / 61)
    assert scores["d"] == pytest.approx(1 / 62)
    assert scores["c"] == pytest.approx(1 / 63)
    assert len(naive.naive_rank(list("abcdefg"), [], {}, None)) == naive.TOP_K == 5


def test_date_cut_off_drops_later_chunks_before_fusion() -> None:
    assert naive.within_cut_off(20260108, 20260108)
    assert not naive.within_cut_off(20260109, 20260108)
    assert naive.within_cut_off(0, 20200101)  # undated passes
    assert naive.within_cut_off(20991231, None)  # no cut-off
    dates = {"a": 20260120, "b": 20260105, "c": 0}
    fused = naive.naive_rank(["a", "b", "c"], ["a", "c"], dates, 20260110, top_k=10)
    assert [d for d, _ in fused] == ["c", "b"]  # a is gone; ranks close up behind it
    assert dict(fused)["b"] == pytest.approx(1 / 61)  # second in dense before, first now
    assert dict(fused)["c"] == pytest.approx(1 / 62 + 1 / 61)


# --- the index, retrieval and the prompt ----------------------------------------------------------


def _naive(tmp_path: Path, llm: Any = None) -> naive.NaiveRAG:
    base = Settings(cache_dir=tmp_path / "cache", llm="extractive", index_dir=tmp_path / "index")
    settings = naive.naive_settings(base)
    assert settings.index_dir == tmp_path / "index-naive"
    assert settings.collection == f"{base.collection}-naive"
    return naive.NaiveRAG(settings, HashEmbedding(), llm)


def test_naive_index_retrieval_cut_off_and_reuse(data_dir: Path, tmp_path: Path) -> None:
    data = rtqa_data.load_dataset(data_dir)
    reference = _naive(tmp_path)
    info = naive.prepare_index(reference, data.articles, show_progress=False)
    assert info["reused"] is False and info["chunks"] == 3 + 3  # three short, one in three
    assert (tmp_path / "index-naive" / naive.MARKER).is_file()
    hits = reference.retriever.search(
        "Where did the Zorblat summit open?", top_k=10, as_of=20260108
    )
    titles = [h.node.metadata["title"] for h in hits]
    assert titles[0] == "Summit opens in Oslo"
    assert "Quorvex prize announced" not in titles and "Festival in Rome" not in titles
    assert hits[0].node.get_content() == OSLO  # the title is in the header, not the text
    assert len(reference.retriever.search("Oslo summit", as_of=20260130)) <= naive.TOP_K

    again = _naive(tmp_path)
    assert naive.prepare_index(again, data.articles, False)["reused"] is True
    assert again.embed_model.texts_embedded == 0
    data.articles[0].text += " Extra sentence about Oslo."
    info = naive.prepare_index(again, data.articles, False)
    assert info["sync"] == {"removed": 1, "added": 1, "embedded": 1} and info["chunks"] == 6


def test_whole_chunks_go_into_the_same_prompt(data_dir: Path, tmp_path: Path) -> None:
    data = rtqa_data.load_dataset(data_dir)
    llm = ScriptedLLM(replies=["w5"])
    reference = _naive(tmp_path, llm)
    naive.prepare_index(reference, data.articles, show_progress=False)
    answer = reference.ask(
        "What comes after w4 in the long article?", as_of=20260108, style="short"
    )
    prompt = llm.prompts[0][-1].content
    first_chunk = " ".join(f"w{i}" for i in range(200))
    assert first_chunk in prompt  # every word of the chunk, no sentence selection
    assert "A long article" in prompt and "Zorblat" in prompt
    assert len(answer.passages) <= naive.TOP_K and all(p.in_prompt for p in answer.passages)
    assert llm.prompts[0][0].content  # the app's system prompt is there


# --- weeks ---------------------------------------------------------------------------------------


def test_parse_weeks_lists_and_ranges() -> None:
    weeks = ["20260109", "20260116", "20260123", "20260227", "20260306"]
    assert rtqa_data.parse_weeks("20260109,20260116", weeks) == ["20260109", "20260116"]
    assert rtqa_data.parse_weeks("20260109-20260227", weeks) == weeks[:4]
    assert rtqa_data.parse_weeks(" 20260306 , 20260101-20260110 ", weeks) == [
        "20260109",
        "20260306",
    ]
    for bad in ("2026", "20260110", "20260227-20260109", "20250101-20250301", "", "a-b"):
        with pytest.raises(ValueError):
            rtqa_data.parse_weeks(bad, weeks)


def test_week_selection_keeps_the_corpus_pooled(data_dir: Path) -> None:
    data = rtqa_data.load_dataset(data_dir)
    picked = rtqa_data.pick_questions(data.questions, "20260116", None)
    assert [q.id for q in picked] == ["20260116_0"]
    assert [q.id for q in rtqa_data.pick_questions(data.questions, None, 2)] == [
        "20260109_0",
        "20260116_0",
    ]
    assert len(rtqa_data.pick_questions(data.questions, "20260109-20260116", 2)) == 2
    assert len(data.articles) == 4  # week one's articles stay in the corpus


# --- the comparison ------------------------------------------------------------------------------


def test_compare_summary_and_markdown() -> None:
    ours = {"questions": 2, "recall_at_5": 0.75, "mc_accuracy": 0.5, "closed_book_mc_accuracy": 0.5}
    other = {
        "questions": 2,
        "recall_at_5": 0.5,
        "mc_accuracy": 0.75,
        "closed_book_mc_accuracy": None,
    }
    ours["by_group"] = other["by_group"] = {}
    comparison = rtqa_scoring.compare(ours, other)
    assert comparison["naive"] is other
    assert comparison["delta"] == {
        "questions": 0,
        "recall_at_5": 0.25,
        "mc_accuracy": -0.25,
        "closed_book_mc_accuracy": None,
    }
    text = rtqa_scoring.compare_markdown(ours, comparison)
    assert "| Metric | ours | naive | ours − naive |" in text
    assert "| recall_at_5 | 0.750 | 0.500 | +0.250 |" in text
    assert "| mc_accuracy | 0.500 | 0.750 | -0.250 |" in text


def test_command_compare_naive_with_weeks(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    import rag.pipeline
    from rag.cli import main

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(rag.pipeline, "build_embedder", lambda settings: HashEmbedding())
    out = tmp_path / "out"
    argv = ["eval", "realtimeqa", "--data", str(data_dir), "--llm", "extractive"]
    argv += ["--index", str(tmp_path / "idx"), "--out", str(out), "--json"]
    argv += ["--weeks", "20260109", "--compare", "naive"]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["questions"] == 2
    compare = summary["compare"]
    assert set(compare["naive"]) == set(summary) - {"compare"}
    assert compare["naive"]["questions"] == 2 and compare["naive"]["date_leaks"] == 0
    for key in ("recall_at_5", "mc_accuracy", "open_em"):
        expected = summary[key] - compare["naive"][key]
        assert compare["delta"][key] == pytest.approx(expected)
    results = json.loads((out / "results.json").read_text())
    assert results["meta"]["weeks_asked"] == ["20260109"]
    assert results["meta"]["week_filter"] == "20260109"
    assert results["meta"]["naive_index_reused"] is False
    assert all(r["naive"]["date_leaks"] == 0 for r in results["records"])
    report = (out / "report.md").read_text()
    assert "## Ours vs naive" in report and "| Metric | ours | naive | ours − naive |" in report
    assert "naive MC" in report
    assert (tmp_path / "idx-naive" / naive.MARKER).is_file()

    assert main([*argv[:-2], "--weeks", "20260301"]) == 1  # not a week of the data
    assert "--weeks" in capsys.readouterr().err


def test_build_uses_the_app_embedder_by_default(tmp_path: Path, monkeypatch: Any) -> None:
    import rag.components

    built: list[Settings] = []

    def fake(settings: Settings) -> HashEmbedding:
        built.append(settings)
        return HashEmbedding()

    monkeypatch.setattr(rag.components, "build_embedder", fake)
    base = Settings(cache_dir=tmp_path / "cache", llm="extractive", index_dir=tmp_path / "index")
    reference = naive.NaiveRAG(naive.naive_settings(base))
    assert isinstance(reference.embed_model, HashEmbedding) and len(built) == 1
    assert naive.with_room(base).llm_context_window == naive.CONTEXT_WINDOW
    assert reference.settings.recency_weight == 0 and reference.settings.max_chunks_per_article == 0
