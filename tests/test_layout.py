"""The layout's promises, checked: one gateway to Chroma, no cycle with evals, small modules,
no side effects at import time, every imported package declared."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GATEWAY = {"rag/components.py", "rag/store.py"}
MAX_LINES = 450


def project_files() -> list[Path]:
    files = [p for d in ("rag", "evals", "ui") for p in (ROOT / d).rglob("*.py")]
    return [*files, ROOT / "app.py"]


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_only_the_gateway_knows_chroma() -> None:
    pattern = re.compile(r"chromadb|\.client\b")
    leaks = [rel(p) for p in project_files() if pattern.search(p.read_text(encoding="utf-8"))]
    assert sorted(set(leaks) - GATEWAY) == []


def test_rag_never_imports_evals() -> None:
    pattern = re.compile(r"^\s*(import evals|from evals)\b", re.M)
    assert [rel(p) for p in (ROOT / "rag").rglob("*.py") if pattern.search(p.read_text())] == []


def test_no_module_is_oversized() -> None:
    sizes = {rel(p): len(p.read_text(encoding="utf-8").splitlines()) for p in project_files()}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_importing_rag_changes_no_environment() -> None:
    code = (
        "import os; before = dict(os.environ); "
        "import rag, rag.config, rag.pipeline, rag.cli, rag.components; "
        "print(sorted(set(os.environ.items()) ^ set(before.items())))"
    )
    env = {"PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "[]"


def test_eval_command_comes_from_the_entry_point() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "rag.cli", "eval", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "realtimeqa" in out.stdout, out.stderr
    assert "could not be loaded" not in out.stderr


def _third_party_imports() -> set[str]:
    local = {"rag", "evals", "ui", "app", "tests"}
    names: set[str] = set()
    for path in project_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return {n for n in names - local if n not in sys.stdlib_module_names}


def test_every_imported_package_is_declared() -> None:
    from importlib.metadata import packages_distributions

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {
        re.split(r"[<>=!~\[ ;]", req, maxsplit=1)[0].lower().replace("_", "-")
        for req in [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    } | {"torch"}  # installed first, pinned, by the Makefile
    dists = packages_distributions()
    missing = {}
    for module in _third_party_imports():
        owners = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
        if not owners & declared:
            missing[module] = sorted(owners)
    assert missing == {}
