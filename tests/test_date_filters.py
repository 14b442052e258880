"""Dates end to end over the dated stories (evals/dated/corpus) in a real Chroma.

The window filter (dense and BM25, Chroma's where clause embedded and on a
server), the answer's as_of/window, "As of" on stale answers, the timeline
JSON contract, the CLI flags and the HTTP fields.
"""

from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import pytest

from rag.config import Settings
from rag.pipeline import RAG
from rag.retrieve import DateBounds, date_filter
from tests.conftest import ROOT, make_settings

DATED = ROOT / "evals" / "dated" / "corpus"
# The same event told by a second publisher: the timeline must merge the two.
WIRE = """---
title: Bus strike halts Tollan
source: Metro Wire
date: 2026-02-11
---

The Tollan bus strike began yesterday, leaving about 200,000 daily riders without buses.

Drivers want a raise of 9 percent.
"""
TIMELINE_KEYS = {"date", "precision", "label", "text", "relevance", "citations"}
TIMELINE_CITATION_KEYS = {"id", "source", "title", "date", "url", "quote"}


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory, embedder) -> Settings:
    from rag.ingest import ingest

    base = tmp_path_factory.mktemp("dated")
    shutil.copytree(DATED, base / "corpus")
    (base / "corpus" / "tollan-strike-wire.md").write_text(WIRE)
    settings = make_settings(base)
    assert ingest(settings, embed_model=embedder).chunks_total > 20
    return settings


@pytest.fixture(scope="module")
def rag(dated: Settings, embedder) -> RAG:
    return RAG(dated, embed_model=embedder, llm=None)


def days(nodes: Any) -> list[int]:
    return [int(n.node.metadata.get("date_int") or 0) for n in nodes]


def test_window_filters_dense_and_bm25(rag: RAG) -> None:
    r = rag.retriever
    everything = days(r.search("stadium strike dam library", top_k=20))
    assert any(d and d < 20260301 for d in everything) and 0 in everything
    inside = days(
        r.search("stadium strike dam library", top_k=20, date_from=20260301, date_to=20260630)
    )
    assert inside and all(d == 0 or 20260301 <= d <= 20260630 for d in inside)
    assert 0 in inside  # undated articles are kept by default
    dated_only = days(
        r.search(
            "stadium strike dam", top_k=20, date_from=20260301, date_to=20260630, dated_only=True
        )
    )
    assert dated_only and all(20260301 <= d <= 20260630 for d in dated_only)
    bounds = DateBounds.of(date_from=20260301, date_to=20260630)
    for ranking in (
        r.dense_search("stadium", 20, None, bounds),
        r.bm25_search("stadium", 20, None, bounds),
    ):
        positions = [r.table.position[c] for c, _ in ranking]
        assert all(bounds.keeps(int(r.table.date_ints[i])) for i in positions)


def where_clause_results(r: Any, bounds: DateBounds) -> list[int]:
    """Chroma's own filtered query (the path taken when post-filtering leaves too few)."""
    embedding = r.embed_model.get_query_embedding("stadium opening")
    hits = r._query(embedding, 30, date_filter(None, bounds))
    return [int(r.table.date_ints[r.table.position[c]]) for c, _ in hits]


@pytest.mark.parametrize(
    "bounds",
    [
        DateBounds(20260301, 20260630),
        DateBounds(20260301, 20260630, dated_only=True),
        DateBounds(0, 20260115),
        DateBounds(20260801, 0),
    ],
)
def test_chroma_where_clause_embedded(rag: RAG, bounds: DateBounds) -> None:
    found = where_clause_results(rag.retriever, bounds)
    assert found and all(bounds.keeps(d) for d in found)
    assert (0 in found) == (not bounds.dated_only)


def server_retriever(dated: Settings, chroma_server: str, embedder, collection: str):
    """The dated stories ingested into ``collection`` of the Chroma server, and its retriever."""
    from rag.ingest import ingest

    settings = dated.model_copy(
        update={
            "chroma_url": chroma_server,
            "collection": collection,
            "index_dir": dated.index_dir.parent / f"{collection}-server-index",
        }
    )
    ingest(settings, embed_model=embedder)
    return RAG(settings, embed_model=embedder, llm=None).retriever


def test_chroma_where_clause_on_a_server(chroma_server: str, dated: Settings, embedder) -> None:
    r = server_retriever(dated, chroma_server, embedder, "dates_test")
    for bounds in (DateBounds(20260301, 20260630), DateBounds(20260301, 20260630, dated_only=True)):
        found = where_clause_results(r, bounds)
        assert found and all(bounds.keeps(d) for d in found)
        assert (0 in found) == (not bounds.dated_only)


def test_answer_reports_window_and_cites_only_inside(rag: RAG) -> None:
    answer = rag.ask("What happened at the Kelsey Bay stadium in February?", as_of=20261201)
    assert answer.as_of == "2026-12-01"
    assert answer.window == {"from": "2026-02-01", "to": "2026-02-28"}
    assert answer.citations and all(
        "2026-02-01" <= c.date <= "2026-02-28" for c in answer.citations
    )
    assert "roof" in answer.answer
    data = answer.to_dict()
    assert data["window"] == answer.window and data["as_of"] == "2026-12-01"
    plain = rag.ask("Who is the mayor of Kelsey Bay?")
    assert plain.as_of is None and plain.window is None


def test_a_refusal_inside_a_date_window_names_the_article_just_outside_it(rag: RAG) -> None:
    # Asked on a Monday, "this week" is that Monday alone; the library reopened on Thursday.
    question = "What happened at the Orlen library this week?"
    answer = rag.ask(question, as_of=20260928)
    assert answer.refused and answer.window == {"from": "2026-09-28", "to": "2026-09-28"}
    assert "Orlen city library fully reopens after fire" in answer.answer
    assert "24 September 2026" in answer.answer and 'without "this week"' in answer.answer
    assert not answer.citations  # named, never used to answer
    # On the Friday the same article is inside the window, and answers.
    inside = rag.ask(question, as_of=20260925)
    assert not inside.refused and "Ask again" not in inside.answer
    # Nothing of another story is offered: no article outside the window names the World Cup.
    other = rag.ask("Who won the football World Cup this week?", as_of=20260928)
    assert other.refused and "Ask again" not in other.answer
    # A window the user set is not the question's phrase: no hint.
    explicit = rag.ask("What happened at the Orlen library?", date_from=20260928, date_to=20260928)
    assert explicit.refused and "Ask again" not in explicit.answer


def test_explicit_bounds_and_dated_only(rag: RAG) -> None:
    answer = rag.ask(
        "What did the mayor say about the stadium?", date_from=20260401, date_to=20260430
    )
    assert answer.window == {"from": "2026-04-01", "to": "2026-04-30"}
    assert all(p.date == "" or "2026-04-01" <= p.date <= "2026-04-30" for p in answer.passages)
    dated_only = rag.ask("What are the parks of Kelsey Bay?", dated_only=True)
    assert all(p.date for p in dated_only.passages)


def test_stale_current_state_answer_says_as_of(rag: RAG) -> None:
    answer = rag.ask("When will the Kelsey Bay harbour stadium open?", as_of=20260630)
    assert not answer.refused
    newest = max(c.date for c in answer.citations)
    assert newest < "2026-05-31"  # the rule applies: over 30 days before 30 June
    assert answer.answer.startswith("As of ")
    fresh = rag.ask("When will the Kelsey Bay harbour stadium open?", as_of=20260415)
    assert not fresh.answer.startswith("As of")  # newest source is under 30 days old


def test_current_state_prefers_the_newest_article(rag: RAG) -> None:
    answer = rag.ask("How many jobs is Vesna Systems cutting now?", as_of=20260901)
    assert "180" in answer.answer
    assert answer.passages[0].source == "vesna-systems-03.md"


def test_timeline_contract_order_and_merging(rag: RAG) -> None:
    timeline = rag.timeline("Tollan bus strike")
    assert set(timeline) == {"topic", "events"} and timeline["topic"] == "Tollan bus strike"
    events = timeline["events"]
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)
    for event in events:
        assert set(event) == TIMELINE_KEYS and event["citations"]
        for c in event["citations"]:
            assert set(c) == TIMELINE_CITATION_KEYS
            assert c["quote"] in (rag.settings.corpus_dir / c["source"]).read_text()
    began = [e for e in events if "began yesterday" in e["text"]]
    assert len(began) == 1 and began[0]["date"] == "2026-02-10"
    assert {c["source"] for c in began[0]["citations"]} == {
        "tollan-strike-02.md",
        "tollan-strike-wire.md",
    }
    by_text = {e["date"]: e["text"] for e in events}
    assert "voted to strike" in by_text["2026-01-31"] and "7 percent" in by_text["2026-03-15"]
    ids = {c["source"]: c["id"] for e in events for c in e["citations"]}
    assert sorted(ids.values()) == list(range(1, len(ids) + 1))


def test_timeline_bounds(rag: RAG) -> None:
    events = rag.timeline("Tollan bus strike", "2026-02-01", "2026-02-28")["events"]
    assert events and all("2026-02-01" <= e["date"] <= "2026-02-28" for e in events)
    assert rag.timeline("zebra migration in Antarctica")["events"] == []


def run_cli(*argv: str) -> tuple[int, str, str]:
    from rag.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_cli_date_flags_and_timeline(dated: Settings) -> None:
    where = ["--corpus", str(dated.corpus_dir), "--index", str(dated.index_dir)]
    code, out, _ = run_cli(
        "ask",
        "What did the mayor say about the stadium?",
        "--json",
        "--llm",
        "extractive",
        "--as-of",
        "2026-12-01",
        "--since",
        "2026-04-01",
        "--until",
        "2026-04-30",
        *where,
    )
    data = json.loads(out)
    assert code == 0 and data["as_of"] == "2026-12-01"
    assert data["window"] == {"from": "2026-04-01", "to": "2026-04-30"}
    code, out, _ = run_cli(
        "ask",
        "What happened at the Kelsey Bay stadium in February?",
        "--llm",
        "extractive",
        "--as-of",
        "2026-12-01",
        *where,
    )
    assert code == 0 and out.startswith("(searched articles from 1–28 February 2026)")
    code, out, _ = run_cli(
        "ask", "What are the parks of Kelsey Bay?", "--llm", "extractive", *where
    )
    assert "undated" in out  # sources always show a date or "undated"
    code, _, err = run_cli("ask", "x", "--since", "March 2026", *where)
    assert code == 2 and "YYYY-MM-DD" in err
    code, out, _ = run_cli("timeline", "Orlen city library", "--json", *where)
    events = json.loads(out)["events"]
    assert code == 0 and events[0]["date"] == "2025-11-18" and "fire" in events[0]["text"]
    code, out, _ = run_cli("timeline", "Orlen city library", "--since", "2026-04-01", *where)
    assert code == 0 and "11 April 2026:" in out and "[1]" in out and "18 November" not in out


def test_http_date_fields(rag: RAG) -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from rag.api import build_router

    app = FastAPI()
    app.include_router(build_router(rag, ["extractive"]))
    client = TestClient(app)
    body = {
        "question": "What did the mayor say about the stadium?",
        "as_of": "2026-12-01",
        "date_from": "2026-04-01",
        "date_to": "2026-04-30",
        "dated_only": True,
    }
    data = client.post("/api/ask", json=body).json()
    assert data["as_of"] == "2026-12-01" and data["window"] == {
        "from": "2026-04-01",
        "to": "2026-04-30",
    }
    assert all("2026-04-01" <= c["date"] <= "2026-04-30" for c in data["citations"])
    for bad in (
        {"question": "x", "as_of": "31/12/2026"},
        {"question": "x", "date_from": "2026-05-01", "date_to": "2026-04-01"},
        {"question": "x", "dated_only": "maybe"},
    ):
        response = client.post("/api/ask", json=bad)
        assert response.status_code == 400 and response.json()["error"]["message"]
    timeline = client.post(
        "/api/timeline", json={"topic": "Vesna Systems", "date_from": "2026-07-01"}
    )
    events = timeline.json()["events"]
    assert timeline.status_code == 200 and events and all(e["date"] >= "2026-07-01" for e in events)
    assert client.post("/api/timeline", json={"topic": ""}).status_code == 400
    assert client.post("/api/timeline", json={"topic": "x", "date_to": "soon"}).status_code == 400
    chat = {
        "model": "news-rag",
        "messages": [{"role": "user", "content": "What happened at the Kelsey Bay stadium?"}],
        "as_of": "2026-12-01",
        "date_from": "2026-08-01",
    }
    data = client.post("/v1/chat/completions", json=chat).json()
    assert (
        data["window"] == {"from": "2026-08-01", "to": "2026-12-01"}
        and data["as_of"] == "2026-12-01"
    )
    assert all(c["date"] >= "2026-08-01" for c in data["citations"])


def test_prompt_gets_the_change_note_only_when_dates_differ(rag: RAG) -> None:
    from rag.newest import CHANGE_NOTE
    from rag.types import AskOptions

    current = rag.chain.prepare(
        "When will the Kelsey Bay harbour stadium open?", AskOptions(as_of=20260630)
    )
    assert len({p.date for p in current.passages if p.in_prompt and p.date}) > 1
    prompt = current.messages[-1].content
    assert CHANGE_NOTE in prompt
    assert all(f"{p.date})" in prompt for p in current.passages if p.in_prompt and p.date)
    plain = rag.chain.prepare("Who built the Kelsey Bay stadium?", AskOptions(as_of=20260630))
    assert CHANGE_NOTE not in plain.messages[-1].content


def test_a_calendar_date_naming_the_event_falls_back_when_no_article_is_in_it(rag: RAG) -> None:
    # No article was published on 12-13 January: the date names the vote, not the news.
    answer = rag.ask("What did the Kelsey Bay council approve on January 12th?", as_of=20261201)
    assert answer.window is None and "budget" in answer.answer
    # A relative phrase is kept even when it finds nothing dated: the user asked for that week.
    strict = rag.ask("What did the Kelsey Bay council approve last week?", as_of=20260131)
    assert strict.window == {"from": "2026-01-19", "to": "2026-01-25"}
    assert all(not c.date for c in strict.citations)
