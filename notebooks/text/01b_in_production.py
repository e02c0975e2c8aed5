# %% [markdown]
# # Chapter 1, bonus · Calling a hosted model in production: failures, a cache, embeddings, tools
#
# Chapter 1 called a hosted model and put it to work. Code that ships needs more, which this bonus
# notebook adds once the chapter has settled. You will:
#
# 1. handle failure, which is normal: time-outs, rate limits (with retries), a bad key, an unknown model, a server that is down;
# 2. avoid paying twice with a cache on disk, and pay less with prompt caching and the Batch API;
# 3. search the support bot's FAQ by meaning with embeddings, not by shared words;
# 4. let the model call your code: tool calling, the loop that runs the tools, and what to check.
#
# It needs nothing from Chapter 1's run: the cells below find the key and connect exactly as
# Chapter 1's sections 1 and 2 did, with the same `helpers` functions, so the same server answers
# (OpenAI with a key, your `OPENAI_BASE_URL`, or the local `transformers serve` stand-in without
# either), and every answer says which.
#
# **Run time** (Run All): `smoke` about half a minute on a laptop CPU without a key (most of it
# starting the local stand-in); with a key, a few seconds. With a key it costs a few short calls and the
# embeddings of a dozen sentences: well under a cent.

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
# Chapter 1's parameters, those this notebook uses. `PROFILE` sets how big the run is; the code below
# is the same at every size. (The tests run this notebook with `PROFILE = "smoke"`.)

# %% tags=["parameters"]
PROFILE = "auto"    # "smoke" (seconds, for tests), "cpu" (a laptop), "gpu" (the full run); "auto": gpu on a GPU, smoke under 4 GiB of memory, else cpu
HUB_MODE = "auto"   # "online" (Hugging Face Hub), "offline" (the course's offline kit); "auto" checks the network
SEED = 0

OPENAI_MODEL = "gpt-4.1-mini"     # the hosted model (Chapter 1's); with OPENAI_BASE_URL: one your server serves
LOCAL_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"  # the local stand-in, served by `transformers serve`
USE_LOCAL_SERVER = "auto"         # "auto": local when no endpoint can be used (no key, no network); True: always; False: never
PRICE_MODELS = ["gpt-4.1-mini", "gpt-4o-mini", "gpt-5-mini"]  # compared in the cost estimates
EMBEDDING_MODEL = "text-embedding-3-small"  # OpenAI's embedding model (section 3); with OPENAI_BASE_URL: one your server serves
LOCAL_EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"  # the stand-in for it, on this machine (the kit's copy offline)

# %%
from helpers import setup_chapter

chapter = setup_chapter("Chapter 1, bonus · Calling a hosted model in production",
                        profile=PROFILE, hub_mode=HUB_MODE, seed=SEED)

# Chapter 1's answer length for this profile: the only size this notebook uses.
SIZES = {"smoke": dict(new_tokens=32), "cpu": dict(new_tokens=120), "gpu": dict(new_tokens=200)}[chapter.profile]
print("sizes:", SIZES)

# %% [markdown]
# Chapter 1's key and client, from the helpers its sections 1 and 2 called: `resolve_api_key()` looks
# in the environment, a `.env` file, a Colab secret, then a hidden prompt, and shows where it found a
# key, never the key; `connect()` decides which server answers and says why. `backend.client` is the
# client Chapter 1 then built by hand, with the same settings (`timeout=60`, `max_retries=2`).

# %%
from helpers.llm_api import connect, cost_of, estimate_cost, friendly_errors, money, resolve_api_key

key = resolve_api_key()
print("key:", key)  # prints where it came from, never the key itself
assert key is None or key.reveal() not in repr(key)
backend = connect(OPENAI_MODEL, LOCAL_MODEL, use_local=USE_LOCAL_SERVER, key=key)
client, MODEL = backend.client, backend.model
print("answers come from:", backend.label)
print("because:", backend.reason)

# %% [markdown]
# ## 1. Failure is normal
#
# Networks drop, providers throttle, keys expire. The `openai` client already **retries** time-outs,
# 429 (rate limited), 409 and 5xx answers twice, with exponential backoff, and honours a server's
# `retry-after` header; everything else is your code's job. First, a 429 retried and then succeeding,
# reproducibly: a pretend server (a `MockTransport`, no network) answers "rate limited" twice, then OK.

# %%
# NBVAL_CHECK_OUTPUT
from helpers.llm_api import FlakyTransport, demo_client

flaky = FlakyTransport(failures=2, retry_after_ms=200)
demo = demo_client(flaky, max_retries=3)  # the OpenAI client, talking to the pretend server
reply = demo.chat.completions.create(model="demo-model", messages=[{"role": "user", "content": "Hello?"}])
for number, (at, status) in enumerate(flaky.attempts, 1):
    print(f"attempt {number}: HTTP {status}")
print("answer:", reply.choices[0].message.content)

# %%
waits = [round(b - a, 2) for (a, _), (b, _) in zip(flaky.attempts, flaky.attempts[1:])]
print("seconds between attempts:", waits, "(the server asked for 0.2 s with a retry-after-ms header)")
assert [status for _, status in flaky.attempts] == [429, 429, 200]

# %% [markdown]
# With `max_retries=1` the same server wins, and the error reaches your code. Every failure below is
# caught by `friendly_errors`, which prints one sentence saying what happened and what to do, instead
# of a wall of traceback (in your own code: `except openai.RateLimitError:` and its siblings).

# %%
from helpers.llm_api import ReplayTransport

checks = {}
with friendly_errors(base_url="the pretend server") as failure:
    demo_client(FlakyTransport(failures=5), max_retries=1).chat.completions.create(
        model="demo-model", messages=[{"role": "user", "content": "Hello?"}])
checks["rate limit"] = failure.message

# A bad key. A server that checks keys answers 401 and charges nothing: OpenAI, most providers, vLLM
# started with --api-key. Many servers check no key at all and accept any: Ollama, LM Studio, vLLM
# without --api-key, `transformers serve` (the local stand-in too). So we try ours, and say which it is.
# Listing the models is the cheapest call: nothing is generated, and the key is checked as for any call.
from openai import OpenAI
bad_key = "this-is-not-a-valid-key"
bad_client = OpenAI(api_key=bad_key, base_url=backend.base_url, max_retries=0)
with friendly_errors(base_url=backend.base_url) as failure:
    bad_client.models.list()
if failure.message is None:  # no error: this server took the wrong key
    print(f"! The server at {backend.where} accepted a wrong key: it checks no key at all, like Ollama, LM Studio,\n"
          "  vLLM without --api-key and transformers serve. Anyone who can reach it can use it.\n"
          "  What OpenAI answers to a wrong key instead (a replay of its 401, not a live call):")
    with friendly_errors() as failure:
        demo_client(ReplayTransport(401, "Incorrect API key provided.", "invalid_api_key")).models.list()
checks["bad key"] = failure.message

# An unknown model. OpenAI answers 404, so do Ollama and vLLM, and the course turns `transformers
# serve`'s 400 into the same 404; other servers may answer 400, or 500 when they try to load it.
with friendly_errors(backend, model="gpt-7-ultra") as failure:
    client.with_options(max_retries=0).responses.create(model="gpt-7-ultra", input="Hello?", store=False)
checks["unknown model"] = failure.message

# %%
from helpers.local_server import free_port

# A server that is down: nothing listens on this port.
down = OpenAI(base_url=f"http://127.0.0.1:{free_port()}/v1", api_key="not-needed", max_retries=1)
with friendly_errors(base_url=str(down.base_url)) as failure:
    down.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Hello?"}])
checks["server down"] = failure.message

# A time-out: we allow 10 milliseconds for an answer, which is never enough.
with friendly_errors(backend) as failure:
    client.with_options(timeout=0.01, max_retries=0).responses.create(
        model=MODEL, input="Write a long poem.", max_output_tokens=8, store=False)
checks["time-out"] = failure.message

assert all(checks.values()), f"some failures were not caught: {checks}"
assert "401" in checks["bad key"]  # the server's own 401, or OpenAI's replayed
assert "404" in checks["unknown model"] or backend.kind == "custom", "OpenAI and the stand-in answer 404"
assert "Could not connect" in checks["server down"] and "time-out" in checks["time-out"]
assert bad_key not in "".join(checks.values()), "an error message showed the key"

# %% [markdown]
# ## 2. Don't pay twice: a cache on disk
#
# Re-running a notebook re-sends every request, and pays again. A cache keyed by *everything* that
# determines an answer (model, messages, settings) returns a repeat from disk: free, instant and
# identical. It lives in `results/api-cache/` (git-ignored). Caching fits re-runs and evaluations;
# it is wrong where a fresh, sampled answer is the point.

# %%
from helpers.llm_api import ResponseCache

cache = ResponseCache()
namespace = backend.kind  # keeps hosted and local answers apart
cache.clear()  # start empty, to show a miss then a hit (your own code would not clear it)
request = dict(model=MODEL, input="Give one tip for writing clear emails.", store=False,
               max_output_tokens=SIZES["new_tokens"])
first, hit1, seconds1 = cache.create(client.responses.create, namespace, **request)
second, hit2, seconds2 = cache.create(client.responses.create, namespace, **request)
cost_first = cost_of(first, backend)[0]
print(f"1st call: {'cache' if hit1 else 'API'}, {seconds1:.2f} s, {money(cost_first)}")
print(f"2nd call: {'cache' if hit2 else 'API'}, free")
backend.show(second.output_text, "the cached answer:")
assert (hit1, hit2) == (False, True) and second.output_text == first.output_text

# %% [markdown]
# ### Paying less: prompt caching and the Batch API
#
# Your cache saves the calls you repeat. Two discounts of OpenAI's lower the bill of the others,
# without changing the model. **Prompt caching**: OpenAI keeps the beginning of a prompt it saw in the
# last few minutes and bills those tokens at the cached-input rate, with no code change, for prompts
# of 1,024 tokens or more (Chapter 1's support bot, at 800, is too short). So put what every request
# shares first (instructions, the FAQ) and what changes last. **The Batch API**: upload the requests
# as one file and get the answers within 24 hours, at half the price; it suits evaluations like
# Chapter 1's section 8, not a customer waiting for a reply. A month of 50,000 answers for a bot whose
# requests start with 2,000 shared tokens, each way, from the price table of Chapter 1's section 3:

# %%
requests, shared, own, answer = 50_000, 2_000, 400, 150  # per request: shared prefix, its own tokens, output
print(f"{'model':<14}{'standard':>10}{'prefix cached':>15}{'Batch API':>11}   (US dollars a month)")
for name in PRICE_MODELS:
    tokens_in, tokens_out = requests * (shared + own), requests * answer
    standard = estimate_cost(name, tokens_in, tokens_out)
    cached = estimate_cost(name, tokens_in, tokens_out, cached_input_tokens=requests * shared)  # every prefix a hit
    batch = estimate_cost(name, tokens_in, tokens_out, batch=True)
    print(f"{name:<14}{f'${standard:,.0f}':>10}{f'${cached:,.0f}':>15}{f'${batch:,.0f}':>11}")

# %% [markdown]
# ## 3. Embeddings: search the FAQ by meaning
#
# Chapter 1's support bot picked FAQ entries by the words they share with the question, so "How can I
# get my money back?" finds nothing: the entry says "return" and "refund". An **embedding** is one
# vector per text, from a model trained so that texts which mean the same point the same way; the FAQ
# entry whose vector is nearest the question's (by *cosine similarity*, the dot product of unit-length
# vectors) is the one the question is about, whatever its words. This is how practitioners ground a bot
# (retrieval-augmented generation): embed the documents once, embed each question, send the nearest.
#
# With a key, OpenAI embeds: `client.embeddings.create(model="text-embedding-3-small", input=[...])`,
# 1,536 numbers per text, billed per input token (a fraction of a chat call's price). Without one, or
# on a server with no `/v1/embeddings` (`transformers serve` has none), a sentence-embedding model runs
# on this machine instead, labelled as a stand-in: `all-MiniLM-L6-v2` (22M parameters, 384 numbers per
# text), whose vector is the mean of its token vectors, as Chapter 2's section 5b writes out.

# %%
import numpy as np
import openai
import torch
from transformers import AutoModel, AutoTokenizer

from helpers import resolve_model
from helpers.llm_api.faq import read_faq, relevant_entries  # Chapter 1's FAQ and keyword retriever

faq = read_faq()  # question -> answer, as Chapter 1's section 5 read them
faq_questions = list(faq)
faq_entries = [f"{q} {a}" for q, a in faq.items()]  # what gets embedded: each entry, question and answer

def embed_on_server(texts):
    """Unit-length vectors from the server's embeddings endpoint (one request for all the texts)."""
    reply = client.embeddings.create(model=EMBEDDING_MODEL, input=texts)
    vectors = np.array([item.embedding for item in reply.data])
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

def embed_here(texts):
    """Unit-length vectors from the local model: the mean of each text's real (not padding) token vectors."""
    batch = local_tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        tokens = local_model(**batch).last_hidden_state           # (texts, tokens, 384)
    real = batch["attention_mask"].unsqueeze(-1).float()           # 1 for a real token, 0 for padding
    vectors = ((tokens * real).sum(dim=1) / real.sum(dim=1)).numpy()
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


# %%
faq_vectors = None
if not backend.is_local:  # a key or an endpoint: ask that server first
    try:
        faq_vectors, embed = embed_on_server(faq_entries), embed_on_server
        embedder = f"[{EMBEDDING_MODEL} at {backend.where}]"
    except (openai.APIStatusError, openai.APIConnectionError) as error:
        print(f"{backend.where} did not embed (HTTP {getattr(error, 'status_code', 'no answer')}): it has no "
              f"embeddings endpoint, or no model {EMBEDDING_MODEL!r}. A model on this machine stands in.")
if faq_vectors is None:  # a real sentence-embedding model, on this machine
    local_name = resolve_model(LOCAL_EMBEDDING_MODEL)  # the kit's copy offline
    local_tokenizer, local_model = AutoTokenizer.from_pretrained(local_name), AutoModel.from_pretrained(local_name).eval()
    faq_vectors, embed = embed_here(faq_entries), embed_here
    embedder = f"[local stand-in: {LOCAL_EMBEDDING_MODEL.split('/')[-1]}, 22M parameters, not {EMBEDDING_MODEL}]"
print(f"embeddings from {embedder}: {len(faq_entries)} FAQ entries, {faq_vectors.shape[1]} numbers each")

# %% [markdown]
# Each question below is asked in words its FAQ entry hardly uses. The nearest entry by meaning, next
# to the one that shares the most content words with it (Chapter 1's retriever, or none when no entry
# shares a word):

# %%
def nearest_by_meaning(question):
    """The FAQ question whose entry is closest in meaning to `question`, and the cosine similarity."""
    scores = faq_vectors @ embed([question])[0]  # cosine similarity: every vector has length 1
    best = int(np.argmax(scores))
    return faq_questions[best], float(scores[best])

def nearest_by_words(question):
    """The FAQ question Chapter 1's retriever picks first for `question` (None: no entry shares a word)."""
    found = relevant_entries(faq, question, k=1)
    return found[0][0] if found else None

paraphrases = {"How can I get my money back?": "How do I return the kettle?",
               "How do I remove limescale?": "How do I descale the K2?",
               "Is a cracked jug covered?": "What does the warranty cover?",
               "I want to speak to a human being.": "How do I contact a person?"}
print(embedder)
for question, entry in paraphrases.items():
    found, score = nearest_by_meaning(question)
    by_words = nearest_by_words(question) or "(no entry shares a word)"
    print(f"{question}\n  by meaning: {found} (cosine {score:.2f})\n  by words  : {by_words}")
    assert found == entry, f"{question!r} should find {entry!r}, found {found!r}"

# %% [markdown]
# Chapter 1's retriever finds nothing for three of the questions, and for "limescale" the warranty,
# whose answer excludes limescale damage; the embeddings find each entry. Read a cosine as a rank, not
# a grade: the best match can score 0.3, and a question about something the FAQ never mentions still
# has a nearest entry. A bot that retrieves this way also needs a floor below which it refuses, set by
# trying questions of your own.

# %% [markdown]
# ## 4. Tools: let the model call your code
#
# The support bot cannot know where a customer's order is: that lives in your database. With **tool
# calling** (also called function calling) you describe your functions to the model in JSON Schema
# (`tools=`); when a question needs one, the model answers with a *request* to call it
# (`finish_reason == "tool_calls"`, the function's name and JSON arguments) instead of text. Your code
# runs the function, sends its result back as a `tool` message that answers the request's `id`, and
# asks again; the model then answers from the result. The model never runs anything: your code
# decides what runs, and checks the arguments the model wrote before using them.

# %%
import json

ORDERS = {"K2-1001": {"status": "shipped", "expected": "2026-12-08"},
          "K2-1002": {"status": "waiting for stock", "expected": "2026-12-15"}}

def order_status(order_id: str) -> dict:
    """Your code, not the model's: where an order is (here a dict; in a real shop, your database)."""
    return ORDERS.get(order_id.strip().upper(), {"error": f"no order {order_id!r}"})

FUNCTIONS = {"order_status": order_status}
TOOLS = [{"type": "function", "function": {
    "name": "order_status", "description": "Where a customer's order is: its status and expected delivery date.",
    "parameters": {"type": "object", "properties": {"order_id": {"type": "string", "description": "e.g. K2-1001"}},
                   "required": ["order_id"], "additionalProperties": False},
    "strict": True}}]  # strict: the arguments will match the schema exactly (OpenAI's structured outputs)

# %%
def answer_with_tools(client, model, question, max_rounds=3):
    """Ask; while the model asks for tools, run them and send their results back. The answer, and the calls run."""
    messages = [{"role": "system", "content": "You are a kettle shop's support bot. Use the tools for orders."},
                {"role": "user", "content": question}]
    calls = []
    for _ in range(max_rounds):
        reply = client.chat.completions.create(model=model, messages=messages, tools=TOOLS,
                                               max_tokens=SIZES["new_tokens"])
        message = reply.choices[0].message
        if not message.tool_calls:  # an answer in words: done
            return message.content, calls
        messages.append(message.model_dump(exclude_none=True))  # its request stays in the history
        for call in message.tool_calls:
            try:  # the model wrote the name and arguments: check them, as any input from outside
                result = FUNCTIONS[call.function.name](**json.loads(call.function.arguments))
            except (KeyError, TypeError, json.JSONDecodeError) as error:
                result = {"error": f"bad tool call: {error}"}  # told to the model, which may try again
            calls.append((call.function.name, call.function.arguments, result))
            messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)})
    raise RuntimeError(f"the model was still asking for tools after {max_rounds} rounds")

# %%
question = "Where is my order K2-1001?"
with friendly_errors(backend) as failure:
    answer, calls = answer_with_tools(client, MODEL, question)
if failure.message is None:
    for name, arguments, result in calls:
        print(f"the model asked for {name}({arguments}); your code answered {result}")
    if not calls:
        print("No tool was called: the model answered in words (below). Small models never trained to call tools "
              "(the 135M stand-in) do this; so do servers that drop `tools=`.")
    backend.show(answer)

# %% [markdown]
# OpenAI's models call the tool here. To see the whole loop on any machine, the same function now runs
# against a pretend server: it asks for `order_status` in the shape OpenAI documents, then checks your
# reply as the real API does (a `tool` message right after the request, answering its `id`; anything
# else gets OpenAI's 400) and answers by quoting the result. Its words are a template's, not a model's.

# %%
from helpers.llm_api import ToolCallTransport

pretend = ToolCallTransport("order_status", {"order_id": "K2-1001"})
answer, calls = answer_with_tools(demo_client(pretend, max_retries=0), "demo-model", question)
print("tool calls run:", calls)
print("answer:", answer)
assert calls == [("order_status", '{"order_id": "K2-1001"}', ORDERS["K2-1001"])]
assert [m["role"] for m in pretend.requests[-1]] == ["system", "user", "assistant", "tool"]
assert json.dumps(ORDERS["K2-1001"]) in answer

# %%
backend.close()  # stops the local server (no-op with the hosted API)
print("local server stopped" if backend.is_local else "done")

# %% [markdown]
# ## Summary
#
# - Failure is normal. The `openai` client retries time-outs, 429, 409 and 5xx with exponential
#   backoff (`max_retries`), honouring `retry-after`; everything else deserves one clear sentence
#   saying what to do, not a traceback.
# - A wrong key is answered with a 401 by a server that checks keys; many servers check none and
#   accept any key: know which kind yours is before anyone else can reach it.
# - Cache what you have paid for, keyed by everything that determines the answer; not where a fresh,
#   sampled answer is the point. Put the shared part of a prompt first, for OpenAI's prompt caching;
#   send what can wait a day through the Batch API, at half the price.
# - Embeddings find the entry a question is about, whatever its words: embed the documents once and each
#   question as it comes, and send the nearest by cosine similarity (retrieval-augmented generation).
# - Tool calling: describe your functions in JSON Schema; the model asks for a call, your code runs it
#   (after checking the arguments), sends the result back answering the call's `id`, and asks again.
#
# **Try this:** in section 1, give the client that met five rate limits `max_retries=5` and read
# the waits; give the time-out a few seconds instead of 10 milliseconds; take out `cache.clear()` in
# section 2 and run it twice: the second run's first call comes from the cache.
#
# ## Check yourself
#
# 1. A request failed with a 429. What should your code do, and what should it not?
#
#    <details><summary>Answer</summary>Wait and retry with exponential backoff, honouring `retry-after`
#    (the `openai` client does this `max_retries` times), then fail with a clear message. Not retry at
#    once in a tight loop, and not retry a 429 that says `insufficient_quota`: no wait will help.</details>
#
# 2. Your server accepted `this-is-not-a-valid-key`. Is that a bug in your code?
#
#    <details><summary>Answer</summary>No: the server checks no key at all (Ollama, LM Studio, vLLM
#    without `--api-key`, `transformers serve`), so any key works, and so does none. It is a fact about
#    the server to act on: anyone who can reach it can use it, so keep it on localhost or put it behind a
#    key check (`vllm serve --api-key`, a proxy).</details>
#
# 3. The model asks for `order_status` with `{"order_id": "K2-1001; DROP TABLE orders"}`. Whose job is
#    it to stop that, and where?
#
#    <details><summary>Answer</summary>Your code's, before the function runs: the model only writes
#    text, and its arguments are input from outside like any user's (a question can steer them). Check
#    them against what is allowed (here: a known order id), give the tool only the rights it needs
#    (read one order, not the database), and ask a person before any tool that spends money or changes
#    data.</details>
#
# ## Further reading
#
# - OpenAI's guides to [rate limits](https://platform.openai.com/docs/guides/rate-limits) and
#   [error codes](https://platform.openai.com/docs/guides/error-codes).
# - The [`openai` Python library](https://github.com/openai/openai-python): retries, time-outs, errors.
# - OpenAI's guide to [function calling](https://platform.openai.com/docs/guides/function-calling).
# - OpenAI's guide to [embeddings](https://platform.openai.com/docs/guides/embeddings); Reimers and
#   Gurevych, *Sentence-BERT*, 2019, [arXiv:1908.10084](https://arxiv.org/abs/1908.10084): the sentence
#   embeddings the local stand-in was trained for.
#
# **Next:** back to Chapter 1's section 8 (`01_calling_a_hosted_model.ipynb`), zero-shot and few-shot
# classification, if you came here midway; then Chapter 2, which runs a pre-trained model on your own machine.
