"""Training Chapter 4's GPT faster, measured: every technique added one at a time, then the best
recipe against the chapter's own, side by side.

    python benchmarks/bench_training_faster.py ablation --budget-minutes 12       # ~11 min on 2 cores
    python benchmarks/bench_training_faster.py side-by-side --rounds 3 --budget-minutes 8
    python benchmarks/bench_training_faster.py ablation --quick                   # the machinery, in seconds
    python benchmarks/bench_training_faster.py side-by-side --gpu --rounds 1 \
        --best "higher lr" Muon "bf16 autocast" "torch.compile"                   # one CUDA GPU, to 1.30
    python benchmarks/bench_training_faster.py ablation --seeds 0 1 2 --only "bf16 autocast" \
        --start-from build/bench_training_faster/ablation.json  # a close call again, over 3 seeds

What is measured, for every run: the training time to reach validation loss 1.89 (nanoGPT's
2,000-step figure for its CPU recipe on this corpus) and the validation loss reached after a
fixed training time (``--budget-seconds``). Both on Chapter 4's model (``helpers/gpt.py``) trained
by the chapter's loop (``helpers.training.train``) on the course's Shakespeare corpus.

- **Training time** is wall time from the first step, compilation included, minus the time spent
  evaluating: every arm evaluates on the same schedule and none pays for it. Starting the process,
  importing torch and reading the corpus are not counted either, for any arm.
- **Validation loss** is the mean over a fixed set of validation windows of the baseline's context
  (64 characters in the cpu recipe), the same windows for every run, in float32 whatever the run
  trains in. It is measured every 5% of a run's schedule, every 1.25% once it is near the target;
  the time at which it crosses the target is interpolated between the two evaluations around it.
- **Memory**: the process's peak resident memory (``peak_rss_mb``: what must fit in RAM) and how
  much of it the training added on top of torch and the corpus
  (``training_mb``: weights, gradients, optimizer state, activations); on a GPU also
  ``torch.cuda.max_memory_allocated``. Each run has its own process, so each peak is its own.
- **ablation**: starts from the chapter's cpu recipe (nanoGPT's) and tries each technique in
  ``CANDIDATES`` on top of the best recipe so far; a technique is kept only if it reaches the
  target at least ``--keep-margin`` (3%) sooner, over the median of ``--seeds``. A run that can no
  longer be kept (past the best time so far and past ``--budget-seconds``) is stopped there.
- **side-by-side**: the ablation's best recipe (from its JSON) against the chapter's recipe,
  alternating (baseline, best, best, baseline, ...), each run in a fresh process, seed ``r`` in
  round ``r``; reports each run's time to the target and the ratio of the medians.

Figures go to stdout, and as JSON (plus a plot of loss against training time) to
``build/bench_training_faster/``. Not a test: timings depend on the machine and its load; compare
the arms of one run, never against a figure from another day.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # this checkout's helpers, also in the child processes

from helpers.recipes import GPT_RECIPES  # noqa: E402

OUT_DIR = REPO_ROOT / "build" / "bench_training_faster"


@dataclass(frozen=True)
class Recipe:
    """Everything that differs between the arms: the model, the batches, the schedule, and how the
    steps are computed. The defaults are the chapter's (nanoGPT's): AdamW, float32, eager."""

    n_layer: int
    n_head: int
    n_embd: int
    block_size: int
    batch_size: int
    steps: int                    # the length of the cosine schedule (a run may stop before its end)
    lr: float
    min_lr: float
    warmup: int
    precision: str = "fp32"       # "bf16": bfloat16 autocast (on a CPU too)
    fused: bool = False           # AdamW in one fused kernel
    muon: bool = False            # torch.optim.Muon for the hidden matrices, AdamW for the rest
    norm: str = "layernorm"       # helpers.gpt options: "rmsnorm"
    position: str = "learned"     # "rope"
    mlp: str = "gelu"             # "swiglu", "relu2"
    compile: bool = False         # torch.compile, compilation counted in the training time
    dropout: float = 0.0          # the gpu recipe's 0.2 (nanoGPT's train_shakespeare_char)


def chapter_recipe(profile: str) -> Recipe:
    """The chapter's recipe for a profile of ``helpers/recipes.py``."""
    r = GPT_RECIPES[profile]
    m = r["model"]
    return Recipe(n_layer=m["n_layer"], n_head=m["n_head"], n_embd=m["n_embd"], block_size=m["block_size"],
                  batch_size=r["batch_size"], steps=r["steps"], lr=r["lr"], min_lr=r["min_lr"], warmup=r["warmup"],
                  dropout=m["dropout"])


# The sizes of a measurement. "cpu": the chapter's cpu profile and nanoGPT's 2,000-step validation
# loss; "quick": the smoke profile and a loss it reaches in its 100 steps, to try the machinery;
# "gpu" (``--gpu``): the gpu profile and the loss nanoGPT's recipe reaches on one GPU.
# eval_windows: 640 windows of 64 characters. With 160, the mean moved by about 0.01 between
# neighbouring evaluations near the target, as much as two techniques differ there.
SCALES = {
    "cpu": dict(profile="cpu", target=1.89, budget_seconds=30.0, eval_windows=640, evaluations=(20, 80), device="cpu"),
    "quick": dict(profile="smoke", target=2.75, budget_seconds=0.5, eval_windows=64, evaluations=(10, 25),
                  device="cpu"),
    # The chapter's gpu recipe (nanoGPT's train_shakespeare_char) on one CUDA GPU, to nanoGPT's 1.30.
    "gpu": dict(profile="gpu", target=1.30, budget_seconds=60.0, eval_windows=640, evaluations=(20, 80),
                device="cuda"),
}
NEAR = 0.05  # nats above the target from which a run is evaluated more often


def scaled(r: Recipe, steps: float = 1.0, batch: float = 1.0, lr: float = 1.0, block: float = 1.0) -> Recipe:
    """``r`` with its schedule, batch, learning rates or context multiplied (warmup with the schedule)."""
    return replace(r, steps=max(1, round(r.steps * steps)), warmup=max(1, round(r.warmup * steps)),
                   batch_size=max(1, round(r.batch_size * batch)), lr=r.lr * lr, min_lr=r.min_lr * lr,
                   block_size=max(1, round(r.block_size * block)))


# The techniques, in the order they are tried, each on top of the best recipe so far. The numbers
# are starting points, not tuned values: the ablation measures whether each one pays.
CANDIDATES = [
    ("higher lr", "3x the learning rate, same warmup and schedule: nanoGPT's 1e-3 is cautious for a "
     "4-layer, 128-wide model", lambda r: scaled(r, lr=3)),
    ("Muon", "torch.optim.Muon for the attention and MLP matrices (orthogonalised momentum), AdamW for "
     "embeddings and norms: each step counts for more, at a fixed extra cost per step", lambda r: replace(r, muon=True)),
    ("batch x2", "twice the windows per step, half the steps, lr x sqrt(2): the same tokens in fewer, "
     "larger matrix products, and Muon's fixed cost per step paid half as often",
     lambda r: scaled(r, batch=2, steps=0.5, lr=math.sqrt(2))),
    ("batch x2 again", "the same once more (4x the chapter's batch)",
     lambda r: scaled(r, batch=2, steps=0.5, lr=math.sqrt(2))),
    ("shorter schedule", "the cosine ends at 0.6x the steps: the loss falls fastest while the learning "
     "rate anneals, so end the schedule nearer where the target is reached", lambda r: scaled(r, steps=0.6)),
    ("higher lr again", "1.5x the learning rate once more, now that the rest has changed", lambda r: scaled(r, lr=1.5)),
    ("fused AdamW", "torch.optim.AdamW(fused=True): one kernel updates every weight, instead of a few "
     "small operations per tensor", lambda r: replace(r, fused=True)),
    ("modern blocks", "RMSNorm, rotary position embeddings and a ReLU-squared MLP (modded-nanogpt's choices) "
     "instead of GPT-2's LayerNorm, learned positions and GELU", lambda r: replace(r, norm="rmsnorm", position="rope", mlp="relu2")),
    ("bf16 autocast", "matrix products in bfloat16 (AMX/AVX-512 BF16 on recent x86 CPUs), weights and "
     "optimizer in float32", lambda r: replace(r, precision="bf16")),
    ("context x2", "windows twice as long, half as many per step: the same tokens per step, more of them "
     "with a long context (evaluated on the baseline's windows)", lambda r: scaled(r, block=2, batch=0.5)),
    ("torch.compile", "fuse the model's operations into generated kernels; the compile time (cold "
     "cache) counts as training time", lambda r: replace(r, compile=True)),
]


# --- one run, in its own process ------------------------------------------------------------------

def run(recipe: Recipe, seed: int, scale: dict, budget_seconds: float, cap_seconds: float | None,
        threads: int) -> dict:
    """Train ``recipe`` until it has reached the target and trained ``budget_seconds`` (or its
    schedule ends, or it passes ``cap_seconds``); return its measurements."""
    import torch

    from helpers.gpt import GPT, GPTConfig
    from helpers.fine_tuning import peak_gpu_memory_mb
    from helpers.gpt_data import (CharTokenizer, lm_loss, load_shakespeare, make_evaluate, random_windows,
                                  split_corpus)
    from helpers.training import TrainConfig, make_optimizer, train

    torch.set_num_threads(threads)
    device = torch.device(scale.get("device", "cpu"))
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)  # GPU work is asynchronous
    text = load_shakespeare()
    tokenizer = CharTokenizer(text)
    train_ids, val_ids = split_corpus(tokenizer.encode_tensor(text))
    baseline = chapter_recipe(scale["profile"])
    # The same validation windows for every run: the baseline's context, a fixed seed.
    evaluate = make_evaluate({"val": val_ids}, baseline.block_size, batch_size=32,
                             batches=scale["eval_windows"] // 32, seed=1234, device=device)

    rss_before_model = resident_mb()  # torch and the corpus, before any weights
    torch.manual_seed(seed)
    model = GPT(GPTConfig(vocab_size=tokenizer.vocab_size, block_size=recipe.block_size, n_layer=recipe.n_layer,
                          n_head=recipe.n_head, n_embd=recipe.n_embd, norm=recipe.norm,
                          position=recipe.position, mlp=recipe.mlp, dropout=recipe.dropout)).to(device)
    # Compiled, the training calls go through the compiled wrapper; evaluation uses the plain model
    # (the same weights), so that compiling an evaluation graph is not hidden in evaluation time.
    trained = torch.compile(model) if recipe.compile else model
    config = TrainConfig(max_steps=recipe.steps, lr=recipe.lr, min_lr=recipe.min_lr, warmup_steps=recipe.warmup,
                         betas=(0.9, 0.99), weight_decay=0.1, grad_clip=1.0, precision=recipe.precision,
                         log_every=max(1, recipe.steps // 20))
    # Built before the clock starts: the first optimizer of a process imports torch._dynamo (1-4 s, once).
    optimizer = make_optimizer(model, config, fused=recipe.fused, muon=recipe.muon)
    get_batch = random_windows(train_ids, recipe.block_size, recipe.batch_size, seed=seed, device=device)

    @torch.no_grad()
    def val_loss() -> float:
        model.eval()
        with torch.autocast(device.type, enabled=False):  # float32 for every arm
            loss = evaluate(model)["val_loss"]
        model.train()
        return loss

    target = scale["target"]
    # evaluations per schedule: sparse far from the target, dense near it (where the time is read)
    far, near = (max(1, recipe.steps // n) for n in scale["evaluations"])
    curve = [(0, 0.0, val_loss())]      # (step, training seconds, validation loss)
    clock = dict(start=0.0, evaluating=0.0, next_eval=far, stopped="schedule end")

    def training_seconds() -> float:
        sync()  # the steps queued on a GPU are done
        return time.perf_counter() - clock["start"] - clock["evaluating"]

    def evaluate_then_batch(i: int):
        """train() asks for batch i when i steps are done: evaluate there, outside the clock."""
        if i == clock["next_eval"]:
            seconds = training_seconds()
            started = time.perf_counter()
            loss = val_loss()
            clock["evaluating"] += time.perf_counter() - started
            curve.append((i, seconds, loss))
            reached = any(v <= target for _, _, v in curve)
            if reached and seconds >= budget_seconds:
                clock["stopped"] = "target and budget"
            elif cap_seconds is not None and seconds >= cap_seconds:
                clock["stopped"] = "cap"
            else:
                clock["next_eval"] = i + (near if loss < target + NEAR else far)
                return get_batch(i)
            raise KeyboardInterrupt  # the loop's own way out: it returns what it has
        return get_batch(i)

    sync()
    clock["start"] = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # the loop's "interrupted at step" message
        history = train(trained, evaluate_then_batch, lm_loss, config, optimizer=optimizer, progress=False)
    if not history.interrupted:  # the schedule ended: its last evaluation
        curve.append((recipe.steps, training_seconds(), val_loss()))
    steps_done, seconds = curve[-1][0], curve[-1][1]
    tokens = steps_done * recipe.batch_size * recipe.block_size
    return dict(recipe=asdict(recipe), seed=seed, threads=torch.get_num_threads(), parameters=model.num_parameters(),
                time_to_target=crossing_time(curve, target), loss_at_budget=loss_at(curve, budget_seconds),
                steps=steps_done, train_seconds=seconds, final_val_loss=curve[-1][2],
                ms_per_step=1000 * seconds / max(1, steps_done), tokens_per_second=tokens / max(seconds, 1e-9),
                evaluation_seconds=clock["evaluating"], stopped=clock["stopped"], curve=curve,
                peak_rss_mb=peak_resident_mb(), training_mb=peak_resident_mb() - rss_before_model,
                cuda_peak_mb=peak_gpu_memory_mb())


def resident_mb() -> float:
    """This process's resident memory now (Linux; elsewhere its peak so far), in MB."""
    statm = Path("/proc/self/statm")
    if statm.exists():
        return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    return peak_resident_mb()


def peak_resident_mb() -> float:
    """This process's peak resident memory so far, in MB (what must fit in the machine's RAM)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KB on Linux


def crossing_time(curve: list, target: float) -> float | None:
    """When the validation loss first reached ``target``, interpolated between the evaluations
    around the crossing; None if it never did."""
    for (_, t0, v0), (_, t1, v1) in zip(curve, curve[1:]):
        if v1 <= target:
            return t1 if v0 <= v1 else t0 + (v0 - target) / (v0 - v1) * (t1 - t0)
    return None


def loss_at(curve: list, seconds: float) -> float:
    """The validation loss after ``seconds`` of training, interpolated. A run stops sooner only at
    the end of its schedule (it is finished): then its last loss."""
    for (_, t0, v0), (_, t1, v1) in zip(curve, curve[1:]):
        if t0 <= seconds <= t1:
            return v0 + (seconds - t0) / (t1 - t0) * (v1 - v0) if t1 > t0 else v1
    return curve[-1][2]


def in_child(recipe: Recipe, seed: int, args, budget_seconds: float, cap_seconds: float | None) -> dict:
    """``run`` in a fresh Python process, with its own empty torch.compile cache (a cold compile)."""
    cache = tempfile.mkdtemp(prefix="inductor-")
    job = dict(recipe=asdict(recipe), seed=seed, scale=SCALES[args.scale], budget_seconds=budget_seconds,
               cap_seconds=cap_seconds, threads=args.threads)
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, __file__, "--child", json.dumps(job)], capture_output=True, text=True,
                              env=os.environ | {"TORCHINDUCTOR_CACHE_DIR": cache})
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    if done.returncode != 0:
        raise RuntimeError(f"the run of {recipe} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    return result


# --- the two modes ---------------------------------------------------------------------------------

def median_time(runs: list[dict]) -> float | None:
    """The median time to the target over seeds; None unless every seed reached it."""
    times = [r["time_to_target"] for r in runs]
    return statistics.median(times) if all(t is not None for t in times) else None


def interval(values: list[float | None], fmt: str = "{:.3g}") -> str:
    """A median, with the range over seeds when there are several."""
    if any(v is None for v in values):
        return "not reached" if all(v is None for v in values) else "some seeds: not reached"
    text = fmt.format(statistics.median(values))
    return text + (f" [{fmt.format(min(values))}-{fmt.format(max(values))}]" if len(values) > 1 else "")


def time_cell(runs: list[dict]) -> str:
    """The time to the target for a table: the median [range], or why there is none."""
    if all(r["time_to_target"] is not None for r in runs):
        return interval([r["time_to_target"] for r in runs])
    missed = [r for r in runs if r["time_to_target"] is None]
    if all(r["stopped"] == "cap" for r in missed):  # stopped once it could no longer be kept
        return f"> {min(r['train_seconds'] for r in missed):.3g} (stopped)"
    return "not reached" + (" by some seeds" if len(missed) < len(runs) else "")


def memory_cell(runs: list[dict]) -> str:
    """Peak memory for a table: the process's peak, then the training's share of it (MB, highest over
    seeds); on a GPU, the GPU's peak too."""
    cell = f"{max(r['peak_rss_mb'] for r in runs):.0f}, {max(r['training_mb'] for r in runs):.0f}"
    if runs[0].get("cuda_peak_mb") is not None:
        cell += f"; GPU {max(r['cuda_peak_mb'] for r in runs):.0f}"
    return cell


def describe(r: Recipe) -> str:
    parts = [f"batch {r.batch_size}x{r.block_size}", f"{r.steps} steps", f"lr {r.lr:.2g}"]
    parts += [name for name, on in (("fused", r.fused), ("Muon", r.muon), ("bf16", r.precision == "bf16"),
                                    ("compiled", r.compile)) if on]
    parts += [v for v, default in ((r.norm, "layernorm"), (r.position, "learned"), (r.mlp, "gelu")) if v != default]
    return ", ".join(parts)


class Deadline:
    """``--budget-minutes``: no run starts that the time left cannot hold, and every run is capped
    at the time left."""

    def __init__(self, minutes: float | None):
        self.end = time.perf_counter() + 60 * minutes if minutes else math.inf

    def left(self) -> float:
        return self.end - time.perf_counter()


def ablation(args) -> dict:
    scale = SCALES[args.scale]
    target, budget = scale["target"], args.budget_seconds
    deadline = Deadline(args.budget_minutes)
    overhead = 8.0  # seconds a run costs beyond its training: starting Python and torch, evaluating
    candidates = [c for c in CANDIDATES if c[0] not in args.skip and (not args.only or c[0] in args.only)]
    print(f"ablation on {args.threads} threads: target validation loss {target}, budget {budget:g} s, "
          f"seeds {args.seeds}; time = training time to the target (evaluation not counted)", flush=True)

    def measure(name: str, recipe: Recipe, cap: float | None) -> list[dict] | None:
        need = len(args.seeds) * ((cap or 0) + overhead)
        if deadline.left() < need:
            print(f"  {name:<18} skipped: {deadline.left():.0f} s left of --budget-minutes", flush=True)
            return None
        runs = []
        for k, seed in enumerate(args.seeds):
            hard_cap = min(cap or math.inf, deadline.left() / (len(args.seeds) - k) - overhead)
            runs.append(in_child(recipe, seed, args, budget, None if math.isinf(hard_cap) else hard_cap))
        print(f"  {name:<18} time to {target} (s): {time_cell(runs)}; loss at {budget:g} s: "
              f"{interval([r['loss_at_budget'] for r in runs], '{:.3f}')}; {runs[0]['ms_per_step']:.1f} ms/step, "
              f"peak {runs[0]['peak_rss_mb']:.0f} MB ({runs[0]['stopped']}); {describe(recipe)}", flush=True)
        return runs

    best, first = chapter_recipe(scale["profile"]), ("baseline", "the chapter's recipe (nanoGPT's CPU recipe)")
    if args.start_from:  # e.g. seeds for the close calls, on top of an earlier ablation's best
        best = Recipe(**json.loads(Path(args.start_from).read_text())["best"])
        first = ("start", f"the best recipe of {args.start_from}")
    rows = [dict(name=first[0], why=first[1], recipe=asdict(best), kept=True, runs=measure(first[0], best, None))]
    if rows[0]["runs"] is None:
        raise SystemExit("no time for even the baseline: raise --budget-minutes")
    best_time = median_time(rows[0]["runs"])
    for name, why, change in candidates:
        recipe = change(best)
        # A run that takes much longer than the best so far cannot be kept: stop it there.
        cap = max(budget, args.cap_factor * best_time) if best_time else None
        runs = measure(name, recipe, cap)
        time_ = median_time(runs) if runs else None
        kept = time_ is not None and (best_time is None or time_ < (1 - args.keep_margin) * best_time)
        if kept:
            best, best_time = recipe, time_
        rows.append(dict(name=name, why=why, recipe=asdict(recipe), kept=kept, runs=runs))

    baseline_time = median_time(rows[0]["runs"])  # the first row: the chapter's recipe, or --start-from's
    print(f"\nablation, {datetime.date.today()}, {machine()}; time to validation loss {target} "
          f"(training seconds, evaluation excluded), median{' [range]' if len(args.seeds) > 1 else ''} over "
          f"seeds {args.seeds}; each technique on top of the rows kept above it:\n")
    print(f"| technique | kept | time to {target} (s) | x baseline | steps | val loss at {budget:g} s | "
          "ms/step | peak memory (MB): process, training | recipe |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        if row["runs"] is None:
            print(f"| {row['name']} | not run (budget) | | | | | | | |")
            continue
        runs, time_ = row["runs"], median_time(row["runs"])
        ratio = f"{time_ / baseline_time:.2f}" if time_ and baseline_time else ""
        steps = statistics.median(r["steps"] for r in runs)
        print(f"| {row['name']} | {'yes' if row['kept'] else 'no'} | {time_cell(runs)} | "
              f"{ratio} | {steps:.0f} | {interval([r['loss_at_budget'] for r in runs], '{:.3f}')} | "
              f"{statistics.median(r['ms_per_step'] for r in runs):.1f} | {memory_cell(runs)} | "
              f"{describe(Recipe(**row['recipe']))} |")
    print("\nSDPA: the baseline already uses F.scaled_dot_product_attention (helpers/gpt.py), so it is not a step here.")
    if best_time and baseline_time:
        print(f"best: {describe(best)}: {best_time:.1f} s against the baseline's {baseline_time:.1f} s "
              f"(x{best_time / baseline_time:.2f}); measure it side by side: `side-by-side` mode")
    result = dict(mode="ablation", date=str(datetime.date.today()), machine=machine(), scale=args.scale,
                  target=target, budget_seconds=budget, seeds=args.seeds, keep_margin=args.keep_margin,
                  rows=rows, best=asdict(best), best_time=best_time, baseline_time=baseline_time)
    plot(rows, target, budget, OUT_DIR / f"ablation{args.suffix}.png")
    return result


def with_techniques(recipe: Recipe, names: list[str]) -> Recipe:
    """``recipe`` with the named ``CANDIDATES`` applied, in order (``--best``)."""
    changes = {name: change for name, _, change in CANDIDATES}
    for name in names:
        recipe = changes[name](recipe)
    return recipe


def side_by_side(args) -> dict:
    scale = SCALES[args.scale]
    target = scale["target"]
    baseline = chapter_recipe(scale["profile"])
    source = Path(args.best_from) if args.best_from else OUT_DIR / f"ablation{args.suffix}.json"
    if args.best:
        best, source = with_techniques(baseline, args.best), Path("--best " + ", ".join(args.best))
    elif not source.exists():
        raise SystemExit(f"{source} is missing: run the ablation first, pass --best-from a JSON of it, "
                         "or name the techniques with --best")
    else:
        best = Recipe(**json.loads(source.read_text())["best"])
    if best == baseline:
        raise SystemExit(f"the ablation in {source} kept no technique: nothing to compare")
    print(f"side by side on {args.threads} threads, {args.rounds} rounds, target validation loss {target}:\n"
          f"  baseline: {describe(baseline)}\n  best:     {describe(best)} (from {source.name})", flush=True)
    deadline = Deadline(args.budget_minutes)
    runs = {"baseline": [], "best": []}
    round_seconds = 0.0
    for r in range(args.rounds):
        if deadline.left() < round_seconds:
            print(f"  round {r} skipped: {deadline.left():.0f} s left of --budget-minutes", flush=True)
            break
        started = time.perf_counter()
        seed = 0 if args.same_seed else r
        for arm in (("baseline", "best") if r % 2 == 0 else ("best", "baseline")):
            recipe = baseline if arm == "baseline" else best
            cap = deadline.left() - 8 if math.isfinite(deadline.left()) else None
            result = in_child(recipe, seed, args, budget_seconds=0.0, cap_seconds=cap)
            runs[arm].append(result)
            reached = result["time_to_target"]
            print(f"  round {r} seed {seed} {arm:>8}: "
                  + (f"{reached:7.2f} s to {target}" if reached else f"not reached ({result['stopped']})")
                  + f", {result['steps']} steps, val {result['final_val_loss']:.4f}, {result['ms_per_step']:.1f} ms/step, "
                  f"peak {result['peak_rss_mb']:.0f} MB, process wall time {result['process_seconds']:.0f} s "
                  "(start-up and evaluations included)", flush=True)
        round_seconds = time.perf_counter() - started
    medians = {arm: median_time(rs) if rs else None for arm, rs in runs.items()}
    ratio = medians["best"] / medians["baseline"] if all(medians.values()) else None
    n = min(len(runs["baseline"]), len(runs["best"]))
    print(f"\nside by side, {datetime.date.today()}, {machine()}, {n} alternating rounds, fresh processes:\n")
    print(f"| recipe | time to {target} (s), each run | median | steps | ms/step | peak memory (MB): process, training |")
    print("|---|---|---|---|---|---|")
    for arm, recipe in (("baseline", baseline), ("best", best)):
        times = ", ".join(f"{r['time_to_target']:.3g}" if r["time_to_target"] else "not reached" for r in runs[arm])
        print(f"| {arm}: {describe(recipe)} | {times} | {interval([r['time_to_target'] for r in runs[arm]])} | "
              f"{statistics.median(r['steps'] for r in runs[arm]):.0f} | "
              f"{statistics.median(r['ms_per_step'] for r in runs[arm]):.1f} | {memory_cell(runs[arm])} |")
    per_round = [b["time_to_target"] / a["time_to_target"] for a, b in zip(runs["baseline"], runs["best"])
                 if a["time_to_target"] and b["time_to_target"]]
    if ratio:
        print(f"\nbest / baseline, ratio of median times to {target}: {ratio:.2f} (speed-up x{1 / ratio:.2f}); "
              f"each round: {', '.join(f'{x:.2f}' for x in per_round)}"
              + (f"; the issue's target, at most 0.50: {'met' if ratio <= 0.5 else 'not met'}"
                 if args.scale == "cpu" else ""))
    return dict(mode="side-by-side", date=str(datetime.date.today()), machine=machine(), scale=args.scale,
                target=target, rounds=n, baseline=asdict(baseline), best=asdict(best), best_from=str(source),
                runs=runs, median_seconds=medians, ratio=ratio, ratio_each_round=per_round)


def machine() -> str:
    """The CPUs and torch version, for the tables (a figure means little without them)."""
    import torch

    from helpers.environment import available_cpus
    cpuinfo = Path("/proc/cpuinfo")
    names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
             if line.startswith("model name")] if cpuinfo.exists() else []
    gpu = f"{torch.cuda.get_device_name(0)}, " if torch.cuda.is_available() else ""
    return (f"{gpu}{available_cpus()} CPUs ({names[0] if names else platform.processor() or platform.machine()}), "
            f"torch {torch.__version__}")


def plot(rows: list[dict], target: float, budget: float, path: Path) -> None:
    """Validation loss against training time, one curve per technique (seed of the first run)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5))
    for row in rows:
        if row["runs"]:
            _, seconds, loss = zip(*row["runs"][0]["curve"])
            ax.plot(seconds, loss, "-" if row["kept"] else ":", label=f"{row['name']}{'' if row['kept'] else ' (not kept)'}")
    ax.axhline(target, color="k", lw=0.8, ls="--", label=f"target {target}")
    ax.axvline(budget, color="gray", lw=0.8, ls="--", label=f"budget {budget:g} s")
    ax.set_ylim(target - 0.3, target + 1.2)
    ax.set_xlabel("training time (s, evaluation excluded)")
    ax.set_ylabel("validation loss (nats per character)")
    ax.set_title("Chapter 4's GPT: each technique on top of the ones kept before it")
    ax.legend(fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main() -> None:
    from helpers.environment import available_cpus

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("mode", nargs="?", choices=("ablation", "side-by-side"))
    parser.add_argument("--quick", action="store_true", help="the smoke recipe and an easy target: seconds")
    parser.add_argument("--gpu", action="store_true",
                        help="the gpu recipe on one CUDA GPU, to validation loss 1.30 (nanoGPT's on that recipe)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="ablation: seeds per technique")
    parser.add_argument("--rounds", type=int, default=3, help="side-by-side: alternating rounds")
    parser.add_argument("--same-seed", action="store_true", help="side-by-side: seed 0 in every round")
    parser.add_argument("--budget-minutes", type=float, default=None,
                        help="start no run that would end after this many minutes; cap each run at the time left")
    parser.add_argument("--target", type=float, default=None,
                        help="the validation loss to reach (cpu: 1.89, nanoGPT's; quick: 2.75)")
    parser.add_argument("--budget-seconds", type=float, default=None,
                        help="the fixed training time at which each run's loss is read (cpu 30, quick 1)")
    parser.add_argument("--cap-factor", type=float, default=1.0,
                        help="ablation: stop a run at this multiple of the best time so far (1: once it cannot be kept)")
    parser.add_argument("--keep-margin", type=float, default=0.03,
                        help="ablation: keep a technique only if it is at least this much faster (0.03: 3%%)")
    parser.add_argument("--only", nargs="+", default=None, help="ablation: only these techniques")
    parser.add_argument("--skip", nargs="*", default=None,
                        help="ablation: leave these techniques out (default with --quick: torch.compile)")
    parser.add_argument("--start-from", default=None,
                        help="ablation: start from the best recipe of this ablation JSON instead of the chapter's")
    parser.add_argument("--best-from", default=None, help="side-by-side: the ablation JSON to take the best from")
    parser.add_argument("--best", nargs="+", default=None, metavar="TECHNIQUE",
                        help="side-by-side: the best is the chapter's recipe with these techniques, in this order "
                             "(instead of an ablation's best; e.g. on a GPU, where no ablation has run yet)")
    parser.add_argument("--threads", type=int, default=available_cpus(), help="torch threads (default: all CPUs)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        job = json.loads(args.child)
        print(json.dumps(run(Recipe(**job["recipe"]), job["seed"], job["scale"], job["budget_seconds"],
                             job["cap_seconds"], job["threads"])))
        return
    if not args.mode:
        parser.error("say which mode: ablation or side-by-side")
    if args.quick and args.gpu:
        parser.error("--quick or --gpu, not both")
    args.scale = "quick" if args.quick else "gpu" if args.gpu else "cpu"
    if args.gpu:
        import torch
        if not torch.cuda.is_available():
            parser.error("--gpu needs a CUDA GPU, and torch sees none here")
    # what the files are named: a continued ablation (--start-from) does not overwrite the first
    args.suffix = {"cpu": "", "quick": "-quick", "gpu": "-gpu"}[args.scale] \
        + ("-continued" if args.mode == "ablation" and args.start_from else "")
    if args.target is not None:  # the children are given the scale, target included
        SCALES[args.scale]["target"] = args.target
    if args.budget_seconds is None:
        args.budget_seconds = SCALES[args.scale]["budget_seconds"]
    if args.skip is None:
        args.skip = ["torch.compile"] if args.quick else []
    known = {name for name, _, _ in CANDIDATES}
    unknown = (set(args.skip) | set(args.only or ()) | set(args.best or ())) - known
    if unknown:
        parser.error(f"unknown techniques {sorted(unknown)}; known: {sorted(known)}")

    result = ablation(args) if args.mode == "ablation" else side_by_side(args)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{args.mode}{args.suffix}.json"
    path.write_text(json.dumps(result, indent=1) + "\n")
    print(f"\nwritten: {path.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
