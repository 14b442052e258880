"""Retrieval: fusion arithmetic, BM25 with corrections, hybrid search on real models."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.bm25 import BM25Index
from rag.components import build_vector_store
from rag.ingest import ingest
from rag.retrieve import HybridRetriever, rrf_fuse
from rag.text import normalize_text
from tests.conftest import make_settings
from tests.fakes import HashEmbedding


def test_rrf_fuse_arithmetic() -> None:
    fused = dict(rrf_fuse([["a", "b", "c"], ["c", "a"]], k=60))
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["b"] == pytest.approx(1 / 62)
    assert fused["c"] == pytest.approx(1 / 63 + 1 / 61)
    order = [d for d, _ in rrf_fuse([["a", "b", "c"], ["c", "a"]], k=60)]
    assert order == ["a", "c", "b"]


def test_rrf_weights_and_ties() -> None:
    # A ranking with weight 0 does not count at all.
    assert [d for d, _ in rrf_fuse([["x", "y"], ["y", "x"]], [1.0, 0.0])] == ["x", "y"]
    # Equal scores keep first-seen order, so results are deterministic.
    assert [d for d, _ in rrf_fuse([["p"], ["q"]])] == ["p", "q"]
    with pytest.raises(ValueError):
        rrf_fuse([["a"]], [1.0, 2.0])


def test_bm25_ranks_exact_terms_and_corrects_misspellings() -> None:
    index = BM25Index(
        [
            "The museum in Palmyra reopened after restoration.",
            "Farmers in the valley harvested wheat early this year.",
            "Sergei Vеrshinin spoke about bases in December.",  # Cyrillic е, as in the seed article
        ]
    )
    assert index.search("Palmyra museum", 2)[0][0] == 0
    assert index.search("Palmira", 1)[0][0] == 0  # one edit away
    assert index.search("Vershinin", 1)[0][0] == 2  # homoglyph folded
    assert index.search("Vershinen", 1)[0][0] == 2
    assert index.correct_query("What about Palmira?") == "What about Palmyra?"
    # A common English word is no misspelling, though one edit from a corpus word:
    # "named" is not "Ahmed", "flew" not "flow".
    named = BM25Index(["Ahmed spoke. The river will flow again."])
    assert named.correct_query("Who is named? Who flew?") == "Who is named? Who flew?"
    assert named.correct_query("Who is Ahmd?") == "Who is Ahmed?"
    assert index.search("zzzz qqqq", 3) == []


def test_normalize_text_folds_quotes_space_and_lookalikes() -> None:
    assert normalize_text("Moscow’s  “bases”\n\tVеrshinin") == 'Moscow\'s "bases" Vershinin'
    assert normalize_text("Москва") == "Москва"  # all-Cyrillic words stay as they are


def test_hybrid_search_on_seed_corpus(seed_index, embedder) -> None:
    retriever = HybridRetriever(seed_index, embedder, build_vector_store(seed_index))
    results = retriever.search("Where were the wounded taken?", top_k=3)
    assert len(results) == 3
    assert "Et-Tanf" in results[0].node.get_content()
    assert results[0].score >= results[1].score >= results[2].score
    meta = results[0].node.metadata
    assert meta["file"] == "syria-us-palmyra-attack-russia-bases.txt"
    assert meta["dense_rank"] is not None and meta["bm25_rank"] is not None
    # Misspelled name still finds the passage that names him.
    top = retriever.search("What did Vershinen say?", top_k=2)
    assert any("Deputy Foreign Minister" in r.node.get_content() for r in top)
    # Through the llama-index BaseRetriever interface too.
    assert retriever.retrieve("Nour al-Din al-Baba")[0].node.metadata["file"].startswith("rayhaber")


def test_date_cutoff_applies_to_dense_and_bm25(corpus: Path, tmp_path: Path) -> None:
    for day, text in [
        ("2026-01-05", "The election was won by the Green party."),
        ("2026-02-20", "The election recount was won by the Blue party."),
        ("", "An undated note about the election."),
    ]:
        name = day or "undated"
        front = (
            f"---\ntitle: Election {name}\ndate: {day}\n---\n" if day else "---\ntitle: Note\n---\n"
        )
        (corpus / f"{name}.txt").write_text(front + text)
    settings = make_settings(tmp_path, candidates=10)
    fake = HashEmbedding()
    ingest(settings, embed_model=fake)
    retriever = HybridRetriever(settings, fake, build_vector_store(settings))
    every = {r.node.metadata["file"] for r in retriever.search("election won", top_k=5)}
    assert every == {"2026-01-05.txt", "2026-02-20.txt", "undated.txt"}
    early = retriever.search("election won", top_k=5, as_of=20260131)
    assert {r.node.metadata["file"] for r in early} == {"2026-01-05.txt", "undated.txt"}
    assert {f for f, _ in retriever.dense_search("election", 5, as_of=20260131)} == {
        "2026-01-05.txt#0",
        "undated.txt#0",
    }
    assert {f for f, _ in retriever.bm25_search("election", 5, as_of=20260131)} == {
        "2026-01-05.txt#0",
        "undated.txt#0",
    }


def test_refresh_sees_new_chunks(corpus: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    fake = HashEmbedding()
    (corpus / "a.txt").write_text("Alpha article about trains.")
    ingest(settings, embed_model=fake)
    retriever = HybridRetriever(settings, fake, build_vector_store(settings))
    assert retriever.size == 1
    (corpus / "b.txt").write_text("Beta article about ferries.")
    ingest(settings, embed_model=fake)
    retriever.refresh()
    assert retriever.size == 2
    assert retriever.search("ferries", top_k=1)[0].node.metadata["file"] == "b.txt"


def test_recency_boost_arithmetic() -> None:
    from rag.retrieve import days_between, recency_boosted

    assert days_between(20260301, 20260201) == 28
    fused = [("old", 1 / 61), ("new", 1 / 62), ("undated", 1 / 63)]
    dates = {"old": 20250101, "new": 20260131, "undated": 0}
    boosted = dict(recency_boosted(fused, dates, 20260131, weight=1.0, half_life_days=30, rrf_k=60))
    assert boosted["new"] == pytest.approx(1 / 62 + 1 / 61)  # age 0: a full first-place bonus
    assert boosted["old"] == pytest.approx(1 / 61 + (1 / 61) * 0.5 ** (395 / 30))
    assert boosted["undated"] == pytest.approx(1 / 63)
    order = [d for d, _ in recency_boosted(fused, dates, 20260131, 1.0, 30, 60)]
    assert order == ["new", "old", "undated"]
    # Off, or articles dated after the reference day: no change.
    assert recency_boosted(fused, dates, 20260131, 0.0, 30, 60) == fused
    assert dict(recency_boosted(fused, dates, 20251231, 1.0, 30, 60))["new"] == 1 / 62
    # A newer chunk naming none of the question's names gets no boost over the old report.
    coverage = {"old": 1.0, "new": 0.0, "undated": 1.0}
    order = [d for d, _ in recency_boosted(fused, dates, 20260131, 1.0, 30, 60, coverage)]
    assert order == ["old", "new", "undated"]


def test_name_coverage_counts_the_question_names_a_chunk_mentions() -> None:
    from rag.retrieve import ChunkTable, name_coverage

    table = ChunkTable(
        ids=["a", "b", "c"],
        texts=["The Santa Luzia sank off Porto Velho.", "A bus crashed near Orla.", "Porto Velho."],
        metadatas=[{"title": "Ferry"}, {"title": "Crash"}, {}],
    )
    table.position = {"a": 0, "b": 1, "c": 2}
    fused = [("a", 0.1), ("b", 0.1), ("c", 0.1)]
    q = "How many died when the Santa Luzia sank off Porto Velho?"
    assert name_coverage(q, fused, table) == {"a": 1.0, "b": 0.0, "c": 0.5}
    assert name_coverage("how many people died?", fused, table) is None


def test_newer_article_wins_a_tie_and_articles_are_capped(corpus: Path, tmp_path: Path) -> None:
    text = "The council approved the harbour budget after a long debate."
    for day in ("2025-01-10", "2026-01-10"):
        (corpus / f"{day}.txt").write_text(f"---\ntitle: Budget\ndate: {day}\n---\n{text}")
    (corpus / "long.txt").write_text(
        "---\ntitle: Budget diary\n---\n"
        + " ".join(f"Day {i}: the harbour budget debate went on." for i in range(40))
    )
    fake = HashEmbedding()
    settings = make_settings(tmp_path, chunk_size=64, chunk_overlap=0, max_chunks_per_article=2)
    ingest(settings, embed_model=fake)
    retriever = HybridRetriever(settings, fake, build_vector_store(settings))
    files = [r.node.metadata["file"] for r in retriever.search("harbour budget debate", top_k=4)]
    assert files.count("long.txt") == 2  # capped, though it has many matching chunks
    assert files.index("2026-01-10.txt") < files.index("2025-01-10.txt")
    # Too few articles to fill the places: held-back chunks fill them, after the others.
    files = [r.node.metadata["file"] for r in retriever.search("harbour budget debate", top_k=6)]
    assert len(files) == 6 and files[4:] == ["long.txt", "long.txt"]
    uncapped = retriever.settings.model_copy(update={"max_chunks_per_article": 0})
    retriever.settings = uncapped
    files = [r.node.metadata["file"] for r in retriever.search("harbour budget debate", top_k=6)]
    assert files.count("long.txt") > 2


def test_diversified_caps_then_backfills_in_rank_order() -> None:
    from rag.retrieve import diversified

    ranked = [("a1", 9.0), ("a2", 8.0), ("a3", 7.0), ("b1", 6.0), ("gone", 5.0), ("a4", 4.0)]
    article = {"a1": "a", "a2": "a", "a3": "a", "a4": "a", "b1": "b"}
    assert [c for c, _ in diversified(ranked, article.get, 2, 3)] == ["a1", "a2", "b1"]
    assert [c for c, _ in diversified(ranked, article.get, 2, 5)] == ["a1", "a2", "b1", "a3", "a4"]
    assert [c for c, _ in diversified(ranked, article.get, 0, 3)] == ["a1", "a2", "a3"]
    # A longer list starts with the shorter one: the conflict reserve reads past top_k this way.
    for cap in (0, 1, 2):
        for k in range(1, 5):
            short = diversified(ranked, article.get, cap, k)
            assert diversified(ranked, article.get, cap, k + 2)[:k] == short
