"""What a learner reads: the outputs of the chapters this run executed, checked for noise.

Runs after every notebook (``after_notebooks``). Its inputs are the executed copies that this
session wrote: ``build/executed/smoke/`` (the offline chapters, saved by the conftest hook),
``build/online/*/`` (the online path, a folder per test file), and ``runs/<profile>/`` when ``make course`` left copies
there. In any output of any cell, each of these fails the test, with the chapter, the cell and
the offending line:

- a path on this machine (a home folder, a temporary folder, a virtual environment): outputs are
  read by others, and a path says nothing to them;
- a Python warning (``UserWarning: ...``): either fix its cause or explain it in the text;
- a raw log dictionary (``{'loss': ..., 'grad_norm': ...}``) where a progress bar or a table belongs;
- a traceback: a chapter that ran must not show one.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from helpers.paths import REPO_ROOT, runs_dir

EXECUTED = REPO_ROOT / "build" / "executed" / "smoke"
SOURCES = [EXECUTED, *sorted((REPO_ROOT / "build" / "online").glob("*/")), *sorted(p for p in runs_dir().glob("*") if p.is_dir())]

PROBLEMS = {
    "a path on this machine": re.compile(
        r"(/root/|/home/[A-Za-z]|/Users/[A-Za-z]|/tmp/|/var/folders/|/work/|site-packages|\.venv/|[A-Z]:\\\\Users\\\\)"),
    "a Python warning": re.compile(r"\b[A-Z]\w*Warning: "),
    "a raw log dictionary": re.compile(r"\{'(loss|eval_loss|grad_norm|learning_rate|train_runtime|epoch)': "),
    "a traceback": re.compile(r"Traceback \(most recent call last\)"),
}


def shown_text(output) -> str:
    """Everything a reader sees of one output, as text."""
    if output.get("output_type") == "error":
        return "Traceback (most recent call last)\n" + "\n".join(output.get("traceback", []))
    text = output.get("text", "")
    data = output.get("data", {})
    return text + "".join(str(v) for k, v in data.items() if k.startswith("text/"))


def problems_in(path: Path, root: Path = REPO_ROOT) -> list[str]:
    found = []
    notebook = nbformat.read(path, as_version=4)
    for number, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            for line in shown_text(output).splitlines():
                for problem, pattern in PROBLEMS.items():
                    if pattern.search(line):
                        found.append(f"{path.relative_to(root)} cell {number}: {problem}: {line.strip()[:160]}")
    return found


def executed_copies() -> list[Path]:
    return sorted(p for source in SOURCES if source.is_dir() for p in source.glob("[0-9][0-9]*_*.ipynb"))


@pytest.mark.after_notebooks
def test_every_chapter_of_this_run_was_saved():
    if not (REPO_ROOT / "build" / "smoke").is_dir():
        pytest.skip("no chapters were prepared (make test prepares and runs them)")
    saved = {p.name for p in EXECUTED.glob("*.ipynb")}
    expected = {p.name for p in (REPO_ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb")}
    assert saved == expected, f"executed copies missing: {sorted(expected - saved)}"


@pytest.mark.after_notebooks
def test_what_a_learner_reads_has_no_paths_warnings_log_dicts_or_tracebacks():
    # Listed now, not at collection: the copies are written while this session runs the chapters.
    copies = executed_copies()
    if not copies:
        pytest.skip("no executed chapters to read (make test or make course writes them)")
    found = [problem for path in copies for problem in problems_in(path)]
    assert not found, (f"{len(found)} problem(s) in what a learner reads, in {len(copies)} executed chapters:\n"
                       + "\n".join(found[:40]))


def test_the_checks_catch_each_kind_of_problem(tmp_path):
    """The patterns above, against one output of each kind (and a clean one)."""
    notebook = nbformat.v4.new_notebook()
    bad = ["saved to /home/ada/course/results/x", "/work/main/.venv/lib/python3.11/site-packages/torch/x.py:12: "
           "UserWarning: pin_memory is set", "{'loss': '0.6918', 'grad_norm': '3.2', 'epoch': '0.2'}"]
    notebook.cells = [nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output("stream", text=t)]) for t in bad]
    notebook.cells.append(nbformat.v4.new_code_cell("y", outputs=[nbformat.v4.new_output(
        "error", ename="ValueError", evalue="no", traceback=["ValueError: no"])]))
    notebook.cells.append(nbformat.v4.new_code_cell("z", outputs=[nbformat.v4.new_output(
        "stream", text="accuracy 0.825 (95% interval 0.800-0.847); saved to results/chapter03/model")]))
    path = tmp_path / "01_x.ipynb"
    nbformat.write(notebook, path)
    found = problems_in(path, root=tmp_path)
    kinds = [line.split(": ")[1] for line in found]
    assert kinds.count("a path on this machine") == 2 and "a Python warning" in kinds
    assert "a raw log dictionary" in kinds and "a traceback" in kinds
    assert not any("cell 4" in line for line in found), "a clean output was flagged"
