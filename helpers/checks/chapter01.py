"""Checks for Chapter 1's exercises (notebooks/exercises/01_exercises.ipynb): calling a hosted model.

Every check talks to a pretend server (``helpers.checks.pretend.ScriptedServer``, or Chapter 1's
``FlakyTransport`` and ``ReplayTransport``) through the real ``openai`` client: no key, no
network, no model, and the same answers every time.

- ``json_with_retry`` (exercise 1.1): JSON that fits a schema, asked again when it does not;
- ``backoff`` (exercise 1.2): retrying rate limits and server errors by hand, with growing waits;
- ``chat_memory`` (exercise 1.3): a conversation that resends its history, trimmed to the last turns;
- ``question_1_4`` (exercise 1.4): a multiple-choice question on the chapter; the right letter is kept
  only as a digest, and a wrong one is told where to reread.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, Field

from helpers.checks.feedback import Mistake, exercise, multiple_choice, require_callable
from helpers.checks.pretend import ScriptedServer


class _Review(BaseModel):
    """The schema the check asks for (not the notebook's: your function must work for any schema)."""

    sentiment: Literal["positive", "negative"]
    stars: int = Field(ge=1, le=5)
    summary: str


_VALID = '{"sentiment": "positive", "stars": 4, "summary": "Loved it."}'
_INVALID = 'Sure! Here it is: {"sentiment": "great", "stars": 9}'  # wrong value, out of range, a field missing
_FENCED = '```json\n{"sentiment": "negative", "stars": 2, "summary": "Dull."}\n```'


def _call_ask(ask_for_json, server: ScriptedServer, max_attempts: int, scenario: str):
    try:
        return ask_for_json(server.client(), "demo-model", _Review, "Rate this movie review.",
                            "A warm, funny film; I smiled all the way through.", max_attempts=max_attempts)
    except NotImplementedError:
        raise
    except Exception as error:
        raise Mistake(f"{scenario}: your function raised {type(error).__name__} ({str(error)[:150]}). "
                      "Catch the validation error (pydantic's ValidationError) and try again; after "
                      "`max_attempts` failed answers return None.") from None


@exercise("1.1", "JSON that fits a schema, with a retry")
def json_with_retry(ask_for_json) -> str:
    """Exercise 1.1: ``ask_for_json(client, model, schema, instructions, text, max_attempts)``."""
    require_callable(ask_for_json, "ask_for_json")

    # 1. The first answer is valid: one request, an instance of the schema.
    server = ScriptedServer([_VALID])
    result = _call_ask(ask_for_json, server, 3, "When the first answer was valid JSON")
    if not server.requests:
        raise Mistake("your function sent no request to the server: call client.chat.completions.create(...).")
    sent = json.dumps(server.requests[0])
    if server.requests[0].get("model") != "demo-model":
        raise Mistake(f"the request asked for model {server.requests[0].get('model')!r}: pass the `model` argument on.")
    for field in _Review.model_fields:
        if field not in sent:
            raise Mistake(f"your request never mentions the field {field!r}, so the model cannot know the schema. "
                          "Put it in the instructions, e.g. json.dumps(schema.model_json_schema()).")
    if isinstance(result, (dict, str)):
        raise Mistake(f"you returned a {type(result).__name__}; return an instance of the schema: "
                      "schema.model_validate_json(the JSON text).")
    if not isinstance(result, _Review):
        raise Mistake(f"for a valid first answer you returned {result!r}; expected an instance of the schema class "
                      "you were given (here a `_Review`).")
    if len(server.requests) != 1:
        raise Mistake(f"the first answer was valid, yet you sent {len(server.requests)} requests: stop at the first valid one.")

    # 2. Invalid, then valid inside a code fence: a second request that shows the model its mistake.
    server = ScriptedServer([_INVALID, _FENCED])
    result = _call_ask(ask_for_json, server, 3, "When the first answer was invalid")
    if len(server.requests) < 2:
        raise Mistake("the first answer was invalid (prose, a wrong value, a missing field) but you did not ask "
                      "again. Validate it, and on a ValidationError send another request.")
    if not isinstance(result, _Review) or result.sentiment != "negative":
        raise Mistake(f"the second answer was valid JSON inside a ```json code fence, but you returned {result!r}. "
                      "Small models wrap JSON in prose or fences: extract_json(answer) finds the {...} part.")
    second = json.dumps(server.messages(2))
    if "great" not in second or len(server.messages(2)) <= len(server.messages(1)):
        raise Mistake("the retry sent the same request again, so the model cannot know what was wrong. Add its "
                      "answer (as an assistant message) and what was wrong with it (a user message) to the messages.")
    if len(server.requests) != 2:
        raise Mistake(f"the second answer was valid, yet you sent {len(server.requests)} requests.")

    # 3. Never valid: give up after max_attempts requests, with None.
    for attempts in (3, 1):
        server = ScriptedServer(["I am sorry, I cannot produce JSON."])
        result = _call_ask(ask_for_json, server, attempts, f"When no answer was valid (max_attempts={attempts})")
        if len(server.requests) != attempts:
            raise Mistake(f"with max_attempts={attempts} and a model that never answers JSON, you sent "
                          f"{len(server.requests)} requests; send exactly {attempts}.")
        if result is not None:
            raise Mistake(f"when no answer was valid you returned {result!r}; return None, so the caller can tell.")
    return "valid on the first try, fixed on the second, and None after max_attempts failures."


class _RecordedSleep:
    def __init__(self):
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(round(float(seconds), 6))


def _attempt(with_backoff, transport, max_attempts: int, first_wait: float):
    """Run the learner's ``with_backoff`` against a pretend server; (outcome, error, statuses, waits)."""
    import openai

    from helpers.llm_api import demo_client

    client = demo_client(transport, max_retries=0)  # the client itself must not retry: the learner's code does
    sleep = _RecordedSleep()
    call = lambda: client.chat.completions.create(model="demo-model", messages=[{"role": "user", "content": "Hello?"}])
    try:
        outcome, error = with_backoff(call, max_attempts=max_attempts, first_wait=first_wait, sleep=sleep), None
    except NotImplementedError:
        raise
    except openai.OpenAIError as raised:
        outcome, error = None, raised
    return outcome, error, sleep.waits


@exercise("1.2", "retry with exponential backoff")
def backoff(with_backoff) -> str:
    """Exercise 1.2: ``with_backoff(call, max_attempts, first_wait, sleep)``, tried against
    Chapter 1's pretend servers: a rate limit that clears, one that does not, a server error, a bad key."""
    import openai

    from helpers.llm_api import FlakyTransport, ReplayTransport

    require_callable(with_backoff, "with_backoff")

    flaky = FlakyTransport(failures=2)
    outcome, error, waits = _attempt(with_backoff, flaky, max_attempts=4, first_wait=0.25)
    statuses = [status for _, status in flaky.attempts]
    if error is not None:
        raise Mistake(f"the server answered 429 twice, then 200, but your function raised {type(error).__name__} "
                      f"after {len(statuses)} request(s): catch openai.RateLimitError and try again.")
    if statuses != [429, 429, 200]:
        raise Mistake(f"the server answered 429, 429, then 200; your function made requests that got {statuses}.")
    if outcome is None or getattr(outcome, "choices", None) is None:
        raise Mistake(f"you returned {outcome!r}; return what call() returned when it succeeded.")
    if not waits:
        raise Mistake("you did not wait between attempts with the `sleep` function you were given (the check passes "
                      "a pretend one so that it takes no time): call sleep(seconds) before each new attempt.")
    if waits != [0.25, 0.5]:
        raise Mistake(f"with first_wait=0.25 you waited {waits} before the 2nd and 3rd attempts; expected "
                      "[0.25, 0.5]: the first wait, then twice as long each time.")

    flaky = FlakyTransport(failures=10)
    outcome, error, waits = _attempt(with_backoff, flaky, max_attempts=4, first_wait=0.25)
    if len(flaky.attempts) != 4:
        raise Mistake(f"with max_attempts=4 and a server that stays rate-limited you made {len(flaky.attempts)} requests; "
                      "make exactly 4, then give up.")
    if not isinstance(error, openai.RateLimitError):
        raise Mistake(f"after the last failed attempt you returned {outcome!r}; re-raise the last error "
                      "(a bare `raise` in the except block) so the caller knows it failed.")
    if waits != [0.25, 0.5, 1.0]:
        raise Mistake(f"between 4 attempts you waited {waits}; expected [0.25, 0.5, 1.0] (no wait after the last "
                      "attempt: you will not try again).")

    flaky = FlakyTransport(failures=1, status=500)
    outcome, error, waits = _attempt(with_backoff, flaky, max_attempts=3, first_wait=0.25)
    if error is not None or [s for _, s in flaky.attempts] != [500, 200]:
        raise Mistake("a server error (500, openai.InternalServerError) is usually temporary: retry it like a rate "
                      f"limit. Your function got {[s for _, s in flaky.attempts]} and "
                      f"{'raised ' + type(error).__name__ if error else 'returned'}.")

    bad_key = ReplayTransport(401, "Incorrect API key provided.", "invalid_api_key")
    outcome, error, waits = _attempt(with_backoff, bad_key, max_attempts=4, first_wait=0.25)
    if bad_key.requests != 1 or waits:
        raise Mistake(f"a rejected key (401) was tried {bad_key.requests} times: retrying cannot fix a bad key. "
                      "Retry only RateLimitError and InternalServerError; let every other error through at once.")
    if not isinstance(error, openai.AuthenticationError):
        raise Mistake(f"for a rejected key you returned {outcome!r}; let the AuthenticationError reach the caller.")
    return "rate limits and server errors retried with doubling waits; a bad key fails at once."


@exercise("1.3", "a chat that remembers")
def chat_memory(Chat) -> str:
    """Exercise 1.3: ``Chat(client, model, system, max_turns)`` with ``ask(question) -> str`` and ``history``."""
    require_callable(Chat, "Chat")
    server = ScriptedServer(lambda number, body: f"answer {number}")
    chat = Chat(server.client(), "demo-model", "You are terse.", max_turns=2)
    questions = [f"question {i}" for i in range(1, 5)]
    system = {"role": "system", "content": "You are terse."}
    for i, question in enumerate(questions, 1):
        answer = chat.ask(question)
        if not isinstance(answer, str):
            raise Mistake(f"ask() returned a {type(answer).__name__}; return the answer's text: "
                          "reply.choices[0].message.content.")
        if answer != f"answer {i}":
            raise Mistake(f"the server answered {f'answer {i}'!r} to question {i}, but ask() returned {answer!r}.")
    if len(server.requests) != 4:
        raise Mistake(f"4 questions made {len(server.requests)} requests; make one per question.")

    def shape(number):
        return [{"role": m.get("role"), "content": m.get("content")} for m in server.messages(number)]

    def exchange(i):
        return [{"role": "user", "content": f"question {i}"}, {"role": "assistant", "content": f"answer {i}"}]

    expected = {1: [system, {"role": "user", "content": "question 1"}],
                2: [system, *exchange(1), {"role": "user", "content": "question 2"}],
                4: [system, *exchange(2), *exchange(3), {"role": "user", "content": "question 4"}]}
    for number, messages in expected.items():
        sent = shape(number)
        if not sent or sent[0] != system:
            raise Mistake(f"request {number} does not start with the system message {system}: it must come first in "
                          "every request (the API remembers nothing between calls).")
        if number == 2 and sent != messages:
            raise Mistake(f"request 2 sent {sent}; expected the system message, the first exchange (question 1 and "
                          "answer 1), then question 2: the API keeps no state, so resend the history.")
        if number == 4 and sent != messages:
            raise Mistake(f"with max_turns=2, request 4 sent {len(sent)} messages; expected {len(messages)}: the "
                          "system message, the last 2 exchanges (questions and answers 2 and 3), then question 4.")
        if number == 1 and sent != messages:
            raise Mistake(f"request 1 sent {sent}; expected only the system message and question 1.")
    if len(getattr(chat, "history", [])) != 8:
        raise Mistake(f"after 4 questions `history` holds {len(getattr(chat, 'history', []))} messages; keep all 8 "
                      "(each question and each answer): only the request is trimmed.")

    # max_turns=0: no earlier exchange at all (a slice from -0 is the whole list, not an empty one).
    server = ScriptedServer(lambda number, body: f"answer {number}")
    chat = Chat(server.client(), "demo-model", "You are terse.", max_turns=0)
    for question in questions[:3]:
        chat.ask(question)
    sent = shape(3)
    if sent != [system, {"role": "user", "content": "question 3"}]:
        raise Mistake(f"with max_turns=0, request 3 sent {len(sent)} messages; expected 2: the system message and "
                      "question 3, no earlier exchange. Try your trimming on max_turns=0 by hand: what does a slice "
                      "that starts at -0 give?")
    return "every request resent the system message and the last exchanges (none for max_turns=0); history kept whole."


@exercise("1.4", "question: what a long chat costs")
def question_1_4(answer) -> str:
    """Exercise 1.4, a question: ``answer_1_4`` is the letter of the answer (None until set)."""
    return multiple_choice(answer, name="answer_1_4", number="1.4", choices="abcd", digest="851ca37e50592850",
                           reread="Chapter 1, section 5 (what a chatbot must send with every request) and section 3 (what is billed)",
                           why=('Right: request t carries the t - 1 exchanges before it, so the n requests carry 0 + 1 + ...'
                                ' + (n - 1), about n²/2 exchanges in all: quadratic. The API keeps no state, so nothing is '
                                'remembered for free; trimming to the last k turns (exercise 1.3) caps every request at k '
                                'exchanges and makes the total linear again.'))
