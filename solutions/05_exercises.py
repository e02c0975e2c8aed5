# %% [markdown]
# # Chapter 5 · Exercises: comparing approaches
#
# Three exercises that make you write what Chapter 5 taught: **a new approach on the yardstick**, a
# **learning curve**, and **when running your own model pays off** against paying per call; then one
# question to answer. For each exercise:
#
# 1. read what is asked, and write the function where it says `# YOUR CODE HERE` (delete the
#    `raise NotImplementedError()` line);
# 2. run its cell, then the **check** cell under it. The check calls your function on small inputs
#    whose right answers are known (made-up reviews, a pretend trainer that writes down what it was
#    given, fixed prices) and says *passed*, *not done yet*, or exactly what is wrong. It runs offline,
#    in seconds, on any CPU;
# 3. when it passes, the "try it" cell after it runs your function on Chapter 5's task: the same
#    held-out movie reviews (offline: the kit's Rotten Tomatoes, as in the chapter).
#
# *Run All* works before you begin: every check then says "not done yet". Stuck? The check's message
# is the first hint, the chapter's section named in the exercise the second, and
# `helpers/checks/chapter05.py` shows everything that is checked.

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

REVIEWS_DATASET = "stanfordnlp/imdb"   # Chapter 5's task
OPENAI_MODEL = "gpt-4.1-mini"          # whose prices the API side of exercise 5.3 uses
CPU_DOLLARS_PER_HOUR = 0.10            # what an hour of your machine costs (Chapter 5's default)
DOLLARS_PER_LABEL = 0.05               # what one labelled review costs you, if you pay people to label

# %%
import math
import time

from helpers import load_reviews, setup_chapter
from helpers.checks import chapter05 as checks, passed
from helpers.yardstick import code_lines, local_cost_usd, measure

chapter = setup_chapter("Chapter 5 · Exercises", profile=PROFILE, hub_mode=HUB_MODE, seed=SEED)
SIZES = {"smoke": dict(train=480, test=200, curve=[50, 150, 480]),
         "cpu": dict(train=4000, test=1000, curve=[100, 300, 1000, 4000]),
         "gpu": dict(train=4000, test=1000, curve=[100, 300, 1000, 4000])}[chapter.profile]

# %% [markdown]
# ## Exercise 5.1 · A new approach on the yardstick
#
# Chapter 5, sections 1 and 2: every approach ends in the same call, `measure(predict, texts, truth)`,
# where `predict` takes a list of reviews and returns a list of labels (0 negative, 1 positive). That
# is all it takes to add an approach to the comparison.
#
# Add one the chapter did not measure: **naive Bayes** on word counts, a classic of spam filters
# (`sklearn.feature_extraction.text.CountVectorizer` into `sklearn.naive_bayes.MultinomialNB`, joined
# with `sklearn.pipeline.make_pipeline`), or any other idea of yours that learns from labelled reviews.
# Write `train_my_approach`: it trains on `texts` and `labels`, and returns the `predict` function.

# %%
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline


def train_my_approach(texts, labels):
    """Train on labelled reviews; return predict(texts) -> a list of 0/1 labels, one per review."""
    ### BEGIN SOLUTION
    naive_bayes = make_pipeline(CountVectorizer(ngram_range=(1, 2)), MultinomialNB()).fit(list(texts), list(labels))

    def predict(reviews):
        return [int(label) for label in naive_bayes.predict(list(reviews))]

    return predict
    ### END SOLUTION


# %%
checks.new_approach(train_my_approach)

# %% [markdown]
# **Try it** on Chapter 5's task, next to the chapter's floor (TF-IDF + logistic regression), measured
# the same way on the same held-out reviews:

# %%
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

train_reviews = load_reviews(REVIEWS_DATASET, split="train", n=SIZES["train"], seed=SEED)
test_reviews = load_reviews(REVIEWS_DATASET, split="test", n=SIZES["test"], seed=SEED)
test_texts, truth = list(test_reviews["text"]), list(test_reviews["label"])


def train_tfidf(texts, labels):
    """Chapter 5's floor."""
    model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LogisticRegression(C=10, max_iter=1000))
    model.fit(list(texts), list(labels))
    return lambda batch: model.predict(list(batch)).tolist()


if passed("5.1"):
    for name, trainer in [("TF-IDF + logistic regression", train_tfidf), ("your approach", train_my_approach)]:
        start = time.perf_counter()
        predict = trainer(train_reviews["text"], train_reviews["label"])
        seconds = time.perf_counter() - start
        result = measure(predict, test_texts, truth, single_reviews=5)
        low, high = result["interval"]
        print(f"{name:30s} accuracy {result['accuracy']:.3f} ({low:.3f}-{high:.3f}), trained in {seconds:.1f} s, "
              f"{result['throughput']:,.0f} reviews/s, {code_lines(trainer)} lines of code")
else:
    print("Finish exercise 5.1 first; then this cell measures your approach on the real task.")

# %% [markdown] tags=["solution"]
# **Notes for teachers.** The yardstick's contract is the lesson: learners return the fitted model
# instead of a function, strings, or probabilities (the check names each). In the `smoke` profile
# (480 training reviews) naive Bayes scored 0.635 (0.566-0.699) and TF-IDF 0.685 (0.618-0.745) on the
# offline data: overlapping intervals, a good moment to ask what "better" means then.

# %% [markdown]
# ## Exercise 5.2 · A learning curve
#
# Chapter 5, section 11: how does accuracy grow with the number of labelled examples? Train on the
# first `n` reviews of a pool for each `n` in `sizes`, and score each model on the same test set.
# Taking **prefixes** of one pool (`pool.select(range(n))`) means each bigger training set only adds
# reviews to the smaller one, so the curve shows the effect of *more* data, not of *different* data.
#
# `train(texts, labels)` returns a `predict` function, as in exercise 5.1.

# %%
def learning_curve(train, pool, test_texts, test_labels, sizes):
    """{n: test accuracy} after training on the first n reviews of `pool` (a Dataset with text and
    label), for each n in `sizes`, each scored on all of `test_texts`."""
    ### BEGIN SOLUTION
    curve = {}
    for n in sizes:
        part = pool.select(range(n))
        predict = train(part["text"], part["label"])
        predicted = predict(list(test_texts))
        curve[n] = sum(int(p == t) for p, t in zip(predicted, test_labels)) / len(test_labels)
    return curve
    ### END SOLUTION


# %%
checks.learning_curve(learning_curve)

# %% [markdown]
# **Try it**: the curves of the floor and of your approach on the real task. Where do they cross?

# %%
if passed("5.1", "5.2"):
    for name, trainer in [("TF-IDF + logistic regression", train_tfidf), ("your approach", train_my_approach)]:
        curve = learning_curve(trainer, train_reviews, test_texts, truth, SIZES["curve"])
        print(f"{name:30s} " + ", ".join(f"{n:,}: {accuracy:.3f}" for n, accuracy in curve.items()))
else:
    print("Finish exercises 5.1 and 5.2 first; then this cell draws both learning curves.")

# %% [markdown] tags=["solution"]
# **Notes for teachers.** Shuffling the pool for every size (different data each time), training on
# `pool[:n]` but passing labels from elsewhere, and scoring on the training reviews are the usual
# slips; the pretend trainer catches the first two.

# %% [markdown]
# ## Exercise 5.3 · When does running your own model pay off?
#
# Chapter 5, sections 9 and 13: an API costs money per review and nothing up front; a model of your
# own costs something up front (training time, and the labels it needs) and little per review. Past
# some number of reviews, your own model is cheaper. Write `reviews_to_break_even`: the **fewest**
# reviews for which the local total (`local_fixed + n * local_per_review`) is **strictly** less than
# the API's (`n * api_per_review`), or `None` when that never happens.

# %%
def reviews_to_break_even(api_per_review, local_per_review, local_fixed):
    """The fewest reviews n for which local_fixed + n * local_per_review < n * api_per_review; None if never."""
    ### BEGIN SOLUTION
    saving = api_per_review - local_per_review
    if saving <= 0:
        return None
    return math.floor(local_fixed / saving) + 1
    ### END SOLUTION


# %%
checks.break_even(reviews_to_break_even)

# %% [markdown]
# **Try it** with real prices: the API at `OPENAI_MODEL`'s rates (from the maintained price table), for
# Chapter 1's zero-shot prompt; your approach from exercise 5.1 at `CPU_DOLLARS_PER_HOUR`. Then count
# what the labels cost, which is often most of the bill.

# %%
from helpers.llm_api import count_message_tokens, estimate_cost, sentiment_messages

if passed("5.1", "5.3"):
    tokens_in = sum(count_message_tokens(sentiment_messages(t), OPENAI_MODEL) for t in test_texts) / len(test_texts)
    api_per_review = float(estimate_cost(OPENAI_MODEL, round(tokens_in * 1000), 1000)) / 1000  # one word out
    start = time.perf_counter()
    predict = train_my_approach(train_reviews["text"], train_reviews["label"])
    train_seconds = time.perf_counter() - start
    throughput = measure(predict, test_texts, truth, single_reviews=0)["throughput"]
    local_per_review = local_cost_usd(1 / throughput, CPU_DOLLARS_PER_HOUR)
    print(f"API ({OPENAI_MODEL}): ${api_per_review:.7f} per review ({tokens_in:.0f} tokens in, 1 out)")
    print(f"yours: ${local_per_review:.10f} per review, trained in {train_seconds:.1f} s")
    for what, fixed in [("machine time only", local_cost_usd(train_seconds, CPU_DOLLARS_PER_HOUR)),
                        (f"and {len(train_reviews):,} labels at ${DOLLARS_PER_LABEL}", local_cost_usd(
                            train_seconds, CPU_DOLLARS_PER_HOUR) + len(train_reviews) * DOLLARS_PER_LABEL)]:
        n = reviews_to_break_even(api_per_review, local_per_review, fixed)
        print(f"up front ${fixed:,.4f} ({what}): yours is cheaper from review number {n:,} on" if n else
              f"up front ${fixed:,.4f} ({what}): yours is never cheaper")
else:
    print("Finish exercises 5.1 and 5.3 first; then this cell prices both sides.")

# %% [markdown] tags=["solution"]
# **Notes for teachers.** `math.ceil(local_fixed / saving)` is the near miss: right except when the
# division is exact, where the two totals are equal (the check has that case). Forgetting the `None`
# case divides by zero or returns a negative count. The "try it" numbers are the discussion: machine
# time alone pays off almost at once; paying for labels moves the break-even point by orders of magnitude,
# which is Chapter 5's case for zero-shot APIs when you have no labels.

# %% [markdown]
# ## Question 5.4 · Is the gap real?
#
# Two approaches are scored on the same 1,000 test reviews: 0.86 (95% interval 0.84-0.88) and 0.88
# (0.86-0.90). The intervals overlap. What does Chapter 5 do to decide whether the second is better?
#
# - **a)** nothing more: overlapping intervals mean the two are equally good;
# - **b)** nothing more: 0.88 is higher, so the second is better;
# - **c)** a paired test, on the reviews where exactly one of the two is right;
# - **d)** trains both again with other seeds and keeps each one's best run.
#
# Set `answer_5_4` to the letter of your answer, then run the check: a wrong letter is told where to reread,
# the right one why it is right.

# %%
answer_5_4 = None  # your answer: "a", "b", "c" or "d"

# %% tags=["solution"]
answer_5_4 = "c"

# %%
checks.question_5_4(answer_5_4)
