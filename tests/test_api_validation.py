"""Input the HTTP API must refuse with a 4xx in its ``{"error": ...}`` shape, never a 500,
a 200 that guessed, or FastAPI's bare 404/422: days too big for any date, unknown article
names, unknown OpenAI models and roles, wrong JSON types, a missing query parameter and
wrong methods. Also the one pipeline check (``RAG.check_options``) the API and CLI share.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rag.config import Settings
from rag.errors import BadOptionError
from rag.pipeline import RAG
from rag.types import AskOptions

QUESTION = "Where were the wounded taken?"
HUGE = 99999999999999999999  # overflows the C date constructor
KNOWN = "syria-us-palmyra-attack-russia-bases.txt"


@pytest.fixture(scope="module")
def rag(seed_index: Settings, embedder: Any) -> RAG:
    return RAG(seed_index, embed_model=embedder, llm=None)


@pytest.fixture(scope="module")
def client(rag: RAG) -> TestClient:
    """Our routes alone: what every JSON test needs, without the chat page."""
    from rag.api import build_router

    app = FastAPI()
    app.include_router(build_router(rag, ["extractive"]))
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def full_app(rag: RAG) -> TestClient:
    """The served app, the Gradio page mounted at ``/`` behind our routes."""
    from ui.server import create_app

    return TestClient(create_app(rag, ["extractive"]), raise_server_exceptions=False)


def chat(client: TestClient, **fields: Any) -> Any:
    body = {"messages": [{"role": "user", "content": QUESTION}], **fields}
    return client.post("/v1/chat/completions", json=body)


def error_of(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    return response.json()["error"]["message"]


# --- 1. a huge integer day -----------------------------------------------------------------


@pytest.mark.parametrize("field", ["as_of", "date_from", "date_to"])
def test_a_huge_integer_day_is_a_400_not_an_overflow(client: TestClient, field: str) -> None:
    ask = client.post("/api/ask", json={"question": QUESTION, field: HUGE})
    assert f"{HUGE} is not a YYYYMMDD date" in error_of(ask, 400)
    assert field in error_of(chat(client, **{field: HUGE}), 400)
    if field != "as_of":
        timeline = client.post("/api/timeline", json={"topic": "Palmyra", field: HUGE})
        assert "is not a YYYYMMDD date" in error_of(timeline, 400)


def test_the_python_api_refuses_a_day_that_is_no_date(rag: RAG) -> None:
    for options in ({"as_of": HUGE}, {"date_from": 20261399}, {"date_to": -1}):
        with pytest.raises(ValueError, match="is not a YYYYMMDD date"):
            rag.ask("x", **options)
    with pytest.raises(BadOptionError, match="as_of"):
        next(rag.stream(QUESTION, as_of=HUGE))


# --- 2. unknown article names ----------------------------------------------------------------


@pytest.mark.parametrize("files", [["nope.md"], ["../../etc/passwd"], [KNOWN, "/etc/hosts"]])
def test_unknown_files_are_a_400_naming_them(client: TestClient, files: list[str]) -> None:
    unknown = files[-1]
    ask = client.post("/api/ask", json={"question": QUESTION, "files": files})
    assert f"{unknown!r} is not an indexed article" in error_of(ask, 400)
    assert f"{unknown!r} is not an indexed article" in error_of(chat(client, files=files), 400)
    streamed = chat(client, files=files, stream=True)
    assert "is not an indexed article" in error_of(streamed, 400)


def test_a_typo_in_a_file_name_gets_the_close_name(rag: RAG, client: TestClient) -> None:
    typo = KNOWN.replace("palmyra", "palmira")
    with pytest.raises(BadOptionError, match=f"did you mean {KNOWN!r}"):
        rag.check_options(AskOptions(files=(typo, "other.md")))
    ask = client.post("/api/ask", json={"question": QUESTION, "files": [typo, "other.md"]})
    assert "are not indexed articles" in error_of(ask, 400)
    good = client.post("/api/ask", json={"question": QUESTION, "files": [KNOWN]})
    assert good.status_code == 200 and not good.json()["refused"]


# --- 3. OpenAI models and roles --------------------------------------------------------------


def test_an_unknown_model_is_openai_s_404(client: TestClient) -> None:
    response = chat(client, model="gpt-4")
    message = error_of(response, 404)
    assert response.json()["error"]["code"] == "model_not_found"
    listed = [m["id"] for m in client.get("/v1/models").json()["data"]]
    assert "'gpt-4'" in message and all(name in message for name in listed)
    assert error_of(chat(client, model="gpt-4", stream=True), 404) == message
    assert "model" in error_of(chat(client, model=4), 400)


def test_a_missing_model_is_the_default_and_listed_ones_answer(client: TestClient) -> None:
    listed = [m["id"] for m in client.get("/v1/models").json()["data"]]
    missing = chat(client)
    assert missing.status_code == 200 and missing.json()["model"] == listed[0] == "news-rag"
    for name in listed:
        response = chat(client, model=name)
        assert response.status_code == 200 and response.json()["model"] == name


def test_an_unknown_role_is_a_400_naming_the_roles(client: TestClient) -> None:
    message = error_of(chat(client, messages=[{"role": "wizard", "content": QUESTION}]), 400)
    assert "messages.0.role" in message
    assert all(role in message for role in ("system", "user", "assistant"))
    earlier = [{"role": "tool", "content": "x"}, {"role": "user", "content": QUESTION}]
    assert "messages.0.role" in error_of(chat(client, messages=earlier), 400)


# --- 4. wrong JSON types ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("top_k", True),
        ("top_k", 2.0),
        ("details", "yes"),
        ("details", 1),
        ("dated_only", "no"),
        ("dated_only", 0),
        ("as_of", True),
        ("as_of", 20260101.0),
        ("files", [1]),
    ],
)
def test_wrong_types_on_api_ask_are_400s(client: TestClient, field: str, value: Any) -> None:
    ask = client.post("/api/ask", json={"question": QUESTION, field: value})
    assert error_of(ask, 400).startswith(f"Invalid request: {field}")


@pytest.mark.parametrize(
    ("field", "value"),
    [("limit", True), ("limit", "5"), ("dated_only", "no"), ("date_from", 20260101.5)],
)
def test_wrong_types_on_api_timeline_are_400s(client: TestClient, field: str, value: Any) -> None:
    timeline = client.post("/api/timeline", json={"topic": "Palmyra", field: value})
    assert error_of(timeline, 400).startswith(f"Invalid request: {field}")


@pytest.mark.parametrize(
    ("field", "value"),
    [("top_k", True), ("dated_only", "no"), ("as_of", False), ("date_to", 2.5), ("user", 7)],
)
def test_wrong_types_on_the_openai_extra_fields_are_400s(
    client: TestClient, field: str, value: Any
) -> None:
    assert error_of(chat(client, **{field: value}), 400).startswith(f"Invalid request: {field}")


# --- 5. FastAPI's own errors in our shape ----------------------------------------------------


def test_article_without_file_is_a_400_in_our_shape(full_app: TestClient) -> None:
    response = full_app.get("/article")
    assert "file" in error_of(response, 400) and "detail" not in response.json()
    assert full_app.get("/article", params={"file": "nope.md"}).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/api/ask", "POST"),
        ("PUT", "/api/ask", "POST"),
        ("GET", "/api/timeline", "POST"),
        ("POST", "/api/status", "GET"),
        ("GET", "/v1/chat/completions", "POST"),
        ("DELETE", "/v1/models", "GET"),
        ("POST", "/article", "GET"),
    ],
)
def test_a_wrong_method_is_a_405_in_our_shape(
    full_app: TestClient, method: str, path: str, allowed: str
) -> None:
    response = full_app.request(method, path)
    assert f"use {allowed}" in error_of(response, 405)
    assert response.headers["allow"] == allowed


def test_the_right_methods_still_reach_the_routes(full_app: TestClient) -> None:
    assert full_app.get("/api/status").status_code == 200
    assert full_app.get("/v1/models").status_code == 200
    assert full_app.post("/api/ask", json={"question": QUESTION}).status_code == 200
    assert full_app.get("/").status_code == 200  # the chat page is still at /
