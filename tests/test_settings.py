"""Settings are strict: a misspelt RAG_* variable is an error that names the right one."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import Settings, load_settings, unknown_variables
from rag.errors import ConfigError


def test_unknown_variable_is_rejected_with_the_closest_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RAG_TOPK", "3")
    with pytest.raises(
        ConfigError, match=r"RAG_TOPK is not a setting \(did you mean RAG_TOP_K\?\)"
    ):
        load_settings()


def test_unknown_variable_far_from_any_setting_gets_no_guess() -> None:
    problems = unknown_variables({"RAG_WIBBLE_WOBBLE": "1", "RAG_TOP_K": "4", "PATH": "/bin"})
    assert problems == ["RAG_WIBBLE_WOBBLE is not a setting"]


def test_dotenv_file_is_checked_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("# comment\nexport RAG_CONTEXT_TOKEN=200\n")
    assert unknown_variables({}) == [
        "RAG_CONTEXT_TOKEN is not a setting (did you mean RAG_CONTEXT_TOKENS?)"
    ]


def test_unknown_override_is_rejected() -> None:
    with pytest.raises(ConfigError, match="RAG_TOP_KK: Extra inputs are not permitted"):
        load_settings(top_kk=3)


def test_known_variables_still_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_TOP_K", "7")
    monkeypatch.setenv("RAG_JUDGE_MODEL", "judge-1")
    settings = load_settings()
    assert settings.top_k == 7 and settings.judge_model == "judge-1"
    assert Settings().top_k == 7


@pytest.mark.parametrize("name", ["RAG_FOO", "RAG_BAR", "RAG_X", "RAG_TEMP"])
def test_a_name_like_no_setting_gets_only_the_list_hint(name: str) -> None:
    """The shared RAG_ prefix alone made RAG_FOO look like RAG_PORT."""
    assert unknown_variables({name: "1"}) == [f"{name} is not a setting"]


@pytest.mark.parametrize(
    ("name", "meant"),
    [("RAG_TOPK", "RAG_TOP_K"), ("RAG_CHUNKSIZE", "RAG_CHUNK_SIZE"), ("RAG_PORTS", "RAG_PORT")],
)
def test_close_misspellings_still_get_a_guess(name: str, meant: str) -> None:
    assert unknown_variables({name: "1"}) == [f"{name} is not a setting (did you mean {meant}?)"]
