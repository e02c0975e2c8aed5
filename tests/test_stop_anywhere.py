"""A Stop can land on any line of the training loop, and the run resumes exactly (helpers/training.py).

Jupyter's stop button sends SIGINT to the kernel; Python then raises KeyboardInterrupt on whatever
line runs next: fetching a batch, the forward or backward pass, the optimizer step, an evaluation,
the live plot (``on_eval``), writing a checkpoint, or between steps. Here a real SIGINT is sent on
*every* line that ``train`` and the callbacks execute, one run per line. Each stopped run is then
resumed with ``resume=True`` twice: in this process with the same model object (a learner running
the cell again, stale gradients and all), and in a new process with fresh weights. Both must end
bit for bit where a run never stopped ends: weights, optimizer state, step, history (all but the
wall-clock seconds), random-number state; the final checkpoints hold exactly the same.
"""

from __future__ import annotations

import hashlib
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest
import torch

import helpers.optimizers
import helpers.training
from helpers.training import TrainConfig, train

# Three steps: one with nothing due, one with an evaluation and a checkpoint, the last (evaluation,
# checkpoint, log); the losses of steps 1-2 wait in a checkpoint to be logged at step 3. Two
# micro-batches a step, warmup and clipping on, dropout and an evaluation that draw random numbers.
CONFIG = dict(max_steps=3, lr=1e-2, warmup_steps=1, accumulate=2, grad_clip=1.0, log_every=3,
              eval_every=2, checkpoint_every=2)
TRACED_FILES = {helpers.training.__file__, helpers.optimizers.__file__, __file__}


def problem(init_seed: int = 0):
    """A tiny regression with dropout; batches a pure function of their number, as ``train`` expects."""
    torch.default_generator.manual_seed(init_seed)  # (torch.manual_seed also queues a CUDA call, slowly)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Dropout(0.2), torch.nn.Tanh(),
                                torch.nn.Linear(16, 1))
    true_w = torch.randn(8, 1, generator=torch.Generator().manual_seed(7))

    def get_batch(i):
        x = torch.randn(16, 8, generator=torch.Generator().manual_seed(1000 + i))
        return x, x @ true_w

    def compute_loss(m, batch):
        x, y = batch
        return torch.nn.functional.mse_loss(m(x), y)

    def evaluate(m):
        x = torch.randn(32, 8)  # drawn from the global generator, like random evaluation windows
        return {"val_loss": torch.nn.functional.mse_loss(m(x), x @ true_w).item()}

    seen = []

    def on_eval(history):
        seen.append(history.evals[-1]["step"])  # stands in for redrawing a live plot

    return model, dict(get_batch=get_batch, compute_loss=compute_loss, evaluate=evaluate, on_eval=on_eval)


def run(model, callbacks, folder: Path, resume: bool = False):
    torch.default_generator.manual_seed(1)  # the global generator as a notebook would leave it before the cell
    return train(model, config=TrainConfig(checkpoint_dir=str(folder), **CONFIG), resume=resume,
                 progress=False, **callbacks)


class StopOnLine:
    """A tracer that counts the lines executed in TRACED_FILES and sends SIGINT at line number ``at``."""

    def __init__(self, at: int | None = None):
        self.at, self.lines = at, 0

    def __call__(self, frame, event, arg):
        return self.local if frame.f_code.co_filename in TRACED_FILES else None

    def local(self, frame, event, arg):
        if event == "line":
            if self.lines == self.at:
                signal.raise_signal(signal.SIGINT)  # what the stop button does
            self.lines += 1
        return self.local


def stopped_run(at: int | None, folder: Path) -> tuple[torch.nn.Module, int]:
    """One run with a Stop at line ``at`` (None: count the lines only); the model and the count."""
    model, callbacks = problem()
    tracer = StopOnLine(at)
    sys.settrace(tracer)
    try:
        run(model, callbacks, folder)
        time.sleep(0)  # a signal sent on the last line is delivered here, still inside the try
    except KeyboardInterrupt:
        pass  # a Stop outside the loop's own handler (before it starts, or after it returned)
    finally:
        sys.settrace(None)
    return model, tracer.lines


def assert_same(a, b, where="checkpoint"):
    """Bit-for-bit equality of nested checkpoint contents; history's seconds are wall-clock time."""
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b), where
    elif isinstance(a, dict):
        assert isinstance(b, dict) and set(a) - {"seconds"} == set(b) - {"seconds"}, where
        for key in set(a) - {"seconds"}:
            assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert isinstance(b, list | tuple) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def digest(state, hasher=None) -> str:
    """A fingerprint of a checkpoint's contents but the wall-clock seconds: stops that saved the same
    point give the same one."""
    hasher = hasher or hashlib.sha256()
    if isinstance(state, torch.Tensor):
        hasher.update(state.cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
    elif isinstance(state, dict):
        for key in sorted(set(state) - {"seconds"}, key=str):
            hasher.update(repr(key).encode())
            digest(state[key], hasher)
    elif isinstance(state, list | tuple):
        for item in state:
            digest(item, hasher)
    else:
        hasher.update(repr(state).encode())
    return hasher.hexdigest()


def final_state(folder: Path) -> dict:
    return torch.load(folder / "checkpoint.pt", weights_only=False)


@pytest.fixture(scope="module")
def stopped_everywhere(tmp_path_factory):
    """The uninterrupted run, and one stopped copy (its checkpoint folder) per line."""
    root = tmp_path_factory.mktemp("stop")
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a running notebook cell
    try:
        reference_model, callbacks = problem()
        reference = run(reference_model, callbacks, root / "reference")
        _, lines = stopped_run(None, root / "counting")
        cases, saved = [], set()
        for at in range(lines):
            folder = root / f"stop-{at:04d}"
            model, _ = stopped_run(at, folder)
            if folder.exists() and digest(final_state(folder)) not in saved:  # a new point to resume from
                saved.add(digest(final_state(folder)))
                shutil.copytree(folder, root / f"new-process-{at:04d}")
            cases.append((at, model, folder))
        yield root, reference_model, reference, callbacks, cases
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_stop_on_any_line_resumes_exactly_in_the_same_process(stopped_everywhere):
    root, reference_model, reference, callbacks, cases = stopped_everywhere
    assert len(cases) > 250, "the tracer saw too few lines to have stopped the loop everywhere"
    expected = final_state(root / "reference")
    for at, model, folder in cases:
        _, callbacks = problem()  # the cell run again: same model object, new callbacks
        history = run(model, callbacks, folder, resume=True)
        assert not history.interrupted, f"stopped on line {at}"
        assert_same(asdict(history), asdict(reference), f"stopped on line {at}: history")
        assert_same(model.state_dict(), reference_model.state_dict(), f"stopped on line {at}: weights")
        assert_same(final_state(folder), expected, f"stopped on line {at}: final checkpoint")


def test_a_stop_on_any_line_resumes_exactly_in_a_new_process(stopped_everywhere):
    root, *_ = stopped_everywhere
    # One folder per distinct point a Stop saved (the same-process test resumes from every line's).
    folders = sorted(root.glob("new-process-*"))
    assert len(folders) >= 6, [f.name for f in folders]
    script = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
              "from pathlib import Path\n"
              "import test_stop_anywhere as t\n"
              f"for folder in sorted(Path({str(root)!r}).glob('new-process-*')):\n"
              "    model, callbacks = t.problem(init_seed=123)  # other weights: all must come from the checkpoint\n"
              "    t.run(model, callbacks, folder, resume=True)\n")
    subprocess.run([sys.executable, "-c", script], check=True, cwd=Path(__file__).parent.parent)
    expected = final_state(root / "reference")
    for folder in folders:
        assert_same(final_state(folder), expected, f"{folder.name}: final checkpoint")
