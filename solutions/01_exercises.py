# %% [markdown]
# # Chapter 1 · Exercises: calling a hosted model
#
# Three exercises that make you write what Chapter 1 taught: **structured output** that is checked
# and asked for again when it is wrong, **retries with backoff** when the server is busy, and a
# **chat that remembers**; then one question to answer. For each exercise:
#
# 1. read what is asked, and write the function where it says `# YOUR CODE HERE` (delete the
#    `raise NotImplementedError()` line);
# 2. run its cell, then the **check** cell under it. The check calls your function against a pretend
#    server that answers from a script, through the real `openai` client, and says *passed*, *not
#    done yet*, or exactly what is wrong. No key, no network, no model: a second per check;
# 3. when it passes, the "try it" cell after it puts your function to work.
#
# *Run All* works before you begin: every check then says "not done yet". Stuck? The check's message
# is the first hint, the chapter's section named in the exercise the second, and
# `helpers/checks/chapter01.py` shows everything that is checked. Everything you write here works
# unchanged with a real client: `connect(...)` from Chapter 1 gives you one (`backend.client`).

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
import json
import time

import openai
from pydantic import BaseModel, ValidationError

from helpers import setup_chapter
from helpers.checks import chapter01 as checks, passed
from helpers.checks.pretend import ScriptedServer
from helpers.llm_api import FlakyTransport, demo_client, extract_json

chapter = setup_chapter("Chapter 1 · Exercises", profile=PROFILE, hub_mode=HUB_MODE, seed=SEED)

# %% [markdown]
# ## Exercise 1.1 · JSON that fits a schema, with a retry
#
# Chapter 1, "Structured output": software downstream wants fields, not prose. OpenAI can constrain
# its models to a schema, but many servers cannot, and a small model often answers with prose around
# the JSON, a wrong value, or a missing field. The robust pattern: **ask** for JSON (say the schema),
# **validate** the answer with Pydantic, and when it is not valid **ask again**, showing the model its
# answer and what was wrong, a bounded number of times.
#
# Write `ask_for_json`. `schema` is a Pydantic class; `json.dumps(schema.model_json_schema())` is its
# JSON schema as text; `schema.model_validate_json(text)` returns an instance or raises `ValidationError`;
# Chapter 1's `extract_json(answer)` finds the `{...}` inside prose or a code fence. Use Chat Completions
# (`client.chat.completions.create(model=..., messages=...)`), which every server speaks.

# %%
def ask_for_json(client, model, schema, instructions, text, max_attempts=3):
    """Ask `model` for a JSON answer to `text` that fits the Pydantic class `schema`.

    Send `instructions` and the schema as the system message and `text` as the user's. Validate the
    answer; if it is not valid, add the answer (as the assistant's message) and what was wrong (as a
    user message) to the conversation and ask again. Return an instance of `schema`, or None when
    `max_attempts` answers in a row were not valid.
    """
    ### BEGIN SOLUTION
    rules = (f"{instructions}\nAnswer with only a JSON object that fits this JSON schema:\n"
             f"{json.dumps(schema.model_json_schema())}")
    messages = [{"role": "system", "content": rules}, {"role": "user", "content": text}]
    for _ in range(max_attempts):
        reply = client.chat.completions.create(model=model, messages=messages)
        answer = reply.choices[0].message.content or ""
        try:
            return schema.model_validate_json(extract_json(answer) or answer)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'the answer'}: {e['msg']}" for e in error.errors())
            messages += [{"role": "assistant", "content": answer},
                         {"role": "user", "content": f"That is not valid ({problems}). Reply with only the corrected JSON object."}]
    return None
    ### END SOLUTION


# %%
checks.json_with_retry(ask_for_json)

# %% [markdown]
# **Try it** on Chapter 1's support tickets, with a pretend server that behaves like a small model:
# prose and a made-up category first, valid JSON second. What did your function send the second time?

# %%
from typing import Literal


class Ticket(BaseModel):
    category: Literal["heating", "wifi", "warranty", "returns", "other"]
    urgent: bool
    summary: str


if passed("1.1"):
    server = ScriptedServer(['Here you go: {"category": "broken", "urgent": "very"}',
                             '{"category": "heating", "urgent": true, "summary": "The K2 stopped heating."}'])
    ticket = ask_for_json(server.client(), "demo-model", Ticket, "Triage this customer email.",
                          "Hi, my K2 stopped heating this morning and I have guests tonight. Help!")
    print(f"{len(server.requests)} requests; result: {ticket!r}\n")
    for message in server.messages(len(server.requests))[2:]:
        print(f"{message['role']:>9}: {message['content'][:160]}")
else:
    print("Finish exercise 1.1 first; then this cell runs your function.")

# %% [markdown] tags=["solution"]
# **Notes for teachers.** Learners most often retry with the very same request (the model cannot
# know what was wrong: the check says so), forget the code fences small models add (`extract_json`),
# let the `ValidationError` escape after the last attempt instead of returning None, or loop forever
# (`while True`). Discuss when to give up and hand over to a person, and why OpenAI's
# `responses.parse(text_format=...)` (Chapter 1) makes most of this unnecessary on OpenAI's own models.

# %% [markdown]
# ## Exercise 1.2 · Retry with exponential backoff
#
# Chapter 1's bonus notebook, `01b_in_production`: providers throttle (429 "rate limited") and
# sometimes fail (500). Both are usually temporary, so the right reaction is to wait and try again,
# waiting longer each time so as not to add to the crowd: **exponential backoff**. Other errors (a rejected key, 401; an unknown
# model, 404) will not go away by waiting: raise them at once. The `openai` client does this for you
# (`max_retries`); writing it once by hand shows what it does, and it is what you need for any other API.
#
# Write `with_backoff`. `call` is a function with no arguments that makes one request. Use the `sleep`
# you are given to wait (the check passes a pretend one, so that waiting takes no time).

# %%
def with_backoff(call, max_attempts=4, first_wait=1.0, sleep=time.sleep):
    """Return `call()`, retrying rate limits and server errors with growing waits.

    On openai.RateLimitError or openai.InternalServerError: sleep(first_wait), then try again; each
    later wait is twice the one before. After `max_attempts` calls in all, re-raise the last error.
    Any other error is raised at once, without waiting.
    """
    ### BEGIN SOLUTION
    wait = first_wait
    for attempt in range(1, max_attempts + 1):
        try:
            return call()
        except (openai.RateLimitError, openai.InternalServerError):
            if attempt == max_attempts:
                raise
            sleep(wait)
            wait *= 2
    ### END SOLUTION


# %%
checks.backoff(with_backoff)

# %% [markdown]
# **Try it** against Chapter 1's pretend server that is rate-limited three times (with the client's own
# retries off, so that only yours are at work), waiting for real:

# %%
if passed("1.2"):
    flaky = FlakyTransport(failures=3)
    client = demo_client(flaky, max_retries=0)
    start = time.perf_counter()
    reply = with_backoff(lambda: client.chat.completions.create(
        model="demo-model", messages=[{"role": "user", "content": "Hello?"}]), first_wait=0.1)
    for number, (at, status) in enumerate(flaky.attempts, 1):
        print(f"attempt {number} at {at:4.2f} s: HTTP {status}")
    print(f"answer after {time.perf_counter() - start:.2f} s: {reply.choices[0].message.content}")
else:
    print("Finish exercise 1.2 first; then this cell runs your function.")

# %% [markdown] tags=["solution"]
# **Notes for teachers.** The usual slips: catching every exception (a bad key is then retried four
# times), returning None after the last attempt instead of re-raising, sleeping after the last
# attempt, and calling `time.sleep` directly (the check then notices no waits). A good follow-up
# question: why do real clients add random *jitter* to the waits? (Many clients throttled at the same
# moment would otherwise all come back at the same moment.)

# %% [markdown]
# ## Exercise 1.3 · A chat that remembers
#
# Chapter 1, section 5: the API remembers nothing between calls. A chatbot keeps the conversation
# itself and **resends it every turn**: the system message first, then the exchanges so far, then the
# new question. Conversations grow, and every resent token is paid for, so a simple policy keeps only
# the last few exchanges in each request (the whole history stays in memory, for logs).
#
# Complete `Chat.ask`.

# %%
class Chat:
    """A conversation with `model`: `ask(question)` returns the answer's text."""

    def __init__(self, client, model, system, max_turns=3):
        self.client, self.model, self.system, self.max_turns = client, model, system, max_turns
        self.history = []  # every message so far, user and assistant (not the system message)

    def ask(self, question):
        """Send the system message, the last `max_turns` exchanges (a question and its answer each) and
        `question`; add the question and the answer to `history`; return the answer's text."""
        ### BEGIN SOLUTION
        recent = self.history[-2 * self.max_turns:] if self.max_turns else []
        messages = [{"role": "system", "content": self.system}, *recent, {"role": "user", "content": question}]
        reply = self.client.chat.completions.create(model=self.model, messages=messages)
        answer = reply.choices[0].message.content
        self.history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
        return answer
        ### END SOLUTION


# %%
checks.chat_memory(Chat)

# %% [markdown]
# **Try it** with a pretend server that answers by counting the messages it was sent:

# %%
if passed("1.3"):
    counting = ScriptedServer(lambda number, body: f"I was sent {len(body['messages'])} messages.")
    chat = Chat(counting.client(), "demo-model", "You are a helpful assistant.", max_turns=2)
    for question in ["Hi!", "What is a token?", "And a logit?", "Thanks. One more?"]:
        print(f"user: {question:<20} assistant: {chat.ask(question)}")
    print(f"history: {len(chat.history)} messages kept; each request sent at most 1 + 2 x 2 + 1 = 6")
else:
    print("Finish exercise 1.3 first; then this cell runs your class.")

# %% [markdown] tags=["solution"]
# **Notes for teachers.** The classic bug is sending only the new question (the bot forgets
# everything), closely followed by trimming `history` itself or trimming away the system message.
# `self.history[-0:]` is the whole list, so `max_turns=0` needs care. Discuss other policies: a token
# budget instead of a turn count (Chapter 1's `count_message_tokens`), or summarising old turns.

# %% [markdown]
# ## Question 1.4 · What a long chat costs
#
# A chat keeps its whole history (no trimming), and every exchange is about as long as the others.
# Over a conversation of `n` questions, the input tokens you pay for, in total, grow:
#
# - **a)** in proportion to `n`;
# - **b)** in proportion to `n²`;
# - **c)** not at all after the first question: the API remembers the conversation;
# - **d)** in proportion to the logarithm of `n`.
#
# Set `answer_1_4` to the letter of your answer, then run the check: a wrong letter is told where to reread,
# the right one why it is right.

# %%
answer_1_4 = None  # your answer: "a", "b", "c" or "d"

# %% tags=["solution"]
answer_1_4 = "b"

# %%
checks.question_1_4(answer_1_4)
