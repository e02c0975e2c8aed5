"""The exercise notebooks, written from one source per chapter (``make exercises``).

Each chapter's exercises and their solutions live in one file, ``solutions/NN_exercises.py``
(jupytext's percent format, like the chapters' text twins). In it, the code a learner is to
write sits between nbgrader's markers, inside a function::

    def sample_top_k(logits, k, generator=None):
        \"\"\"...\"\"\"
        ### BEGIN SOLUTION
        ...
        ### END SOLUTION

From that one source this module writes:

- the learner's notebook, ``notebooks/exercises/NN_exercises.ipynb``: each region becomes
  ``# YOUR CODE HERE`` / ``raise NotImplementedError()`` (nbgrader's stub), and cells tagged
  ``solution`` (notes on the solutions, for teachers) are left out. Committed, no outputs;
  ``tests/test_exercises.py`` fails when it differs from what the source gives (``--check``);
- on demand, runnable solution notebooks for teachers (``solutions`` command, into
  ``build/solutions/``, git-ignored): the source as a notebook, markers kept.

    python -m course_tools.exercises build            # write the learners' notebooks
    python -m course_tools.exercises build --check    # exit 1 if a committed notebook differs
    python -m course_tools.exercises solutions [--out DIR]
    python -m course_tools.exercises run [NN ...] [--blank]   # execute in this process, print the checks

A region must be indented (inside a function): the blank then raises only when the function is
called, inside a check, which reports "not done yet"; at the top level it would stop Run All.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import sys
from pathlib import Path

import nbformat

from helpers.paths import REPO_ROOT

SOURCE_DIR = REPO_ROOT / "solutions"
LEARNER_DIR = REPO_ROOT / "notebooks" / "exercises"
SOLUTIONS_OUT = REPO_ROOT / "build" / "solutions"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")  # nbgrader's code stub
SOLUTION_TAG = "solution"  # a cell only teachers see (notes on the solution, common mistakes)
METADATA = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"}}  # what the chapters' notebooks keep


class SourceError(ValueError):
    """An exercise source that would give a broken learner notebook; the message says where."""


def sources() -> list[Path]:
    """The exercise sources, one per chapter, in order: solutions/NN_exercises.py."""
    return sorted(SOURCE_DIR.glob("[0-9][0-9]_exercises.py"))


def learner_path(source: Path) -> Path:
    return LEARNER_DIR / f"{source.stem}.ipynb"


def read_cells(source: Path) -> list[tuple[str, str, list[str]]]:
    """(kind, text, tags) for every cell of a percent-format source."""
    import jupytext

    notebook = jupytext.read(source, fmt="py:percent")
    return [(cell.cell_type, cell.source, list(cell.metadata.get("tags", []))) for cell in notebook.cells]


def blank_out(code: str, where: str) -> str:
    """``code`` with every solution region replaced by nbgrader's stub, at the region's indentation."""
    lines, out, indent = code.split("\n"), [], None
    for number, line in enumerate(lines, 1):
        marker = line.strip()
        if marker == BEGIN:
            if indent is not None:
                raise SourceError(f"{where}, line {number}: {BEGIN} inside another solution region")
            indent = line[:len(line) - len(line.lstrip())]
            if not indent:
                raise SourceError(f"{where}, line {number}: a solution region must be inside a function (indented), "
                                  "so that the blank raises only when a check calls it")
            out += [indent + STUB[0], indent + STUB[1]]
        elif marker == END:
            if indent is None:
                raise SourceError(f"{where}, line {number}: {END} without {BEGIN}")
            indent = None
        elif indent is None:
            out.append(line)
    if indent is not None:
        raise SourceError(f"{where}: {BEGIN} without {END}")
    return "\n".join(out)


def _notebook(source: Path, learner: bool) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(metadata=METADATA)
    kept = 0
    for index, (kind, text, tags) in enumerate(read_cells(source)):
        if learner and SOLUTION_TAG in tags:
            continue
        if kind == "code" and learner:
            text = blank_out(text, f"{source.name}, cell {index}")
            try:
                ast.parse(text)
            except SyntaxError as error:
                raise SourceError(f"{source.name}, cell {index}: the learner's version does not parse: {error}") from None
        tags = [t for t in tags if t != SOLUTION_TAG]
        make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell,
                "raw": nbformat.v4.new_raw_cell}[kind]
        cell = make(text, metadata={"tags": tags} if tags else {})
        # Stable ids, so that regenerating gives the same bytes (nbformat would draw random ones).
        cell.id = hashlib.sha1(f"{source.stem}:{kept}:{kind}".encode()).hexdigest()[:8]
        nb.cells.append(cell)
        kept += 1
    nbformat.validate(nb)
    return nb


def learner_notebook(source: Path) -> nbformat.NotebookNode:
    """The learner's notebook: blanks instead of solutions, no teacher-only cells, no outputs."""
    return _notebook(source, learner=True)


def solution_notebook(source: Path) -> nbformat.NotebookNode:
    """The teacher's notebook: the source as it is, every cell, the markers kept."""
    return _notebook(source, learner=False)


def as_text(nb: nbformat.NotebookNode) -> str:
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def build(check: bool = False) -> list[Path]:
    """Write (or with ``check``, only compare) every learner notebook; return those that differed."""
    LEARNER_DIR.mkdir(parents=True, exist_ok=True)
    differed = []
    for source in sources():
        target, text = learner_path(source), as_text(learner_notebook(source))
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            differed.append(target)
            if not check:
                target.write_text(text, encoding="utf-8")
    stale = {p.name for p in LEARNER_DIR.glob("*.ipynb")} - {learner_path(s).name for s in sources()}
    differed += [LEARNER_DIR / name for name in sorted(stale)]  # a notebook whose source is gone
    return differed


def write_solutions(out_dir: Path = SOLUTIONS_OUT) -> list[Path]:
    """Runnable solution notebooks for teachers (not committed: the source is the solution)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sources():
        target = out_dir / f"{source.stem}_solutions.ipynb"
        target.write_text(as_text(solution_notebook(source)), encoding="utf-8")
        written.append(target)
    return written


def execute(nb: nbformat.NotebookNode, parameters: dict | None = None) -> tuple[list, BaseException | None]:
    """Run a notebook's code cells in this Python process, in a fresh IPython namespace (the
    same semantics as Jupyter's Run All, without a kernel's start-up); ``parameters`` are set
    after the cell tagged ``parameters``, as papermill does. Returns the checks' results and the
    first error that escaped a cell (None when the notebook ran to the end)."""
    from IPython.core.interactiveshell import InteractiveShell

    from helpers.checks import feedback

    shell = InteractiveShell.instance()
    shell.reset(new_session=False)
    first = len(feedback.results())
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outcome = shell.run_cell(cell.source, store_history=False, silent=False)
        if not outcome.success:
            return feedback.results()[first:], outcome.error_in_exec or outcome.error_before_exec
        if parameters and "parameters" in cell.metadata.get("tags", []):
            shell.user_ns.update(parameters)
    return feedback.results()[first:], None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.exercises", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    build_cmd = sub.add_parser("build", help="write notebooks/exercises/ from solutions/ (make exercises)")
    build_cmd.add_argument("--check", action="store_true", help="only report notebooks that differ; exit 1 if any")
    solutions_cmd = sub.add_parser("solutions", help="runnable solution notebooks for teachers (make solutions)")
    solutions_cmd.add_argument("--out", type=Path, default=SOLUTIONS_OUT)
    run_cmd = sub.add_parser("run", help="execute the solutions (or --blank: the learners' notebooks) here")
    run_cmd.add_argument("chapters", nargs="*", help="e.g. 04; default: all")
    run_cmd.add_argument("--blank", action="store_true")
    args = parser.parse_args(argv)

    if args.command == "build":
        differed = build(check=args.check)
        verb = "differ from their source (run `make exercises`)" if args.check else "written"
        print(f"{len(differed)} exercise notebook(s) {verb}" + (": " + ", ".join(p.name for p in differed) if differed else ""))
        return 1 if (args.check and differed) else 0
    if args.command == "solutions":
        for path in write_solutions(args.out):
            print(f"wrote {path}")
        return 0
    failed = 0
    for source in sources():
        if args.chapters and source.name[:2] not in args.chapters:
            continue
        nb = learner_notebook(source) if args.blank else solution_notebook(source)
        results, error = execute(nb)
        print(f"\n== {source.stem}{' (blank)' if args.blank else ''}: "
              + ", ".join(f"{r.exercise} {r.status}" for r in results) + (f"; STOPPED: {error!r}" if error else ""))
        failed += bool(error) or any(r.passed == args.blank for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
