"""The course's training loop, written out in plain PyTorch (chapters 3 and 4).

Chapter 3 fine-tunes with ``transformers.Trainer``; its bonus notebook (03b) runs a few steps of the
same fine-tuning with this loop so the learner sees what ``Trainer`` does for them. Chapter 4
trains its GPT with it, on one process or several (``torchrun``). So it is written once,
and everything it does is on one screen:

- batches come from ``get_batch(i)``, a function of the micro-batch number: the data order is
  then a pure function of the step, which makes an interrupted run resume *exactly*
  (``helpers.fine_tuning.dataset_batches`` makes one for a dataset, Chapter 3;
  ``helpers.gpt_data.random_windows`` for a long text, Chapter 4);
- gradient accumulation (``accumulate`` micro-batches per optimizer step); AdamW, or Muon for the
  hidden matrices (``helpers.optimizers``);
- gradient clipping; a linear-warmup + cosine learning-rate schedule (``lr_at``);
- mixed precision: bfloat16 autocast on GPUs that compute in it natively (float16 with a gradient
  scaler on older ones, such as Colab's T4), float32 on the CPU unless asked;
- an evaluation hook every ``eval_every`` steps; a checkpoint every ``checkpoint_every`` steps,
  on Ctrl-C (Jupyter's "interrupt") and at the end; ``resume=True`` continues from it exactly,
  wherever the Stop landed;
- a progress bar and a loss history (``History``) to plot (``helpers.progress``: the bar a saved
  notebook shows where it ended, and ``live_loss_plot``).
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import torch

from helpers.environment import mixed_precision_dtype
from helpers.optimizers import make_optimizer
from helpers.paths import shown_path
from helpers.progress import progress_bar


@dataclass
class TrainConfig:
    """Every knob of the loop, in one place (nanoGPT-style: plain values, visible defaults)."""

    max_steps: int                    # optimizer steps
    lr: float = 1e-3                  # peak learning rate, reached after warmup
    min_lr: float | None = None       # end of the cosine decay; default lr / 10
    warmup_steps: int = 0
    weight_decay: float = 0.1         # on weight matrices only, not on biases and norms
    betas: tuple[float, float] = (0.9, 0.95)
    accumulate: int = 1               # micro-batches per optimizer step
    grad_clip: float | None = 1.0     # max gradient norm; None turns clipping off
    precision: str = "auto"           # "auto", "fp32", "bf16" or "fp16"
    eval_every: int = 0               # 0: evaluate only at the end
    log_every: int = 10               # how often the progress bar shows the loss
    checkpoint_dir: str | None = None
    checkpoint_every: int = 0         # 0: only on interrupt and at the end


@dataclass
class History:
    """What happened: train loss and learning rate per logged step, and every evaluation."""

    steps: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    evals: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def last_step(self) -> int:
        return self.steps[-1] if self.steps else 0


def lr_at(step: int, config: TrainConfig) -> float:
    """Learning rate at optimizer step ``step`` (0-based): linear warmup, then cosine decay."""
    min_lr = config.lr / 10 if config.min_lr is None else config.min_lr
    if step < config.warmup_steps:
        return config.lr * (step + 1) / config.warmup_steps
    decay_steps = max(1, config.max_steps - config.warmup_steps)
    progress = min(1.0, (step - config.warmup_steps) / decay_steps)
    return min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (config.lr - min_lr)


def autocast_dtype(precision: str, device: torch.device) -> torch.dtype | None:
    """The dtype for autocast, or None for plain float32."""
    if precision == "auto":  # bf16 where the GPU has it natively, fp16 on older GPUs, fp32 on CPUs
        return mixed_precision_dtype(device.type)
    return {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]


def _is_main_process() -> bool:
    """Under torchrun only rank 0 prints and saves; everywhere else there is one process."""
    return not (torch.distributed.is_available() and torch.distributed.is_initialized()) \
        or torch.distributed.get_rank() == 0


@contextlib.contextmanager
def stop_waits():
    """Hold a Stop (Ctrl-C; Jupyter's stop button sends the same SIGINT) until the block ends, then
    deliver it. The loop wraps each optimizer update and each checkpoint in it: stopped half way, an
    update would leave some weights updated and others not, and no checkpoint could describe that."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        yield  # only the main thread receives signals; None: a handler set outside Python, left alone
        return
    held = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if held and callable(previous):
        previous(signal.SIGINT, held[-1])  # Python's default handler raises KeyboardInterrupt


def rng_states(device: torch.device) -> dict:
    """The random-number generators' states (dropout draws from them), saved with a checkpoint."""
    states = {"cpu": torch.get_rng_state()}
    if device.type == "cuda":
        states["cuda"] = torch.cuda.get_rng_state(device)
    return states


def set_rng_states(states: dict, device: torch.device) -> None:
    torch.set_rng_state(states["cpu"].cpu())
    if "cuda" in states and device.type == "cuda":
        torch.cuda.set_rng_state(states["cuda"].cpu(), device)


def save_checkpoint(path: Path, model, optimizer, scaler, progress: dict) -> None:
    """Write model, optimizer, scaler and ``progress`` (where the run is: see ``train``);
    atomically, so a crash mid-save leaves the previous checkpoint intact."""
    raw_model = getattr(model, "module", model)  # unwrap DistributedDataParallel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({"model": raw_model.state_dict(), "optimizer": optimizer.state_dict(),
                "scaler": scaler.state_dict(), **progress}, tmp)
    os.replace(tmp, path)


def train(model: torch.nn.Module, get_batch: Callable[[int], object],
          compute_loss: Callable[[torch.nn.Module, object], torch.Tensor], config: TrainConfig,
          evaluate: Callable[[torch.nn.Module], dict] | None = None,
          on_eval: Callable[[History], None] | None = None, resume: bool = False,
          optimizer: torch.optim.Optimizer | None = None, progress: bool = True) -> History:
    """Train ``model`` for ``config.max_steps`` optimizer steps; return the ``History``.

    ``get_batch(i)`` returns micro-batch number ``i`` (already on the model's device);
    ``compute_loss(model, batch)`` returns a scalar loss; ``evaluate(model)`` returns a dict
    of metrics (run in eval mode without gradients); ``on_eval(history)`` is called after
    each evaluation (e.g. to redraw a live plot).

    A Stop can land on any line. The loop always knows the last point it completed: ``step``
    updates applied, and whether that step's evaluation and checkpoint are done (``followed_up``).
    A Stop saves that point, never a half-done step: an update is applied whole (``stop_waits``);
    the gradients of a step not yet applied, and an evaluation cut short, are dropped and redone on
    resume. With the losses not yet logged and the random-number state, a resumed run repeats the
    uninterrupted one bit for bit (tests/test_stop_anywhere.py stops it on every line).
    """
    device = next(model.parameters()).device
    dtype = autocast_dtype(config.precision, device)
    autocast = (lambda: torch.autocast(device.type, dtype=dtype)) if dtype else contextlib.nullcontext
    # float16 needs loss scaling against underflowing gradients; bfloat16 and float32 do not.
    scaler = torch.amp.GradScaler(device.type, enabled=dtype == torch.float16)
    optimizer = optimizer or make_optimizer(model, config)
    checkpoint = Path(config.checkpoint_dir) / "checkpoint.pt" if config.checkpoint_dir else None
    history, step, followed_up, unlogged = History(), 0, True, []  # unlogged: losses since the last log

    if resume and checkpoint and checkpoint.exists():
        state = torch.load(checkpoint, map_location=device, weights_only=False)
        getattr(model, "module", model).load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scaler.load_state_dict(state["scaler"])
        history, step = History(**{**state["history"], "interrupted": False}), state["step"]
        # (a checkpoint written before the course saved these three resumes as it did then)
        followed_up, unlogged = state.get("followed_up", True), list(state.get("unlogged", []))
        if "rng" in state:
            set_rng_states(state["rng"], device)
        if _is_main_process():
            print(f"Resumed from {checkpoint.name} at step {step} of {config.max_steps}.")
    model.zero_grad(set_to_none=True)  # a Stop during backward() leaves gradients behind
    rng, evals_done = rng_states(device), len(history.evals)  # as they were at the completed point

    def completed_point() -> dict:  # what a checkpoint holds besides weights and optimizer state
        return {"step": step, "followed_up": followed_up, "unlogged": unlogged, "rng": rng,
                "history": {**asdict(history), "evals": history.evals[:evals_done], "interrupted": False}}

    def due(every: int) -> bool:
        return step == config.max_steps or bool(every) and step % every == 0

    main = _is_main_process()
    bar = progress_bar(total=config.max_steps, initial=step, desc="training", unit="step",
                       disable=not (progress and main))
    started = time.perf_counter() - history.seconds
    model.train()
    try:
        while True:
            if not followed_up:  # after step `step`: an evaluation and a checkpoint when due
                if evaluate and due(config.eval_every):
                    model.eval()
                    with torch.no_grad(), autocast():
                        metrics = evaluate(model)
                    model.train()
                    history.evals.append({"step": step, **metrics})
                    if on_eval and main:
                        on_eval(history)
                with stop_waits():
                    followed_up, rng, evals_done = True, rng_states(device), len(history.evals)
                    if checkpoint and main and due(config.checkpoint_every):
                        save_checkpoint(checkpoint, model, optimizer, scaler, completed_point())
            if step == config.max_steps:
                break
            lr = lr_at(step, config)
            step_losses = []
            for micro in range(config.accumulate):
                batch = get_batch(step * config.accumulate + micro)
                # Under DDP, gradients are averaged across processes at backward(); skip that
                # for all but the last micro-batch of a step, where it is needed.
                sync = micro == config.accumulate - 1 or not hasattr(model, "no_sync")
                with (contextlib.nullcontext() if sync else model.no_sync()):
                    with autocast():
                        loss = compute_loss(model, batch) / config.accumulate
                    scaler.scale(loss).backward()
                step_losses.append(loss.detach())  # kept on the device: .item() would wait for the GPU
            with stop_waits():  # the update and its bookkeeping happen whole, or not at all
                for group in optimizer.param_groups:
                    group["lr"] = lr
                if config.grad_clip:
                    scaler.unscale_(optimizer)
                    torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
                scaler.step(optimizer)
                scaler.update()
                optimizer.zero_grad(set_to_none=True)
                step, followed_up, rng, unlogged = step + 1, False, rng_states(device), unlogged + step_losses
                history.seconds = time.perf_counter() - started  # training time: through this update, not the final evaluation
                if step % config.log_every == 0 or step == config.max_steps:
                    mean_loss = (torch.stack(unlogged).sum() / (len(unlogged) / config.accumulate)).item()
                    unlogged = []
                    history.steps.append(step)
                    history.train_loss.append(mean_loss)
                    history.lr.append(lr)
                    bar.set_postfix(loss=f"{mean_loss:.4f}", lr=f"{lr:.2e}")
                bar.update(1)
    except KeyboardInterrupt:
        # Jupyter's stop button: keep what was learned up to the last completed point, and say how to go on.
        model.zero_grad(set_to_none=True)
        model.train()  # if the Stop landed during an evaluation
        history.interrupted = True
        del history.evals[evals_done:]  # an evaluation after that point is redone on resume
        bar.close()
        if checkpoint and main:
            with stop_waits():
                history.seconds = time.perf_counter() - started
                save_checkpoint(checkpoint, model, optimizer, scaler, completed_point())
            print(f"Interrupted at step {step}; checkpoint saved in {shown_path(checkpoint)}. "
                  "To continue from there, call train() again with resume=True.")
        else:
            print(f"Interrupted at step {step}. Set checkpoint_dir to be able to resume.")
        return history
    except torch.cuda.OutOfMemoryError as error:
        raise RuntimeError(
            "The GPU ran out of memory. Halve the batch size and double `accumulate` (same "
            "effective batch, half the memory), or shorten the sequences, then run again."
        ) from error
    bar.close()
    return history
