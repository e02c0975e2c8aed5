"""The course's training loop, written out in plain PyTorch (chapters 3 and 4).

Chapter 3 first fine-tunes with ``transformers.Trainer``, then runs a few steps of the same
fine-tuning with this loop so the learner sees what ``Trainer`` does for them. Chapter 4
trains its GPT with it, on one process or several (``torchrun``). So it is written once,
and everything it does is on one screen:

- batches come from ``get_batch(i)``, a function of the micro-batch number: the data order is
  then a pure function of the step, which makes an interrupted run resume *exactly*;
- gradient accumulation (``accumulate`` micro-batches per optimizer step);
- gradient clipping; a linear-warmup + cosine learning-rate schedule (``lr_at``);
- mixed precision: bfloat16 autocast on GPUs that compute in it natively (float16 with a gradient
  scaler on older ones, such as Colab's T4), float32 on the CPU unless asked;
- an evaluation hook every ``eval_every`` steps; a checkpoint every ``checkpoint_every`` steps,
  on Ctrl-C (Jupyter's "interrupt") and at the end; ``resume=True`` continues from it;
- a progress bar (``helpers.progress``: a saved notebook shows where it ended) and a loss
  history (``History``) to plot.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import torch

from helpers.environment import mixed_precision_dtype
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


def make_optimizer(model: torch.nn.Module, config: TrainConfig, fused: bool | None = None,
                   muon: bool = False) -> torch.optim.Optimizer:
    """AdamW with weight decay on matrices (weights of linear layers and embeddings) only:
    decaying biases and LayerNorm gains pulls them towards 0 for no benefit.

    ``fused``: update every weight in one kernel (``True``) or tensor by tensor; ``None``, the
    default, fuses on GPUs only. ``muon``: the hidden layers' matrices (``hidden_matrices``) are
    trained by ``torch.optim.Muon`` instead, everything else by this AdamW; both follow the same
    learning rate (Muon's ``match_rms_adamw`` scaling makes AdamW's learning rate right for it)."""
    params = [p for p in model.parameters() if p.requires_grad]
    matrices = hidden_matrices(model) if muon else []
    params = [p for p in params if all(p is not m for m in matrices)]
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": config.weight_decay},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    if fused is None:
        fused = all(p.is_cuda for p in params)  # one fused kernel per step on a GPU
    adamw = torch.optim.AdamW(groups, lr=config.lr, betas=config.betas, fused=fused or None)
    if not muon:
        return adamw
    return Optimizers(torch.optim.Muon(matrices, lr=config.lr, weight_decay=config.weight_decay,
                                       adjust_lr_fn="match_rms_adamw"), adamw)


def hidden_matrices(model: torch.nn.Module) -> list[torch.nn.Parameter]:
    """The weights that Muon is for: every ``nn.Linear``'s weight, except the output layer
    (``lm_head``) and any matrix shared with an embedding (a tied output layer). Embeddings and
    the output layer map tokens in and out, and AdamW trains them better (Jordan et al. 2024)."""
    embedding_weights = [m.weight for m in model.modules() if isinstance(m, torch.nn.Embedding)]
    output = getattr(getattr(model, "lm_head", None), "weight", None)
    return [m.weight for m in model.modules()
            if isinstance(m, torch.nn.Linear) and m.weight.requires_grad and m.weight is not output
            and all(m.weight is not e for e in embedding_weights)]


class Optimizers:
    """Several optimizers stepped as one, which ``train`` takes like one: Muon for the matrices,
    AdamW for the rest (``make_optimizer(..., muon=True)``). ``param_groups`` lists every group (the
    loop sets each one's learning rate); the state dict holds each optimizer's, for checkpoints.
    Used in float32 and bfloat16 (with float16's gradient scaler it is untested)."""

    def __init__(self, *optimizers: torch.optim.Optimizer):
        self.optimizers = optimizers

    @property
    def param_groups(self) -> list[dict]:
        return [group for optimizer in self.optimizers for group in optimizer.param_groups]

    def step(self) -> None:
        for optimizer in self.optimizers:
            optimizer.step()

    def zero_grad(self, set_to_none: bool = True) -> None:
        for optimizer in self.optimizers:
            optimizer.zero_grad(set_to_none=set_to_none)

    def state_dict(self) -> dict:
        return {"optimizers": [optimizer.state_dict() for optimizer in self.optimizers]}

    def load_state_dict(self, state: dict) -> None:
        for optimizer, saved in zip(self.optimizers, state["optimizers"], strict=True):
            optimizer.load_state_dict(saved)


def autocast_dtype(precision: str, device: torch.device) -> torch.dtype | None:
    """The dtype for autocast, or None for plain float32."""
    if precision == "auto":  # bf16 where the GPU has it natively, fp16 on older GPUs, fp32 on CPUs
        return mixed_precision_dtype(device.type)
    return {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]


def _is_main_process() -> bool:
    """Under torchrun only rank 0 prints and saves; everywhere else there is one process."""
    return not (torch.distributed.is_available() and torch.distributed.is_initialized()) \
        or torch.distributed.get_rank() == 0


def save_checkpoint(path: Path, model, optimizer, scaler, step: int, history: History) -> None:
    """Write model, optimizer, scaler, step and history; atomically, so a crash mid-save
    leaves the previous checkpoint intact."""
    raw_model = getattr(model, "module", model)  # unwrap DistributedDataParallel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({"model": raw_model.state_dict(), "optimizer": optimizer.state_dict(),
                "scaler": scaler.state_dict(), "step": step, "history": asdict(history)}, tmp)
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
    """
    device = next(model.parameters()).device
    dtype = autocast_dtype(config.precision, device)
    autocast = (lambda: torch.autocast(device.type, dtype=dtype)) if dtype else contextlib.nullcontext
    # float16 needs loss scaling against underflowing gradients; bfloat16 and float32 do not.
    scaler = torch.amp.GradScaler(device.type, enabled=dtype == torch.float16)
    optimizer = optimizer or make_optimizer(model, config)
    history, start_step = History(), 0
    checkpoint = Path(config.checkpoint_dir) / "checkpoint.pt" if config.checkpoint_dir else None

    if resume and checkpoint and checkpoint.exists():
        state = torch.load(checkpoint, map_location=device, weights_only=False)
        getattr(model, "module", model).load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scaler.load_state_dict(state["scaler"])
        history, start_step = History(**state["history"]), state["step"]
        if _is_main_process():
            print(f"Resumed from {checkpoint.name} at step {start_step} of {config.max_steps}.")

    def run_evaluation(step: int) -> None:
        model.eval()
        with torch.no_grad(), autocast():
            metrics = evaluate(model)
        model.train()
        history.evals.append({"step": step, **metrics})
        if on_eval and _is_main_process():
            on_eval(history)

    main = _is_main_process()
    bar = progress_bar(total=config.max_steps, initial=start_step, desc="training", unit="step",
               disable=not (progress and main))
    started = time.perf_counter() - history.seconds
    model.train()
    losses = []  # kept on the device: calling .item() every step would wait for the GPU
    step = start_step
    try:
        for step in range(start_step, config.max_steps):
            lr = lr_at(step, config)
            for group in optimizer.param_groups:
                group["lr"] = lr
            for micro in range(config.accumulate):
                batch = get_batch(step * config.accumulate + micro)
                # Under DDP, gradients are averaged across processes at backward(); skip that
                # for all but the last micro-batch of a step, where it is needed.
                sync = micro == config.accumulate - 1 or not hasattr(model, "no_sync")
                with (contextlib.nullcontext() if sync else model.no_sync()):
                    with autocast():
                        loss = compute_loss(model, batch) / config.accumulate
                    scaler.scale(loss).backward()
                losses.append(loss.detach())
            if config.grad_clip:
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)
            done = step + 1
            bar.update(1)
            if done % config.log_every == 0 or done == config.max_steps:
                mean_loss = (torch.stack(losses).sum() / (len(losses) / config.accumulate)).item()
                losses.clear()
                history.steps.append(done)
                history.train_loss.append(mean_loss)
                history.lr.append(lr)
                bar.set_postfix(loss=f"{mean_loss:.4f}", lr=f"{lr:.2e}")
            if evaluate and config.eval_every and done % config.eval_every == 0 and done != config.max_steps:
                run_evaluation(done)
            if (checkpoint and main and config.checkpoint_every and done % config.checkpoint_every == 0
                    and done != config.max_steps):  # the last step's checkpoint is written once, below
                history.seconds = time.perf_counter() - started
                save_checkpoint(checkpoint, model, optimizer, scaler, done, history)
    except KeyboardInterrupt:
        # Jupyter's stop button: keep what was learned, and say how to go on.
        history.interrupted = True
        bar.close()
        if checkpoint and main:
            history.seconds = time.perf_counter() - started
            save_checkpoint(checkpoint, model, optimizer, scaler, step, history)
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
    history.seconds = time.perf_counter() - started
    if evaluate:
        run_evaluation(config.max_steps)
    if checkpoint and main:
        save_checkpoint(checkpoint, model, optimizer, scaler, config.max_steps, history)
    return history


def live_loss_plot(title: str = "loss", metric_keys: tuple[str, ...] = ("val_loss",)):
    """An ``on_eval`` callback that redraws one figure in place: train loss and the evaluation
    metrics against the step (Chapter 4's live loss plot; Chapter 3's curves)."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    fig, ax = plt.subplots(figsize=(7, 3.5))
    plt.close(fig)  # shown through the display handle below, not again at the end of the cell

    def label(waiting: bool = False) -> None:
        ax.set_xlabel("optimizer step")
        ax.set_ylabel("loss (cross-entropy, nats)")
        ax.set_title(title)
        if waiting:
            ax.text(0.5, 0.5, "the first evaluation draws the curves", ha="center", va="center",
                    transform=ax.transAxes, color="gray")

    label(waiting=True)
    handle = display(fig, display_id=True)

    def redraw(history: History) -> None:
        ax.clear()
        ax.plot(history.steps, history.train_loss, label="train loss", alpha=0.7)
        for key in metric_keys:
            points = [(e["step"], e[key]) for e in history.evals if key in e]
            if points:
                ax.plot(*zip(*points), "o-", label=key.replace("_", " "))
        label()
        ax.legend(loc="upper right")
        if handle is not None:
            handle.update(fig)

    return redraw


def dataset_batches(dataset, batch_size: int, collate_fn: Callable, device, seed: int = 0
                    ) -> Callable[[int], dict]:
    """``get_batch`` for a map-style dataset (Chapter 3): micro-batch ``i`` of a shuffled pass,
    a new shuffle each epoch, all decided by ``seed`` and ``i`` alone, so a resumed run sees
    the same batches as an uninterrupted one. Tensors are moved to ``device``."""
    per_epoch = len(dataset) // batch_size  # drop the ragged last batch: equal-sized steps
    if per_epoch == 0:
        raise ValueError(f"batch_size {batch_size} is larger than the dataset ({len(dataset)} examples).")
    orders: dict[int, list[int]] = {}

    def get_batch(i: int) -> dict:
        epoch, position = divmod(i, per_epoch)
        if epoch not in orders:
            generator = torch.Generator().manual_seed(seed + epoch)
            orders.clear()  # keep only the current epoch's order in memory
            orders[epoch] = torch.randperm(len(dataset), generator=generator).tolist()
        indices = orders[epoch][position * batch_size:(position + 1) * batch_size]
        batch = collate_fn([dataset[j] for j in indices])
        return {k: v.to(device) if hasattr(v, "to") else v for k, v in batch.items()}

    return get_batch
