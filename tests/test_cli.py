"""The `rag` command as users run it: real processes, real Chroma, real embedder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.contract import ANSWER_KEYS, CITATION_KEYS


def run_rag(*args: str, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def cli_env(seed_corpus: Path, tmp_path: Path) -> dict[str, str]:
    return {
        "RAG_CORPUS_DIR": str(seed_corpus),
        "RAG_INDEX_DIR": str(tmp_path / "index"),
        "RAG_LLM": "extractive",
    }


def test_ask_json_ingests_an_empty_index_first(cli_env: dict[str, str]) -> None:
    result = run_rag("ask", "Where were the wounded taken?", "--json", env=cli_env)
    assert result.returncode == 0, result.stderr
    assert "indexing" in result.stderr  # said so on stderr; stdout stays pure JSON
    data = json.loads(result.stdout)
    assert set(data) == ANSWER_KEYS
    assert data["question"] == "Where were the wounded taken?"
    assert data["refused"] is False
    assert "Et-Tanf" in data["answer"]
    ids_in_answer = {int(n) for n in __import__("re").findall(r"\[(\d+)\]", data["answer"])}
    assert ids_in_answer == {c["id"] for c in data["citations"]}
    for citation in data["citations"]:
        assert set(citation) == CITATION_KEYS
        assert (Path(cli_env["RAG_CORPUS_DIR"]) / citation["source"]).is_file()
        assert isinstance(citation["score"], float)


def test_ask_refusal_json(cli_env: dict[str, str]) -> None:
    result = run_rag("ask", "What is the recipe for chocolate cake?", "--json", env=cli_env)
    data = json.loads(result.stdout)
    assert data["refused"] is True and data["citations"] == []


def test_bad_question_is_a_message_not_a_traceback(cli_env: dict[str, str]) -> None:
    result = run_rag("ask", "   ", env=cli_env)
    assert result.returncode == 1
    assert "Type a question" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_setting_is_a_message(cli_env: dict[str, str]) -> None:
    result = run_rag("status", env={**cli_env, "RAG_TOP_K": "many"})
    assert result.returncode == 1
    assert "RAG_TOP_K" in result.stderr and "Traceback" not in result.stderr


def test_status_json(cli_env: dict[str, str]) -> None:
    assert run_rag("ingest", env=cli_env).returncode == 0
    result = run_rag("status", "--json", env=cli_env)
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["documents"] == 2
    assert status["chunks"] >= 2
    assert status["store"] == "embedded"
    assert status["index_dir"] == cli_env["RAG_INDEX_DIR"]
    assert status["embedding_model"] == "all-MiniLM-L6-v2"
    assert status["llm_backend"] == "extractive"
    assert status["last_ingest"]


def test_chat_session_follow_up(cli_env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rag.cli", "chat"],
        input="Where were the wounded taken?\n/reset\n/quit\n",
        env={**os.environ, **cli_env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "Et-Tanf" in result.stdout
    assert "(conversation forgotten)" in result.stdout


def test_spinner_draws_the_stage_only_on_a_terminal() -> None:
    import io
    import time

    from rag.spinner import Spinner

    out = io.StringIO()
    with Spinner("Searching the articles", stream=out, enabled=True) as spinner:
        time.sleep(0.25)
        spinner.update("Reading 5 passages")
        time.sleep(0.25)
    text = out.getvalue()
    assert "Searching the articles… 0 s" in text and "Reading 5 passages…" in text
    assert text.endswith("\r\033[K")  # the line is cleared for the answer
    quiet = io.StringIO()  # not a terminal: nothing is drawn
    with Spinner("Searching", stream=quiet):
        time.sleep(0.15)
    assert quiet.getvalue() == ""


def test_quick_status_reads_the_ingest_record(tmp_path) -> None:
    import json as _json

    from rag.config import Settings
    from rag.status import quick_status

    settings = Settings(index_dir=tmp_path / "index", llm="extractive")
    assert quick_status(settings) is None  # no ingest yet: the caller counts in the store
    settings.index_dir.mkdir()
    record = {"documents": 2, "chunks": 11, "last_ingest": "2026-01-01T00:00:00+00:00"}
    settings.state_path.write_text(_json.dumps(record))
    status = quick_status(settings)
    assert status is not None
    assert (status["documents"], status["chunks"], status["store"]) == (2, 11, "embedded")
    assert status["llm"] == "extractive (no LLM)"


def test_empty_timeline_topic_asks_for_a_topic(tmp_path: Path) -> None:
    from rag.answer import clean_question
    from rag.errors import BadQuestionError
    from rag.pipeline import RAG
    from tests.conftest import make_settings

    rag = RAG(make_settings(tmp_path))
    with pytest.raises(BadQuestionError, match=r"^Type a topic"):
        rag.timeline("   ")  # refused before any model or store is opened
    with pytest.raises(BadQuestionError, match=r"^Type a question"):
        clean_question("   ")


def test_status_creates_no_index_for_a_missing_corpus(tmp_path: Path) -> None:
    env = {"RAG_CORPUS_DIR": str(tmp_path / "nowhere"), "RAG_INDEX_DIR": str(tmp_path / "x")}
    result = run_rag("status", "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["documents"] == 0
    assert "does not exist" in result.stderr
    assert not (tmp_path / "x").exists()


def test_status_fast_path_has_the_exact_keys_and_values(cli_env: dict[str, str]) -> None:
    """Stories and the last report come from the ingest record, as `--exact` counts them."""
    assert run_rag("ingest", env=cli_env).returncode == 0
    fast = json.loads(run_rag("status", "--json", env=cli_env).stdout)
    exact = json.loads(run_rag("status", "--json", "--exact", env=cli_env).stdout)
    assert fast == exact
    assert fast["stories"] == 2 and fast["last_report"]["added"] == 2
    text = run_rag("status", env=cli_env).stdout
    assert "stories" in text and "last report" in text


def test_quick_status_shows_stories_and_report_when_recorded(tmp_path: Path) -> None:
    from rag.config import Settings
    from rag.status import quick_status

    settings = Settings(index_dir=tmp_path / "index", llm="extractive")
    settings.index_dir.mkdir()
    report = {"text": "2 articles added", "added": 2}
    record = {"documents": 2, "stories": 1, "chunks": 11, "last_report": report}
    settings.state_path.write_text(json.dumps(record))
    status = quick_status(settings)
    assert status is not None and status["stories"] == 1 and status["last_report"] == report
    settings.state_path.write_text(json.dumps({"documents": 2, "chunks": 11}))
    older = quick_status(settings)  # an ingest from before stories were recorded
    assert older is not None and "stories" not in older and older["last_report"] is None


@pytest.mark.parametrize("argv", [["status"], ["status", "--json"]])
@pytest.mark.parametrize("unbuffered", ["1", ""])
def test_a_reader_that_leaves_early_is_no_traceback(
    tmp_path: Path, argv: list[str], unbuffered: str
) -> None:
    """`rag status | true`: the pipe is closed before rag writes; it stops quietly with 141."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {
        "RAG_CORPUS_DIR": str(tmp_path / "corpus"),
        "RAG_INDEX_DIR": str(tmp_path / "index"),
        "PYTHONUNBUFFERED": unbuffered,
    }
    try:
        result = subprocess.run(
            [sys.executable, "-m", "rag.cli", *argv],
            env={**os.environ, **env},
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 141, result.stderr
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


def test_since_after_until_is_bad_usage(tmp_path: Path) -> None:
    from tests.test_date_filters import run_cli

    where = ["--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index")]
    window = ["--since", "2026-12-10", "--until", "2026-12-01"]
    for argv in (["ask", "What happened?", *window], ["timeline", "strike", *window]):
        code, out, err = run_cli(*argv, *where)
        assert code == 2 and out == ""
        assert "--since is after --until: swap them or widen the range." in err
    assert not (tmp_path / "index").exists()  # refused before anything was opened


def test_window_order_check_is_shared_with_the_api() -> None:
    from rag.days import check_order

    check_order(20261201, 20261210)
    check_order(20261210, None)
    with pytest.raises(ValueError, match=r"^date_from is after date_to: swap them or widen"):
        check_order(20261210, 20261201)


def test_top_k_out_of_range_names_the_flag(tmp_path: Path) -> None:
    from tests.test_date_filters import run_cli

    code, _, err = run_cli("ask", "x", "--top-k", "100000", "--index", str(tmp_path / "i"))
    assert code == 2
    assert "--top-k" in err and "less than or equal to 50" in err and "RAG_TOP_K" not in err
