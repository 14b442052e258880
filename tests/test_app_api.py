"""The HTTP API of the running app: our JSON contract, the OpenAI-compatible endpoint
(through the official `openai` client), Gradio's client API, concurrency and basic auth.

Most tests use RAG_LLM=extractive for speed; the `slow` ones run the default local LLM.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import openai
import pytest

from tests.app_server import AppServer, running_app
from tests.contract import ANSWER_KEYS, CITATION_KEYS

WOUNDED = "Where were the wounded taken?"
MINISTER = "Who is Syria's foreign minister?"
PALMYRA = "What happened in Palmyra according to Syria TV?"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with running_app(tmp_path_factory.mktemp("app-extractive")) as server:
        yield server


@pytest.fixture(scope="module")
def local_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with running_app(tmp_path_factory.mktemp("app-local"), RAG_LLM="local") as server:
        yield server


@pytest.fixture(scope="module")
def auth_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    base = tmp_path_factory.mktemp("app-auth")
    with running_app(base, RAG_AUTH="desk:s3cret pass") as server:
        yield server


def client_for(server: AppServer, **kwargs: Any) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=f"{server.url}/v1", api_key="x", timeout=600, max_retries=0, **kwargs
    )


def check_contract(data: dict[str, Any], corpus: Path) -> None:
    """The `rag ask --json` object: keys, types, and markers matching citations."""
    assert set(data) == ANSWER_KEYS
    assert isinstance(data["answer"], str) and isinstance(data["refused"], bool)
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", data["answer"])}
    assert markers == {c["id"] for c in data["citations"]}
    for citation in data["citations"]:
        assert set(citation) == CITATION_KEYS
        assert isinstance(citation["id"], int) and isinstance(citation["score"], float)
        assert (corpus / citation["source"]).is_file()
        assert citation["text"] and citation["title"]


# --- /api/ask and /api/status ---------------------------------------------------------------


def test_ask_returns_the_cli_json_contract(app: AppServer) -> None:
    status, data = app.request("/api/ask", {"question": WOUNDED})
    assert status == 200, data
    check_contract(data, app.corpus)
    assert data["question"] == WOUNDED
    assert data["refused"] is False
    assert "Tanf" in data["answer"]
    assert data["citations"]


def test_ask_follow_up_uses_the_history(app: AppServer) -> None:
    """The extractive backend enriches a follow-up with the previous question."""
    history = [
        {"role": "user", "content": PALMYRA},
        {"role": "assistant", "content": "Syrian and US forces attacked in Palmyra [1]."},
    ]
    question = "And where were they taken?"
    status, data = app.request(
        "/api/ask", {"question": question, "history": history, "details": True}
    )
    assert status == 200, data
    assert data["question"] == question
    assert "Palmyra" in data["standalone_question"]
    assert data["refused"] is False


def test_ask_details_and_top_k(app: AppServer) -> None:
    status, data = app.request("/api/ask", {"question": MINISTER, "top_k": 2, "details": True})
    assert status == 200, data
    assert "Shibani" in data["answer"]
    assert len(data["passages"]) <= 2
    assert {"timings", "standalone_question", "raw_answer"} <= set(data)


def test_refusal_says_so(app: AppServer) -> None:
    status, data = app.request("/api/ask", {"question": "What is the recipe for chocolate cake?"})
    assert status == 200
    assert data["refused"] is True and data["citations"] == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"question": "   "}, "Type a question"),
        ({"question": "x" * 5000}, "characters long"),
        ({}, "question: Field required"),
        ({"question": WOUNDED, "history": [{"role": "bot", "content": "hi"}]}, "history.0.role"),
        ({"question": WOUNDED, "top_k": 0}, "top_k"),
        ({"question": WOUNDED, "backend": "openai"}, "not configured"),
        (b"not json", "not valid JSON"),
    ],
)
def test_bad_input_is_a_400_with_a_message(app: AppServer, body: Any, message: str) -> None:
    status, data = app.request("/api/ask", body)
    assert status == 400
    assert message in data["error"]["message"]
    assert "Traceback" not in data["error"]["message"]


def test_status_is_rag_status_json(app: AppServer) -> None:
    status, data = app.request("/api/status")
    assert status == 200
    assert data["documents"] == 2 and data["chunks"] >= 2
    assert data["corpus_dir"] == app.corpus.name  # a name, never the absolute path
    assert data["embedding_model"] == "all-MiniLM-L6-v2"
    assert data["llm_backend"] == "extractive"
    assert data["last_ingest"]


# --- the OpenAI-compatible endpoint, through the official client ----------------------------


def test_models_are_listed(app: AppServer) -> None:
    ids = {model.id for model in client_for(app).models.list()}
    assert {"news-rag", "news-rag-extractive"} <= ids


def test_chat_completion_carries_citations(app: AppServer) -> None:
    completion = client_for(app).chat.completions.create(
        model="news-rag", messages=[{"role": "user", "content": WOUNDED}]
    )
    assert completion.object == "chat.completion"
    text = completion.choices[0].message.content
    assert "Tanf" in text
    citations = completion.model_extra["citations"]
    assert citations and set(citations[0]) == CITATION_KEYS
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
    assert markers == {c["id"] for c in citations}


def test_chat_completion_stream_ends_with_citations(app: AppServer) -> None:
    stream = client_for(app).chat.completions.create(
        model="news-rag",
        messages=[
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": [{"type": "text", "text": MINISTER}]},
        ],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "Shibani" in text
    last = next(c for c in reversed(chunks) if c.choices)
    assert last.choices[0].finish_reason == "stop"
    assert last.model_extra["citations"] and "Shibani" in last.model_extra["answer"]
    assert last.model_extra["refused"] is False
    assert chunks[-1].usage is not None


def test_chat_completion_bad_input_is_a_400(app: AppServer) -> None:
    client = client_for(app)
    with pytest.raises(openai.BadRequestError, match="last message must come from the user"):
        client.chat.completions.create(
            model="news-rag", messages=[{"role": "assistant", "content": "Hello"}]
        )
    with pytest.raises(openai.BadRequestError, match="Type a question"):
        client.chat.completions.create(
            model="news-rag", messages=[{"role": "user", "content": "?"}], stream=True
        )


# --- many users at once, and Gradio's own client --------------------------------------------


def ask_one(app: AppServer, index: int) -> str:
    """Alternate questions and doors (JSON API, OpenAI streaming, OpenAI plain)."""
    question = (WOUNDED, MINISTER)[index % 2]
    if index % 3 == 0:
        return app.request("/api/ask", {"question": question})[1]["answer"]
    messages = [{"role": "user", "content": question}]
    client = client_for(app)
    if index % 3 == 1:
        stream = client.chat.completions.create(model="news-rag", messages=messages, stream=True)
        return "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    completion = client.chat.completions.create(model="news-rag", messages=messages)
    return completion.choices[0].message.content


def test_eight_concurrent_requests_all_answered(app: AppServer) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda i: ask_one(app, i), range(8)))
    for i, answer in enumerate(answers):
        expected = ("Tanf", "Shibani")[i % 2]
        assert expected in answer, (i, answer)


def test_gradio_client_api(app: AppServer) -> None:
    from gradio_client import Client

    client = Client(app.url, verbose=False)
    data = client.predict(WOUNDED, None, None, api_name="/ask")
    check_contract(data, app.corpus)
    assert "Tanf" in data["answer"]


# --- the default local LLM --------------------------------------------------------------------


@pytest.mark.slow
def test_local_llm_answers_cited_over_the_api(local_app: AppServer) -> None:
    status, data = local_app.request("/api/ask", {"question": WOUNDED})
    assert status == 200, data
    check_contract(data, local_app.corpus)
    assert data["refused"] is False and "Tanf" in data["answer"]

    status, info = local_app.request("/api/status")
    assert info["llm_backend"] == "local"


@pytest.mark.slow
def test_local_llm_follow_up_through_the_openai_client(local_app: AppServer) -> None:
    """Earlier messages are the history: the model rewrites the follow-up before retrieval."""
    stream = client_for(local_app).chat.completions.create(
        model="news-rag",
        messages=[
            {"role": "user", "content": PALMYRA},
            {"role": "assistant", "content": "Syrian and US forces attacked in Palmyra [1]."},
            {"role": "user", "content": "And where were the wounded taken?"},
        ],
        stream=True,
    )
    chunks = list(stream)
    last = next(c for c in reversed(chunks) if c.choices)
    assert "Tanf" in last.model_extra["answer"], last.model_extra
    assert last.model_extra["citations"]


@pytest.mark.slow
def test_local_llm_concurrent_streams_do_not_mix(local_app: AppServer) -> None:
    """Three users stream at once from one llama.cpp server; each gets its own answer."""
    questions = [(WOUNDED, "Tanf"), (MINISTER, "Shibani"), (WOUNDED, "Tanf")]

    def stream(question: str) -> tuple[str, Any]:
        chunks = list(
            client_for(local_app).chat.completions.create(
                model="news-rag", messages=[{"role": "user", "content": question}], stream=True
            )
        )
        last = next(c for c in reversed(chunks) if c.choices)
        return last.model_extra["answer"], last.model_extra["citations"]

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda q: stream(q[0]), questions))
    for (_, expected), (answer, citations) in zip(questions, results, strict=True):
        assert expected in answer, answer
        assert citations


# --- basic auth -------------------------------------------------------------------------------


def test_basic_auth_guards_page_and_api(auth_app: AppServer) -> None:
    no_auth = {"Authorization": ""}
    status, data = auth_app.request("/api/status", headers=no_auth)
    assert status == 401 and data["error"]["type"] == "unauthorized"
    wrong = {"Authorization": "Basic ZGVzazp3cm9uZw=="}  # desk:wrong
    assert auth_app.request("/api/ask", {"question": WOUNDED}, headers=wrong)[0] == 401
    assert auth_app.request("/api/status")[0] == 200

    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(auth_app.url + "/", timeout=30)
    assert refused.value.code == 401
    assert refused.value.headers["WWW-Authenticate"].startswith("Basic")
    page = urllib.request.Request(auth_app.url + "/", headers=auth_app.headers())
    with urllib.request.urlopen(page, timeout=30) as response:
        assert response.status == 200

    with pytest.raises(openai.AuthenticationError):
        client_for(auth_app).models.list()
    client = client_for(auth_app, default_headers=auth_app.headers())
    completion = client.chat.completions.create(
        model="news-rag", messages=[{"role": "user", "content": WOUNDED}]
    )
    assert "Tanf" in completion.choices[0].message.content


def test_low_confidence_note_reaches_the_openai_endpoint_and_api_ask(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Every answer is low-confidence at RAG_LOW_CONFIDENCE=0.99: the note leads the text."""
    from rag.answer import LOW_CONFIDENCE_NOTE

    with running_app(tmp_path_factory.mktemp("app-lowconf"), RAG_LOW_CONFIDENCE="0.99") as server:
        status, data = server.request("/api/ask", {"question": WOUNDED})
        assert status == 200, data
        check_contract(data, server.corpus)
        assert data["low_confidence"] is True
        assert data["answer"].startswith(LOW_CONFIDENCE_NOTE) and "Tanf" in data["answer"]
        client = client_for(server)
        completion = client.chat.completions.create(
            model="news-rag", messages=[{"role": "user", "content": WOUNDED}]
        )
        assert completion.choices[0].message.content.startswith(LOW_CONFIDENCE_NOTE)
        assert completion.model_extra["low_confidence"] is True
        chunks = list(
            client.chat.completions.create(
                model="news-rag", messages=[{"role": "user", "content": WOUNDED}], stream=True
            )
        )
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert text.startswith(LOW_CONFIDENCE_NOTE)
        last = next(c for c in reversed(chunks) if c.choices)
        assert last.model_extra["low_confidence"] is True
