"""Hooks for the whole test session (tests/ and the executed chapters in build/).

- Under ``make test``, nbval executes every chapter (``build/smoke``) in memory; a hook here saves
  what each cell printed into an executed copy, ``build/executed/smoke/NN_name.ipynb``, so that the
  outputs a learner would read can be checked, and shown, after the run.
- ``make test`` runs two pytest workers (pytest-xdist, ``--dist loadfile``): each file (a chapter's
  cells, an online-path file) stays on one worker, in order, and the longest files are handed out
  first (below). Tests marked ``after_notebooks`` read what the chapters
  wrote, so ``make test`` runs them afterwards, in a second short session.
- At the end, the time each chapter took (a chapter that slows down shows in the CI log).
- nbval keeps a display as it was first shown and drops the updates to it (``update_display_data``):
  a progress bar would be saved at "0%", Chapter 1's streamed answer empty, a live loss plot
  waiting for its first point. ``keep_display_updates`` (course_tools.harness) applies them, as
  Jupyter and papermill do.
"""

from pathlib import Path

import nbformat
import pytest

from course_tools.harness import keep_display_updates
from helpers.paths import REPO_ROOT

EXECUTED = REPO_ROOT / "build" / "executed"


# The files of minutes, longest first (one worker each, see docs/testing.md): the online
# path and Binder's build, whose models come through the same local Hub.
LONG_FILES = ["test_online_chapters03_05.py",  # Chapter 3, then Chapter 5 against each kind of server
              "test_binder.py",                # Binder's image built, its models through the local Hub
              "test_online_keyless.py",        # Chapter 1 against a server that checks no key
              "test_online_chapter01.py",      # Chapter 1 against one that checks keys
              "test_online_chapter02.py"]


def pytest_collection_modifyitems(config, items):
    """The longest files first, so that ``make test``'s two workers finish together: LONG_FILES, in
    their order (2-6 minutes each; an online file not listed there goes after them, and a test
    fails), then the chapters (20 s to 2 minutes each), then the rest (seconds each), which fills the
    gaps. Tests that read the executed notebooks go last (when they share a session with the
    chapters). With ``--no-loadscope-reorder`` xdist hands out files in this order; a file's own
    tests keep theirs (sorted() is stable)."""
    def rank(item) -> tuple[int, int]:
        if item.get_closest_marker("after_notebooks"):
            return 3, 0
        path = Path(str(item.fspath))
        if path.name in LONG_FILES or path.parent.name == "online":
            return 0, LONG_FILES.index(path.name) if path.name in LONG_FILES else len(LONG_FILES)
        return (1 if path.suffix == ".ipynb" else 2), 0
    items[:] = sorted(items, key=rank)


try:
    from nbval.plugin import IPyNbFile
except ImportError:  # nbval is in requirements-dev; without it no chapter runs under pytest
    pass
else:
    IPyNbFile.get_kernel_message = keep_display_updates(IPyNbFile.get_kernel_message)


_chapter_seconds: dict[str, float] = {}


def pytest_runtest_logreport(report):
    """Add up each chapter's cell times (reports reach the main process from every worker)."""
    if report.nodeid.split("::")[0].endswith(".ipynb"):
        _chapter_seconds[report.nodeid.split("::")[0]] = _chapter_seconds.get(report.nodeid.split("::")[0], 0.0) \
            + report.duration


def pytest_terminal_summary(terminalreporter):
    if _chapter_seconds:
        terminalreporter.write_sep("-", "time per chapter (s)")
        for chapter, seconds in sorted(_chapter_seconds.items()):
            terminalreporter.write_line(f"{seconds:7.1f}  {chapter}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """After an nbval cell ran: keep its outputs in its notebook and save the executed copy so far."""
    yield
    if call.when != "call" or not hasattr(item, "test_outputs") or not hasattr(item, "cell"):
        return
    notebook, cell = item.parent.nb, item.cell
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    cell.outputs = list(item.test_outputs or [])
    cell.execution_count = code_cells.index(cell) + 1 if cell in code_cells else None
    target = EXECUTED / Path(str(item.parent.fspath)).parent.name / Path(str(item.parent.fspath)).name
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
