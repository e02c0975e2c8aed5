# %% [markdown]
# # Chapter 1 · Calling a hosted model through the OpenAI API
#
# The course teaches four ways to work with transformer models, from least to most control:
#
# | | approach | you control | chapter |
# |---|---|---|---|
# | **1** | **call a hosted model through an API** | **the prompt** | **this one** |
# | 2 | run a pre-trained model on your own machine | where and how it runs | 2 |
# | 3 | fine-tune a pre-trained model on your data | the weights, for your task | 3 |
# | 4 | train a model from scratch | everything | 4 |
#
# Here someone else trained the model *and* runs it: you send text over HTTP and get text back, with
# the official `openai` Python client. The code you write in this chapter is the code you would ship.
# You will:
#
# 1. keep an API key safe: find it, never show it;
# 2. connect to the hosted API (or a local stand-in) and make a first call with the **Responses API** and
#    with **Chat Completions**; stream answers as they are written;
# 3. count tokens *before* sending, read the usage the server returns, and turn both into money;
# 4. use it for **creative text generation**: temperature, `top_p`, instructions against input;
# 5. build a **customer-support chatbot** grounded in an FAQ, and get **structured output** into a Pydantic model;
# 6. **summarize** reviews, to a length and past the context window;
# 7. generate **code**, and test it before trusting it;
# 8. measure zero-shot and few-shot sentiment classification (accuracy, latency, tokens, cost) for Chapter 5;
# 9. set the trade-offs of this approach next to what you saw.
#
# A bonus notebook beside this one, `01b_in_production.ipynb`, adds what code that ships needs:
# failures handled (rate limits retried, a bad key, an unknown model, a server down, a time-out), a
# cache on disk, OpenAI's two discounts, and this chapter's FAQ searched by meaning with embeddings.
#
# **With a key, your own server, or neither.** With an OpenAI key (see "Keys" below) every cell
# calls OpenAI's hosted models, for a few cents. With `OPENAI_BASE_URL` set, the same cells call any
# OpenAI-compatible server instead: Ollama, vLLM, LM Studio, your own `transformers serve`, or
# another provider (section 2 says how). With neither, or offline, they call a local server that the
# chapter starts itself (`transformers serve`, Hugging Face's own) running a 135M-parameter chat
# model from the course's offline kit. Every answer says which server produced it. OpenAI publishes
# no sizes for its current models; GPT-3, the last whose size it published, has 175 billion
# parameters, 1,300 times the stand-in's. Judge the code by the stand-in, not the answers.
#
# **Run time** (Run All): `smoke` about 2 minutes on a laptop CPU without a key; with a key, seconds
# per call. The README's chapter table has the measured figures.

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

OPENAI_MODEL = "gpt-4.1-mini"     # the hosted model (a non-reasoning one, see section 2); with OPENAI_BASE_URL: one your server serves
PRICE_MODELS = ["gpt-4.1-mini", "gpt-4o-mini", "gpt-5-mini"]  # compared in the cost estimates
LOCAL_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"  # the local stand-in, served by `transformers serve`
USE_LOCAL_SERVER = "auto"         # "auto": local when no endpoint can be used (no key, no network); True: always; False: never
USE_CACHE = "auto"                # "auto": cache answers on disk when they cost money (the hosted API)
REVIEWS_DATASET = "stanfordnlp/imdb"  # the course's shared sentiment task

# %%
from helpers import load_reviews, record_result, setup_chapter

chapter = setup_chapter("Chapter 1 · Calling a hosted model through the OpenAI API",
                        profile=PROFILE, hub_mode=HUB_MODE, seed=SEED)

# How much work each profile does. Only these sizes change between profiles.
# Answers are short on purpose: the local stand-in writes ~15 tokens per second on a laptop CPU.
SIZES = {
    "smoke": dict(new_tokens=32, temperatures=[0.2, 1.3], summary_reviews=6, map_chunks=2,
                  code_attempts=2, eval_reviews=12, few_shot=2),
    "cpu": dict(new_tokens=120, temperatures=[0.2, 0.8, 1.3], summary_reviews=16, map_chunks=3,
                code_attempts=3, eval_reviews=100, few_shot=4),
    "gpu": dict(new_tokens=200, temperatures=[0.2, 0.8, 1.3], summary_reviews=30, map_chunks=4,
                code_attempts=3, eval_reviews=500, few_shot=4),
}[chapter.profile]
print("sizes:", SIZES)

# %% [markdown]
# The table above as a picture: this chapter's approach is highlighted, on the left, where you control
# the least and need the least. Read each column down for what you control, then what data and
# compute you need; every step to the right gives you more say and asks for more of both.

# %%
import matplotlib.pyplot as plt
from helpers.diagrams import approaches_diagram

approaches_diagram(current=1)
plt.show()

# %% [markdown]
# ## 1. Keys: find one, never show it
#
# An API key is a password that spends money. It belongs in the environment, never in the notebook:
# outputs and code cells get saved, shared and committed. `resolve_api_key()` looks, in order, at
#
# 1. the environment variable `OPENAI_API_KEY` (`export OPENAI_API_KEY=...` before starting Jupyter);
# 2. a `.env` file next to the notebook or at the course's root, with a line `OPENAI_API_KEY=...`
#    (the course's `.gitignore` already lists `.env`, so git will not pick it up);
# 3. a **Colab secret** named `OPENAI_API_KEY` (the key icon in Colab's left bar; allow this notebook access);
# 4. a hidden prompt, when you run the notebook by hand (it is skipped under the test harness).
#
# Get a key at https://platform.openai.com/api-keys. If a key is ever printed, pasted in a
# chat or committed, **revoke it** on that same page (the key's menu > Revoke) and make a new one:
# bots scan public repositories for keys within minutes.

# %%
from helpers.llm_api import resolve_api_key

key = resolve_api_key()
print("key:", key)  # prints where it came from, never the key itself
assert key is None or key.reveal() not in repr(key)

# %% [markdown]
# ## 2. Connect: the hosted API, or the local stand-in
#
# `connect()` makes the chapter's one decision, and says which way it went and why:
#
# - **a key, and OpenAI answers**: `OpenAI(api_key=key)`, calling `https://api.openai.com/v1`;
# - **`OPENAI_BASE_URL` is set, and that server answers**: `OpenAI(api_key=key, base_url=OPENAI_BASE_URL)`,
#   for any OpenAI-compatible server. The `openai` client itself reads this variable; the course reads
#   it too, so that the check, the labels and the prices are about the server that really answers.
#   For example, with [Ollama](https://ollama.com) on your laptop (`ollama pull llama3.2`):
#   `export OPENAI_BASE_URL=http://localhost:11434/v1` before starting Jupyter, and set
#   `OPENAI_MODEL = "llama3.2"` below (no key needed: a placeholder is sent). vLLM
#   (`vllm serve <model> --api-key <key>`: `http://localhost:8000/v1`), LM Studio
#   (`http://localhost:1234/v1`) and `transformers serve <model>` (`http://localhost:8000/v1`) work the
#   same way. The banner lists the models your server offers when `OPENAI_MODEL` is not one of them.
#   Your server's prices are not OpenAI's, so costs are shown as unknown, next to what the same tokens
#   would cost on `gpt-4.1-mini`;
# - **otherwise** (no key, no network, or the key was rejected): it starts `transformers serve` on this
#   machine (a real OpenAI-compatible HTTP server, in a separate process whose logs go to a file),
#   waits until its `/health` endpoint answers, and builds `OpenAI(base_url="http://127.0.0.1:<port>/v1", ...)`.
#
# A key the server rejects (401) is said here, once, instead of failing in every cell. A server that
# checks no key accepts any, so there is nothing to say (the bonus notebook `01b_in_production` shows
# which kind yours is). From here on, every cell is the same code for all three.

# %%
from helpers.llm_api import connect

backend = connect(OPENAI_MODEL, LOCAL_MODEL, use_local=USE_LOCAL_SERVER, key=key)
print("answers come from:", backend.label)
print("because:", backend.reason)

# %% [markdown]
# `connect()` decided *which* server answers. The client for it is one call, the same for every
# server. For OpenAI's API, `OpenAI(api_key=...)` alone is enough (`base_url` defaults to
# `https://api.openai.com/v1`); for any other server, add its `base_url`. This is the client every
# cell below uses:

# %%
from openai import OpenAI

client = OpenAI(
    api_key=key.reveal() if key else "not-needed",  # sent as "Authorization: Bearer ..."; local servers ignore it
    base_url=backend.base_url,                      # OpenAI's, your OPENAI_BASE_URL, or the local stand-in's
    http_client=backend.http_client(),              # None for OpenAI; for other servers, a small quirk fix
    timeout=60,                                     # seconds before giving up on one request
    max_retries=2,                                  # time-outs, 429 and 5xx are retried with backoff
)
MODEL = backend.model
print("client for", client.base_url, "model", MODEL)

# %% [markdown]
# **Reasoning models** (the `gpt-5` family, `o3`, `o4-mini`) think in hidden output tokens, billed as
# output, before they answer, and accept only the default temperature. Under this chapter's small
# output caps (32 tokens in the smoke profile) they can think through the whole budget and answer
# nothing: raise the caps to a few hundred tokens and lower the effort (`reasoning={"effort": "minimal"}`
# for the `gpt-5` family, `"low"` for `o3` and `o4-mini`; `reasoning_effort=` in Chat Completions).
# The chapter keeps to non-reasoning models; their prices still appear in section 3.

# %% [markdown]
# ### A first call, with the Responses API
#
# `client.responses.create` is OpenAI's current API. `instructions` are the developer's rules
# (the *system* message); `input` is what the user said. `max_output_tokens` caps the answer's
# length, and so its cost. `store=False` asks OpenAI not to store the response for later retrieval
# (by default it is kept for 30 days, so that later calls can refer to it): store nothing you did not
# mean to. It does not stop OpenAI keeping requests for abuse monitoring (up to 30 days); only an
# organisation approved for Zero Data Retention avoids that.

# %%
import time

start = time.perf_counter()
response = client.responses.create(
    model=MODEL,
    instructions="You are a concise assistant. Answer in one sentence.",
    input="What is the capital of France?",
    max_output_tokens=SIZES["new_tokens"],
    store=False,
)
seconds = time.perf_counter() - start
backend.show(response.output_text, "Q: What is the capital of France?")
print(f"{seconds:.1f} s; usage: {response.usage.input_tokens} tokens in, {response.usage.output_tokens} out")
assert response.output_text.strip(), "the model returned an empty answer"

# %% [markdown]
# ### The same call with Chat Completions
#
# Chat Completions is the older API, and the one nearly every other server speaks (vLLM, Ollama,
# llama.cpp, `transformers serve`, most hosted providers): a list of `messages`, each with a `role`.
# Learn both; you will meet both.

# %%
completion = client.chat.completions.create(
    model=MODEL,
    messages=[{"role": "system", "content": "You are a concise assistant. Answer in one sentence."},
              {"role": "user", "content": "What is the capital of France?"}],
    max_completion_tokens=SIZES["new_tokens"],
)
backend.show(completion.choices[0].message.content, "Q: What is the capital of France? (Chat Completions)")
print(f"usage: {completion.usage.prompt_tokens} tokens in, {completion.usage.completion_tokens} out; "
      f"finish_reason: {completion.choices[0].finish_reason!r}")

# %% [markdown]
# `finish_reason` is `"stop"` when the model finished, `"length"` when it hit the token cap
# mid-sentence: check it before trusting an answer to be complete.
#
# ### Streaming: show the answer as it is written
#
# With `stream=True` the server sends the answer piece by piece, so a user sees text after a
# fraction of a second instead of waiting for the whole answer. The Responses API sends typed
# *events*; the text arrives in `response.output_text.delta` events, and the last event carries the usage.

# %%
from IPython.display import Pretty, display

start, first_piece, pieces, usage = time.perf_counter(), None, [], None
stream = client.responses.create(model=MODEL, input="Name three colours of the rainbow.",
                                 max_output_tokens=SIZES["new_tokens"], store=False, stream=True)
print(backend.label)
# One output, rewritten as each piece arrives: printing every piece would save (and show on the
# website) one output block per piece.
shown = display(Pretty(""), display_id=True)
for event in stream:
    if event.type == "response.output_text.delta":
        first_piece = first_piece or time.perf_counter() - start
        pieces.append(event.delta)
        shown.update(Pretty("".join(pieces)))
    elif event.type == "response.completed":
        usage = event.response.usage  # OpenAI always sends it; a server may leave it out
total = time.perf_counter() - start
assert pieces, "nothing was streamed"
print(f"\nfirst text after {first_piece:.2f} s, whole answer after {total:.2f} s; "
      + (f"{usage.output_tokens} tokens out" if usage else "this server reported no token count"))

# %% [markdown]
# With Chat Completions the loop is `for chunk in client.chat.completions.create(..., stream=True,
# stream_options={"include_usage": True})` and the text is in `chunk.choices[0].delta.content`;
# the usage arrives in the last chunk, and only when asked for.
#
# ## 3. Tokens and money
#
# Models read and write **tokens**, pieces of words, and providers bill per token: input and output
# at different prices. `tiktoken` is OpenAI's tokenizer, and it runs on your machine: count before
# you send. (Offline, the course points tiktoken at the kit's copy of its encoding files.)

# %%
# NBVAL_CHECK_OUTPUT
from helpers.llm_api import count_message_tokens, count_tokens, encoding_for

sentence = "Tokenization splits unbelievably long words into pieces."
encoding = encoding_for("gpt-4.1-mini")
ids = encoding.encode(sentence)
print(f"{encoding.name}: {len(ids)} tokens")
print([encoding.decode([i]) for i in ids])
messages = [{"role": "system", "content": "You are a concise assistant."},
            {"role": "user", "content": sentence}]
print("a chat request with it, estimated:", count_message_tokens(messages, "gpt-4.1-mini"), "input tokens")

# %% [markdown]
# Prices change, so the course does not type them into the notebook: `genai-prices` is a maintained
# table of model prices (update the package to refresh it). Here is what a fixed call of 1,200
# tokens in and 300 out costs on three OpenAI models, computed exactly:

# %%
from helpers.llm_api import estimate_cost, price_per_million

# Prices come from genai-prices' maintained table, so they change when it is updated; the
# arithmetic does not: tokens times the price per million, for input and output separately.
for name in PRICE_MODELS:
    price_in, price_out = price_per_million(name)
    cost = estimate_cost(name, input_tokens=1200, output_tokens=300)
    print(f"{name:<14} ${price_in:.2f} in / ${price_out:.2f} out per million tokens -> "
          f"1,200 in + 300 out = ${cost:.6f}")
    assert abs(float(cost) - (1200 * price_in + 300 * price_out) / 1e6) < 1e-12  # cost is a Decimal

# %% [markdown]
# For a reasoning model (`gpt-5-mini` here) the 300 tokens out are its answer only: its hidden
# reasoning tokens are billed as output too.
#
# The server's own count is in `response.usage` (reasoning tokens included, in `output_tokens`), and
# that is what you are billed for. `cost_of` prices it: $0 on the local stand-in, unknown on your own
# endpoint (the table knows only OpenAI's prices), and the second figure says what the same tokens
# would have cost on a hosted OpenAI model.

# %%
from helpers.llm_api import cost_of, money

paid, would_be = cost_of(response, backend)
print(f"first call: {response.usage.input_tokens} in + {response.usage.output_tokens} out tokens "
      f"-> paid {money(paid)}; on {backend.price_model} it costs {money(would_be)}")
print("tiktoken's estimate of the same input:",
      count_message_tokens([{"role": "system", "content": "You are a concise assistant. Answer in one sentence."},
                            {"role": "user", "content": "What is the capital of France?"}], OPENAI_MODEL),
      "tokens (the server adds its own framing, and the local model has its own tokenizer)")

# %% [markdown]
# One call costs a fraction of a cent. A workload is many calls: what would a support chatbot
# answering 50,000 questions a month cost, at ~800 tokens in (instructions, FAQ excerpts, history) and
# ~150 out per answer?

# %%
import matplotlib.pyplot as plt

monthly = {name: float(estimate_cost(name, 800 * 50_000, 150 * 50_000)) for name in PRICE_MODELS}
thinks = {name: name.startswith(("gpt-5", "o1", "o3", "o4")) for name in PRICE_MODELS}  # reasoning models
fig, ax = plt.subplots(figsize=(6, 2.6))
ax.barh(list(monthly), list(monthly.values()), color=["tab:gray" if thinks[n] else "tab:blue" for n in monthly])
for i, (name, value) in enumerate(monthly.items()):
    ax.text(value, i, f" ${value:,.0f}" + (" + its reasoning tokens" if thinks[name] else ""), va="center")
ax.set_xlabel("US dollars per month (grey: a reasoning model, whose thinking is extra)")
ax.set_title("50,000 support answers a month (800 tokens in, 150 out each)")
ax.set_xlim(0, max(monthly.values()) * 1.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# Pay-per-use is cheap to start and grows with the traffic. The grey bar is a floor: count a reasoning
# model's thinking on your own requests (`usage.output_tokens_details.reasoning_tokens`). Chapter 5
# sets these figures next to running a model yourself; the bonus notebook `01b_in_production` prices
# two discounts, prompt caching and the Batch API.

# %% [markdown]
# ## 4. Use case: creative text generation
#
# **Temperature** and **top_p** control how the next token is picked. At low temperature the model
# almost always takes the most likely token: focused, repetitive, nearly the same every run. At high
# temperature less likely tokens get a chance: more varied, and eventually incoherent. `top_p`
# keeps only the most likely tokens whose probabilities add up to p, cutting off the unlikely tail.
# Same prompt, several settings, side by side:

# %%
from collections import Counter

import pandas as pd

from helpers.progress import progress_bar  # tqdm, whose saved output shows where the bar ended

prompt = "Write the opening line of a story about a lighthouse keeper who finds a message in a bottle."
settings = [dict(temperature=t, top_p=1.0) for t in SIZES["temperatures"]] + [dict(temperature=1.3, top_p=0.5)]
if not backend.supports_temperature:
    print(f"{MODEL} accepts only the default temperature: the answers differ only by chance.")
rows = []
for options in progress_bar(settings, desc="sampling"):
    reply = client.responses.create(model=MODEL, input=prompt, max_output_tokens=SIZES["new_tokens"],
                                    store=False, **backend.sampling(**options))
    rows.append({**options, "opening line": reply.output_text.strip()})

def repeated_phrase(text, n=3):
    """The three-word phrase that comes back most often, when one does: the sign of a loop."""
    tokens = [word.strip(".,;:!?\"'") for word in text.lower().split()]
    counts = Counter(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    phrase, times = max(counts.items(), key=lambda item: item[1], default=("", 0))
    return f"'{phrase}' x{times}" if times > 1 else ""

creative = pd.DataFrame(rows)
creative["repeats"] = creative["opening line"].map(repeated_phrase)
print(backend.label)
with pd.option_context("display.max_colwidth", 200):
    display(creative)
assert all(creative["opening line"].str.len() > 0), "a setting produced no text"

# %% [markdown]
# What a hosted model wrote for the same request, when one was stored (`make reference-answers`,
# run by a maintainer with a key; the answer is that run's, not yours):

# %%
from helpers.llm_api import show_reference

show_reference("creative")

# %% [markdown]
# Read across the rows: at a low temperature the model takes the likeliest words, so the line is
# predictable, and a small model easily falls into a loop (`repeats` shows a three-word phrase that
# comes back); the high-temperature one takes risks, and cutting the tail with `top_p=0.5` reins a
# high temperature back in. For creative work
# try 0.7-1.0; for extraction, classification and code use a low temperature (or the default, for
# models that accept only that).
#
# **Instructions versus input.** The `instructions` (system message) set the rules and the voice;
# the `input` is the user's request. The same request under two sets of instructions:

# %%
request = "Describe a rainy afternoon."
for rules in ["You are a poet. Answer in two short lines of verse.",
              "You are a weather service. Answer in one factual sentence."]:
    reply = client.responses.create(model=MODEL, instructions=rules, input=request,
                                    max_output_tokens=SIZES["new_tokens"], store=False)
    backend.show(reply.output_text, f"instructions: {rules!r}")
show_reference("poet", quiet=True)  # quiet: nothing when none was stored (the creative one said so)
show_reference("weather service", quiet=True)

# %% [markdown]
# Users can type anything into `input`, including "ignore your instructions". Keep rules in
# `instructions`, never paste untrusted text into them, and do not rely on instructions alone for
# anything that matters: check outputs in code too (the chatbot below does).
#
# ## 5. Use case: a customer-support chatbot
#
# A support bot needs three things an API call alone does not give it:
#
# - **state**: the API remembers nothing between calls, so the bot resends the conversation so far
#   each turn (the history is a plain Python list);
# - **grounding**: the answers must come from *your* documentation, not the model's imagination.
#   Here the knowledge base is the FAQ of a fictional kettle, `data/support_faq.md`; each turn the bot
#   picks the FAQ entries that share the most words with the question and puts them in the instructions;
# - **staying on topic**: instructions say to refuse anything else, and code refuses without calling
#   the model when no FAQ entry matches at all (cheaper, and reliable even with a weak model).

# %%
import re

from helpers.paths import REPO_ROOT

faq_text = (REPO_ROOT / "data" / "support_faq.md").read_text(encoding="utf-8")
faq = {}  # question -> answer
for block in faq_text.split("\n## ")[1:]:
    question, _, answer = block.partition("\n")
    faq[question.strip()] = " ".join(answer.split())
print(f"{len(faq)} FAQ entries, {count_tokens(faq_text, OPENAI_MODEL)} tokens in all; for example:")
print(" -", "\n - ".join(list(faq)[:3]))

STOPWORDS = set("what does that this with your have from will when where which there about could would "
                "should please keep keeps mean near".split())

def words(text):
    """Content words: 4+ letters, minus common ones, so "what" or "the" never count as a match."""
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) >= 4 and w not in STOPWORDS}

def relevant_entries(question, k=2):
    """The k FAQ entries sharing most words with the question (a tiny keyword retriever)."""
    scored = sorted(((len(words(question) & words(q + " " + a)), q) for q, a in faq.items()), reverse=True)
    return [(q, faq[q]) for score, q in scored[:k] if score > 0]

# The same FAQ and retriever as helpers.llm_api.faq, which the bonus notebook 01b reuses: checked equal.
from helpers.llm_api import faq as faq_helper
assert faq == faq_helper.read_faq() and STOPWORDS == faq_helper.STOPWORDS
assert all(relevant_entries(q) == faq_helper.relevant_entries(faq, q) for q in [*faq, "Where is my refund?"])


# %%
RULES = ("You are the support assistant of Kettlewise, maker of the K2 smart kettle. "
         "Answer only from the FAQ excerpts below, in at most two sentences. "
         "If they do not answer the question, say you can only help with the K2 kettle "
         "and suggest emailing help@kettlewise.example.")
REFUSAL = "Sorry, I can only help with the Kettlewise K2 kettle. For anything else, please email help@kettlewise.example."

class SupportBot:
    """A multi-turn support chat: the history is resent each turn, grounded in the FAQ."""

    def __init__(self, client, model, max_tokens):
        self.client, self.model, self.max_tokens = client, model, max_tokens
        self.history = []  # the conversation so far: the API keeps no state for us

    def ask(self, question):
        entries = relevant_entries(question)  # grounding: the FAQ entries this question is about
        if not entries:
            answer, grounded = REFUSAL, False  # off topic: refuse in code, no call, no cost
        else:
            excerpts = "\n".join(f"Q: {q}\nA: {a}" for q, a in entries)
            reply = self.client.chat.completions.create(
                model=self.model, max_completion_tokens=self.max_tokens,
                messages=[{"role": "system", "content": f"{RULES}\n\nFAQ excerpts:\n{excerpts}"},
                          *self.history[-6:],  # the last three exchanges are enough context
                          {"role": "user", "content": question}])
            answer, grounded = reply.choices[0].message.content.strip(), True
        self.history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
        return answer, grounded


# %%
def words_not_in_sources(answer, question):
    """The answer's content words found in none of the rules, the FAQ excerpts and the question: a
    rough grounding check (a paraphrase trips it too), but an invented detail usually shows up here."""
    sources = " ".join([RULES, question, *(q + " " + a for q, a in relevant_entries(question))])
    known = {w.rstrip("s") for w in words(sources)} | STOPWORDS
    return sorted(w for w in words(answer) if w.rstrip("s") not in known)  # "means" counts as "mean"

bot = SupportBot(client, MODEL, max_tokens=SIZES["new_tokens"])
script = ["My kettle's light keeps blinking red. What does that mean?",
          "Does the warranty cover a broken glass jug?",
          "Can you recommend a good pizza place near me?"]
print(backend.label, "\n")
for question in script:
    answer, grounded = bot.ask(question)
    # Say what was checked, not what we hoped: FAQ excerpts were sent, and whether the answer kept to them.
    extra = words_not_in_sources(answer, question) if grounded else []
    note = ("refused in code, no API call" if not grounded else
            "FAQ excerpts sent; grounding check passed: every content word is in the rules, excerpts or question"
            if not extra else f"FAQ excerpts sent; grounding check failed, in none of the rules, excerpts and question: "
                              f"{', '.join(extra[:8])}")
    print(f"customer: {question}\nbot     : {answer}\n          ({note})\n")

assert len(bot.history) == 2 * len(script), "the conversation state was not kept"
assert bot.history[-1]["content"] == REFUSAL, "the off-topic question was not refused"

# %% [markdown]
# Judge the bot's *behaviour* here (state kept, grounding passed in, the refusal) rather than its
# wording: with the local stand-in the wording is weak; with a hosted model it answers from the
# excerpts. The grounding check compares words, not meaning: a failed check says which words to read
# against the FAQ, and a passed one does not prove the answer right. Real systems replace the keyword retriever with embeddings (the bonus notebook `01b_in_production` does)
# and log conversations to find the questions the FAQ does not cover.
#
# Talk to the bot yourself: run the next cell by hand (an empty line stops it; the tests skip it).

# %%
from helpers.llm_api import can_prompt

if can_prompt():
    print("Ask the Kettlewise bot (empty line to stop).", backend.label)
    while question := input("you: ").strip():
        print("bot:", bot.ask(question)[0])
else:
    print("Not interactive (e.g. under the test harness): skipping the chat loop.")

# %% [markdown]
# ### From a base model to a chat model
#
# The `messages` list is not what the model reads. A language model reads one stream of tokens, so
# the server first writes the conversation out as text with the model's **chat template**: special
# tokens mark where each turn starts and ends and whose turn it is, and the text ends by opening an
# assistant turn for the model to continue. The local stand-in's tokenizer carries its template, so
# here is the bot's first exchange and its next question as SmolLM2 reads them (OpenAI does the same
# with a template of its own, which it does not publish):

# %%
from transformers import AutoTokenizer

from helpers import resolve_model

chat_tokenizer = AutoTokenizer.from_pretrained(resolve_model(LOCAL_MODEL))  # the kit's copy offline
chat = [{"role": "system", "content": "You are the support assistant of Kettlewise."},
        *bot.history[:2], {"role": "user", "content": script[1]}]
rendered = chat_tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
print(rendered)
closed = chat_tokenizer.apply_chat_template(chat, tokenize=False)  # without the opened assistant turn
print("add_generation_prompt=True adds:", repr(rendered[len(closed):]))
print("special tokens:", chat_tokenizer.all_special_tokens)
assert rendered.startswith(closed) and all(m["content"] in rendered for m in chat)

# %% [markdown]
# A **base model**, like the one you will train in Chapter 4, only continues text: given a question
# it may just as well write three more questions. Two more rounds of training turn it into the chat
# model an API serves. **Instruction tuning** (supervised fine-tuning, SFT) trains it on
# conversations written in this very template, usually with the loss on the assistant's tokens only,
# so it learns to answer after `<|im_start|>assistant` and to stop with `<|im_end|>`. **Preference
# tuning** then trains it on pairs of answers to the same prompt, one preferred over the other: RLHF
# fits a reward model to those preferences and optimizes against it by reinforcement learning; DPO
# (direct preference optimization) learns from the pairs directly. SmolLM2-135M-Instruct was made from
# the base SmolLM2-135M by exactly these two steps: SFT, then DPO on UltraFeedback's pairs (its model card).

# %% [markdown]
# ### Structured output: fill a Pydantic model
#
# Software downstream wants fields, not prose. With `client.responses.parse(..., text_format=Model)`
# OpenAI constrains the model to produce JSON matching your Pydantic class and hands back an instance.
# Not every server supports this (the local `transformers serve` ignores the schema), so the code
# checks, and falls back to asking for JSON and validating it:

# %%
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from helpers.llm_api import extract_json

class Ticket(BaseModel):
    category: Literal["heating", "wifi", "warranty", "returns", "other"]
    urgent: bool
    summary: str = Field(description="one short sentence")

email = "Hi, my K2 stopped heating this morning and I have guests tonight. It's 3 months old. Help!"
triage = "Triage this customer email into the ticket fields."
try:
    parsed = client.responses.parse(model=MODEL, instructions=triage, input=email, text_format=Ticket,
                                    max_output_tokens=SIZES["new_tokens"] + 20, store=False)
    ticket, raw = parsed.output_parsed, parsed.output_text
except ValidationError as error:  # the server ignored the schema and wrote free text
    raw = error.errors()[0].get("input", "")
    try:
        ticket = Ticket.model_validate_json(extract_json(raw) or "")
    except ValidationError:
        ticket = None
backend.show(raw, "raw answer:")
print("parsed:", repr(ticket) if ticket else "no valid Ticket (expected from a 135M model that ignores the schema)")
if backend.kind == "openai":  # OpenAI enforces the schema; other servers may ignore it
    assert isinstance(ticket, Ticket), "the hosted API should return a valid Ticket"

# %% [markdown]
# ## 6. Use case: summarization
#
# A summary is the model's bread and butter. Length is controlled in two ways: **ask** for a length
# ("in at most 25 words": a request the model may or may not keep, so count) and **cap** it with
# `max_output_tokens` (a hard limit that may cut mid-sentence). Our document: critics' reviews from the course's shared
# movie-review data, joined together.

# %%
reviews = load_reviews(REVIEWS_DATASET, split="test", n=SIZES["summary_reviews"], seed=SEED)
document = "\n".join(f"- {text}" for text in reviews["text"])
print(f"{len(reviews)} reviews, {len(document):,} characters, {count_tokens(document, OPENAI_MODEL)} tokens")

def summarize(text, words, max_tokens):
    reply = client.responses.create(
        model=MODEL, store=False, max_output_tokens=max_tokens,
        instructions=f"Summarize what these movie reviews say, in at most {words} words.", input=text)
    return reply.output_text.strip()

first_chunk = document[:1500]  # the first reviews, for the length comparison
kept = []
for words_asked in (10, 30):
    summary = summarize(first_chunk, words_asked, max_tokens=SIZES["new_tokens"])
    backend.show(summary, f"asked for <= {words_asked} words, got {len(summary.split())}:")
    kept.append(len(summary.split()) <= words_asked)
print(f"the length asked for was kept {sum(kept)} time(s) out of {len(kept)}; an answer that stops mid-word "
      "hit the max_output_tokens cap. Small models also tend to loop, repeating a phrase: a sign of the model, "
      "not of your code.")


# %% [markdown]
# **Too long for one call.** Every model has a context window (how many tokens one call can read),
# and long inputs cost more and are read less carefully. The classic fix is *map-reduce*: split the
# document into chunks that fit, summarize each (map), then summarize the summaries (reduce). We split
# on token counts with tiktoken, at review boundaries, with a deliberately small budget (the
# document's tokens divided by `SIZES["map_chunks"]`) so that the split happens even on this short document:

# %%
def split_by_tokens(lines, budget, model):
    """Group lines into chunks of at most `budget` tokens (a single longer line gets its own chunk)."""
    chunks, current, used = [], [], 0
    for line in lines:
        n = count_tokens(line, model)
        if current and used + n > budget:
            chunks.append("\n".join(current))
            current, used = [], 0
        current.append(line)
        used += n
    return chunks + (["\n".join(current)] if current else [])

budget = count_tokens(document, OPENAI_MODEL) // SIZES["map_chunks"] + 1  # pretend the context is this small
chunks = split_by_tokens(document.splitlines(), budget, OPENAI_MODEL)
print(f"{len(chunks)} chunks of <= {budget} tokens:",
      [count_tokens(c, OPENAI_MODEL) for c in chunks])
partial = [summarize(chunk, 25, SIZES["new_tokens"]) for chunk in progress_bar(chunks, desc="map: summarize chunks")]
final = summarize("\n".join(f"- {p.lstrip('- ')}" for p in partial), 40, SIZES["new_tokens"])
backend.show(final, "reduce: summary of the summaries")
assert len(chunks) > 1 and final, "the document should need several calls, and give a summary"

# %% [markdown]
# Map-reduce loses what connects chunks (a review that refers to an earlier one), and every level
# costs calls. Today's hosted models read 128k-1M tokens, so first check whether the document simply
# fits; split when it does not, or when cost matters more than nuance.
#
# ## 7. Use case: code generation, tested
#
# Generated code is a *draft*. Never trust it because it looks right: run tests against it. Here we
# ask for a small function, run tests on what came back in a separate Python process with a time
# limit, and when a test fails, send the error back and ask again.
#
# A separate process is **not a sandbox**: the code runs as you, can read and delete your files and
# use the network. It only keeps a crash or an endless loop from taking the notebook down. Code from a
# source you do not trust belongs in a container or virtual machine with no network and a throwaway
# file system.

# %%
import subprocess, sys, textwrap

TASK = ("Write a Python function `is_palindrome(text: str) -> bool` that returns True when `text` reads "
        "the same backwards, ignoring case, spaces and punctuation. Reply with only the code in a ```python block.")
TESTS = textwrap.dedent("""
    assert is_palindrome("Racecar")
    assert is_palindrome("A man, a plan, a canal: Panama!")
    assert not is_palindrome("transformers")
    assert is_palindrome("")
    print("all tests passed")
""")

def extract_code(reply):
    """The first ```python block of a reply (or the whole reply when there is none)."""
    match = re.search(r"```(?:python)?\n(.*?)(```|$)", reply, re.S)
    return (match.group(1) if match else reply).strip()

def run_tests(code_text, timeout=10):
    """Run the code and the tests in a fresh Python; return (passed, what it printed)."""
    try:
        result = subprocess.run([sys.executable, "-c", code_text + "\n" + TESTS],
                                capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, f"timed out after {timeout} s (an infinite loop?)"
    output = (result.stdout + result.stderr).strip()
    return result.returncode == 0, output.splitlines()[-1] if output else "(no output)"


# %%
conversation = [{"role": "system", "content": "You are an expert Python programmer."},
                {"role": "user", "content": TASK}]
attempts = []
for attempt in range(1, SIZES["code_attempts"] + 1):
    reply = client.chat.completions.create(model=MODEL, messages=conversation,
                                           max_completion_tokens=SIZES["new_tokens"] * 2, **backend.sampling(temperature=0.2))
    answer = reply.choices[0].message.content or ""
    candidate = extract_code(answer)
    passed, said = run_tests(candidate)
    attempts.append(dict(attempt=attempt, passed=passed, result=said))
    print(f"--- attempt {attempt} {backend.label}\n{candidate}\n>>> tests: {'PASSED' if passed else 'FAILED: ' + said}\n")
    if passed:
        break
    # Feed the failure back: the model sees its own code and the error, and tries again.
    conversation += [{"role": "assistant", "content": answer},
                     {"role": "user", "content": f"The tests failed with: {said}\nFix the function. Reply with only the code."}]

assert attempts and all(a["result"] for a in attempts), "no attempt was tested"
if backend.kind == "openai":  # a claim about OpenAI's models, not about any server
    assert attempts[-1]["passed"], "the hosted model should pass these tests within the attempts"
print(f"{'passed' if attempts[-1]['passed'] else 'not passed'} after {len(attempts)} attempt(s)")

# %% [markdown]
# A 135M-parameter model usually fails here, and the loop shows what to do when code does not pass:
# feed the error back, retry a bounded number of times, then hand over to a person. A hosted model
# usually passes at the first attempt. Either way the tests decided, not the look of the code.
#
# ## 8. Zero-shot and few-shot classification, measured
#
# The course's shared task is movie-review sentiment (Chapter 2 used a classifier trained for it;
# Chapters 3 and 4 train their own). Through an API there is no training: **zero-shot** just asks,
# **few-shot** shows a few labelled examples first (as earlier turns of the conversation). Both go
# through Chat Completions (`classify_sentiment` in `helpers/llm_api/prompts.py`, reused by Chapter 5),
# on held-out reviews, with temperature 0 where allowed.

# %% [markdown]
# ### The prompt and the parser, written out
#
# Two small functions are the whole classifier. The prompt: an instruction as the system message,
# then, for few-shot, each example as an earlier exchange (the review as the user's turn, the right
# label as the assistant's), then the review to classify. The parser: the model answers in free
# text, so it takes the first word that names a label, and anything else is no label at all.

# %%
SENTIMENT_RULES = ("Classify the sentiment of a movie review. "
                   "Answer with exactly one word: positive or negative.")


def build_messages(review, examples=()):
    """Chat messages asking for one review's sentiment; (text, label) examples make it few-shot."""
    messages = [{"role": "system", "content": SENTIMENT_RULES}]
    for text, label in examples:  # each example is a past exchange, answered correctly
        messages += [{"role": "user", "content": f"Review: {text}"},
                     {"role": "assistant", "content": "positive" if label == 1 else "negative"}]
    return messages + [{"role": "user", "content": f"Review: {review}"}]


def parse_label(answer):
    """1 for positive, 0 for negative, None when the answer names neither (scored as wrong)."""
    for word in re.findall(r"[a-z]+", (answer or "").lower()):
        if word.startswith("pos"):  # the first label word wins: "Positive.", "POSITIVE", "positively"
            return 1
        if word.startswith("neg"):
            return 0
    return None


# %%
from helpers.llm_api import parse_sentiment, sentiment_messages

demo_shots = [("A joyless, overlong mess.", 0), ("Warm, funny and beautifully acted.", 1)]
for shots in ([], demo_shots):  # zero-shot, then few-shot: the same messages as the helper's
    assert build_messages("I laughed all the way through.", shots) == sentiment_messages(
        "I laughed all the way through.", shots)
for message in build_messages("I laughed all the way through.", demo_shots):
    print(f"{message['role']:>9}: {message['content']}")
print()
for answer in ["Positive.", "negative!", "The review is positive", "I'd say NEGATIVE", "neutral", "",
               "Not positive at all"]:
    assert parse_label(answer) == parse_sentiment(answer)  # the same label as the helper's parser
    print(f"{answer!r:>26} -> {parse_label(answer)}")

# %% [markdown]
# The last answer shows the parser's limit: it reads words, not meaning, so "Not positive at all"
# counts as positive. Asking for exactly one word, and allowing only a few output tokens, keeps such
# answers rare; the table below also counts how many answers were a label at all. From here the
# chapter calls `classify_sentiment`, which sends these same messages and parses with this same
# parser, and adds what a measurement needs around them: the time and tokens of every call, and, on a
# server that charges, a cache on disk (`ResponseCache`, which answers a request it has seen before
# from disk, free; the bonus notebook `01b_in_production` shows it). Retries come from the client's
# `max_retries` (section 2).

# %%
from helpers.llm_api import ResponseCache, classify_sentiment
from helpers.results import accuracy_interval

use_cache = not backend.is_local if USE_CACHE == "auto" else bool(USE_CACHE)
eval_cache = ResponseCache() if use_cache else None
held_out = load_reviews(REVIEWS_DATASET, split="test", n=SIZES["eval_reviews"], seed=SEED + 1)
train = load_reviews(REVIEWS_DATASET, split="train", n=200, seed=SEED)
# Balanced examples for few-shot: alternate positive and negative, short ones (they are paid input).
by_label = {label: [t for t, y in zip(train["text"], train["label"]) if y == label and len(t) < 400] for label in (0, 1)}
examples = [(by_label[i % 2][i // 2], i % 2) for i in range(SIZES["few_shot"])]
truth = list(held_out["label"])

evaluation = {}
for name, shots in [("zero-shot", []), ("few-shot", examples)]:
    start = time.perf_counter()
    results = classify_sentiment(client, MODEL, list(held_out["text"]), examples=shots, cache=eval_cache,
                                 namespace=backend.kind, max_tokens=5, **backend.sampling(temperature=0.0))
    wall = time.perf_counter() - start
    correct = sum(r["label"] == t for r, t in zip(results, truth))
    tokens_in, tokens_out = sum(r["input_tokens"] for r in results), sum(r["output_tokens"] for r in results)
    evaluation[name] = dict(
        accuracy=correct / len(truth), interval=accuracy_interval(correct, len(truth)),
        answered=sum(r["label"] is not None for r in results) / len(results),
        latency_ms=1000 * sum(r["seconds"] for r in results) / len(results),
        tokens_in=tokens_in, tokens_out=tokens_out,
        cost_usd=None if backend.cost(tokens_in, tokens_out) is None else float(backend.cost(tokens_in, tokens_out)),
        cost_on_hosted_usd=float(estimate_cost(backend.price_model, tokens_in, tokens_out)), wall_s=wall,
        sample_answers=[r["answer"] for r in results[:3]])

# %%
majority_rate = max(sum(truth), len(truth) - sum(truth)) / len(truth)
table = pd.DataFrame(evaluation).T
# Shown as text: a tuple or a list prints as its Python form, brackets and all.
table["interval"] = table["interval"].map(lambda i: f"{i[0]:.2f}-{i[1]:.2f}")
table["sample_answers"] = table["sample_answers"].map(" | ".join)
print(backend.label, f"on {len(truth)} held-out reviews; always guessing the majority label scores {majority_rate:.2f}")
with pd.option_context("display.max_colwidth", 80, "display.float_format", "{:.4g}".format):
    display(table)

# %%
for name, row in evaluation.items():
    assert row["tokens_in"] > 0 and row["latency_ms"] > 0, f"{name}: nothing was measured"
# A chapter check that holds for both backends: the few-shot prompt makes the model answer in labels.
assert evaluation["few-shot"]["answered"] >= 0.5, "few-shot answers should mostly be a label"
if backend.kind == "openai":  # a hosted OpenAI model must clearly beat guessing
    assert evaluation["few-shot"]["interval"][0] > majority_rate, "the hosted model should beat the majority rate"

model_label = {"openai": MODEL, "custom": f"{MODEL} at {backend.where} (OPENAI_BASE_URL)",
               "local": f"{LOCAL_MODEL} via transformers serve (local stand-in for {OPENAI_MODEL})"}[backend.kind]
data_label = (f"{REVIEWS_DATASET} test" if chapter.hub.online else "Rotten Tomatoes held-out (offline kit)") + f", n={len(truth)}"
for name, row in evaluation.items():
    record_result(chapter="01", approach=f"hosted API, {name}", task="binary sentiment, movie reviews",
                  data=data_label, model=model_label, profile=chapter.profile, device="remote API" if not backend.is_local else chapter.device,
                  accuracy=row["accuracy"], n_examples=len(truth), latency_ms=row["latency_ms"],
                  cost_usd=row["cost_usd"], train_seconds=0.0, tokens_in=row["tokens_in"],
                  tokens_out=row["tokens_out"], cost_on_hosted_usd=row["cost_on_hosted_usd"],
                  backend=backend.kind, shots=len(examples) if name == "few-shot" else 0, hub_mode=chapter.hub.name)
print("Recorded for Chapter 5's comparison.")

# %% [markdown]
# Few-shot examples are paid for on *every* call: compare `tokens_in` of the two rows. What this run
# measured, in words:

# %%
for name, row in evaluation.items():
    verdict = ("above" if row["interval"][0] > majority_rate else "below" if row["interval"][1] < majority_rate
               else "not clearly different from")
    print(f"{name}: accuracy {row['accuracy']:.2f} (95% interval {row['interval'][0]:.2f}-{row['interval'][1]:.2f}), "
          f"{verdict} the majority rate {majority_rate:.2f}; {row['answered']:.0%} of answers were a label at all")

# %% [markdown]
# An answer that is not a label counts as wrong, which is how a small model falls below guessing. A
# hosted model of today's size typically scores around 0.9 zero-shot on movie reviews (published:
# ChatGPT 92% on 50 SST-2 sentences, Zhong et al. 2023), with no training at all, and that is the
# point of this chapter; the local 135M stand-in shows the code, not that accuracy.
#
# ## 9. The trade-offs, tied to what you saw
#
# | the syllabus says | what this notebook showed |
# |---|---|
# | no infrastructure or training | a key and `pip install openai`; no GPU, no weights |
# | instant access to strong models | one parameter, `OPENAI_MODEL`, switches models |
# | scales automatically | the provider's problem; yours are rate limits (the bonus notebook `01b_in_production` retries them) |
# | limited flexibility | you control the prompt and a few sampling knobs; OpenAI's hosted fine-tuning trains some of its models on your labelled examples, but the weights never leave OpenAI |
# | costs add up | fractions of a cent per call; a month of a busy support bot is priced in section 3's plot |
# | dependence on a provider | outages, time-outs, price and model changes, your data leaves your machine |
#
# **The mitigation**: keep your code provider-neutral. Everything here is the OpenAI client pointed at
# a `base_url`, and the local stand-in proves the point: the same cells ran against a different server,
# as they would against vLLM, Ollama, llama.cpp's server, or any OpenAI-compatible provider:
#
# ```python
# client = OpenAI(base_url="http://localhost:11434/v1", api_key="unused")  # e.g. Ollama on your laptop
# ```
#
# Pair it with the disk cache and a price table, and moving between providers is a configuration change.
#
# **Images** (the syllabus names DALL·E) go through the same client, `client.images.generate(model=
# "gpt-image-1", prompt=...)`; this course, about text, leaves them out: no image model on PyPI runs offline.

# %%
summary = {"backend": backend.label, "first call (s)": round(seconds, 2),
           "zero-shot accuracy": round(evaluation["zero-shot"]["accuracy"], 3),
           "few-shot accuracy": round(evaluation["few-shot"]["accuracy"], 3),
           f"cost of this run's classification on {backend.price_model} ($)":
               round(sum(r["cost_on_hosted_usd"] for r in evaluation.values()), 5)}
for k, v in summary.items():
    print(f"{k:>45}: {v}")
backend.close()  # stops the local server (no-op with the hosted API)
print("local server stopped" if backend.is_local else "done")

# %% [markdown]
# ## Summary
#
# - Keys live in the environment, a `.env` file or a secret store; never print them; revoke leaked ones.
# - The Responses API (`client.responses.create`) is current; Chat Completions is what every other server speaks.
# - Count tokens before sending, read `usage` after, price both from a maintained table.
# - Temperature and `top_p` trade focus for variety; instructions set the rules, input is the user's.
# - A chatbot keeps its own state and is grounded in your documents; refuse off-topic questions in code.
# - Summarize long documents by splitting on tokens and combining; test generated code before trusting it.
# - Set `store=False` unless later calls must refer to a response (it does not stop abuse-monitoring
#   retention; Zero Data Retention does).
#
# **Try this:** with a key, set `OPENAI_MODEL = "gpt-4o-mini"` and compare the cost and the accuracy;
# run a bigger profile than this one (`"smoke"` < `"cpu"` < `"gpu"`) for a longer evaluation; add an
# FAQ entry to `data/support_faq.md` and ask the bot about it; point `OPENAI_BASE_URL` at a server of
# your own (section 2) and run the chapter again.
#
# ## Check yourself
#
# 1. Your notebook printed an answer, and you saved it to share with a colleague. What in it must
#    never be there, and how does this chapter make sure it is not?
#
#    <details><summary>Answer</summary>The API key. The key lives in the environment, a `.env` file or a
#    secret store, never in a cell; `ApiKey` prints only where the key came from, and error messages are
#    scrubbed of anything key-shaped (OpenAI's own 401 quotes part of the key).</details>
#
# 2. Few-shot scored better than zero-shot. Why does it also cost more on *every* call, and when is
#    that cheaper than fine-tuning?
#
#    <details><summary>Answer</summary>The examples are input tokens, sent and billed with each request.
#    It stays cheaper while the volume is low: fine-tuning (Chapter 3) costs labelled data and training
#    once, then each call is short. Chapter 5 measures where the lines cross.</details>
#
# ## Further reading
#
# - OpenAI's API reference for [Responses](https://platform.openai.com/docs/api-reference/responses) and
#   [Chat Completions](https://platform.openai.com/docs/api-reference/chat), and its guides to
#   [structured outputs](https://platform.openai.com/docs/guides/structured-outputs) and
#   [rate limits](https://platform.openai.com/docs/guides/rate-limits).
# - The [`openai` Python library](https://github.com/openai/openai-python) (retries, time-outs, errors).
# - Brown et al., *Language Models are Few-Shot Learners* (GPT-3), 2020, [arXiv:2005.14165](https://arxiv.org/abs/2005.14165):
#   where zero- and few-shot prompting come from.
# - Hugging Face, [`transformers serve`](https://huggingface.co/docs/transformers/main/en/serving): the
#   OpenAI-compatible server this chapter runs offline.
#
# **Bonus:** `01b_in_production.ipynb`: failures handled as code that ships must (and whether your
# server checks keys at all), a cache on disk so that a re-run pays nothing, OpenAI's discounts priced,
# and the FAQ searched with embeddings.
#
# **Next:** Chapter 2 runs a pre-trained model on your own machine: free per call, private, and fully
# under your control, but limited to what it was trained for.
