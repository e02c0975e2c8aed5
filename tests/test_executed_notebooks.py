"""What a learner reads: the outputs of the chapters this run executed, checked for noise.

Runs after every notebook (``after_notebooks``). Its inputs are the executed copies that this
session wrote: ``build/executed/smoke/`` (the offline chapters, saved by the conftest hook),
``build/online/*/`` (the online path, a folder per test file), and ``runs/<profile>/`` when ``make course`` left copies
there. Each of these fails the test, with the chapter, the cell and the offending line.

In any output of any cell (its text as a reader sees it: a carriage return overwrites its line):

- a path on this machine (a home folder, a temporary folder, a virtual environment): outputs are
  read by others, and a path says nothing to them;
- a Python warning (``UserWarning: ...``): either fix its cause or explain it in the text;
- a raw log dictionary (``{'loss': ..., 'grad_norm': ...}``) where a progress bar or a table belongs;
- a traceback: a chapter that ran must not show one;
- a progress bar saved at 0% (``  0%|          | 0/12 [00:00<?, ?it/s]``): what tqdm's notebook
  widget leaves as its text when nothing updates it, however far the bar went. ``helpers.progress``
  bars end at their last state, "100%|██████████| 12/12"; a bar that stopped part-way is not flagged;
- a Python repr where words belong: a tuple holding a decimal, ``(0.668, 0.725)``, a number paired
  with a string, ``(2.5, 'High')``, or a NumPy scalar, ``np.float64(0.5)``. An interval is written
  ``0.668-0.725``, rules in words. Not flagged, because the chapters show them on purpose: lists
  (token ids, tokens, logits), tensors and arrays, shapes (tuples of whole numbers), dictionaries
  (``sizes: {...}``), and a module's ``print(model)``.

In printed text only (stream outputs and a cell's value shown as text/plain; what a chapter shows
with ``display``, such as a model's answer as ``Pretty``, is its own choice):

- raw Markdown: a table row (a line that starts and ends with ``|``), a heading (``## `` and
  deeper: ``# `` is also how a Python comment starts) or ``**bold**``, on a line that is not indented.
  Markdown is shown with ``IPython.display.Markdown``, which saves text/markdown and renders. An
  indented line is quoted text, such as a model's answer as ``backend.show`` prints it: what a
  model writes is its own, and may well be Markdown;
- a streamed answer split into many outputs: more than 10 outputs in a row to one stream, each a
  piece of a line (no newline at its end). A saved notebook keeps each output apart, so a page shows
  one piece per line; a display handle updated in place (Chapter 1) saves one output. Lines printed
  one by one (each ending its line) read the same however they were split, and are not flagged.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from helpers.paths import REPO_ROOT, runs_dir

EXECUTED = REPO_ROOT / "build" / "executed" / "smoke"
SOURCES = [EXECUTED, *sorted((REPO_ROOT / "build" / "online").glob("*/")), *sorted(p for p in runs_dir().glob("*") if p.is_dir())]

NUMBER = r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?"
PROBLEMS = {  # in any output
    "a path on this machine": re.compile(
        r"(/root/|/home/[A-Za-z]|/Users/[A-Za-z]|/tmp/|/var/folders/|/work/|site-packages|\.venv/|[A-Z]:\\\\Users\\\\)"),
    "a Python warning": re.compile(r"\b[A-Z]\w*Warning: "),
    "a raw log dictionary": re.compile(r"\{'(loss|eval_loss|grad_norm|learning_rate|train_runtime|epoch)': "),
    "a traceback": re.compile(r"Traceback \(most recent call last\)"),
    "a progress bar saved at 0%": re.compile(r"(?<![\d.])0%\|"),
    "a Python repr where words belong": re.compile(
        rf"\({NUMBER}, (?:{NUMBER}, )*-?\d*\.\d+[,)]|\(-?\d*\.\d+, {NUMBER}[,)]"  # a tuple with a decimal
        rf"|\((?:{NUMBER}|inf), '|', (?:{NUMBER}|inf)\)"                          # a number with a string
        r"|\bnp\.(?:float|int|uint|bool|str)\w*\("),                                # a NumPy scalar
}
PRINTED = {  # in printed text: stream outputs and a cell's value as text/plain
    "raw Markdown printed as text": re.compile(
        r"^\|.*\|\s*$"                                             # a table row (or its |---| line)
        r"|^#{2,6} \S"                                             # a heading
        r"|^(?!\s).*?(?<![\w*])\*\*[^\s*](?:[^*]*[^\s*])?\*\*(?![\w*])"),  # bold, on a line not indented
}
SPLIT_STREAM = 10  # more pieces of a line than this, in a row to one stream: a split answer


def as_seen(text: str) -> str:
    """Text as a page shows it: on each line, a carriage return overwrites what came before it."""
    return "\n".join(line.rstrip("\r").rsplit("\r", 1)[-1] for line in text.split("\n"))


def shown_text(output) -> str:
    """Everything a reader sees of one output, as text."""
    if output.get("output_type") == "error":
        return "Traceback (most recent call last)\n" + "\n".join(output.get("traceback", []))
    text = output.get("text", "")
    data = output.get("data", {})
    return as_seen(text + "".join(str(v) for k, v in data.items() if k.startswith("text/")))


def printed_text(output) -> str:
    """What a cell printed, or its value as plain text; not what it chose to ``display``."""
    if output.get("output_type") == "stream":
        return as_seen(output.get("text", ""))
    if output.get("output_type") == "execute_result":
        return as_seen(str(output.get("data", {}).get("text/plain", "")))
    return ""


def split_streams(outputs) -> list[str]:
    """Each run of more than SPLIT_STREAM outputs in a row to one stream that are pieces of a line."""
    found, run, name = [], [], None
    for output in [*outputs, {}]:  # the empty one ends the last run
        if output.get("output_type") == "stream" and output.get("name") == name:
            run.append(output)
            continue
        pieces = [o for o in run if not o.get("text", "").endswith("\n")]
        if len(pieces) > SPLIT_STREAM:
            found.append(f"{len(run)} outputs in a row to {name}, {len(pieces)} of them pieces of a line, "
                         f"e.g. {pieces[len(pieces) // 2].get('text', '')!r}")
        run, name = ([output], output.get("name")) if output.get("output_type") == "stream" else ([], None)
    return found


def merged(outputs) -> list[dict]:
    """The outputs with each run of pieces to one stream joined, as Jupyter shows them."""
    joined = []
    for output in outputs:
        previous = joined[-1] if joined else {}
        if output.get("output_type") == "stream" and previous.get("output_type") == "stream" \
                and previous.get("name") == output.get("name"):
            joined[-1] = {**previous, "text": previous.get("text", "") + output.get("text", "")}
        else:
            joined.append(output)
    return joined


def problems_in(path: Path, root: Path = REPO_ROOT) -> list[str]:
    found = []
    notebook = nbformat.read(path, as_version=4)
    for number, cell in enumerate(notebook.cells):
        where = f"{path.relative_to(root)} cell {number}"
        outputs = cell.get("outputs", [])
        for output in merged(outputs):
            lines = [(problem, pattern, line) for line in shown_text(output).splitlines()
                     for problem, pattern in PROBLEMS.items()]
            lines += [(problem, pattern, line) for line in printed_text(output).splitlines()
                      for problem, pattern in PRINTED.items()]
            found += dict.fromkeys(f"{where}: {problem}: {line.strip()[:160]}"  # once, in text and in HTML
                                   for problem, pattern, line in lines if pattern.search(line))
        found += [f"{where}: a streamed answer split into many outputs: {run}" for run in split_streams(outputs)]
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


def stream(text: str, name: str = "stdout"):
    return nbformat.v4.new_output("stream", name=name, text=text)


def shown(text: str, output_type: str = "display_data", **data):
    """A displayed value (or, as ``execute_result``, a cell's value) whose plain text is ``text``."""
    more = {"execution_count": 1} if output_type == "execute_result" else {}
    return nbformat.v4.new_output(output_type, data={"text/plain": text, **data}, **more)


ANSWER = "Red, orange, yellow, green, blue, indigo and violet."  # as a model streams it, piece by piece
WIDGET = {"application/vnd.jupyter.widget-view+json": {"model_id": "0a1b", "version_major": 2, "version_minor": 0}}
PLANTED = [  # (a kind of problem, the outputs of one cell that has it)
    ("a path on this machine", [stream("saved to /home/ada/course/results/x")]),
    ("a Python warning", [stream("/work/main/.venv/lib/python3.11/site-packages/torch/x.py:12: "
                                 "UserWarning: pin_memory is set", "stderr")]),
    ("a raw log dictionary", [stream("{'loss': '0.6918', 'grad_norm': '3.2', 'epoch': '0.2'}")]),
    ("a traceback", [nbformat.v4.new_output("error", ename="ValueError", evalue="no", traceback=["ValueError: no"])]),
    ("a progress bar saved at 0%", [shown("sampling:   0%|          | 0/12 [00:00<?, ?it/s]", **WIDGET)]),
    ("a progress bar saved at 0%", [stream("\r  0%|          | 0/3 [00:00<?, ?it/s]", "stderr")]),
    ("raw Markdown printed as text", [stream("| approach | accuracy |\n|---|---:|\n| hosted API | 0.91 |\n")]),
    ("raw Markdown printed as text", [stream("## What this run measured\n")]),
    ("raw Markdown printed as text", [stream("the verdict: **fine-tuning** wins on accuracy\n")]),
    ("raw Markdown printed as text", [shown("'**Note**: a stand-in answered'", "execute_result")]),
    ("a Python repr where words belong", [shown("           accuracy        interval\n"
                                                "zero-shot     0.70  (0.668, 0.725)")]),
    ("a Python repr where words belong", [stream("Ease of Use: at most [(2.5, 'High'), (3.5, 'Medium'), (5, 'Low')]\n")]),
    ("a Python repr where words belong", [stream("accuracy np.float64(0.7) on 200 reviews\n")]),
    ("a streamed answer split into many outputs", [stream(ANSWER[i:i + 4]) for i in range(0, len(ANSWER), 4)]),
]
CLEAN = [  # what the chapters show on purpose, and the right way to show what is planted above
    [stream("accuracy 0.825 (95% interval 0.800-0.847); saved to results/chapter03/model\n")],
    [shown("sampling: 100%|██████████| 12/12 [00:03<00:00,  3.90it/s]", **WIDGET)],
    [stream("\r  0%|          | 0/3 [00:00<?, ?it/s]", "stderr"), stream("\r 33%|███▎      | 1/3", "stderr"),
     stream("\r100%|██████████| 3/3 [00:01<00:00,  2.9it/s]\n", "stderr")],  # a text bar, as a page draws it
    [stream("training:  10%|█         | 10/100 [00:01<00:09, 9.8step/s]\n")],  # stopped part-way: not 0%
    [shown("<IPython.core.display.Markdown object>", **{"text/markdown": "## Results\n| a | b |\n|---|---|\n**bold**"})],
    [stream("[local stand-in]\n  **Be concise:** say what you need first.\n  ## Tips\n  | a | b |\n")],  # quoted
    [shown("**Red**, orange and yellow")],  # a model's answer, displayed as it came (Pretty)
    [stream("def f(x, **kwargs):\n    # the square\n    return x**2 + y**2\n")],  # code, not Markdown
    [shown("           sample_answers\nzero-shot  positive | negative | positive", **{"text/html": "<table/>"})],
    [stream("logits       : [-1.234, 1.456]\nprobabilities: [0.0566, 0.9434]\n[101, 2023, 2003, 102]\n"
            "['▁the', '▁movie']\ninput_ids shape: (16, 128)\ntensor([[1, 1, 1, 0]])\n"
            "{'label': 'POSITIVE', 'score': 0.9987}\n#0  a sentence\n[[1.   0.  ]\n [0.5  0.5 ]]\n")],
    [stream("GPT(\n  (ln): LayerNorm((64,), eps=1e-05, elementwise_affine=True)\n  (drop): Dropout(p=0.1, inplace=False)\n"
            "  (head): Linear(in_features=64, out_features=65, bias=False)\n)\n")],  # print(model)
    [stream(f"line {i}\n") for i in range(30)],  # printed line by line: each output ends its line
    [shown("")] + [stream("first text after 0.21 s, whole answer after 1.90 s\n")],  # one display, updated in place
]


def test_the_checks_catch_each_kind_of_problem(tmp_path):
    """The patterns above, against outputs of each kind, and against clean ones."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("x", outputs=outputs) for _, outputs in PLANTED + [(None, o) for o in CLEAN]]
    path = tmp_path / "01_x.ipynb"
    nbformat.write(notebook, path)
    found = problems_in(path, root=tmp_path)
    for number, (kind, _) in enumerate(PLANTED):
        assert f"01_x.ipynb cell {number}: {kind}: " in "\n".join(found), f"not caught: {kind} (cell {number})"
    flagged = [line for line in found if int(line.split(" cell ")[1].split(":")[0]) >= len(PLANTED)]
    assert not flagged, "clean outputs were flagged:\n" + "\n".join(flagged)


def test_the_saved_copy_of_an_nbval_run_keeps_a_display_updated_in_place():
    """nbval drops ``update_display_data``; ``keep_display_updates`` (the conftest's patch) applies it
    to the output nbval saved, as Jupyter does: a bar's saved text is where it ended."""
    from course_tools.harness import keep_display_updates

    bar = {"text/plain": "sampling:   0%|          | 0/12 [00:00<?, ?it/s]", **WIDGET}
    messages = iter([
        {"msg_type": "display_data", "content": {"data": bar, "metadata": {}, "transient": {"display_id": "b1"}}},
        {"msg_type": "display_data", "content": {"data": {"text/plain": "another display"}, "metadata": {}}},
        {"msg_type": "update_display_data", "content": {
            "data": {**bar, "text/plain": "sampling: 100%|██████████| 12/12 [00:03<00:00,  3.90it/s]"},
            "metadata": {}, "transient": {"display_id": "b1"}}}])
    get_message = keep_display_updates(lambda self, timeout=None, stream="iopub": next(messages))
    outputs = []
    for _ in range(3):  # what nbval does with each message: a display becomes an output, an update nothing
        message = get_message(None)
        if message["msg_type"] == "display_data":
            outputs.append(nbformat.NotebookNode(output_type="display_data"))
            outputs[-1]["data"] = message["content"]["data"]
    assert [o["data"]["text/plain"][:14] for o in outputs] == ["sampling: 100%", "another displa"]
    assert WIDGET.keys() <= outputs[0]["data"].keys()
