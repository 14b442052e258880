"""The README is the front door: its settings table must match the code."""

from __future__ import annotations

from rag.config import settings_table
from tests.conftest import ROOT


def test_readme_lists_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert settings_table() in readme, "regenerate the table with `python -m rag.config`"
