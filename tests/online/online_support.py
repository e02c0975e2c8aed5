"""What the online-path tests share (``tests/online/``): the planted key, running a chapter, reading it.

The machines that test the course reach neither api.openai.com nor huggingface.co, so the
online branches are run against local servers reached the way learners reach real ones,
through the variables the libraries already honour (the fixtures are in ``conftest.py`` here):

- ``OPENAI_BASE_URL`` -> ``transformers serve`` behind an API key (``course_tools.openai_endpoint``),
  and ``OPENAI_API_KEY`` set to a planted key: Chapter 1 and Chapter 5's API rows take the
  "key found, endpoint reachable" branch;
- ``HF_ENDPOINT`` -> ``olah``, a self-hosted Hub mirror serving the offline kit under the real
  repo ids (``course_tools.hub_mirror``): Chapters 2, 3 and 5 run with ``HUB_MODE = "online"`` and
  download through it into an empty Hugging Face cache.

A server that checks no key (a plain ``transformers serve``, started as Chapter 1 tells a learner,
like Ollama, LM Studio and vLLM without ``--api-key``) answers Chapter 1 and Chapter 5's API rows a
second time, with the planted key still set: it is sent, ignored, and must be shown nowhere either.

The tests are split in four files so that ``make test``'s two workers share them (each file stays
on one worker, in order): Chapter 1 (the API), Chapters 1 and 5 against the keyless server, Chapter 2
(the Hub), Chapters 3 and 5 (the Hub and the API; Chapter 5 reuses the models Chapter 3 saved, as a
learner's would). Each file has its own servers and its own folder
under ``build/online/``, and searches what it wrote for the planted key.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

from helpers.paths import REPO_ROOT

OUT = REPO_ROOT / "build" / "online"
# A key that looks real (OpenAI's shape) so that every scrubber and printer is tested against it.
PLANTED_KEY = "sk-proj-PLANTEDtestKEY0123456789abcdefDoNotPrint"
SERVED_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"


def headings(cell: nbformat.NotebookNode) -> list[str]:
    """The level-2 headings (``## ...``) a markdown cell holds, in order (a cell may close one section
    and open the next)."""
    if cell.cell_type != "markdown":
        return []
    return [line for line in cell.source.splitlines() if line.startswith("## ")]


def chapter_cells(cells: list, sections: list[str] | None = None, until: str | None = None) -> list:
    """The cells a second run executes: everything before section 1 (title, parameters, setup), then
    ``sections`` only (e.g. ``["## 1.", "## 2.", "## 8."]``: each up to the next ``## `` heading), or
    every section up to the heading ``until`` (e.g. ``"## 4."``)."""
    kept, keep, numbered = [], True, False
    for cell in cells:
        for heading in headings(cell):
            if until and heading.startswith(until):
                return kept
            number = heading[3:].split(" ", 1)[0]
            numbered = numbered or number.rstrip(".").isdigit()
            if sections is not None and numbered:  # after section 1, an unnumbered one (Summary, ...) is not kept
                keep = any(heading.startswith(wanted) for wanted in sections)
        if keep:
            kept.append(cell)
    return kept


def run_chapter(name: str, env: dict, out: Path, tag: str = "", until: str | None = None,
                sections: list[str] | None = None, then: str = "", **parameters) -> nbformat.NotebookNode:
    """Execute a chapter with papermill in the smoke profile, in ``env``, into ``out``; return the executed copy.
    ``tag`` names a second run of the same chapter in ``out`` (its copy and log: ``NN_name-<tag>``).

    A second run repeats only the sections whose behaviour its setup changes (the rest is the same
    code on the same data, executed by the first run): ``until`` runs the chapter from its first cell
    up to the markdown heading that starts with it (e.g. ``"## 11."``), ``sections`` runs the cells
    before section 1 and then only the sections listed (see ``chapter_cells``); then the code
    ``then``, which prints what the test reads."""
    source = next((REPO_ROOT / "notebooks").glob(f"{name}_*.ipynb"))
    stem = f"{source.stem}-{tag}" if tag else source.stem
    target, log = out / f"{stem}.ipynb", out / f"{stem}.log"
    if until or sections:
        notebook = nbformat.read(source, as_version=4)
        notebook.cells = chapter_cells(notebook.cells, sections, until) + [nbformat.v4.new_code_cell(then)]
        (out / "sources").mkdir(exist_ok=True)
        source = out / "sources" / f"{stem}.ipynb"  # not *.ipynb in `out`: those are the executed copies
        nbformat.write(notebook, source)
    arguments = ["-p", "PROFILE", "smoke"]
    for key, value in parameters.items():
        arguments += ["-p", key, str(value)]
    with open(log, "w") as log_file:
        result = subprocess.run([sys.executable, "-m", "papermill", str(source), str(target), *arguments,
                                 "--cwd", str(REPO_ROOT / "notebooks"), "--no-progress-bar", "--start-timeout", "120"],
                                env=env, stdout=log_file, stderr=subprocess.STDOUT)
    assert result.returncode == 0, f"{source.name} failed online; see {target}:\n{log.read_text()[-4000:]}"
    return nbformat.read(target, as_version=4)


def text_of(notebook: nbformat.NotebookNode) -> str:
    """Everything the executed notebook shows: printed text, results, errors."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.extend(str(v) for k, v in output.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(parts)


def downloaded(env: dict) -> set[str]:
    """The repositories in the learner's (empty at the start) Hugging Face cache."""
    hub_cache = Path(env["HF_HOME"]) / "hub"
    return {p.name for p in hub_cache.iterdir()} if hub_cache.exists() else set()


def assert_key_never_written(out: Path, env: dict, chapters: int) -> None:
    """The planted key is in no executed copy, log or file the chapters wrote; nor is its tail
    (OpenAI's 401 quotes the last four characters of a key)."""
    executed = sorted(out.glob("*.ipynb"))
    assert len(executed) == chapters, f"the online chapters did not all run: {executed}"
    written = [p for p in Path(env["COURSE_RESULTS_DIR"]).rglob("*") if p.is_file()]
    leaks = [str(p) for p in [*executed, *out.glob("*.log"), *written] if PLANTED_KEY.encode() in p.read_bytes()]
    assert not leaks, f"the API key was written to: {leaks}"
    assert not [p for p in executed if PLANTED_KEY[-12:] in p.read_text()]
