"""The import contracts of pyproject.toml hold, and `lint-imports` (run by `make lint`) fails on
a Streamlit import in the engine or an import circle: each shown on a copy of the tree with the
bad import added."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def copy_tree(dest: Path) -> Path:
    for name in ("kechuang", "views"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
    )


def add_line(path: Path, line: str) -> None:
    text = path.read_text(encoding="utf-8")
    marker = "from __future__ import annotations\n"
    assert marker in text
    path.write_text(text.replace(marker, f"{marker}\n{line}\n", 1), encoding="utf-8")


@pytest.fixture
def tree(tmp_path) -> Path:
    return copy_tree(tmp_path / "tree")


def test_the_tree_keeps_every_contract(tree):
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_a_streamlit_import_in_the_engine_breaks_the_contract(tree):
    add_line(tree / "kechuang" / "engine" / "dates.py", "import streamlit  # noqa: F401")
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "Streamlit only in kechuang.ui, views/ and app.py BROKEN" in result.stdout
    assert "kechuang.engine.dates -> streamlit" in result.stdout


def test_an_import_circle_breaks_the_contract(tree):
    # uscc -> dates -> uscc: two engine modules importing each other.
    add_line(tree / "kechuang" / "engine" / "dates.py", "from kechuang.engine import uscc")
    add_line(tree / "kechuang" / "engine" / "uscc.py", "from kechuang.engine import dates")
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "No import circles between the modules of any package BROKEN" in result.stdout


def test_the_engine_importing_a_page_model_breaks_the_layers(tree):
    add_line(tree / "kechuang" / "engine" / "dates.py", "from kechuang.models import tasks")
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "BROKEN" in result.stdout and "kechuang.engine.dates -> kechuang.models.tasks" in (
        result.stdout
    )


def test_no_contract_exempts_an_import():
    # An exemption (ignore_imports) would let a circle or a layer break stand; none is left.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    assert len(contracts) == 4
    assert [c["name"] for c in contracts if c.get("ignore_imports")] == []


def test_a_function_level_import_circle_breaks_the_contract(tree):
    # auth -> sessions inside a function, sessions -> auth at the top: the circle the split ended.
    auth = tree / "kechuang" / "access" / "auth.py"
    text = auth.read_text(encoding="utf-8")
    auth.write_text(
        text + "\n\ndef _circle():\n    from kechuang.access import sessions  # noqa: F401\n",
        encoding="utf-8",
    )
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "No import circles between the modules of any package BROKEN" in result.stdout


def test_make_lint_runs_the_contracts():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "lint-imports" in lint and "sqlfluff lint" in lint
