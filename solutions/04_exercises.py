# %% [markdown]
# # Chapter 4 · Exercises: a GPT from scratch
#
# Three exercises that make you write what Chapter 4 taught: **top-k sampling**, a **learning-rate
# warmup**, and a **longer context** for a model that has already learned; a fourth, **causal attention
# with a sliding window**, goes a step past the chapter's attention head; one question ends the
# notebook. For each exercise:
#
# 1. read what is asked, and write the function where it says `# YOUR CODE HERE` (delete the
#    `raise NotImplementedError()` line);
# 2. run its cell, then the **check** cell under it. The check calls your function on small inputs
#    whose right answers are known (fixed tensors, a tiny GPT with random weights) and says *passed*,
#    *not done yet*, or exactly what is wrong. It runs offline, in a second, on any CPU;
# 3. when it passes, the "try it" cell after it puts your function to work.
#
# *Run All* works before you begin: every check then says "not done yet". Stuck? The check's message
# is the first hint, the chapter's section named in the exercise the second, and
# `helpers/checks/chapter04.py` shows everything that is checked.

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

# %% tags=["parameters"]
PROFILE = "auto"    # "smoke" (seconds, for tests), "cpu" (a laptop), "gpu" (the full run); "auto": gpu on a GPU, smoke under 4 GiB of memory, else cpu
HUB_MODE = "auto"   # "online" (Hugging Face Hub), "offline" (the course's offline kit); "auto" checks the network
SEED = 0

# %%
import dataclasses
import math
import time

import torch

from helpers import setup_chapter
from helpers.checks import chapter04 as checks, passed
from helpers.gpt import GPT, GPTConfig

chapter = setup_chapter("Chapter 4 · Exercises", profile=PROFILE, hub_mode=HUB_MODE, seed=SEED)

# %% [markdown]
# ## Exercise 4.1 · Top-k sampling
#
# Chapter 4, section 5: to write text, the model gives a score (a logit) to every possible next token,
# and we *sample* one. Plain sampling sometimes picks a very unlikely token, and one bad character can
# derail a whole line. **Top-k** sampling keeps only the `k` most likely tokens and samples among those,
# in proportion to their probabilities.
#
# Write `sample_top_k`. `logits` has one row per sequence (shape `(batch, vocab)`); return one token id
# per row. `torch.topk`, `masked_fill` and `torch.multinomial` are all you need.

# %%
def sample_top_k(logits, k, generator=None):
    """One token id per row of `logits` (batch, vocab), drawn among the row's k largest logits only.

    Keep each row's k largest logits and set the others to -inf; softmax turns the row into
    probabilities (the -inf ones become 0); draw one token with torch.multinomial, passing `generator`
    on so that draws can be repeated. A k larger than the vocabulary keeps every token.
    Return a tensor of shape (batch,). Leave `logits` itself unchanged.
    """
    ### BEGIN SOLUTION
    k = min(k, logits.size(-1))
    kth_largest = torch.topk(logits, k, dim=-1).values[:, [-1]]
    kept = logits.masked_fill(logits < kth_largest, float("-inf"))  # a new tensor: logits stay as they were
    probabilities = torch.softmax(kept, dim=-1)
    return torch.multinomial(probabilities, num_samples=1, generator=generator).squeeze(-1)
    ### END SOLUTION


# %%
checks.top_k_sampling(sample_top_k)

# %% [markdown]
# **Try it.** With a character's frequency in a passage as its logit (its log-frequency), sampling
# writes letter soup in the passage's proportions; top-k keeps only the commonest characters.

# %%
passage = ("To be, or not to be, that is the question: whether 'tis nobler in the mind to suffer "
           "the slings and arrows of outrageous fortune, or to take arms against a sea of troubles")
characters = sorted(set(passage))
frequency_logits = torch.tensor([[math.log(passage.count(c)) for c in characters]])
if passed("4.1"):
    for k in (len(characters), 8, 3):
        generator = torch.Generator().manual_seed(SEED)
        drawn = [sample_top_k(frequency_logits, k, generator).item() for _ in range(60)]
        print(f"k = {k:2d}: {''.join(characters[i] for i in drawn)!r}")
else:
    print("Finish exercise 4.1 first; then this cell samples with your function.")

# %% [markdown] tags=["solution"]
# **Notes for teachers.** The mistakes learners make most: sampling uniformly among the top k
# (`torch.randint` over the kept indices: the check reports the wrong proportions), `masked_fill_` in
# place (the caller's logits change), forgetting `generator` (samples cannot be repeated), and
# `torch.topk(logits, k)` without `min(k, vocab)` (an error for a large k). The chapter's own version
# is `GPT.generate` in `helpers/gpt.py`.

# %% [markdown]
# ## Exercise 4.2 · A learning-rate warmup
#
# Chapter 4, section 4: the course trains with a learning rate that **warms up** (Adam's statistics
# are poor in the first steps, so big steps then are risky) and then **decays** along half a cosine,
# so the last steps are small and careful.
#
# Write `learning_rate(step, max_steps, peak_lr, warmup_steps, min_lr)` for steps counted from 0:
#
# - **warmup**, while `step < warmup_steps`: a straight line up, so that step 0 already gets
#   `peak_lr / warmup_steps` and step `warmup_steps - 1` gets `peak_lr`;
# - **decay**, from `peak_lr` at step `warmup_steps` down to `min_lr` at step `max_steps`, along half a
#   cosine (`math.cos` from 0 to π); after `max_steps` it stays at `min_lr`;
# - `warmup_steps = 0` means no warmup: start at the peak.

# %%
def learning_rate(step, max_steps, peak_lr, warmup_steps, min_lr):
    """The learning rate at optimizer step `step` (from 0): linear warmup, then cosine decay to min_lr."""
    ### BEGIN SOLUTION
    if step < warmup_steps:
        return peak_lr * (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, max_steps - warmup_steps))
    return min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (peak_lr - min_lr)
    ### END SOLUTION


# %%
checks.warmup_schedule(learning_rate)

# %% [markdown]
# **Try it.** Your schedule for Chapter 4's `cpu` recipe (2,000 steps, 100 of warmup, from 1e-3 down
# to 1e-4), drawn:

# %%
import matplotlib.pyplot as plt

if passed("4.2"):
    steps = range(2000)
    fig, ax = plt.subplots(figsize=(6, 2.5))
    ax.plot(steps, [learning_rate(s, 2000, 1e-3, 100, 1e-4) for s in steps])
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    ax.set_title("your schedule: warmup, then cosine decay")
    plt.tight_layout()
    plt.show()
else:
    print("Finish exercise 4.2 first; then this cell draws your schedule.")

# %% [markdown] tags=["solution"]
# **Notes for teachers.** Most mistakes are off by one: `peak_lr * step / warmup_steps` (0 at step 0,
# so the first step is wasted), or a cosine that starts at `step = 0` instead of at the end of the
# warmup. `warmup_steps = 0` then divides by zero. The reference is `helpers.training.lr_at`.

# %% [markdown]
# ## Exercise 4.3 · A longer context
#
# Chapter 4, section 2: a GPT has one learned position embedding per position, `block_size` of them,
# so it cannot read a longer sequence (`GPT.forward` refuses one). To give a trained model a longer
# context, make a **new** model with more positions and copy everything it learned into it: all the
# weights, and the old position table into the first rows of the new one. The new positions start
# untrained (their fresh random values are fine) and would then be learned by training on longer windows.
#
# Write `extend_context(model, new_block_size)`. `dataclasses.replace(model.config, block_size=...)`
# makes the new configuration; `state_dict()` and `load_state_dict()` copy weights.

# %%
def extend_context(model, new_block_size):
    """A new GPT like `model`, reading up to `new_block_size` tokens, with all of `model`'s weights.

    The old position table goes into the first rows of the new one; the other rows keep their
    fresh initial values. `model` itself is left unchanged.
    """
    ### BEGIN SOLUTION
    bigger = GPT(dataclasses.replace(model.config, block_size=new_block_size))
    weights = dict(model.state_dict())
    positions = bigger.state_dict()["transformer.wpe.weight"].clone()
    positions[: model.config.block_size] = weights["transformer.wpe.weight"]
    weights["transformer.wpe.weight"] = positions
    bigger.load_state_dict(weights)  # copies: the two models share no tensor
    return bigger
    ### END SOLUTION


# %%
checks.longer_context(extend_context)

# %% [markdown]
# **Try it.** A longer context is not free: attention compares every position with every earlier one,
# so its work grows with the square of the length. Chapter 4's `cpu`-profile model (context 64), grown
# with your function, timed on one batch:

# %%
if passed("4.3"):
    torch.manual_seed(SEED)
    model = GPT(GPTConfig(vocab_size=84, block_size=64, n_layer=4, n_head=4, n_embd=128)).eval()
    for length in (64, 128, 256):
        longer = extend_context(model, length).eval()
        tokens = torch.randint(0, 84, (4, length))
        with torch.no_grad():
            longer(tokens)  # warm-up
            start = time.perf_counter()
            for _ in range(3):
                longer(tokens)
        print(f"context {length:3d}: {1000 * (time.perf_counter() - start) / 3:6.1f} ms per batch of 4, "
              f"{longer.num_parameters():,} parameters")
else:
    print("Finish exercise 4.3 first; then this cell times your longer models.")

# %% [markdown] tags=["solution"]
# **Notes for teachers.** Typical mistakes: changing `model.config.block_size` in place (the old model
# changes too, and its position table is still too short), assigning a new `nn.Embedding` to `wte`
# (weight tying breaks: the check says so), and sharing tensors between the two models. Ask learners
# why the new rows may start random: positions beyond 64 were never seen, so there is nothing to copy.

# %% [markdown]
# ## Exercise 4.4 · Causal attention with a window
#
# Chapter 4, section 2b wrote one attention head: scores from queries and keys, divided by √(head size),
# the future masked to −∞, a softmax, a weighted sum of the values. Long-context models often let each
# position look only at the **last few** positions, a *sliding window* (Mistral 7B does, with a window
# of 4,096 tokens; Gemma 2 alternates windowed layers with full ones): the work then grows with the
# length times the window instead of the length squared, and stacked layers still pass information
# further back.
#
# Write `causal_attention(q, k, v, window)` on plain tensors, no `nn.Module`: `q`, `k` and `v` have
# shape `(batch, T, head_size)`. Position `t` attends to the positions `s` with `s <= t` and, when
# `window` is given, only to the last `window` of them, `t` itself included. Think about which mask
# that is before you write it: draw it for `T = 5` and `window = 2`. `torch.tril` (and its `diagonal`
# argument), or comparing `torch.arange` row and column numbers, builds it.

# %%
def causal_attention(q, k, v, window=None):
    """Causal self-attention of one head: q, k, v (batch, T, head_size) -> (batch, T, head_size).

    Position t weighs positions s = 0..t (with a `window`: only t - window < s <= t) by the softmax,
    over those s, of q[t] · k[s] / sqrt(head_size), and returns the weighted sum of their values v[s].
    Leave q, k and v unchanged.
    """
    ### BEGIN SOLUTION
    T = q.size(-2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))     # (batch, T, T): query t against key s
    row, column = torch.arange(T, device=q.device)[:, None], torch.arange(T, device=q.device)[None, :]
    allowed = column <= row                                         # no looking ahead
    if window is not None:
        allowed = allowed & (column > row - window)                 # and not further back than the window
    return torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1) @ v
    ### END SOLUTION


# %%
checks.windowed_attention(causal_attention)

# %% [markdown]
# **Try it.** With the identity matrix as the values, the output *is* the attention weights (row `t`:
# how much position `t` takes from each position). Queries and keys all zero give every allowed position
# the same score, so each row spreads evenly over what it may see: the mask, made visible.

# %%
if passed("4.4"):
    T = 6
    zeros, identity = torch.zeros(1, T, 4), torch.zeros(T, T).fill_diagonal_(1)[None]  # values: the identity
    for window in (None, 3):
        weights = causal_attention(zeros, zeros, identity, window=window)[0]
        print(f"window={window}: position t takes from positions (rows t = 0..{T - 1})")
        print(weights.numpy().round(2))
else:
    print("Finish exercise 4.4 first; then this cell draws your mask.")

# %% [markdown] tags=["solution"]
# **Notes for teachers.** The check changes later keys and values and watches earlier outputs (a
# missing or transposed mask peeks), feeds values of all ones (masking the weights after the softmax
# leaves rows that do not add up to 1), and compares with attention worked out one position at a time.
# The window is where learners think: `window` positions *including* `t` means `s > t - window`, and
# `>=` gives one position too many (the check recognises both off-by-ones). Ask what a stack of L such
# layers can see (about L × window positions back), and why a window alone saves no memory in the
# version here (the full T × T score matrix is still built; real implementations compute only the band).

# %% [markdown]
# ## Question 4.5 · The loss before training
#
# Before any training, Chapter 4's character model (`V = 84` characters) has a loss close to
# ln 84 ≈ 4.43. Why that number?
#
# - **a)** its weights all start at zero;
# - **b)** cross-entropy can never be larger than ln V;
# - **c)** its small random weights give nearly equal logits, so every character gets a probability of about 1/V;
# - **d)** the first batches happen to be easy ones.
#
# Set `answer_4_5` to the letter of your answer, then run the check: a wrong letter is told where to reread,
# the right one why it is right.

# %%
answer_4_5 = None  # your answer: "a", "b", "c" or "d"

# %% tags=["solution"]
answer_4_5 = "c"

# %%
checks.question_4_5(answer_4_5)
