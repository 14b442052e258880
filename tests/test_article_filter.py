"""Keeping a search to some articles (``files``): the retriever, Chroma's where clause
(embedded and on a server), the answer, the CLI's --article and the HTTP field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rag.config import Settings
from rag.pipeline import RAG
from rag.retrieve import DateBounds, date_filter
from tests.test_date_filters import (  # noqa: F401  (module fixtures)
    dated,
    rag,
    run_cli,
    server_retriever,
)

LIBRARY = ("orlen-library-01.md", "orlen-library-02.md")


def files_of(nodes: Any) -> set[str]:
    return {str(n.node.metadata.get("file")) for n in nodes}


def test_search_keeps_to_the_chosen_articles(rag: RAG) -> None:  # noqa: F811
    r = rag.retriever
    everywhere = r.search("When will the Kelsey Bay stadium open?", top_k=5)
    assert any(f.startswith("kelsey-stadium") for f in files_of(everywhere))
    kept = r.search("When will the Kelsey Bay stadium open?", top_k=5, files=LIBRARY)
    assert kept and files_of(kept) <= set(LIBRARY)
    # with a date window as well: both apply
    dated_kept = r.search("library", top_k=5, files=LIBRARY, date_from=20260101)
    assert files_of(dated_kept) <= set(LIBRARY)
    assert all(int(n.node.metadata["date_int"]) >= 20260101 for n in dated_kept)
    assert r.search("library", top_k=5, files=["no-such-article.md"]) == []


def where_files(r: Any, bounds: DateBounds) -> set[str]:
    embedding = r.embed_model.get_query_embedding("stadium opening")
    hits = r._query(embedding, 30, date_filter(None, bounds))
    return {str(r.table.files[r.table.position[c]]) for c, _ in hits}


def test_chroma_where_clause_keeps_the_files(rag: RAG) -> None:  # noqa: F811
    only = where_files(rag.retriever, DateBounds(files=frozenset(LIBRARY)))
    assert only and only <= set(LIBRARY)
    both = DateBounds(20260101, 0, files=frozenset(LIBRARY))
    found = where_files(rag.retriever, both)
    assert found and found <= set(LIBRARY)


def test_chroma_where_clause_keeps_the_files_on_a_server(
    chroma_server: str,
    dated: Settings,  # noqa: F811
    embedder: Any,
) -> None:
    r = server_retriever(dated, chroma_server, embedder, "files_test")
    found = where_files(r, DateBounds(files=frozenset(LIBRARY)))
    assert found and found <= set(LIBRARY)


def test_answers_cite_only_the_chosen_articles(rag: RAG) -> None:  # noqa: F811
    answer = rag.ask("What happened to the library?", files=LIBRARY)
    assert answer.passages and {p.source for p in answer.passages} <= set(LIBRARY)
    assert {c.source for c in answer.citations} <= set(LIBRARY)


def test_a_how_much_question_is_answered_from_one_chosen_article(rag: RAG) -> None:  # noqa: F811
    # Over one article every question word but "much" is in the passage; "much" alone
    # must not be what a sentence needs to answer (it had made this a refusal).
    question = "How much will the Orlen library restoration cost?"
    answer = rag.ask(question, files=("orlen-library-02.md",))
    assert not answer.refused and "2 million crowns" in answer.answer
    assert {c.source for c in answer.citations} == {"orlen-library-02.md"}


def test_cli_article_flag(dated: Settings) -> None:  # noqa: F811
    where = ["--corpus", str(dated.corpus_dir), "--index", str(dated.index_dir)]
    argv = ["ask", "What happened to the library?", "--json", "--details", "--llm", "extractive"]
    code, out, _ = run_cli(*argv, "--article", LIBRARY[0], *where)
    data = json.loads(out)
    assert code == 0 and {p["source"] for p in data["passages"]} == {LIBRARY[0]}


@pytest.mark.parametrize(
    "bad",
    [
        {"files": "orlen-library-01.md"},  # a list, not a string
        {"files": [""]},
        {"files": ["x"] * 501},
        {"files": [3]},
    ],
)
def test_http_files_field(rag: RAG, bad: dict[str, Any]) -> None:  # noqa: F811
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from rag.api import build_router

    app = FastAPI()
    app.include_router(build_router(rag, ["extractive"]))
    client = TestClient(app)
    body = {"question": "What happened to the library?", "details": True, "files": list(LIBRARY)}
    data = client.post("/api/ask", json=body).json()
    assert data["passages"] and {p["source"] for p in data["passages"]} <= set(LIBRARY)
    response = client.post("/api/ask", json={"question": "x", **bad})
    assert response.status_code == 400 and response.json()["error"]["message"]
    timeline = client.post("/api/timeline", json={"topic": "library", "files": list(LIBRARY)})
    assert timeline.status_code == 400 and "files" in timeline.json()["error"]["message"]


@pytest.mark.parametrize("bad", ["nope.md", "../../etc/passwd"])
def test_cli_unknown_article_is_bad_usage(dated: Settings, bad: str) -> None:  # noqa: F811
    where = ["--corpus", str(dated.corpus_dir), "--index", str(dated.index_dir)]
    code, out, err = run_cli(
        "ask", "What happened?", "--llm", "extractive", "--article", bad, *where
    )
    assert code == 2 and out == ""
    assert f"{bad!r} is not an indexed article" in err and "`rag articles` lists them" in err
    code, _, err = run_cli(
        "ask", "x", "--llm", "extractive", "--article", "orlen-library-1.md", *where
    )
    assert code == 2 and f"did you mean {LIBRARY[0]!r}?" in err


def test_cli_articles_lists_the_names_article_takes(dated: Settings) -> None:  # noqa: F811
    from rag.cli import build_parser

    where = ["--corpus", str(dated.corpus_dir), "--index", str(dated.index_dir)]
    code, out, _ = run_cli("articles", *where)
    assert code == 0 and all(name in out for name in LIBRARY)
    code, out, _ = run_cli("articles", "library", "--json", *where)
    files = {a["file"] for a in json.loads(out)}
    assert code == 0 and set(LIBRARY) <= files and not any("stadium" in f for f in files)
    ask = build_parser()._subparsers._group_actions[0].choices["ask"]  # type: ignore[union-attr]
    assert "`rag articles` lists it" in ask.format_help().replace("\n", " ")
