"""The course's two layers, checked by import-linter (``lint-imports``: make test and make unit run it).

pyproject.toml's ``[tool.importlinter]`` says: what learners run and read (the chapters' text twins,
the exercises, ``helpers/``, ``scripts/``, ``benchmarks/``) imports nothing from ``course_tools/``,
directly or through another module; ``course_tools`` builds on ``helpers``, never the reverse; no
import cycle inside either. These tests check that the contract says what it should and sees what
it should: every folder of learners' code is in it, every file of them is read, and an import
planted where it must not be breaks it.
"""

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

from helpers.paths import REPO_ROOT

CONFIG = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
CONTRACTS = {contract["id"]: contract for contract in CONFIG["contracts"]}
LEARNERS = {"notebooks", "solutions", "helpers", "scripts", "benchmarks"}
# The course's own machinery, which may import course_tools: the tests, the website's Sphinx config.
MACHINERY = {"course_tools", "tests", "site", "conftest.py"}
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_the_contracts_cover_every_folder_of_learners_code():
    forbidden = CONTRACTS["learners-code"]
    assert forbidden["type"] == "forbidden" and forbidden["forbidden_modules"] == ["course_tools"]
    assert set(forbidden["source_modules"]) == LEARNERS
    assert set(CONFIG["root_packages"]) == LEARNERS | {"course_tools"}
    assert CONTRACTS["two-layers"]["layers"] == ["course_tools", "helpers"]  # the upper layer first
    assert set(CONTRACTS["no-cycles"]["ancestors"]) == {"helpers", "course_tools"}
    # A new top-level folder of Python code must be placed on one side or the other.
    listed = subprocess.run(["git", "ls-files", "*.py"], cwd=REPO_ROOT, capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: cannot list the course's own Python files")
    folders = {line.split("/")[0] for line in listed.stdout.splitlines()}
    assert folders - MACHINERY == LEARNERS, "a folder of Python code that no import contract names"
    makefile = (REPO_ROOT / "Makefile").read_text()
    for target in ("test", "unit"):
        recipe = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
        assert "lint-imports" in recipe, f"make {target} does not run lint-imports"


def test_import_linter_reads_every_file_of_learners_code():
    """The folders that are not packages (notebooks/text, solutions, scripts, benchmarks) are read
    as namespace packages; grimp (import-linter's graph) skips only a folder without __init__.py
    inside a package: helpers/metrics/*, evaluate's metric scripts, loaded by path. Those are
    read here instead."""
    graph = grimp.build_graph(*CONFIG["root_packages"], cache_dir=None)
    files = {path for folder in CONFIG["root_packages"] for path in (REPO_ROOT / folder).rglob("*.py")
             if "__pycache__" not in path.parts}
    module = lambda path: ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts).removesuffix(".__init__")
    unseen = {path for path in files if module(path) not in graph.modules}
    assert {"notebooks.text.04_gpt_from_scratch", "solutions.05_exercises", "scripts.train_gpt",
            "benchmarks.bench_gpt_loop", "helpers.gpt_data"} <= graph.modules
    assert all(path.relative_to(REPO_ROOT).parts[:2] == ("helpers", "metrics") for path in unseen), sorted(unseen)
    for path in unseen:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(name.split(".")[0] == "course_tools" for name in names), f"{path} imports course_tools"


def test_lint_imports_keeps_the_course_and_breaks_on_planted_imports(tmp_path):
    """On a copy of the course's code: every contract kept; then, with an import of course_tools
    inside a helper's function and in a chapter, and a cycle between two helpers, all three broken,
    each naming the import."""
    for folder in CONFIG["root_packages"]:
        source = REPO_ROOT / folder
        shutil.copytree(source, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path)

    def lint() -> subprocess.CompletedProcess:
        # Run in the copy: import-linter puts the current folder first on the path, before the
        # course's own (editable) install, so it reads the copy.
        return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, capture_output=True, text=True)

    clean = lint()
    assert clean.returncode == 0 and "3 kept, 0 broken" in clean.stdout, clean.stdout + clean.stderr

    with open(tmp_path / "helpers" / "gpt_data.py", "a") as f:  # lazy: inside a function
        f.write("\n\ndef planted():\n    from course_tools.kit import ensure\n    return ensure\n")
    with open(next((tmp_path / "notebooks" / "text").glob("04_*.py")), "a") as f:
        f.write("\nimport course_tools.harness\n")
    with open(tmp_path / "helpers" / "paths.py", "a") as f:  # helpers.kit imports helpers.paths
        f.write("\n\ndef planted():\n    from helpers.kit import asset_path\n    return asset_path\n")
    broken = lint()
    said = broken.stdout + broken.stderr
    assert broken.returncode == 1 and "0 kept, 3 broken" in said, said
    assert "helpers.gpt_data -> course_tools.kit" in said
    assert "notebooks.text.04_gpt_from_scratch -> course_tools.harness" in said
    assert "scripts.train_gpt -> helpers.gpt_data" in said  # through a helper counts too
    assert ".paths -> .kit" in said  # the cycle's edge to remove
