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
# This chapter does not assert it: it **measures** it. One task (is a movie review positive or
# negative?), one fixed held-out test set, and every approach run for real on it:
#
# 1. a **hosted model through the API**, zero-shot and few-shot (Chapter 1's client);
# 2. an **off-the-shelf pre-trained** sentiment model (Chapter 2);
# 3. a **fine-tuned** model, full and LoRA (Chapter 3's saved models when they are there);
# 4. a small **transformer trained from scratch** on the same labelled reviews (Chapter 4's blocks);
# 5. and a classical floor every comparison needs: **TF-IDF + logistic regression** (scikit-learn).
#
# For each: accuracy with a confidence interval, latency and throughput on this machine, training
# time, model size, money, lines of code you write, and labelled examples needed. Then a
# **learning curve** finds how many labelled examples it takes before pre-training stops mattering,
# the table above is regenerated from the measurements, and a short guide says which approach when.
#
# **Run time** (Run All): `smoke` about 3 minutes; `cpu` about 10 minutes on a 2-core laptop when
# Chapter 3's `cpu` models are saved, about 15 without; `gpu` longer: it fine-tunes on all 25,000 IMDb
# reviews and on the learning curve's subsets. The README's comparison table is this chapter's `cpu` run (`make comparison`).
#
# **No internet?** As in every chapter, the cells name the real models and datasets; offline, the
# kit's stand-ins take their place (Rotten Tomatoes sentences for IMDb, MiniLM for DistilBERT, a local
# SmolLM2 behind `transformers serve` for the OpenAI API), every banner and table says so, and
# numbers measured on stand-ins are labelled as such.

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
# `PROFILE` sets how big the run is; the code is the same at every size. The prices are yours to
# set: what an hour of your CPU or GPU costs (a cloud instance's hourly rate, or your electricity and
# hardware). API prices come from the maintained `genai-prices` table, not from this cell.

# %% tags=["parameters"]
PROFILE = "auto"    # "smoke" (minutes, for tests), "cpu" (a laptop), "gpu" (the full run); "auto" picks gpu or cpu
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

# How much work each profile does. Only these sizes change between profiles.
#   test: held-out reviews every approach is scored on; api_reviews: the first reviews of that same
#   set sent to the API (each one is a paid request, or ~0.5 s on the local stand-in).
#   train, max_len, batch, lr, lora_lr: Chapter 3's fine-tuning recipe (helpers/recipes.py), so that
#   Chapter 3's saved models can be reused here.
#   curve: labelled-set sizes for the learning curve; curve_cheap: further sizes only for the two
#   approaches that train in seconds (TF-IDF, from scratch).
from helpers.recipes import FINE_TUNING_RECIPES

fine_tuning = {k: FINE_TUNING_RECIPES[chapter.profile][k] for k in ("train", "max_len", "batch", "lr", "lora_lr")}
SIZES = fine_tuning | {
    "smoke": dict(test=200, api_reviews=12, few_shot=2, scratch_min_steps=150, scratch_epochs=4,
                  curve=[50, 150, 480], curve_cheap=[], curve_min_steps=30, single_reviews=5),
    "cpu": dict(test=1000, api_reviews=100, few_shot=4, scratch_min_steps=300, scratch_epochs=6,
                curve=[100, 300, 1000, 3000], curve_cheap=[8000], curve_min_steps=60, single_reviews=20),
    "gpu": dict(test=5000, api_reviews=500, few_shot=4, scratch_min_steps=1000, scratch_epochs=10,
                curve=[100, 300, 1000, 3000, 10000], curve_cheap=[20000], curve_min_steps=100, single_reviews=50),
}[chapter.profile]
dollars_per_hour = GPU_DOLLARS_PER_HOUR if chapter.device == "cuda" else CPU_DOLLARS_PER_HOUR
print("sizes:", SIZES)
print(f"local compute priced at ${dollars_per_hour:.2f} per hour of this {chapter.device}")

# %% [markdown]
# ## 1. One task, one test set
#
# Every approach is scored on **the same held-out reviews**, drawn once with a fixed seed from the
# test split (IMDb's test split covers different films from its training split; offline, Rotten
# Tomatoes is split by movie). The trained approaches learn from reviews of the training split only.
# API calls cost money per review, so the API rows use the *first* `api_reviews` reviews of the same
# test set; the table also scores every other approach on exactly that subset, so the comparison stays
# like for like.

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
# Every approach below ends in the same call, `measure(predict, texts, truth)` from
# `helpers/yardstick.py`, where `predict` takes a list of reviews and returns a list of labels. It
# measures the same things for everyone:
#
# - **accuracy**, with a 95% confidence interval (Wilson's): on 1,000 reviews an accuracy is only
#   known to about ±2.5 points, and two approaches whose intervals overlap may not really differ;
# - **throughput**: reviews per second when the approach gets the whole test set at once (batched);
# - **latency**: the median time to answer *one* review sent on its own, which is what a person
#   waiting for an answer feels.
#
# Each row also records training time, model size, money, the labelled examples used and the
# **lines of code a learner writes** for the approach (`code_lines`: the functions' source, without
# blank lines, comments and docstrings; library code does not count, the course's helpers do,
# because a learner without this course would write them).

# %%
from helpers.yardstick import code_lines, local_cost_usd, measure

rows = {}  # approach -> its measured row; the comparison table at the end is these rows


def add_row(approach, model, result, *, labels, train_seconds, parameters, trained_parameters,
            size_mb, lines, cost_per_review_usd=None, note=""):
    """One approach's measurements, in the comparison's units."""
    k = len(api_truth)
    if cost_per_review_usd is None:  # local: this machine's time, at your hourly price
        cost_per_review_usd = local_cost_usd(1 / result["throughput"], dollars_per_hour)
    rows[approach] = dict(
        model=model, labels=labels, accuracy=result["accuracy"], low=result["interval"][0],
        high=result["interval"][1], n=result["n"],
        accuracy_on_api_subset=np.mean([p == t for p, t in zip(result["predicted"][:k], api_truth)]),
        latency_ms=result["latency_ms"], throughput=result["throughput"], train_seconds=train_seconds,
        parameters=parameters, trained_parameters=trained_parameters, size_mb=size_mb,
        train_cost_usd=local_cost_usd(train_seconds, dollars_per_hour),
        cost_for_workload_usd=cost_per_review_usd * PREDICTIONS, code_lines=lines, note=note)
    low, high = result["interval"]
    print(f"{approach}: accuracy {result['accuracy']:.3f} ({low:.3f}-{high:.3f}) on {result['n']:,} reviews; "
          f"{result['latency_ms']:.1f} ms per review alone, {result['throughput']:,.0f} reviews/s batched; "
          f"{lines} lines of code")


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
        trained_parameters=tfidf_weights, size_mb=len(pickle.dumps(tfidf)) / 2**20, lines=code_lines(train_tfidf) + 1)

# %% [markdown]
# ## 3. A hosted model through the API, zero-shot and few-shot
#
# Chapter 1's code, unchanged: `connect` picks the real OpenAI API when there is a key and a network
# (or the OpenAI-compatible server named by `OPENAI_BASE_URL`, as in Chapter 1), and the local
# `transformers serve` stand-in otherwise (the banner says which). Zero-shot sends only
# an instruction; few-shot adds a few labelled reviews as earlier turns of the conversation.
# No training, no labelled data beyond the shots; you pay per token instead.
#
# **Money** is the token count times the maintained price table (`genai-prices`): on the real API,
# the tokens it reports for each call; on the local stand-in (or your own endpoint, whose prices are
# not in the table) the cost column prices the same requests at a hosted OpenAI model's rates
# (`OPENAI_MODEL`, or `gpt-4.1-mini` when the table does not know it), with tokens counted by OpenAI's
# tokenizer (`tiktoken`): what these requests *would* cost on the API. The real API's answers are cached on disk (Chapter 1's
# `ResponseCache`, shared with it), so running this chapter again costs nothing.
# Latency and accuracy on the stand-in are the stand-in's, not the hosted model's; the table says so.

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

api_model = {"openai": OPENAI_MODEL, "custom": f"{backend.model} at {backend.where} (OPENAI_BASE_URL)",
             "local": f"{LOCAL_MODEL.split('/')[-1]} (local stand-in for {OPENAI_MODEL})"}[backend.kind]
api_lines = code_lines(classify_sentiment, sentiment_messages, parse_sentiment)
for name, run in api_runs.items():
    add_row(f"hosted API, {name}", api_model, run, labels=len(shots) if name == "few-shot" else 0,
            train_seconds=0.0, parameters=None, trained_parameters=0, size_mb=None, lines=api_lines,
            cost_per_review_usd=run["cost_per_review"],
            note={"local": "stand-in: accuracy and latency are SmolLM2-135M's on this CPU; ",
                  "custom": f"custom endpoint: money priced at {backend.price_model}'s rates, its own prices unknown; ",
                  "openai": ""}[backend.kind]
            + "reviews/s: one request at a time (concurrent requests go faster, up to the rate limit)")
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


def pipeline_predictor(model, tokenizer=None, max_length=None, batch_size=64):
    """A `predict(texts) -> labels` function around a Hugging Face text-classification pipeline."""
    pipe = pipeline("sentiment-analysis", model=model, tokenizer=tokenizer, device=chapter.device)
    label_ids = {name.upper(): i for name, i in pipe.model.config.label2id.items()}

    def predict(texts):
        outputs = pipe(list(texts), batch_size=batch_size, truncation=True, max_length=max_length)
        return [label_ids[o["label"].upper()] for o in outputs]

    return predict, pipe.model


def megabytes(model):
    """Size of a model's weights in float32, as saved on disk."""
    return sum(p.numel() for p in model.parameters()) * 4 / 2**20


predict, model = pipeline_predictor(resolve_model(OFF_THE_SHELF_MODEL))
result = measure(predict, test_texts, truth, single_reviews=SIZES["single_reviews"])
add_row("pre-trained model, off the shelf", OFF_THE_SHELF_MODEL if chapter.hub.online else
        f"sentiment-minilm-rt (offline stand-in for {OFF_THE_SHELF_MODEL})", result, labels=0, train_seconds=0.0,
        parameters=model.num_parameters(), trained_parameters=0, size_mb=megabytes(model),
        lines=code_lines(pipeline_predictor),
        note="" if chapter.hub.online else "stand-in was fine-tuned on 4,000 Rotten Tomatoes training sentences")

# %% [markdown]
# Offline, this row flatters the off-the-shelf approach: the kit's stand-in was fine-tuned on
# Rotten Tomatoes training sentences, the same kind of text as the test set. The real
# `distilbert-base-uncased-finetuned-sst-2-english` learned from SST-2 movie *sentences* and is scored
# here on whole IMDb *reviews*: a domain shift that costs a few points (its card reports 91.3 on SST-2).
#
# ## 5. Fine-tuned: full and LoRA
#
# Chapter 3 fine-tuned `distilbert-base-uncased` on labelled reviews and saved the result in
# `results/chapter03/`. When that chapter ran in this same profile and hub mode, its saved models are
# evaluated here on this chapter's test set and its recorded training time is used; otherwise
# `quick_fine_tune` (Chapter 3's recipe in one function) trains them now.

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


fine_tuned = {}
for approach, folder, lora in [("fine-tuned (full)", chapter3_dir / "fine-tuned-full", False),
                               ("fine-tuned (LoRA)", chapter3_dir / "fine-tuned-lora", True)]:
    record = chapter3_record(approach, folder)
    if record:
        if lora:  # Chapter 3 saved only the adapter: put it on the base model and fold it in
            from peft import PeftModel
            model = PeftModel.from_pretrained(load_classifier(base_model), str(folder)).merge_and_unload()
        else:
            model = str(folder)
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
    result = measure(predict, test_texts, truth, single_reviews=SIZES["single_reviews"])
    fine_tuned[approach] = result
    add_row(approach, BASE_MODEL if chapter.hub.online else f"minilm-l6-v2 (offline stand-in for {BASE_MODEL})",
            result, labels=labels, train_seconds=seconds, parameters=total, trained_parameters=trained,
            size_mb=megabytes(loaded), lines=code_lines(quick_fine_tune, load_classifier, tokenize_reviews,
                                                        pipeline_predictor), note=source)

# %% [markdown]
# ## 6. A transformer trained from scratch
#
# Chapter 4's building blocks, now for classification (`helpers/scratch_classifier.py`): a word vocabulary built
# from *your* training reviews only, token and position embeddings, Chapter 4's transformer `Block`s, the
# mean of the review's vectors, and a two-way linear head; trained by Chapter 4's loop
# (`helpers.training.train`). Nothing in it has read a word of English before these labelled reviews.
#
# One detail worth seeing: the blocks use *causal* attention (each word looks only to its left), and
# reviews are padded on the right, so a real word never attends to padding: Chapter 4's blocks work
# unchanged, with no attention mask.

# %%
import matplotlib.pyplot as plt
import torch

from helpers.scratch_classifier import (TransformerClassifier, WordVocabulary, predict_from_scratch,
                                        train_from_scratch)
from helpers.gpt import MLP, Block, CausalSelfAttention
from helpers.training import lr_at, make_optimizer, train


def scratch_steps(n):
    """Optimizer steps for n labelled reviews: a few epochs, and never fewer than a minimum."""
    return max(SIZES["scratch_min_steps"], SIZES["scratch_epochs"] * n // 32)


scratch = train_from_scratch(list(train_reviews["text"]), list(train_reviews["label"]), max_len=SIZES["max_len"],
                             steps=scratch_steps(len(train_reviews)), seed=SEED, device=chapter.device)
history = scratch["history"]
result = measure(lambda texts: predict_from_scratch(scratch["model"], scratch["vocab"], texts), test_texts, truth,
                 single_reviews=SIZES["single_reviews"])
scratch_lines = code_lines(WordVocabulary, TransformerClassifier, train_from_scratch, predict_from_scratch,
                           Block, CausalSelfAttention, MLP, train, lr_at, make_optimizer)
add_row("transformer from scratch", f"{scratch['model'].config.n_layer} layers x {scratch['model'].config.n_embd} wide, "
        f"{len(scratch['vocab']):,}-word vocabulary", result, labels=len(train_reviews),
        train_seconds=scratch["train_seconds"], parameters=scratch["parameters"],
        trained_parameters=scratch["parameters"], size_mb=scratch["parameters"] * 4 / 2**20, lines=scratch_lines)

plt.figure(figsize=(6, 2.8))
plt.plot(history.steps, history.train_loss)
plt.xlabel("optimizer step")
plt.ylabel("training loss")
plt.title("from scratch: the loss falls, from ln 2 = 0.69 (a coin flip)")
plt.show()
assert history.train_loss[-1] < history.train_loss[0], "the from-scratch model did not learn at all"

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
# ## 7. What the earlier chapters recorded
#
# Chapters 1-3 wrote their measurements to `results/results.jsonl`. Each measured on its own sample
# (Chapter 1 on 100 reviews of its own), so the numbers above, all on this chapter's one test set,
# are the ones to compare. Put side by side, they should agree within their confidence intervals;
# when they do not, something changed between the runs (the data, a model, a library), and that is
# worth finding out.

# %%
earlier = [r for r in load_results() if r["chapter"] in ("01", "02", "03") and r["profile"] == chapter.profile
           and r["task"] == "binary sentiment, movie reviews"]
if earlier:
    table = pd.DataFrame([{"chapter": r["chapter"], "approach": r["approach"], "accuracy then": r["accuracy"],
                           "on n": r["n_examples"], "accuracy here": rows.get(r["approach"], {}).get("accuracy"),
                           "on n here": rows.get(r["approach"], {}).get("n"), "recorded": r["recorded_at"][:16]}
                          for r in earlier])
    with pd.option_context("display.float_format", "{:.3f}".format):
        display(table)
else:
    print(f"No earlier chapter has recorded a result in profile {chapter.profile!r} yet; everything above was "
          "measured here.")

# %% [markdown]
# ## 8. The comparison, in numbers
#
# One row per approach, every column measured on this machine in this run. Money is in two parts: a
# one-off training cost, and the cost of classifying `PREDICTIONS` reviews (API: tokens times the price
# table; local: this machine's time at your hourly price).

# %%
comparison = pd.DataFrame.from_dict(rows, orient="index")
comparison["accuracy (95% CI)"] = [f"{a:.3f} ({low:.3f}-{high:.3f}), n={n:,}" for a, low, high, n in
                                   zip(comparison.accuracy, comparison.low, comparison.high, comparison.n)]
shown = comparison[["accuracy (95% CI)", "accuracy_on_api_subset", "labels", "latency_ms", "throughput",
                    "train_seconds", "parameters", "trained_parameters", "size_mb", "train_cost_usd",
                    "cost_for_workload_usd", "code_lines"]].rename(columns={
    "accuracy_on_api_subset": f"accuracy, first {len(api_truth)}", "labels": "labelled examples",
    "latency_ms": "ms per review (alone)", "throughput": "reviews/s (batched)", "train_seconds": "training (s)",
    "trained_parameters": "trained parameters", "size_mb": "size (MB)", "train_cost_usd": "training ($)",
    "cost_for_workload_usd": f"{PREDICTIONS:,} reviews ($)", "code_lines": "lines of code"})
with pd.option_context("display.max_colwidth", 60, "display.float_format", "{:,.4g}".format):
    display(shown)
print("models actually used:")
for approach, row in rows.items():
    print(f"  {approach:30s} {row['model']}" + (f"  [{row['note']}]" if row["note"] else ""))

# %%
# Chapter checks: what must hold at every size, or the chapter is broken.
assert all(row["n"] == len(test_texts) for name, row in rows.items() if not name.startswith("hosted")), \
    "every local approach must be scored on the whole shared test set"
full = rows["fine-tuned (full)"]
assert full["low"] > majority_rate, f"the fine-tuned model must beat always-{majority_rate:.3f} with its whole interval"
assert rows["pre-trained model, off the shelf"]["low"] > majority_rate, "the off-the-shelf model must beat the majority rate"
assert api_runs["few-shot"]["answered"] >= 0.5, "few-shot answers should mostly be a label"
assert rows["TF-IDF + logistic regression"]["code_lines"] < rows["transformer from scratch"]["code_lines"]
if chapter.profile != "smoke":  # with Chapter 3's amount of data, pre-training must show
    assert full["accuracy"] > rows["TF-IDF + logistic regression"]["accuracy"], "fine-tuning should beat TF-IDF"
    assert full["accuracy"] > rows["transformer from scratch"]["accuracy"], "fine-tuning should beat from scratch"

# %% [markdown]
# ## 9. Accuracy against cost, and against latency
#
# The two pictures most decisions come down to. Up is better; left is cheaper (or faster). Both axes'
# *x* are logarithmic: the approaches differ by factors of ten and a thousand, not by percents. The
# bars are the 95% intervals: where two overlap, this test set cannot tell them apart.

# %%
colors = dict(zip(rows, plt.cm.tab10.colors))
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
for ax, column, label in [(axes[0], "cost_for_workload_usd", f"$ to classify {PREDICTIONS:,} reviews (log)"),
                          (axes[1], "latency_ms", "ms to answer one review (log)")]:
    for approach, row in rows.items():
        x = max(row[column], 1e-4)  # a free approach still needs a place on a log axis
        ax.errorbar(x, row["accuracy"], yerr=[[row["accuracy"] - row["low"]], [row["high"] - row["accuracy"]]],
                    fmt="o", capsize=4, color=colors[approach], label=approach)
    ax.axhline(majority_rate, color="k", ls=":", lw=1, label="majority label")
    ax.set_xscale("log")
    ax.set_xlabel(label)
    ax.grid(alpha=0.3)
axes[0].set_ylabel("test accuracy")
axes[1].legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)  # outside: it would hide points
fig.suptitle(f"{chapter.profile} profile, {chapter.device}" + ("" if chapter.hub.online else ", offline stand-ins"))
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 10. The learning curve: when does pre-training pay off?
#
# The table above used one amount of labelled data. The real question is *how many labels you need*.
# Here the three approaches that learn from labels (fine-tuning, from scratch, TF-IDF) are trained
# on nested subsets of the same pool, and each point is scored on the same test set. The approaches
# that need no labels (the API, the off-the-shelf model) are horizontal lines.
#
# Small training sets are seen for a minimum number of steps (several epochs), so a point measures
# what the *data* allows, not how long we trained.

# %%
import shutil

from tqdm.auto import tqdm

curve = {"fine-tuned (full)": {}, "transformer from scratch": {}, "TF-IDF + logistic regression": {}}
sizes = sorted(set(SIZES["curve"] + SIZES["curve_cheap"]))
for n in tqdm(sizes, desc="learning curve"):
    subset = pool.select(range(n))
    texts, labels = list(subset["text"]), list(subset["label"])
    model = train_tfidf(texts, labels)
    curve["TF-IDF + logistic regression"][n] = measure(lambda t: model.predict(t).tolist(), test_texts, truth, 0)
    run = train_from_scratch(texts, labels, max_len=SIZES["max_len"], steps=scratch_steps(n), seed=SEED,
                             device=chapter.device, progress=False)
    curve["transformer from scratch"][n] = measure(
        lambda t: predict_from_scratch(run["model"], run["vocab"], t), test_texts, truth, 0)
    if n in SIZES["curve"]:
        folder = chapter5_dir / f"curve-{n}"
        quick_fine_tune(base_model, subset, folder, epochs=max(1, SIZES["curve_min_steps"] * SIZES["batch"] / n),
                        batch_size=SIZES["batch"], learning_rate=SIZES["lr"], max_length=SIZES["max_len"],
                        seed=SEED, device=chapter.device, progress=False)
        predict, _ = pipeline_predictor(str(folder), max_length=SIZES["max_len"])
        curve["fine-tuned (full)"][n] = measure(predict, test_texts, truth, 0)
        shutil.rmtree(folder)  # a model per point adds up to gigabytes; the numbers are what we keep

points = pd.DataFrame({name: {n: r["accuracy"] for n, r in by_n.items()} for name, by_n in curve.items()})
with pd.option_context("display.float_format", "{:.3f}".format):
    display(points.rename_axis("labelled examples"))

# %%
from helpers.yardstick import labels_to_reach

fig, ax = plt.subplots(figsize=(7.5, 4.8))
for name, by_n in curve.items():
    ns = sorted(by_n)
    acc = np.array([by_n[n]["accuracy"] for n in ns])
    low = np.array([by_n[n]["interval"][0] for n in ns])
    high = np.array([by_n[n]["interval"][1] for n in ns])
    ax.plot(ns, acc, "o-", color=colors[name], label=name)
    ax.fill_between(ns, low, high, color=colors[name], alpha=0.15)
for name in ["hosted API, zero-shot", "hosted API, few-shot", "pre-trained model, off the shelf"]:
    ax.axhline(rows[name]["accuracy"], color=colors[name], ls="--", lw=1.2, label=f"{name} (no training)")
ax.axhline(majority_rate, color="k", ls=":", lw=1, label="majority label")
ax.set_xscale("log")
ax.set_xlabel("labelled training examples (log)")
ax.set_ylabel("test accuracy")
ax.set_title("accuracy against labelled data (shaded: 95% intervals)")
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1))
ax.grid(alpha=0.3)
plt.show()

# Read the curve. 1) At the fewest labels, how far ahead is fine-tuning, and is that more than noise?
n_min = min(curve["fine-tuned (full)"])
ft_small = curve["fine-tuned (full)"][n_min]
best_other = max(curve[name][n_min]["accuracy"] for name in curve if name != "fine-tuned (full)")
significant = all(ft_small["interval"][0] > curve[name][n_min]["interval"][1]
                  for name in curve if name != "fine-tuned (full)")
print(f"With {n_min} labelled reviews: fine-tuned {ft_small['accuracy']:.3f}, best approach without pre-training "
      f"{best_other:.3f} ({'intervals apart: a real difference' if significant else 'intervals overlap: not a clear difference'}).")
# 2) How many labels do the others need to match what fine-tuning reaches with each curve size?
ft_ns = sorted(curve["fine-tuned (full)"])
ft_acc = [curve["fine-tuned (full)"][n]["accuracy"] for n in ft_ns]
reading = []  # the curve's findings in sentences, for the README's table
overtakes = {}  # approach that needs no labels -> labels fine-tuning needs to match it (None: not in range)
for n, target in zip(ft_ns, ft_acc):
    needs = []
    for name in ["TF-IDF + logistic regression", "transformer from scratch"]:
        ns = sorted(curve[name])
        reach = labels_to_reach(ns, [curve[name][m]["accuracy"] for m in ns], target)
        short = {"TF-IDF + logistic regression": "TF-IDF", "transformer from scratch": "from scratch"}[name]
        needs.append(f"{short} needs {'more than ' + format(max(ns), ',') if reach is None else f'~{reach:,.0f}'}")
    reading.append(f"fine-tuned with {n:,} labels reaches {target:.3f}; " + ", ".join(needs))
    print("  " + reading[-1])
# 3) From how many labels does fine-tuning beat what needs no labels at all?
for name in ["hosted API, zero-shot", "hosted API, few-shot", "pre-trained model, off the shelf"]:
    reach = overtakes[name] = labels_to_reach(ft_ns, ft_acc, rows[name]["accuracy"])
    when = (f"not within {max(ft_ns):,} labels" if reach is None else
            f"already with {ft_ns[0]:,} labels, the fewest measured" if reach == ft_ns[0] else f"from ~{reach:,.0f} labels")
    reading.append(f"fine-tuning matches {name} ({rows[name]['accuracy']:.3f}): {when}")
    print("  " + reading[-1])
pretraining_pays_at_few_labels = ft_small["accuracy"] > best_other
assert pretraining_pays_at_few_labels, "with the fewest labels, the pre-trained model should learn the most"


# %% [markdown]
# ## 11. The syllabus's table, regenerated from the measurements
#
# Each rating below is computed from this run's numbers by a rule stated in the code (thresholds you
# can read and argue with), and printed next to the number that justifies it and the syllabus's claim.
# Flexibility is the one column no benchmark measures: it is what you *can change*, and the
# justification column says what that is (and how many of the model's weights you train).

# %%
def rate(value, bands):
    """The label of the first band whose upper limit ``value`` stays under."""
    return next(label for limit, label in bands if value <= limit)


families = {  # the syllabus's four rows, and which of our measured rows stands for each
    "OpenAI API": "hosted API, few-shot",
    "Pre-Trained Model": "pre-trained model, off the shelf",
    "Fine-Tuning": "fine-tuned (full)",
    "Building from Scratch": "transformer from scratch",
}
claimed = {
    "OpenAI API": ("High", "Low", "Pay-as-you-go", "Low"),
    "Pre-Trained Model": ("Medium", "Medium", "Free", "Medium"),
    "Fine-Tuning": ("Low", "High", "Medium", "High"),
    "Building from Scratch": ("Very Low", "Very High", "High", "Very High"),
}
can_change = {
    "OpenAI API": "only the prompt and a few settings; the provider can change the model under you",
    "Pre-Trained Model": "which published model, and how it runs; not what it predicts",
    "Fine-Tuning": "every weight of the model, for your labels and your domain",
    "Building from Scratch": "every weight, and the architecture and the tokenizer too",
}
EASE = [(15, "High"), (60, "Medium"), (150, "Low"), (float("inf"), "Very Low")]               # lines of code
COST = [(0.0, "Free"), (1.0, "Low"), (10.0, "Medium"), (float("inf"), "High")]                  # $ for the workload
COMPUTE = [(1, "Low"), (60, "Medium"), (3600, "High"), (float("inf"), "Very High")]             # s of training + inference

tfidf_curve = curve["TF-IDF + logistic regression"]
tfidf_needs = labels_to_reach(sorted(tfidf_curve), [tfidf_curve[n]["accuracy"] for n in sorted(tfidf_curve)], ft_acc[0])


def matched_from(name):
    """When the fine-tuned curve reaches ``name``'s accuracy, in words."""
    reach = overtakes[name]
    if reach is None:
        return f"fine-tuning did not match it within {max(ft_ns):,} labels"
    if reach == ft_ns[0]:
        return f"fine-tuning beats it already with {ft_ns[0]:,} labels, the fewest measured"
    return f"fine-tuning matches it from ~{reach:,.0f} labels"


when_to_use = {  # the syllabus's last column, from this run's learning curve and rows
    "OpenAI API": f"no labelled data, quick results; {matched_from('hosted API, few-shot')}",
    "Pre-Trained Model": f"a published model fits your task ({rows['pre-trained model, off the shelf']['accuracy']:.3f} "
                         f"with none of your labels); {matched_from('pre-trained model, off the shelf')}",
    "Fine-Tuning": f"you have labels: {ft_acc[0]:.3f} from {ft_ns[0]:,} of them, where TF-IDF needs "
                   + (f"~{tfidf_needs:,.0f}" if tfidf_needs else f"more than {max(tfidf_curve):,}"),
    "Building from Scratch": f"research, custom architectures, data no pre-trained model knows; from your "
                             f"{rows['transformer from scratch']['labels']:,} labels alone: "
                             f"{rows['transformer from scratch']['accuracy']:.3f} (TF-IDF: "
                             f"{rows['TF-IDF + logistic regression']['accuracy']:.3f})",
}
regenerated, evidence = [], {}
for family, approach in families.items():
    row = rows[approach]
    money = row["train_cost_usd"] + row["cost_for_workload_usd"]
    compute_seconds = row["train_seconds"] + (0 if approach.startswith("hosted") else PREDICTIONS / row["throughput"])
    measured = (rate(row["code_lines"], EASE), ("Low", "Medium", "High", "Very High")[list(families).index(family)],
                "Pay-as-you-go" if approach.startswith("hosted") else rate(money, COST),
                "Low (on your side)" if approach.startswith("hosted") else rate(compute_seconds, COMPUTE))
    evidence[family] = {"Ease of Use": f"{row['code_lines']} lines of code", "Flexibility": can_change[family],
                        "Cost": f"${money:,.2f} for training plus {PREDICTIONS:,} reviews",
                        "Computational Requirements": f"{compute_seconds:,.0f} s of local compute"}
    regenerated.append({
        "Approach": family,
        "Ease of Use": measured[0], "Flexibility": measured[1], "Cost": measured[2],
        "Computational Requirements": measured[3],
        "accuracy": f"{row['accuracy']:.3f}",
        "When to Use": when_to_use[family],
        "why (measured)": "; ".join(evidence[family].values()) + f"; {row['labels']:,} labelled examples",
        "syllabus said": " / ".join(claimed[family]),
        "agrees": sum(m.split(" ")[0] == c.split(" ")[0] for m, c in zip(measured, claimed[family])),
    })
regenerated = pd.DataFrame(regenerated).set_index("Approach")
with pd.option_context("display.max_colwidth", 200):
    display(regenerated)
print("bands: ease by lines of code", EASE, "\n       cost by $", COST, "\n       compute by seconds", COMPUTE)
print("\nWhere this run disagrees with the syllabus:")
for family, row in regenerated.iterrows():
    for column, claim in zip(["Ease of Use", "Flexibility", "Cost", "Computational Requirements"], claimed[family]):
        if row[column].split(" ")[0] != claim.split(" ")[0]:
            print(f"  {family}, {column}: syllabus {claim!r}, measured {row[column]!r} ({evidence[family][column]})")


# %% [markdown]
# Where the two tables disagree, the measurement is the argument, and the disagreements printed above
# are worth reading one by one. Two are expected: a `pipeline` call is fewer lines than an API call
# whose free-text answers you must turn into labels; and a *small* model trained from scratch is cheap.
# The syllabus's "High" cost and "Very High" compute for building from scratch are about building a
# model that can *compete with* a pre-trained one: DistilBERT's own pre-training took about 90 hours on
# 8 V100 GPUs (its paper, arXiv 1910.01108). Ours had seconds and only your labels; its row in the
# comparison and its learning curve show what that buys.
#
# ## 12. Which approach when
#
# A guide you can act on, from this run's numbers (re-run with your own task's data and prices and
# the numbers, and possibly the advice, change):

# %%
def fmt_money(x):
    return f"${x:,.2f}" if x >= 0.01 else f"${x:,.4f}"


api, shelf, ft, lora_row, floor, scratch_row = (rows[k] for k in [
    "hosted API, few-shot", "pre-trained model, off the shelf", "fine-tuned (full)", "fine-tuned (LoRA)",
    "TF-IDF + logistic regression", "transformer from scratch"])
guide = [
    ("You have no labelled data and need an answer today",
     f"call an API (few-shot: {api['accuracy']:.3f} here, {api['code_lines']} lines, "
     f"{fmt_money(api['cost_for_workload_usd'])} per {PREDICTIONS:,} reviews) or, if a published model "
     f"fits your labels, run it locally ({shelf['accuracy']:.3f}, {fmt_money(shelf['cost_for_workload_usd'])})"),
    ("A published model already does your task",
     f"run it locally: no labels, no fees, {shelf['latency_ms']:.0f} ms per review on this {chapter.device}, "
     "and nobody can change or retire it under you"),
    ("You have labelled data, or can label some",
     (f"fine-tune once you have about {overtakes['hosted API, few-shot']:,.0f} labels or more (the fewest measured "
      "was " + f"{ft_ns[0]:,}): from there the fine-tuned curve is above the API's few-shot accuracy"
      if overtakes["hosted API, few-shot"] else
      f"with up to {max(ft_ns):,} labels the fine-tuned curve stayed below the API's few-shot accuracy: prompt "
      "the hosted model unless cost or privacy rules it out")
     + f"; here {ft['accuracy']:.3f} with {ft['labels']:,} labels after {ft['train_seconds']:.0f} s of training, and "
     f"LoRA {lora_row['accuracy']:.3f} training {lora_row['trained_parameters'] / lora_row['parameters']:.1%} of the weights"),
    ("You need it tiny, fast, and explainable, and have thousands of labels",
     f"try TF-IDF first: {floor['accuracy']:.3f}, {floor['throughput']:,.0f} reviews/s, {floor['size_mb']:.1f} MB; "
     "it is the baseline every other row must beat"),
    ("You are doing research, or your data is not text any pre-trained model knows",
     f"train from scratch, knowing what it costs: here {scratch_row['accuracy']:.3f} with "
     f"{scratch_row['labels']:,} labels and {scratch_row['code_lines']} lines of code; matching a pre-trained "
     "model takes pre-training compute (days of GPUs), not minutes"),
    ("Cost per prediction dominates (millions of reviews)",
     f"own the model: {PREDICTIONS:,} reviews cost {fmt_money(api['cost_for_workload_usd'])} through the API "
     f"vs {fmt_money(ft['cost_for_workload_usd'])} on this machine for the fine-tuned model"),
]
for situation, advice in guide:
    print(f"- {situation}:\n    {advice}")

# %% [markdown]
# ## 13. Record, and write the README's table
#
# The comparison is recorded like every chapter's results, and written as a Markdown table to
# `results/chapter05/comparison.md`, naming the machine, the profile, the models actually used
# (stand-ins included) and the date. `make comparison` runs this chapter in the `cpu` profile and
# copies that table into the README (`python -m course_tools.readme_table`).

# %%
from datetime import date

from helpers.results import comparison_file
from helpers.yardstick import machine_description
from helpers.llm_api import price_per_million

data_label = (f"{REVIEWS_DATASET} test" if chapter.hub.online else "Rotten Tomatoes held-out (offline kit)") + \
             f", n={len(test_texts):,}"
for approach, row in rows.items():
    record_result(chapter="05", approach=approach, task="binary sentiment, movie reviews", data=data_label,
                  model=row["model"], profile=chapter.profile, device=chapter.device, accuracy=row["accuracy"],
                  n_examples=int(row["n"]), latency_ms=row["latency_ms"], cost_usd=row["cost_for_workload_usd"] / PREDICTIONS,
                  train_seconds=row["train_seconds"], throughput=row["throughput"], labels=int(row["labels"]),
                  code_lines=int(row["code_lines"]), hub_mode=chapter.hub.name)


def cell(value, digits=0):
    return "-" if value is None or value != value else f"{value:,.{digits}f}"


price_in, price_out = price_per_million(backend.price_model)
lines = [
    f"Measured on {date.today().isoformat()} by `notebooks/05_comparing_approaches.ipynb`, profile "
    f"`{chapter.profile}`, hub {chapter.hub.name}, on {machine_description()}; "
    f"torch {chapter.versions.get('torch')}, transformers {chapter.versions.get('transformers')}.",
    "",
    f"Task: sentiment of {data_label}; API rows on its first {len(api_truth)} reviews. Money: "
    f"{backend.price_model} at ${price_in:g}/${price_out:g} per million input/output tokens (genai-prices); local "
    f"compute at ${dollars_per_hour:.2f} per hour of {chapter.device}.",
    "",
    f"| approach | model actually used | labelled examples | accuracy (95% CI) | ms per review (alone) | "
    f"reviews/s (batched) | training (s) | size (MB) | $ training + {PREDICTIONS:,} reviews | lines of code |",
    "|---|---|---:|---|---:|---:|---:|---:|---:|---:|",
]
for approach, row in sorted(rows.items(), key=lambda item: -item[1]["accuracy"]):
    lines.append(f"| {approach} | {row['model']} | {row['labels']:,} | {row['accuracy']:.3f} "
                 f"({row['low']:.3f}-{row['high']:.3f}), n={row['n']:,} | {cell(row['latency_ms'], 1)} | "
                 f"{cell(row['throughput'])} | {cell(row['train_seconds'])} | {cell(row['size_mb'], 1)} | "
                 f"{fmt_money(row['train_cost_usd'] + row['cost_for_workload_usd'])} | {row['code_lines']} |")
lines += ["", "Learning curve (accuracy by labelled examples): " + "; ".join(
    f"{name} " + ", ".join(f"{n:,}: {r['accuracy']:.3f}" for n, r in sorted(by_n.items()))
    for name, by_n in curve.items()) + ".", "", "Reading it: " + "; ".join(reading) + "."]
lines += ["", "The syllabus's comparison, regenerated from these measurements (rules in section 11 of the chapter):", "",
          "| Approach | Ease of Use | Flexibility | Cost | Computational Requirements | When to Use |",
          "|---|---|---|---|---|---|"]
lines += [f"| {family} | " + " | ".join(row[c] for c in ["Ease of Use", "Flexibility", "Cost",
                                                        "Computational Requirements", "When to Use"]) + " |"
          for family, row in regenerated.iterrows()]
notes = {}  # note -> the approaches it applies to, so a shared note is said once
for approach, row in rows.items():
    if row["note"]:
        notes.setdefault(row["note"], []).append(approach)
lines += ["", "Notes: " + "; ".join(f"{' and '.join(names)}: {note}" for note, names in notes.items()) + "."]
comparison_file().parent.mkdir(parents=True, exist_ok=True)
comparison_file().write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
print(comparison_file().read_text())
assert chapter.profile in comparison_file().read_text() and date.today().isoformat() in comparison_file().read_text()

# %% [markdown]
# ## Summary
#
# - One task, one test set, five approaches in seven variants, and every claim of the usual comparison table put
#   to a measurement: accuracy with its interval, latency, throughput, training time, size, money,
#   lines of code and labelled examples.
# - The learning curve answers the question that decides most projects: with few labels, a pre-trained
#   model fine-tuned on them learns far more than anything trained from nothing; with many, the gap
#   narrows and cheap baselines become competitive.
# - The right choice depends on your labels, your volume and your prices, so this chapter is a tool:
#   change the parameters and the data, run it again, and let the numbers decide.
#
# **Try this:** set `CPU_DOLLARS_PER_HOUR` and `GPU_DOLLARS_PER_HOUR` to your real prices and
# `PREDICTIONS` to your volume, and watch the cost plot reorder; with an OpenAI key, compare
# `OPENAI_MODEL = "gpt-4.1-mini"` and `"gpt-5-mini"`; on a Colab GPU, run `PROFILE = "gpu"` and see how the
# curve and the latencies change; replace the reviews with your own labelled CSV
# (`datasets.load_dataset("csv", ...)`, columns `text` and `label`).
