# %% [markdown]
# # Chapter 5 · The four approaches, measured side by side
#
# The course taught four ways to work with transformer models, from least to most control:
#
# | | approach | you control | chapter |
# |---|---|---|---|
# | 1 | call a hosted model through an API | the prompt | 1 |
# | 2 | run a pre-trained model on your own machine | where and how it runs | 2 |
# | 3 | fine-tune a pre-trained model on your data | the weights, for your task | 3 |
# | 4 | train a model from scratch | everything | 4 |
#
# Courses usually end with a table like this one (it is the syllabus's):
#
# | Approach | Ease of Use | Flexibility | Cost | Computational Requirements | When to Use |
# |---|---|---|---|---|---|
# | OpenAI API | High | Low | Pay-as-you-go | Low | Quick results, no setup required |
# | Pre-Trained Model | Medium | Medium | Free | Medium | Use cases align with pre-trained capabilities |
# | Fine-Tuning | Low | High | Medium | High | Task-specific customization with labeled data |
# | Building from Scratch | Very Low | Very High | High | Very High | For research or custom architectures |
#
# This chapter **measures** it instead. One task (is a movie review positive or negative?), one
# fixed held-out test set, and every approach run for real on it:
#
# 1. a **hosted model through the API**, zero-shot and few-shot (Chapter 1's client);
# 2. an **off-the-shelf pre-trained** sentiment model (Chapter 2);
# 3. a **fine-tuned** model, full and LoRA (Chapter 3's saved models when they are there);
# 4. **your own model, built from scratch**: Chapter 4's GPT *pre-trained* on unlabelled reviews, then
#    fine-tuned; beside it the same transformer with **no pre-training**, so the difference is pre-training;
# 5. a classical floor: **TF-IDF + logistic regression** (scikit-learn).
#
# For each: accuracy with a confidence interval, latency, throughput, training time, size, money, setup
# steps, lines of code and labelled examples. Then a **learning curve** (what pre-training is worth at
# each number of labels), the table above regenerated from the measurements, and a guide: which
# approach when.
#
# **Run time** (Run All): `smoke` about 3 minutes; `cpu` about 12 minutes on a 2-core laptop when
# Chapter 3's `cpu` models are saved, about 17 without; `gpu` longer: it fine-tunes on all 25,000 IMDb
# reviews and on the learning curve's subsets. The comparison table in `docs/results.md` is this chapter's `cpu` run (`make comparison`).
#
# **No internet?** Offline, the kit's stand-ins take the real models' places (Rotten Tomatoes
# sentences for IMDb, MiniLM for DistilBERT, a local SmolLM2 for the OpenAI API), and every banner,
# table and number measured on one says so.

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
# `PROFILE` sets how big the run is; the code is the same at every size. The prices are yours to
# set: what an hour of your CPU or GPU costs (a cloud instance's hourly rate, or your electricity and
# hardware). API prices come from the maintained `genai-prices` table, not from this cell.

# %% tags=["parameters"]
PROFILE = "auto"    # "smoke" (minutes, for tests), "cpu" (a laptop), "gpu" (the full run); "auto": gpu on a GPU, smoke under 4 GiB of memory, else cpu
HUB_MODE = "auto"   # "online" (Hugging Face Hub), "offline" (the course's offline kit); "auto" checks the network
SEED = 0

REVIEWS_DATASET = "stanfordnlp/imdb"
OPENAI_MODEL = "gpt-4.1-mini"                                            # Chapter 1's hosted model
LOCAL_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"                      # its local stand-in without a key
USE_LOCAL_SERVER = "auto"   # "auto": the API (or OPENAI_BASE_URL's server) when it can be used, else the local stand-in
OFF_THE_SHELF_MODEL = "distilbert-base-uncased-finetuned-sst-2-english"  # Chapter 2's model
BASE_MODEL = "distilbert-base-uncased"                                   # Chapter 3's starting point
LORA_RANK = 8
REUSE_CHAPTER_3 = True      # evaluate Chapter 3's saved models when they match this profile, instead of retraining

CPU_DOLLARS_PER_HOUR = 0.10   # e.g. a 2-vCPU cloud VM; your laptop: electricity plus wear
GPU_DOLLARS_PER_HOUR = 2.50   # e.g. one rented data-centre GPU, on demand
PREDICTIONS = 100_000         # the workload the cost columns are scaled to (reviews classified)

# %%
import time

import numpy as np
import pandas as pd

from helpers import load_reviews, record_result, resolve_model, setup_chapter
from helpers.results import accuracy_interval

chapter = setup_chapter("Chapter 5 · The four approaches, measured side by side",
                        profile=PROFILE, hub_mode=HUB_MODE, seed=SEED, wants_gpu=True)

# %%
# How much work each profile does; only these sizes change between profiles.
#   test: the held-out reviews every approach is scored on; api_reviews: its first reviews, sent to the API.
#   train, max_len, batch, lr, lora_lr: Chapter 3's fine-tuning recipe, so its saved models can be reused.
#   curve: the learning curve's sizes (curve_cheap: only the two approaches that train in seconds); its
#   curve_seeded smallest sizes get curve_seeds seeds. pretrain_*: approach 4's pre-training (steps, batch,
#   unlabelled reviews read, None: all; the most words its vocabulary keeps).
from helpers.recipes import FINE_TUNING_RECIPES

fine_tuning = {k: FINE_TUNING_RECIPES[chapter.profile][k] for k in ("train", "max_len", "batch", "lr", "lora_lr")}
SIZES = fine_tuning | {
    "smoke": dict(test=200, api_reviews=12, few_shot=2, scratch_min_steps=150, scratch_epochs=4,
                  curve=[50, 480], curve_cheap=[], curve_min_steps=30, curve_seeds=2, curve_seeded=1, single_reviews=5,
                  pretrain_steps=30, pretrain_batch=16, pretrain_reviews=1500, pretrain_vocab=20_000),
    "cpu": dict(test=1000, api_reviews=100, few_shot=4, scratch_min_steps=200, scratch_epochs=6,
                curve=[100, 300, 1000, 3000], curve_cheap=[8000], curve_min_steps=60, curve_seeds=3, curve_seeded=2, single_reviews=20,
                pretrain_steps=80, pretrain_batch=32, pretrain_reviews=20_000, pretrain_vocab=6_000),
    "gpu": dict(test=5000, api_reviews=500, few_shot=4, scratch_min_steps=1000, scratch_epochs=10,
                curve=[100, 300, 1000, 3000, 10000], curve_cheap=[20000], curve_min_steps=100, curve_seeds=3,
                curve_seeded=4, single_reviews=50,
                pretrain_steps=5000, pretrain_batch=64, pretrain_reviews=None, pretrain_vocab=20_000),
}[chapter.profile]
dollars_per_hour = GPU_DOLLARS_PER_HOUR if chapter.device == "cuda" else CPU_DOLLARS_PER_HOUR
print("sizes:", SIZES)
print(f"local compute priced at ${dollars_per_hour:.2f} per hour of this {chapter.device}")

# %% [markdown]
# The four approaches as a picture (Chapter 1 drew it too): for each, what you control, and what it
# needs in data and compute, least control on the left. The sections below measure what the picture
# only states.

# %%
import matplotlib.pyplot as plt
from helpers.diagrams import approaches_diagram

approaches_diagram()
plt.show()

# %% [markdown]
# ## 1. One task, one test set
#
# Every approach is scored on **the same held-out reviews**, drawn once with a fixed seed from the
# test split (other films than the training split's). The trained approaches learn from the training
# split only. API calls cost money per review, so the API rows use the *first* `api_reviews` reviews
# of the test set, and the table scores every other approach on that subset too: like for like.

# %%
test_reviews = load_reviews(REVIEWS_DATASET, split="test", n=SIZES["test"], seed=SEED)
# One pool of labelled training reviews; every training set below is a prefix of it, so the
# learning curve's smaller sets are inside its larger ones.
largest = max([SIZES["train"] or 0, *SIZES["curve"], *SIZES["curve_cheap"]])
pool = load_reviews(REVIEWS_DATASET, split="train", seed=SEED, n=None if SIZES["train"] is None else largest)
train_reviews = pool if SIZES["train"] is None else pool.select(range(SIZES["train"]))

test_texts, truth = list(test_reviews["text"]), list(test_reviews["label"])
api_texts, api_truth = test_texts[:SIZES["api_reviews"]], truth[:SIZES["api_reviews"]]
leaked = set(test_texts) & set(pool["text"])
majority_rate = max(np.mean(truth), 1 - np.mean(truth))
print(f"test set: {len(test_texts):,} reviews ({np.mean(truth):.1%} positive); API rows: its first {len(api_texts)}")
print(f"labelled training reviews: {len(train_reviews):,} (pool for the learning curve: {len(pool):,})")
print(f"always guessing the majority label scores {majority_rate:.3f}: the floor below the floor")
assert not leaked, f"{len(leaked)} test reviews also appear in the training pool"

# %% [markdown]
# Every approach ends in the same call, `measure(predict, texts, truth)` (`helpers/yardstick.py`),
# where `predict` turns a list of reviews into a list of labels. It measures, for everyone:
#
# - **accuracy**, with a 95% (Wilson) interval: on 1,000 reviews an accuracy is known to about ±2.5
#   points, and two approaches whose intervals overlap may not really differ;
# - **throughput**: reviews per second given the whole test set at once (the API: one request at a time);
# - **latency**: the median time to answer *one* review on its own, what a person waiting feels.
#
# Each row also records training time, size, money, labels used, the **setup steps** (key, install,
# download, labelled data, GPU) and the **lines of code a learner writes** (`code_lines`: without
# blanks, comments and docstrings; the course's helpers count, since without the course you would
# write them).

# %%
from helpers.comparison import comparison_row, row_summary
from helpers.yardstick import code_lines, local_cost_usd, measure

rows = {}  # approach -> its measured row; the comparison table at the end is these rows


def add_row(approach, model, result, *, train_seconds, cost_per_review_usd=None, **described):
    """One approach's measurements, in the comparison's units. ``train_seconds`` includes any
    pre-training; ``described``: labels, parameters, size, lines, setup, notes (``comparison_row``)."""
    if cost_per_review_usd is None:  # local: this machine's time, at your hourly price
        cost_per_review_usd = local_cost_usd(1 / result["throughput"], dollars_per_hour)
    rows[approach] = comparison_row(model, result, api_truth=api_truth, train_seconds=train_seconds,
                                    train_cost_usd=local_cost_usd(train_seconds, dollars_per_hour),
                                    cost_for_workload_usd=cost_per_review_usd * PREDICTIONS, **described)
    print(row_summary(approach, rows[approach]))


# %% [markdown]
# ## 2. The classical floor: TF-IDF and logistic regression
#
# Before any transformer: count words. TF-IDF turns a review into a sparse vector of its words and
# word pairs, weighted by how rare they are; logistic regression learns one weight per word. It
# trains in about a second on a CPU and is the baseline any deep model has to beat to earn its cost.

# %%
import pickle

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline


def train_tfidf(texts, labels):
    """Words and word pairs, weighted by TF-IDF, into a logistic regression."""
    model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                          LogisticRegression(C=10, max_iter=1000))
    return model.fit(list(texts), list(labels))


start = time.perf_counter()
tfidf = train_tfidf(train_reviews["text"], train_reviews["label"])
tfidf_seconds = time.perf_counter() - start
tfidf_result = measure(lambda texts: tfidf.predict(texts).tolist(), test_texts, truth,
                       single_reviews=SIZES["single_reviews"])
tfidf_weights = tfidf[-1].coef_.size
add_row("TF-IDF + logistic regression", "scikit-learn (no pre-training)", tfidf_result,
        labels=len(train_reviews), train_seconds=tfidf_seconds, parameters=tfidf_weights,
        trained_parameters=tfidf_weights, size_mb=len(pickle.dumps(tfidf)) / 2**20, lines=code_lines(train_tfidf) + 1,
        setup=["install", "labelled data"])

# %% [markdown]
# ## 3. A hosted model through the API, zero-shot and few-shot
#
# Chapter 1's code, unchanged: `connect` picks the real OpenAI API when there is a key (or the
# server named by `OPENAI_BASE_URL`), else the local stand-in; the banner says which. Zero-shot sends
# only an instruction; few-shot adds a few labelled reviews as earlier turns. No training; you pay
# per token.
#
# **Money** is tokens times the `genai-prices` table: the tokens the real API reports, or, on the
# stand-in or your own endpoint, the same requests counted by OpenAI's tokenizer (`tiktoken`) and
# priced at `OPENAI_MODEL`'s rates (`gpt-4.1-mini` when the table does not know it): what they *would*
# cost. The stand-in's latency and accuracy are its own, and the table says so.

# %%
from helpers.llm_api import (ResponseCache, classify_sentiment, connect, count_message_tokens, count_tokens,
                             estimate_cost, parse_sentiment, resolve_api_key, sentiment_messages)

backend = connect(OPENAI_MODEL, LOCAL_MODEL, use_local=USE_LOCAL_SERVER, key=resolve_api_key())
# The real API's answers are cached on disk: running the chapter again does not pay twice.
cache = ResponseCache() if not backend.is_local else None
by_label = {label: [t for t, y in zip(pool["text"], pool["label"]) if y == label and len(t) < 400] for label in (0, 1)}
shots = [(by_label[i % 2][i // 2], i % 2) for i in range(SIZES["few_shot"])]  # balanced, short, from training data

api_runs = {}
for name, examples in [("zero-shot", []), ("few-shot", shots)]:
    answers = classify_sentiment(backend.client, backend.model, api_texts, examples=examples, cache=cache,
                                 namespace=backend.kind, max_tokens=5, **backend.sampling(temperature=0.0))
    correct = sum(a["label"] == t for a, t in zip(answers, api_truth))  # an answer that is no label is wrong
    if backend.kind != "openai":  # what OpenAI would bill: its own tokenizer's count of these messages
        tokens_in = sum(count_message_tokens(sentiment_messages(t, examples), backend.price_model) for t in api_texts)
        tokens_out = sum(count_tokens(a["answer"] or "x", backend.price_model) for a in answers)
    else:  # what the API reported, and billed
        tokens_in, tokens_out = sum(a["input_tokens"] for a in answers), sum(a["output_tokens"] for a in answers)
    api_runs[name] = dict(
        accuracy=correct / len(api_truth), correct=correct, n=len(api_truth), predicted=[a["label"] for a in answers],
        interval=accuracy_interval(correct, len(api_truth)),
        latency_ms=1000 * float(np.median([a["seconds"] for a in answers])),
        throughput=len(answers) / sum(a["seconds"] for a in answers),  # one request at a time
        answered=np.mean([a["label"] is not None for a in answers]),
        cost_per_review=float(estimate_cost(backend.price_model, tokens_in, tokens_out)) / len(answers),
        tokens_per_review=(tokens_in + tokens_out) / len(answers))

# %%
from helpers.comparison import hosted_api_labels

# Who answered (the API, your endpoint, or the local stand-in), as the rows and their notes will say.
described = hosted_api_labels(backend.kind, backend.model, backend.where, backend.price_model, OPENAI_MODEL, LOCAL_MODEL)
api_lines = code_lines(classify_sentiment, sentiment_messages, parse_sentiment)
for name, run in api_runs.items():
    add_row(f"hosted API, {name}", described["model"], run, labels=len(shots) if name == "few-shot" else 0,
            train_seconds=0.0, parameters=None, trained_parameters=0, size_mb=None, lines=api_lines,
            setup=["key", "install"], cost_per_review_usd=run["cost_per_review"], one_at_a_time=True,
            stand_in=described["stand_in"], note=described["note"])
    print(f"   {run['answered']:.0%} of answers were a label; {run['tokens_per_review']:.0f} tokens per review")
backend.close()  # frees the local server's memory for the training below

# %% [markdown]
# ## 4. An off-the-shelf pre-trained model
#
# Chapter 2's approach: someone else pre-trained a model and fine-tuned it for sentiment; you download
# it and run it. No training and none of your labelled data, but you take the labels, the domain and
# the size it was trained with.

# %%
from transformers import pipeline

from helpers.yardstick import megabytes


def pipeline_predictor(model, tokenizer=None, max_length=None, batch_size=64):
    """A `predict(texts) -> labels` function around a Hugging Face text-classification pipeline."""
    pipe = pipeline("sentiment-analysis", model=model, tokenizer=tokenizer, device=chapter.device)
    label_ids = {name.upper(): i for name, i in pipe.model.config.label2id.items()}

    def predict(texts):
        outputs = pipe(list(texts), batch_size=batch_size, truncation=True, max_length=max_length)
        return [label_ids[o["label"].upper()] for o in outputs]

    return predict, pipe.model


predict, model = pipeline_predictor(resolve_model(OFF_THE_SHELF_MODEL))
result = measure(predict, test_texts, truth, single_reviews=SIZES["single_reviews"])
add_row("pre-trained model, off the shelf", OFF_THE_SHELF_MODEL if chapter.hub.online else
        f"sentiment-minilm-rt (offline stand-in for {OFF_THE_SHELF_MODEL})", result, labels=0, train_seconds=0.0,
        parameters=model.num_parameters(), trained_parameters=0, size_mb=megabytes(model),
        lines=code_lines(pipeline_predictor), setup=["install", "download"],
        stand_in="" if chapter.hub.online else "fine-tuned on Rotten Tomatoes training sentences, the test set's kind of text",
        note="" if chapter.hub.online else "stand-in was fine-tuned on 4,000 Rotten Tomatoes training sentences")

# %% [markdown]
# Offline, this row flatters the approach: the kit's stand-in was fine-tuned on Rotten Tomatoes
# sentences, the test set's kind of text. The real model learned from SST-2 *sentences* and is scored
# here on whole IMDb *reviews*, a domain shift that costs a few points.
#
# ## 5. Fine-tuned: full and LoRA
#
# When Chapter 3 ran in this profile and hub mode, its saved models (`results/chapter03/`) are scored
# here, with its recorded training time; otherwise `quick_fine_tune` (Chapter 3's recipe in one
# function) trains them now.

# %%
from helpers.fine_tuning import load_classifier, quick_fine_tune, tokenize_reviews
from helpers.paths import results_dir
from helpers.results import load_results

base_model = resolve_model(BASE_MODEL)
chapter3_dir, chapter5_dir = results_dir() / "chapter03", results_dir() / "chapter05"


def chapter3_record(approach, folder):
    """Chapter 3's last record for ``approach`` when it ran in this profile and hub mode and its
    saved model is still there; else None (and we train)."""
    records = [r for r in load_results(latest_only=False) if r["chapter"] == "03" and r["approach"] == approach]
    if not (REUSE_CHAPTER_3 and records and folder.exists()):
        return None
    last = records[-1]  # the saved folder is the last run's, whatever its profile
    return last if (last["profile"], last.get("hub_mode")) == (chapter.profile, chapter.hub.name) else None


# %%
fine_tuned = {}
for approach, folder, lora in [("fine-tuned (full)", chapter3_dir / "fine-tuned-full", False),
                               ("fine-tuned (LoRA)", chapter3_dir / "fine-tuned-lora", True)]:
    record = chapter3_record(approach, folder)
    if record:
        model = str(folder)
        if lora:  # Chapter 3 saved only the adapter: put it on the base model and fold it in
            from peft import PeftModel
            model = PeftModel.from_pretrained(load_classifier(base_model), model).merge_and_unload()
        seconds, labels = record["train_seconds"], record["train_examples"]
        trained, total, max_len = record["trainable_parameters"], record["parameters"], record["max_len"]
        source = f"Chapter 3's saved model ({folder.name}, trained in {seconds:.0f} s)"
    else:
        folder = chapter5_dir / folder.name
        print(f"{approach}: no saved model from Chapter 3 for profile {chapter.profile!r}; fine-tuning now")
        run = quick_fine_tune(base_model, train_reviews, folder, epochs=1, batch_size=SIZES["batch"],
                              learning_rate=SIZES["lora_lr" if lora else "lr"], max_length=SIZES["max_len"],
                              lora_rank=LORA_RANK if lora else None, seed=SEED, device=chapter.device)
        model, seconds, labels = str(folder), run["train_seconds"], len(train_reviews)
        trained, total, max_len = run["trainable_parameters"], run["parameters"], SIZES["max_len"]
        source = f"fine-tuned here in {seconds:.0f} s"
    predict, loaded = pipeline_predictor(model, tokenizer=base_model if lora else None, max_length=max_len)
    result = fine_tuned[approach] = measure(predict, test_texts, truth, single_reviews=SIZES["single_reviews"])
    add_row(approach, BASE_MODEL if chapter.hub.online else f"minilm-l6-v2 (offline stand-in for {BASE_MODEL})",
            result, labels=labels, train_seconds=seconds, parameters=total, trained_parameters=trained,
            size_mb=megabytes(loaded), lines=code_lines(quick_fine_tune, load_classifier, tokenize_reviews,
                                                        pipeline_predictor),
            setup=["install", "download", "labelled data"] + (["GPU"] if chapter.device == "cuda" else []), note=source,
            stand_in="" if chapter.hub.online else f"MiniLM fine-tuned, not {BASE_MODEL}")

# %% [markdown]
# ## 6. A transformer with no pre-training
#
# Chapter 4's building blocks, for classification (`helpers/scratch_classifier.py`): a vocabulary of
# *your* training reviews' words, token and position embeddings, Chapter 4's `Block`s, the mean of the
# review's vectors and a two-way head, trained by Chapter 4's loop. It has read no English before these
# labelled reviews: not approach 4 (section 7 pre-trains first) but the baseline that shows what
# pre-training adds.
#
# The blocks use *causal* attention (each word looks only left) and reviews are padded on the right,
# so a real word never attends to padding: Chapter 4's blocks work unchanged, with no attention mask.

# %%
import matplotlib.pyplot as plt
import torch

from helpers.scratch_classifier import (TransformerClassifier, WordVocabulary, predict_from_scratch,
                                        train_classifier, train_from_scratch)
from helpers.gpt import MLP, Block, CausalSelfAttention
from helpers.training import lr_at, make_optimizer, train


def scratch_steps(n):
    """Optimizer steps for n labelled reviews: a few epochs, and never fewer than a minimum."""
    return max(SIZES["scratch_min_steps"], SIZES["scratch_epochs"] * n // 32)


scratch = train_from_scratch(list(train_reviews["text"]), list(train_reviews["label"]), max_len=SIZES["max_len"],
                             steps=scratch_steps(len(train_reviews)), seed=SEED, device=chapter.device)
history = scratch["history"]
result = scratch_result = measure(lambda texts: predict_from_scratch(scratch["model"], scratch["vocab"], texts),
                                  test_texts, truth, single_reviews=SIZES["single_reviews"])
scratch_lines = code_lines(WordVocabulary, TransformerClassifier, train_classifier, train_from_scratch,
                           predict_from_scratch, Block, CausalSelfAttention, MLP, train, lr_at, make_optimizer)
add_row("transformer, no pre-training", f"{scratch['model'].config.n_layer} layers x {scratch['model'].config.n_embd} "
        f"wide, {len(scratch['vocab']):,}-word vocabulary", result, labels=len(train_reviews),
        train_seconds=scratch["train_seconds"], parameters=scratch["parameters"], pretrain_seconds=0.0,
        trained_parameters=scratch["parameters"], size_mb=scratch["parameters"] * 4 / 2**20, lines=scratch_lines,
        setup=["install", "labelled data"] + (["GPU"] if chapter.device == "cuda" else []))

# %%
plt.figure(figsize=(6, 2.8))
plt.plot(history.steps, history.train_loss)
plt.gca().set(xlabel="optimizer step", ylabel="training loss (cross-entropy, nats)",
              title="no pre-training: the loss falls, from ln 2 = 0.69 (a coin flip)")
plt.show()
assert history.train_loss[-1] < history.train_loss[0], "the no-pre-training model did not learn at all"

# %% [markdown]
# The claim about padding, checked on the trained model: a review scores the same alone and with
# padding after it.

# %%
# NBVAL_CHECK_OUTPUT
review = scratch["vocab"].encode(["a sharp , funny and moving film"], max_len=SIZES["max_len"])
padded = torch.cat([review, torch.zeros(1, 5, dtype=review.dtype)], dim=1)  # five pad tokens (id 0) after it
with torch.no_grad():
    alone, with_padding = scratch["model"](review), scratch["model"](padded)
print(f"{review.shape[1]} tokens alone, {padded.shape[1]} with padding; same logits: "
      f"{torch.allclose(alone, with_padding, atol=1e-5)}")

# %% [markdown]
# ## 7. Your own model, built from scratch: pre-train it, then fine-tune it
#
# The syllabus's approach 4: Chapter 4's `GPT`, unchanged and of the *same size* as the row above
# (`helpers/pretraining.py`):
#
# 1. pre-trained by next-word prediction on **unlabelled** reviews, with Chapter 4's loop;
# 2. its embeddings and blocks copied into section 6's classifier, with a new two-way head;
# 3. fine-tuned by section 6's recipe on the same labels. The two rows differ only by pre-training.
#
# **The unlabelled text.** Online: IMDb's `unsupervised` split, 50,000 reviews nobody labelled.
# Offline: the kit's training split with its labels dropped (other films than the test set's; you
# pre-train on all the text you have). Its cost is reported like everything else: words seen, seconds,
# and FLOPs by the usual estimate, 6 x parameters x tokens.

# %%
from helpers.pretraining import classifier_from_gpt, fine_tune_pretrained, pretrain_gpt, word_stream

if chapter.hub.online:  # IMDb's 50,000 unlabelled reviews
    unlabelled = load_reviews(REVIEWS_DATASET, split="unsupervised", n=SIZES["pretrain_reviews"], seed=SEED)
    unlabelled_source = f"{REVIEWS_DATASET} unsupervised split"
else:  # no unlabelled split offline: the training split's text, labels dropped
    unlabelled = load_reviews(REVIEWS_DATASET, split="train", n=SIZES["pretrain_reviews"], seed=SEED)
    unlabelled_source = "the kit's training-split text, labels dropped (offline stand-in for IMDb's unsupervised split)"
unlabelled_texts = list(unlabelled["text"])
assert not set(unlabelled_texts) & set(test_texts), "pre-training must never read the test reviews"
width = scratch["model"].config
pretrained = pretrain_gpt(unlabelled_texts, n_layer=width.n_layer, n_embd=width.n_embd, n_head=width.n_head,
                          block_size=SIZES["max_len"], steps=SIZES["pretrain_steps"],
                          batch_size=SIZES["pretrain_batch"], max_vocab=SIZES["pretrain_vocab"], seed=SEED,
                          device=chapter.device)
print(f"pre-training text: {len(unlabelled_texts):,} reviews, {pretrained['corpus_tokens']:,} words "
      f"({unlabelled_source}); vocabulary {len(pretrained['vocab']):,} words")
print(f"pre-training cost: {pretrained['tokens_seen']:,} words seen in {pretrained['seconds']:.1f} s, "
      f"{pretrained['flops']:.2e} FLOPs (6 x {pretrained['model'].num_parameters(non_embedding=True):,} parameters "
      f"x {pretrained['tokens_seen']:,} tokens)")
print(f"next-word loss on held-out text: {pretrained['loss_before']:.2f} before, {pretrained['loss_after']:.2f} after "
      f"(guessing uniformly among the words: ln {len(pretrained['vocab']):,} = {pretrained['uniform_loss']:.2f})")
assert pretrained["loss_after"] < pretrained["loss_before"], "pre-training did not lower the next-word loss"

# %% [markdown]
# ### Moving the weights: what is copied, what is new
#
# What makes this approach 4 rather than section 6 again: the classifier starts from the GPT's
# weights. The two share their parts under different names, so the transfer is a renaming; the
# two-way head has no counterpart and starts random. The GPT's `lm_head` stays behind, but it is the
# same matrix as `wte` (weight tying, Chapter 4), so what it learned comes along.

# %%
from helpers.gpt import GPTConfig

# Classifier name prefix -> the GPT's name for the same part (Chapter 4 keeps the blocks in `transformer.h`).
COPIED_FROM = {"wte.": "transformer.wte.", "wpe.": "transformer.wpe.", "blocks.": "transformer.h.",
               "ln_f.": "transformer.ln_f."}


def transfer_weights(gpt, dropout=0.1, seed=0):
    """A `TransformerClassifier` that starts from `gpt`'s weights; only the head is new."""
    config = GPTConfig(**{**vars(gpt.config), "dropout": dropout})  # the GPT's sizes, fine-tuning's dropout
    torch.manual_seed(seed)  # the new head starts random: seeded, so a run repeats
    classifier = TransformerClassifier(config).to(next(gpt.parameters()).device)
    source, state = gpt.state_dict(), classifier.state_dict()
    for name in state:
        prefix = next((p for p in COPIED_FROM if name.startswith(p)), None)
        if prefix:  # "head.weight" and "head.bias" have no counterpart
            state[name] = source[COPIED_FROM[prefix] + name[len(prefix):]]
    classifier.load_state_dict(state)  # copies the values: the GPT itself is left untouched
    return classifier


# %%
gpt = pretrained["model"]
mine, helper = transfer_weights(gpt, seed=SEED), classifier_from_gpt(gpt, seed=SEED)
copied = [n for n in mine.state_dict() if not n.startswith("head.")]
print(f"copied: {len(copied)} tensors, {sum(mine.state_dict()[n].numel() for n in copied):,} numbers "
      f"({', '.join(dict.fromkeys(n.split('.')[0] for n in copied))})")
print("new:", ", ".join(f"{n} {tuple(t.shape)}" for n, t in mine.state_dict().items() if n.startswith("head.")))
print("left behind:", ", ".join(f"{n} {tuple(t.shape)}" for n, t in gpt.state_dict().items()
                                if not any(n.startswith(g) for g in COPIED_FROM.values())))
# The check: the same tensors as helpers.pretraining.classifier_from_gpt, and the same logits on real reviews.
assert mine.state_dict().keys() == helper.state_dict().keys()
assert all(torch.equal(t, helper.state_dict()[n]) for n, t in mine.state_dict().items())
batch = pretrained["vocab"].encode(test_texts[:8], max_len=SIZES["max_len"]).to(chapter.device)
with torch.no_grad():
    assert torch.equal(mine.eval()(batch), helper.eval()(batch))
print("same weights and same logits on 8 test reviews as classifier_from_gpt")

# %% [markdown]
# From here `fine_tune_pretrained` does it: `classifier_from_gpt` (the transfer above), then section
# 6's recipe.

# %%
own = fine_tune_pretrained(pretrained, list(train_reviews["text"]), list(train_reviews["label"]),
                           steps=scratch_steps(len(train_reviews)), seed=SEED)
result = own_result = measure(lambda texts: predict_from_scratch(own["model"], own["vocab"], texts), test_texts,
                              truth, single_reviews=SIZES["single_reviews"])
own_lines = scratch_lines + code_lines(word_stream, pretrain_gpt, classifier_from_gpt, fine_tune_pretrained)
add_row("own GPT, pre-trained + fine-tuned", f"{width.n_layer} layers x {width.n_embd} wide, "
        f"{len(own['vocab']):,}-word vocabulary, pre-trained on {pretrained['tokens_seen']:,} words",
        result, labels=len(train_reviews), pretrain_seconds=pretrained["seconds"],
        train_seconds=pretrained["seconds"] + own["train_seconds"], parameters=own["parameters"],
        trained_parameters=own["parameters"], size_mb=own["parameters"] * 4 / 2**20, lines=own_lines,
        setup=["install", "download", "labelled data"] + (["GPU"] if chapter.device == "cuda" else []),
        note=f"pre-trained on {unlabelled_source}: {pretrained['tokens_seen']:,} words seen, "
             f"{pretrained['flops']:.1e} FLOPs")
print(f"same classifier, same labels, same recipe: {rows['transformer, no pre-training']['accuracy']:.3f} without "
      f"pre-training, {result['accuracy']:.3f} with {pretrained['seconds']:.0f} s of it")

# %% [markdown]
# This pre-training is tiny next to a published model's: DistilBERT's read about 3.3 billion words
# over about 90 hours on 8 V100 GPUs (arXiv 1910.01108); compare the words and seconds printed above.

# %% [markdown]
# ## 8. What the earlier chapters recorded
#
# Chapters 1-3 recorded theirs in `results/results.jsonl`, each on its own sample, so compare the
# numbers above (one test set). Side by side they should agree within their intervals; when they do
# not, something changed between the runs (data, model, library), worth finding out.

# %%
from helpers.comparison import earlier_results_table

earlier = earlier_results_table(load_results(), rows, chapter.profile)
if earlier is not None:
    with pd.option_context("display.float_format", "{:.3f}".format):
        display(earlier)
else:
    print(f"No earlier chapter has recorded a result in profile {chapter.profile!r} yet; everything above was "
          "measured here.")

# %% [markdown]
# ## 9. The comparison, in numbers
#
# One row per approach, every column measured in this run ("-": does not apply). Money in two parts:
# one-off training (pre-training included), and classifying `PREDICTIONS` reviews.

# %%
from helpers.comparison import models_used
from helpers.yardstick import comparison_table, money

with pd.option_context("display.max_colwidth", 60):  # a stand-in's row is named "... [STAND-IN]"
    display(comparison_table(rows, PREDICTIONS, len(api_truth)))
print(models_used(rows))

# %% [markdown]
# ### Is a gap more than chance? A paired test
#
# Every row was scored on the *same* reviews, which a sharper test than overlapping intervals can use:
# McNemar's test (`paired_test`, `helpers/results.py`) looks only at the reviews where exactly one of
# the two is right. Were the two equally good, those would split about evenly; the p-value is the
# chance of a split at least this uneven (an exact binomial test). A pair with an API row is compared
# on the API's reviews only.

# %%
from helpers.results import paired_test

pairs = [("fine-tuned (full)", "pre-trained model, off the shelf"), ("fine-tuned (full)", "fine-tuned (LoRA)"),
         ("fine-tuned (full)", "TF-IDF + logistic regression"),
         ("own GPT, pre-trained + fine-tuned", "transformer, no pre-training"),
         ("hosted API, few-shot", "hosted API, zero-shot"), ("fine-tuned (full)", "hosted API, few-shot")]
paired = {}
for a, b in pairs:
    n = min(rows[a]["n"], rows[b]["n"])  # the API rows answered only the first reviews
    pair_test = paired_test(rows[a]["predicted"][:n], rows[b]["predicted"][:n], truth[:n])
    acc_a, acc_b = (np.mean([p == t for p, t in zip(rows[name]["predicted"][:n], truth[:n])]) for name in (a, b))
    # The accuracy gap is all in the reviews only one of the two gets right: the others cancel out.
    assert abs((pair_test["only_a"] - pair_test["only_b"]) / n - (acc_a - acc_b)) < 1e-9
    paired[f"{a}  vs  {b}"] = {"reviews": n, "accuracy A": f"{acc_a:.3f}", "accuracy B": f"{acc_b:.3f}",
                               "only A right": pair_test["only_a"], "only B right": pair_test["only_b"],
                               "p-value": f"{pair_test['p_value']:.3g}",
                               "stand-in": "yes" if rows[a]["stand_in"] or rows[b]["stand_in"] else ""}
with pd.option_context("display.max_colwidth", 70, "display.width", 250, "display.max_columns", None):
    display(pd.DataFrame(paired).T)

# %% [markdown]
# Below 0.05 the gap is more than this test set's luck; above it, this test set cannot tell the two
# apart (which does not show them equal). Six tests at 0.05 give about one chance in four of a false
# alarm, so read a p-value near 0.05 as "maybe".

# %%
# Chapter checks: what must hold at every size, or the chapter is broken.
assert all(row["n"] == len(test_texts) for name, row in rows.items() if not name.startswith("hosted")), \
    "every local approach must be scored on the whole shared test set"
full = rows["fine-tuned (full)"]
assert full["low"] > majority_rate, f"the fine-tuned model must beat always-{majority_rate:.3f} with its whole interval"
assert rows["pre-trained model, off the shelf"]["low"] > majority_rate, "the off-the-shelf model must beat the majority rate"
assert api_runs["few-shot"]["answered"] >= 0.5, "few-shot answers should mostly be a label"
assert rows["TF-IDF + logistic regression"]["code_lines"] < rows["transformer, no pre-training"]["code_lines"]
assert rows["own GPT, pre-trained + fine-tuned"]["pretrain_seconds"] > 0
if chapter.profile != "smoke":  # with Chapter 3's amount of data, pre-training must show
    assert full["accuracy"] > rows["TF-IDF + logistic regression"]["accuracy"], "fine-tuning should beat TF-IDF"
    assert full["accuracy"] > rows["transformer, no pre-training"]["accuracy"], "fine-tuning should beat no pre-training"

# %% [markdown]
# ## 10. Accuracy against cost, and against latency
#
# The two pictures most decisions come down to: up is better, left is cheaper (or faster), on log
# axes because the approaches differ by factors of ten and a thousand. Bars are 95% intervals. A point
# that would hide another is nudged a little right; a **hollow** point is a stand-in's, not the real
# model's.

# %%
from helpers.comparison import plot_accuracy_against_cost_and_latency

plot_accuracy_against_cost_and_latency(rows, PREDICTIONS, majority_rate, f"{chapter.profile} profile, {chapter.device}"
                                       + ("" if chapter.hub.online else ", offline stand-ins"))
plt.show()

# %% [markdown]
# ## 11. The learning curve: when does pre-training pay off?
#
# The real question is *how many labels you need*. The approaches that learn from labels are trained
# on nested subsets of the same pool and scored on the same test set; your own GPT's pre-training
# (section 7) is paid once and fine-tuned at every size. The approaches that need no labels are
# horizontal lines.
#
# Small sets get a minimum number of steps, so a point measures what the *data* allows, not how long
# we trained. The `curve_cheap` sizes run only the two approaches that train in seconds; a size equal
# to the table's training set reuses sections 5 to 7's models.

# %%
import shutil


def curve_point(n, seed):
    """Each approach that learns from labels, trained on n labelled reviews: {approach: measured result}.
    Seed SEED takes the pool's first n reviews (smaller sets inside larger ones, the table's models
    reused at their size); another seed draws other reviews and starts from other random weights."""
    subset = (pool if seed == SEED else pool.shuffle(seed=seed)).select(range(n))
    texts, labels = list(subset["text"]), list(subset["label"])
    reuse = seed == SEED and n == len(train_reviews)  # sections 5-7 trained on exactly these reviews
    scored = lambda predict: measure(predict, test_texts, truth, 0)  # the curve needs accuracy, not latency
    from_scratch = lambda run: scored(lambda t: predict_from_scratch(run["model"], run["vocab"], t))
    model = train_tfidf(texts, labels)
    point = {"TF-IDF + logistic regression": scored(lambda t: model.predict(t).tolist()),
             "transformer, no pre-training": scratch_result if reuse else from_scratch(train_from_scratch(
                 texts, labels, max_len=SIZES["max_len"], steps=scratch_steps(n), seed=seed, device=chapter.device,
                 progress=False))}
    if n not in SIZES["curve"]:  # curve_cheap: only the two approaches that train in seconds
        return point
    point["own GPT, pre-trained + fine-tuned"] = own_result if reuse else from_scratch(fine_tune_pretrained(
        pretrained, texts, labels, steps=scratch_steps(n), seed=seed, progress=False))
    epochs = max(1, SIZES["curve_min_steps"] * SIZES["batch"] / n)
    if reuse and epochs == 1:  # section 5's model: one epoch of these reviews, the same recipe
        point["fine-tuned (full)"] = fine_tuned["fine-tuned (full)"]
        return point
    folder = chapter5_dir / f"curve-{n}-seed-{seed}"
    quick_fine_tune(base_model, subset, folder, epochs=epochs, batch_size=SIZES["batch"], learning_rate=SIZES["lr"],
                    max_length=SIZES["max_len"], seed=seed, device=chapter.device, progress=False)
    point["fine-tuned (full)"] = scored(pipeline_predictor(str(folder), max_length=SIZES["max_len"])[0])
    shutil.rmtree(folder)  # a model per point adds up to gigabytes; the numbers are what we keep
    return point


# %% [markdown]
# One run per size would hide how much of a point is luck: *which* n reviews were labelled, and the
# random start. So the smallest sizes are trained `curve_seeds` times, each seed with another draw;
# the point is the mean over seeds, each seed a dot beside it.

# %%
from helpers.comparison import seed_spread_sentence
from helpers.progress import progress_bar  # tqdm.auto, whose saved notebook output shows where it ended

sizes = sorted(set(SIZES["curve"] + SIZES["curve_cheap"]))
seeded = sizes[:SIZES["curve_seeded"]]  # the smallest sizes get several seeds
runs = [(n, seed) for n in sizes for seed in range(SEED, SEED + (SIZES["curve_seeds"] if n in seeded else 1))]
per_seed = {"fine-tuned (full)": {}, "own GPT, pre-trained + fine-tuned": {}, "transformer, no pre-training": {},
            "TF-IDF + logistic regression": {}}  # approach -> n -> one result per seed
for n, seed in progress_bar(runs, desc="learning curve"):
    for name, result in curve_point(n, seed).items():
        per_seed[name].setdefault(n, []).append(result)


def over_seeds(results):
    """One point of the curve from one result per seed: the mean accuracy, the 95% test-set interval of a
    run at that accuracy, and each seed's accuracy."""
    accuracies, n_test = [r["accuracy"] for r in results], results[0]["n"]
    mean = float(np.mean(accuracies))
    return {"accuracy": mean, "interval": accuracy_interval(round(mean * n_test), n_test), "n": n_test,
            "seeds": accuracies}


curve = {name: {n: over_seeds(results) for n, results in by_n.items()} for name, by_n in per_seed.items()}
assert all(len(curve[name][n]["seeds"]) == SIZES["curve_seeds"] for name in curve for n in seeded), "a seed is missing"
points = pd.DataFrame({name: {n: r["accuracy"] for n, r in by_n.items()} for name, by_n in curve.items()})
with pd.option_context("display.float_format", "{:.3f}".format):
    display(points.rename_axis("labelled examples"))
for n in seeded:  # how far the seed moved each approach, against how far the test set's luck can
    spread = {name: max(curve[name][n]["seeds"]) - min(curve[name][n]["seeds"]) for name in curve}
    low, high = curve[max(spread, key=spread.get)][n]["interval"]
    print(seed_spread_sentence(n, SIZES["curve_seeds"], spread, interval_width=high - low))

# %%
from helpers.comparison import plot_learning_curve

plot_learning_curve(curve, rows, sizes, majority_rate)
plt.show()

# %%
# Read the curve. 1) At the fewest labels, how far ahead is fine-tuning, and is that more than noise?
n_min = min(curve["fine-tuned (full)"])
ft_small = curve["fine-tuned (full)"][n_min]
no_pretraining = ["transformer, no pre-training", "TF-IDF + logistic regression"]
best_other = max(curve[name][n_min]["accuracy"] for name in no_pretraining)
significant = all(ft_small["interval"][0] > curve[name][n_min]["interval"][1] for name in no_pretraining)
own_small = curve["own GPT, pre-trained + fine-tuned"][n_min]
print(f"With {n_min} labelled reviews: fine-tuned {ft_small['accuracy']:.3f}, your own pre-trained GPT "
      f"{own_small['accuracy']:.3f}, best approach without pre-training {best_other:.3f} (fine-tuned vs that: "
      f"{'intervals apart: a real difference' if significant else 'intervals overlap: not a clear difference'}).")
pretraining_pays_at_few_labels = ft_small["accuracy"] > best_other
assert pretraining_pays_at_few_labels, "with the fewest labels, the pre-trained model should beat those without"

# %%
from helpers.comparison import NO_TRAINING, labels_needed
from helpers.yardstick import labels_to_reach

# 2) How many labels do the others need to match what fine-tuning reaches with each curve size?
ft_ns = sorted(curve["fine-tuned (full)"])
ft_acc = [curve["fine-tuned (full)"][n]["accuracy"] for n in ft_ns]
reading = []  # the curve's findings in sentences, for the comparison table (docs/results.md)
overtakes = {}  # approach that needs no labels -> labels fine-tuning needs to match it (None: not in range)
for n, target in zip(ft_ns, ft_acc):
    needs = []
    for name in ["TF-IDF + logistic regression", "own GPT, pre-trained + fine-tuned", "transformer, no pre-training"]:
        ns = sorted(curve[name])
        needs.append(labels_needed(name, labels_to_reach(ns, [curve[name][m]["accuracy"] for m in ns], target), max(ns)))
    reading.append(f"fine-tuned with {n:,} labels reaches {target:.3f}; " + ", ".join(needs))
    print("  " + reading[-1])
# 3) From how many labels does fine-tuning beat what needs no labels at all?
for name in NO_TRAINING:
    reach = overtakes[name] = labels_to_reach(ft_ns, ft_acc, rows[name]["accuracy"])
    when = (f"not within {max(ft_ns):,} labels" if reach is None else
            f"already with {ft_ns[0]:,} labels, the fewest measured" if reach == ft_ns[0] else f"from ~{reach:,.0f} labels")
    stand_in = " [a stand-in's accuracy, not the real model's]" if rows[name]["stand_in"] else ""
    reading.append(f"fine-tuning matches {name} ({rows[name]['accuracy']:.3f}{stand_in}): {when}")
    print("  " + reading[-1])

# %%
from helpers.comparison import gain_in_words as gain  # a's accuracy minus b's; "no difference shown" if intervals overlap

# 4) Your own pre-training against none, at every size both were measured. Intervals that overlap
#    show no difference (Chapter 3's rule), and the sentence says so where they do.
with_pretraining, without = curve["own GPT, pre-trained + fine-tuned"], curve["transformer, no pre-training"]
reading.append("your own pre-training adds " + ", ".join(f"{gain(with_pretraining[n], without[n])} at {n:,} labels"
                                                         for n in sorted(with_pretraining))
               + f" (pre-training: {pretrained['seconds']:.0f} s, {pretrained['tokens_seen']:,} words)")
print("  " + reading[-1])
# 5) Fine-tuning's lead over the best approach without pre-training, size by size: does it narrow?
ft_curve = curve["fine-tuned (full)"]
best_without = {n: max((curve[name][n] for name in no_pretraining), key=lambda r: r["accuracy"]) for n in ft_ns}
lead = [ft_curve[n]["accuracy"] - best_without[n]["accuracy"] for n in ft_ns]
trend = ("narrows at every step" if all(b < a for a, b in zip(lead, lead[1:])) else
         "widens at every step" if all(b > a for a, b in zip(lead, lead[1:])) else
         f"neither narrows nor widens steadily (largest at {ft_ns[lead.index(max(lead))]:,} labels)")
reading.append("fine-tuning's lead over the best approach without pre-training: "
               + ", ".join(f"{gain(ft_curve[n], best_without[n])} at {n:,} labels" for n in ft_ns)
               + f"; as the labels grow, it {trend}")
print("  " + reading[-1])


# %% [markdown]
# ## 12. The syllabus's table, regenerated from the measurements
#
# Each measured column comes from this run's numbers by a rule printed under the table, beside the
# number behind it and the syllabus's claim:
#
# - **Ease of Use**: *effort* = setup steps + lines of code / 50 (one step weighs as much as 50 lines:
#   the course's choice);
# - **Cost**: dollars for training plus `PREDICTIONS` reviews;
# - **Compute**, in two: seconds of *training* and of *serving* `PREDICTIONS` reviews on this machine;
# - **Flexibility** no run measures: it is the course's judgement, marked so with its reason, and never
#   counted as agreeing or disagreeing.
#
# "When to Use" is written from the learning curve and the rows, and says so instead of concluding
# where it would rest on a stand-in's number.
#
# **Rated where the approach competes.** Your own pre-trained GPT, at this run's scale, is no real
# choice: its seconds of pre-training leave it far behind the published model it would replace. So its
# cost and compute are rated at the scale where it would compete: the published model's pre-training
# (90 hours on 8 V100 GPUs, *published*, not measured) at `GPU_DOLLARS_PER_HOUR`, and serving at that
# size as the fine-tuned row measured it, with this run's own figures beside them.

# %%
def rate(value, bands):
    """The label of the first band whose upper limit ``value`` stays under."""
    return next(label for limit, label in bands if value <= limit)


families = {  # the syllabus's four rows, and which of our measured rows stands for each
    "OpenAI API": "hosted API, few-shot",
    "Pre-Trained Model": "pre-trained model, off the shelf",
    "Fine-Tuning": "fine-tuned (full)",
    "Building from Scratch": "own GPT, pre-trained + fine-tuned",
}
claimed = {  # Ease of Use, Flexibility, Cost, Computational Requirements
    "OpenAI API": ("High", "Low", "Pay-as-you-go", "Low"),
    "Pre-Trained Model": ("Medium", "Medium", "Free", "Medium"),
    "Fine-Tuning": ("Low", "High", "Medium", "High"),
    "Building from Scratch": ("Very Low", "Very High", "High", "Very High"),
}
judged_flexibility = {  # the course's judgement, with its reason: no benchmark measures what you can change
    "OpenAI API": ("Low", "the prompt, a few settings, and hosted fine-tuning on your labels, but never the weights; "
                          "the provider can change the model under you"),
    "Pre-Trained Model": ("Medium", "which published model, and how it runs; not what it predicts"),
    "Fine-Tuning": ("High", "every weight of the model, for your labels and your domain"),
    "Building from Scratch": ("Very High", "every weight, and the architecture, the tokenizer and the pre-training text"),
}

# %%
from helpers.comparison import bands_in_words as bands  # "High up to 2.5, Medium up to 3.5, ..., else Very Low"

LINES_PER_STEP = 50  # the course's exchange rate: one setup step weighs as much as 50 lines of code
EFFORT = [(2.5, "High"), (3.5, "Medium"), (5, "Low"), (float("inf"), "Very Low")]     # setup steps + lines / 50
COST = [(0.0, "Free"), (1.0, "Low"), (10.0, "Medium"), (float("inf"), "High")]        # $ training + workload
COMPUTE = [(1, "Low"), (60, "Medium"), (3600, "High"), (float("inf"), "Very High")]   # s on this machine
# Where building from scratch competes: pre-trained like the published model it would replace
# (published, not measured: DistilBERT, 90 h on 8 V100 GPUs, arXiv 1910.01108), served like it.
COMPETING_PRETRAINING_GPU_HOURS = 90 * 8

rules = [f"Ease of Use: effort = setup steps + lines of code / {LINES_PER_STEP}: {bands(EFFORT)}",
         f"Cost: $ for training plus {PREDICTIONS:,} reviews: {bands(COST, '${:g}')} (hosted: pay-as-you-go)",
         f"Compute: seconds on this {chapter.device} for training (pre-training included) and for serving "
         f"{PREDICTIONS:,} reviews, each: {bands(COMPUTE, '{:g} s')}",
         "Building from Scratch: its cost and compute where it would compete (the published model's pre-training, "
         "a model of that size serving), this run's beside them",
         "Flexibility: the course's judgement (not measured; reason in the table)"]
print("\n".join(rules))


# %%
from helpers.comparison import matched_in_words, when_to_use_column

# Own pre-training against none, by section 9's paired test: the chapter's rule before saying "beats".
own_p = float(paired["own GPT, pre-trained + fine-tuned  vs  transformer, no pre-training"]["p-value"])
own_vs_none = f"paired test p = {own_p:.2g}" + ("" if own_p < 0.05 else ": no difference shown")
# When fine-tuning catches up with each approach that needs no labels (no claim from a stand-in's row),
# and how many labels TF-IDF needs for what fine-tuning reaches with the fewest.
matched = {name: matched_in_words(rows[name], overtakes[name], ft_ns) for name in NO_TRAINING}
tfidf_curve = curve["TF-IDF + logistic regression"]
tfidf_needs = labels_to_reach(sorted(tfidf_curve), [tfidf_curve[n]["accuracy"] for n in sorted(tfidf_curve)], ft_acc[0])
when_to_use = when_to_use_column(rows, matched=matched, ft_first=(ft_ns[0], ft_acc[0]), tfidf_needs=tfidf_needs,
                                 tfidf_largest=max(tfidf_curve), own_vs_none=own_vs_none)

# %%
def rated_at_this_scale(row, hosted):
    """Cost and the two compute columns from this run's own measurements: (label, the number behind it)."""
    money_spent = row["train_cost_usd"] + row["cost_for_workload_usd"]
    serve_seconds = 0.0 if hosted else PREDICTIONS / row["throughput"]
    return {"Cost": (rate(money_spent, COST) + (" (pay-as-you-go)" if hosted else ""),
                     f"{money(money_spent)} for training plus {PREDICTIONS:,} reviews"),
            "Compute: training": (rate(row["train_seconds"], COMPUTE), f"{row['train_seconds']:,.0f} s"),
            "Compute: serving": (rate(serve_seconds, COMPUTE) + (" (on the provider's side)" if hosted else ""),
                                 "the provider's machines" if hosted else f"{serve_seconds:,.0f} s")}


def rated_where_it_competes(row):
    """Building from scratch at the scale where it competes: the published model's pre-training (GPU
    hours at GPU_DOLLARS_PER_HOUR) and a model of its size serving (the fine-tuned row, measured here)."""
    like_published = rows["fine-tuned (full)"]
    gpu_seconds = COMPETING_PRETRAINING_GPU_HOURS * 3600
    money_spent = COMPETING_PRETRAINING_GPU_HOURS * GPU_DOLLARS_PER_HOUR + like_published["cost_for_workload_usd"]
    serve_seconds = PREDICTIONS / like_published["throughput"]
    small = rated_at_this_scale(row, hosted=False)
    this_run = lambda column: f"; this run, not competing: {small[column][0]}, {small[column][1]}"
    return {"Cost": (rate(money_spent, COST), f"to compete: {COMPETING_PRETRAINING_GPU_HOURS} GPU-hours of pre-training "
                     f"(published) at ${GPU_DOLLARS_PER_HOUR:g}/h plus {PREDICTIONS:,} reviews = {money(money_spent)}"
                     + this_run("Cost")),
            "Compute: training": (rate(gpu_seconds, COMPUTE), f"to compete: {gpu_seconds:,.0f} GPU-seconds (published)"
                                  + this_run("Compute: training")),
            "Compute: serving": (rate(serve_seconds, COMPUTE), f"to compete: the published model's size, served like "
                                 f"the fine-tuned row: {serve_seconds:,.0f} s" + (" (a stand-in's speed)" if like_published["stand_in"] else "")
                                 + this_run("Compute: serving"))}


# %%
from helpers.comparison import syllabus_row

regenerated, disagreements = [], []
for family, approach in families.items():
    row, hosted = rows[approach], approach.startswith("hosted")
    effort = len(row["setup"]) + row["code_lines"] / LINES_PER_STEP
    measured = {"Ease of Use": (rate(effort, EFFORT), f"{len(row['setup'])} setup steps ({', '.join(row['setup'])}) "
                                f"+ {row['code_lines']} lines = {effort:.1f}"),
                **(rated_where_it_competes(row) if family == "Building from Scratch" else rated_at_this_scale(row, hosted))}
    claims = dict(zip(["Ease of Use", "Cost", "Compute: training", "Compute: serving"],
                      [claimed[family][0], claimed[family][2], claimed[family][3], claimed[family][3]]))
    for column, (label, why) in measured.items():
        if label.split(" (")[0] != claims[column] and not (hosted and column == "Cost"):
            rated = "where it competes" if why.startswith("to compete") else "measured"
            disagreements.append(f"{family}, {column}: syllabus {claims[column]!r}, {rated} {label!r} ({why})")
    regenerated.append(syllabus_row(family, measured, judged_flexibility[family], when_to_use[family],
                                    claimed[family], row))
with pd.option_context("display.max_colwidth", 200):
    display(pd.DataFrame(regenerated).set_index("Approach"))
scratch_rated = next(r for r in regenerated if r["Approach"] == "Building from Scratch")
assert scratch_rated["Compute: training"] == "Very High", "where it competes, pre-training is the published model's"
print(f"Where the measurements disagree with the syllabus ({len(disagreements)}; Flexibility is judged, not counted):")
print("\n".join("  " + d for d in disagreements) or "  nowhere")

# %% [markdown]
# Where the two tables disagree, the measurement is the argument, with its number printed. The band
# limits are the course's choices (change them and labels move; the numbers do not), and only
# "Building from Scratch" is rated from a figure this run did not measure.
#
# ## 13. Which approach when
#
# A guide from this run's numbers (your data and prices change them, and maybe the advice); advice
# that would rest on a stand-in says so.

# %%
from helpers.comparison import approach_guide

guide = approach_guide(rows, predictions=PREDICTIONS, price_model=backend.price_model, device=chapter.device,
                       pretrained_words=pretrained["tokens_seen"], own_vs_none=own_vs_none,
                       api_matched=matched["hosted API, few-shot"])
for situation, advice in guide:
    print(f"- {situation}:\n    {advice}")

# %% [markdown]
# ## 14. Record, and write the comparison table
#
# Recorded like every chapter's results, and written to `results/chapter05/comparison.md` with the
# machine, profile, models (stand-ins included) and date; `make comparison` copies the `cpu` run's into
# `docs/results.md`.

# %%
from datetime import date

from helpers.comparison import comparison_header
from helpers.paths import shown_path
from helpers.results import comparison_file
from helpers.yardstick import comparison_markdown, machine_description
from helpers.llm_api import price_per_million

data_label = (f"{REVIEWS_DATASET} test" if chapter.hub.online else "Rotten Tomatoes held-out (offline kit)") + \
             f", n={len(test_texts):,}"
for approach, row in rows.items():
    record_result(chapter="05", approach=approach, task="binary sentiment, movie reviews", data=data_label,
                  model=row["model"], profile=chapter.profile, device=chapter.device, accuracy=row["accuracy"],
                  n_examples=int(row["n"]), latency_ms=row["latency_ms"], cost_usd=row["cost_for_workload_usd"] / PREDICTIONS,
                  train_seconds=row["train_seconds"], throughput=row["throughput"], labels=int(row["labels"]),
                  code_lines=int(row["code_lines"]), hub_mode=chapter.hub.name)
price_in, price_out = price_per_million(backend.price_model)
header = comparison_header(day=date.today().isoformat(), profile=chapter.profile, hub=chapter.hub.name,
                           machine=machine_description(), versions=chapter.versions, data_label=data_label,
                           api_reviews=len(api_truth), price_model=backend.price_model, price_in=price_in,
                           price_out=price_out, dollars_per_hour=dollars_per_hour, device=chapter.device, rows=rows)
text = comparison_markdown(header=header, rows=rows, predictions=PREDICTIONS, curve=curve, reading=reading,
                           syllabus=regenerated, rules=rules, disagreements=disagreements)
comparison_file().parent.mkdir(parents=True, exist_ok=True)
comparison_file().write_text(text, encoding="utf-8")
# The tables above already showed every number in it: say where it went rather than print it twice.
print(f"comparison written to {shown_path(comparison_file())} ({len(text.splitlines())} lines of Markdown)")
assert chapter.profile in text and date.today().isoformat() in text

# %% [markdown]
# ## Summary
#
# - One task, one test set, five approaches in eight variants, and every claim of the usual table put
#   to a measurement; the one column no run measures (flexibility) is marked as judgement.
# - Approach 4 as the syllabus means it, beside the same model with no pre-training: what pre-training
#   buys and costs, measured.
# - The learning curve answers how many labels each approach needs, with several seeds where luck
#   weighs most; section 11 prints what this run's curve shows.
# - The right choice depends on your labels, volume and prices: change them, run again, let the
#   numbers decide.
#
# **Try this:** set the hourly prices and `PREDICTIONS` to yours and watch the cost plot reorder. With
# an OpenAI key, compare `"gpt-4.1-mini"` and `"gpt-5-mini"`: a reasoning model spends hidden output
# tokens first, so in section 3's `classify_sentiment` call raise `max_tokens=5` to a few hundred and
# add `reasoning_effort="minimal"`, or its answers come back empty (Chapter 1, section 2 explains);
# the cost counts those tokens. On a Colab GPU, run `PROFILE = "gpu"`; or use your own labelled CSV
# (`datasets.load_dataset("csv", ...)`, columns `text` and `label`).
#
# ## Check yourself
#
# **1.** Two rows score 0.81 and 0.84 on 200 test reviews. Can you say the second approach is better?
#
# <details><summary>Answer</summary>
#
# Not from these numbers alone. On 200 reviews each accuracy's 95% Wilson interval is about ±0.05
# wide, so the two intervals overlap a lot. A larger test set (the `cpu` and `gpu` profiles), or a
# paired test on the same reviews, is what would settle it. The table prints the intervals for this
# reason.
#
# </details>
#
# **2.** The hosted API costs nothing to train and a fine-tuned model costs minutes of compute. When
# does the fine-tuned model become the cheaper of the two?
#
# <details><summary>Answer</summary>
#
# When the money saved on each prediction, times the number of predictions, exceeds the one-off
# training cost: break-even volume = training cost ÷ (price per API call − cost of one local
# prediction). Section 9's table has both halves: "training ($)" and the cost of `PREDICTIONS` reviews,
# at `CPU_DOLLARS_PER_HOUR`; set both parameters to your own figures and compute it for your case.
#
# </details>
#
# **3.** Suppose your own pre-trained GPT beats the same model with no pre-training (by section 9's
# paired test, not by accuracy alone), yet both lose to the fine-tuned published model (DistilBERT;
# offline, its stand-in MiniLM). What does each gap measure?
#
# <details><summary>Answer</summary>
#
# The first gap is what pre-training on unlabelled text buys at *this* scale (same architecture, same
# labels, same fine-tuning). The second is mostly scale: DistilBERT (offline, MiniLM) was pre-trained
# on billions of words with far more compute than a laptop spends in minutes. Section 7 prints both costs in tokens
# and FLOPs (6·N·D), which is how to compare them.
#
# </details>
#
# ## Further reading
#
# - Howard and Ruder (2018), *Universal Language Model Fine-tuning for Text Classification* (ULMFiT),
#   arXiv [1801.06146](https://arxiv.org/abs/1801.06146): pre-train on general text, then on the
#   task's own unlabelled text, then fine-tune; the learning curve of section 11 in its original form.
# - Gururangan et al. (2020), *Don't Stop Pretraining*, arXiv
#   [2004.10964](https://arxiv.org/abs/2004.10964): how much in-domain pre-training adds, as in
#   section 7's choice of pre-training text.
# - Brown et al. (2020), *Language Models are Few-Shot Learners*, arXiv
#   [2005.14165](https://arxiv.org/abs/2005.14165): zero-shot and few-shot prompting, the API rows of
#   this chapter.
# - Hu et al. (2021), *LoRA: Low-Rank Adaptation of Large Language Models*, arXiv
#   [2106.09685](https://arxiv.org/abs/2106.09685): the LoRA row.
# - Kaplan et al. (2020), *Scaling Laws for Neural Language Models*, arXiv
#   [2001.08361](https://arxiv.org/abs/2001.08361): where the 6·N·D estimate of training FLOPs comes from.
# - Hugging Face, [`evaluate`](https://huggingface.co/docs/evaluate) and OpenAI,
#   [pricing](https://openai.com/api/pricing/): the metric library and the price list the cost columns use.
