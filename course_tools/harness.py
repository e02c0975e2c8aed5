"""Runs the course's notebooks: ``make course`` (every chapter, default profile) and
``make test`` (every chapter, smoke profile, under nbval); also cleans notebooks
before they are committed.

    python -m course_tools.harness course  [--profile auto|smoke|cpu|gpu]
    python -m course_tools.harness prepare [--profile smoke]   # parameterized copies for nbval
    python -m course_tools.harness clean   notebooks/*.ipynb    # strip outputs and metadata
    python -m course_tools.harness clean --check notebooks/*.ipynb
    python -m course_tools.harness expect notebooks/NN_x.ipynb runs/smoke/NN_x.ipynb

Committed notebooks carry no outputs except the cells marked ``# NBVAL_CHECK_OUTPUT``:
their stored output is what the test expects the cell to print.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from pathlib import Path

import nbformat

from helpers.paths import REPO_ROOT, results_dir, runs_dir

NOTEBOOK_DIR = REPO_ROOT / "notebooks"
CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"
# Notebook-level metadata worth keeping; anything else (widgets state, papermill run
# records, editor settings) is stray and stripped.
KEPT_METADATA = ("kernelspec", "language_info")


def keep_display_updates(get_kernel_message):
    """Wrap nbval's ``IPyNbFile.get_kernel_message`` so that an ``update_display_data`` message
    rewrites the display it names. nbval copies a display's ``data`` into the cell's outputs as it
    comes, and gives every other message type no output; here a display that has a ``display_id``
    gets its ``data`` as a NotebookNode, which nbval keeps as it is (the same object), and an
    update changes that object in place: the outputs saved below then hold the display's last state."""
    shown: dict[str, nbformat.NotebookNode] = {}  # display_id -> the data that nbval's output holds

    @functools.wraps(get_kernel_message)
    def get_message(self, *args, **kwargs):
        message = get_kernel_message(self, *args, **kwargs)
        content = message.get("content", {})
        display_id = (content.get("transient") or {}).get("display_id")
        if display_id and message.get("msg_type") == "display_data":
            content["data"] = shown[display_id] = nbformat.from_dict(content.get("data", {}))
        elif display_id in shown and message.get("msg_type") == "update_display_data":
            shown[display_id].clear()
            shown[display_id].update(nbformat.from_dict(content.get("data", {})))
        return message

    return get_message


def course_notebooks() -> list[Path]:
    """The chapters and their bonus notebooks, in order: notebooks/NN_*.ipynb, notebooks/NNb_*.ipynb
    (a bonus notebook sorts right after its chapter: "04_..." < "04b_..." < "05_...")."""
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]*_*.ipynb"))


def prepare(profile: str, out_dir: Path, hub_mode: str | None = None) -> list[Path]:
    """Write a copy of every chapter with ``PROFILE`` (and ``HUB_MODE``) injected by papermill."""
    import papermill

    params = {"PROFILE": profile} | ({"HUB_MODE": hub_mode} if hub_mode else {})
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for notebook in course_notebooks():
        target = out_dir / notebook.name
        papermill.execute_notebook(notebook, target, parameters=params, prepare_only=True,
                                   progress_bar=False)
        written.append(target)
    return written


def run_course(profile: str, hub_mode: str | None = None, only: str | None = None) -> int:
    """Execute every chapter (or those whose file name starts with ``only``, e.g. "05") top to
    bottom; executed copies and timings go to runs/<profile>/."""
    import papermill

    out_dir = runs_dir() / profile
    out_dir.mkdir(parents=True, exist_ok=True)
    params = {"PROFILE": profile} | ({"HUB_MODE": hub_mode} if hub_mode else {})
    timings, failed = {}, []
    notebooks = [nb for nb in course_notebooks() if only is None or nb.name.startswith(only)]
    if not notebooks:
        print(f"No chapter's file name starts with {only!r}.", file=sys.stderr)
        return 1
    for notebook in notebooks:
        target = out_dir / notebook.name
        print(f"\n=== {notebook.name} (profile {profile}) ===", flush=True)
        start = time.perf_counter()
        try:
            # cwd: the notebook's own folder, as when a learner opens it in Jupyter.
            papermill.execute_notebook(notebook, target, parameters=params, cwd=str(NOTEBOOK_DIR),
                                       progress_bar=True, start_timeout=120)
        except Exception as error:  # papermill raises PapermillExecutionError with the cell's traceback
            failed.append(notebook.name)
            print(f"FAILED: {notebook.name}: {str(error).strip().splitlines()[-1]}\n"
                  f"  open {target} to see the failing cell.", file=sys.stderr)
        timings[notebook.name] = round(time.perf_counter() - start, 1)
    timings_file = out_dir / "timings.json"  # merged, so running one chapter keeps the others' times
    previous = json.loads(timings_file.read_text()) if timings_file.exists() else {}
    timings_file.write_text(json.dumps(previous | timings, indent=2) + "\n")
    print("\nWall time per chapter (s): " + ", ".join(f"{k} {v}" for k, v in timings.items()))
    print(f"Executed notebooks : {out_dir}")
    print(f"Measured results   : {results_dir() / 'results.jsonl'}")
    if failed:
        print(f"{len(failed)} chapter(s) failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def clean_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip what must not be committed: outputs (but those of checked cells),
    execution counts, and stray cell and notebook metadata."""
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in KEPT_METADATA}
    if "language_info" in nb.metadata:
        nb.metadata["language_info"] = {"name": nb.metadata["language_info"].get("name", "python")}
    for cell in nb.cells:
        # Keep only tags (papermill's "parameters" tag lives there).
        tags = cell.get("metadata", {}).get("tags")
        cell.metadata = {"tags": tags} if tags else {}
        if cell.cell_type != "code":
            continue
        if CHECK_MARKER in cell.source:
            # The output stays: it is the test's expectation. nbval only compares cells that
            # look run, so these keep an execution count (a constant, to keep diffs quiet).
            cell.execution_count = 1
            for output in cell.outputs:
                if "execution_count" in output:
                    output["execution_count"] = 1
        else:
            cell.execution_count = None
            cell.outputs = []
    return nb


def copy_checked_outputs(notebook: Path, executed: Path) -> int:
    """Store, as the test's expectation, what the checked cells printed in an executed copy.

    Run a chapter (``make course`` or papermill), read its output, and if it is right,
    copy it into the committed notebook with this; returns how many cells it updated.
    """
    nb = nbformat.read(notebook, as_version=4)
    ran = {cell.source: cell for cell in nbformat.read(executed, as_version=4).cells}
    updated = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and CHECK_MARKER in cell.source and cell.source in ran:
            cell.outputs = ran[cell.source].outputs
            updated += 1
    nbformat.write(clean_notebook(nb), notebook)
    return updated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.harness", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    course = sub.add_parser("course", help="execute every chapter (make course)")
    course.add_argument("--profile", default="auto")
    course.add_argument("--hub-mode", default=None, choices=["auto", "online", "offline"])
    course.add_argument("--only", default=None, help='run only the chapters whose file name starts with this, e.g. "05"')
    prep = sub.add_parser("prepare", help="parameterized copies of every chapter for nbval")
    prep.add_argument("--profile", default="smoke")
    prep.add_argument("--hub-mode", default=None, choices=["auto", "online", "offline"])
    prep.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "smoke")
    expect = sub.add_parser("expect", help="store checked cells' outputs from an executed copy")
    expect.add_argument("notebook", type=Path)
    expect.add_argument("executed", type=Path)
    clean = sub.add_parser("clean", help="strip outputs and stray metadata before committing")
    clean.add_argument("--check", action="store_true", help="only report notebooks that need cleaning")
    clean.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)

    if args.command == "course":
        from helpers.environment import resolve_profile  # the same rule as setup_chapter's

        return run_course(resolve_profile(args.profile), args.hub_mode, args.only)
    if args.command == "prepare":
        for path in prepare(args.profile, args.out, args.hub_mode):
            print(f"prepared {path} (PROFILE={args.profile!r})")
        return 0
    if args.command == "expect":
        print(f"{copy_checked_outputs(args.notebook, args.executed)} checked cell(s) updated in {args.notebook}")
        return 0
    dirty = []
    for path in args.paths or course_notebooks():
        nb = nbformat.read(path, as_version=4)
        before = nbformat.writes(nb)
        after = nbformat.writes(clean_notebook(nb))
        if before != after:
            dirty.append(path)
            if not args.check:
                path.write_text(after + ("" if after.endswith("\n") else "\n"), encoding="utf-8")
    verb = "need cleaning" if args.check else "cleaned"
    print(f"{len(dirty)} notebook(s) {verb}" + (": " + ", ".join(map(str, dirty)) if dirty else ""))
    return 1 if (args.check and dirty) else 0


if __name__ == "__main__":
    sys.exit(main())
