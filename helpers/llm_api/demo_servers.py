"""Pretend servers for reproducible demonstrations: a 429 that clears, a 401 replayed, a tool call
(Chapter 1's bonus notebook, 01b_in_production).

Nothing goes over the network, so the retry demonstration is the same on every run.
"""

from __future__ import annotations

import json
import time

import httpx2


def fake_chat_completion(text: str, model: str = "demo-model") -> dict:
    """A minimal Chat Completions body, as a server would send it (for the retry demo)."""
    return {"id": "chatcmpl-demo", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12}}


class FlakyTransport(httpx2.MockTransport):
    """A pretend server that answers 429 "rate limited" ``failures`` times, then succeeds (Chapter 1).

    Nothing goes over the network, so the demonstration is the same on every run. The 429
    carries a ``retry-after-ms`` header, as OpenAI's do; the client waits that long, then retries.
    ``attempts`` records when each request arrived and what it got.
    """

    def __init__(self, failures: int = 2, retry_after_ms: int = 200, status: int = 429,
                 answer: str = "Hello after retrying!"):
        self.failures, self.retry_after_ms, self.status, self.answer = failures, retry_after_ms, status, answer
        self.attempts: list[tuple[float, int]] = []
        self._t0 = time.perf_counter()
        super().__init__(self._handle)

    def _handle(self, request: httpx2.Request) -> httpx2.Response:
        if len(self.attempts) < self.failures:
            self.attempts.append((time.perf_counter() - self._t0, self.status))
            return httpx2.Response(self.status, headers={"retry-after-ms": str(self.retry_after_ms)},
                                   json={"error": {"message": "Rate limit reached for requests (demo).",
                                                   "type": "requests", "code": "rate_limit_exceeded",
                                                   "param": None}})
        self.attempts.append((time.perf_counter() - self._t0, 200))
        return httpx2.Response(200, json=fake_chat_completion(self.answer))


class ReplayTransport(httpx2.MockTransport):
    """A pretend server that always answers ``status`` with an OpenAI-shaped error (Chapter 1).

    Where the server at hand checks no key (the local stand-in, Ollama, LM Studio, vLLM without
    ``--api-key``, ``transformers serve``), a wrong key gets no 401 to show; this replays the status
    and error shape OpenAI sends, and the chapter labels it as a replay.
    """

    def __init__(self, status: int, message: str, code: str | None = None, kind: str = "invalid_request_error"):
        self.requests = 0

        def handle(request: httpx2.Request) -> httpx2.Response:
            self.requests += 1
            return httpx2.Response(status, json={"error": {"message": message, "type": kind,
                                                           "param": None, "code": code}})
        super().__init__(handle)


class ToolCallTransport(httpx2.MockTransport):
    """A pretend Chat Completions server that asks for one tool call, then answers from its result
    (Chapter 1's bonus, section 4), for where the model at hand calls no tools (the 135M stand-in).

    Its first answer has the shape OpenAI documents for a tool call: ``finish_reason: "tool_calls"``
    and ``message.tool_calls`` with an ``id`` and the function's name and JSON arguments. Then it
    checks what a real API checks, with OpenAI's 400 when it is wrong: the ``tool`` message answers
    that ``id`` and follows the assistant message that asked for it. Its final answer quotes the
    tool's result, word for word, and says it is a pretend server's: no model wrote it.
    ``requests`` keeps every request's messages.
    """

    def __init__(self, name: str, arguments: dict, call_id: str = "call_demo_1"):
        self.name, self.arguments, self.call_id = name, arguments, call_id
        self.requests: list[list[dict]] = []
        super().__init__(self._handle)

    def _handle(self, request: httpx2.Request) -> httpx2.Response:
        messages = json.loads(request.content)["messages"]
        self.requests.append(messages)
        results = [m for m in messages if m.get("role") == "tool"]
        if not results:  # the model's turn: it asks for the tool
            call = {"id": self.call_id, "type": "function",
                    "function": {"name": self.name, "arguments": json.dumps(self.arguments)}}
            body = fake_chat_completion(None)
            body["choices"][0].update(finish_reason="tool_calls")
            body["choices"][0]["message"]["tool_calls"] = [call]
            return httpx2.Response(200, json=body)
        asked = messages[messages.index(results[0]) - 1]
        if asked.get("role") != "assistant" or not asked.get("tool_calls"):
            # OpenAI's own words, its spelling included.
            return self._bad_request("messages with role 'tool' must be a response to a preceeding message "
                                     "with 'tool_calls'.")
        if results[0].get("tool_call_id") != self.call_id:
            return self._bad_request(f"Invalid parameter: tool_call_id {results[0].get('tool_call_id')!r} "
                                     "does not answer any tool call.")
        return httpx2.Response(200, json=fake_chat_completion(
            f"(pretend server, no model) {self.name} answered: {results[0]['content']}"))

    @staticmethod
    def _bad_request(message: str) -> httpx2.Response:
        return httpx2.Response(400, json={"error": {"message": message, "type": "invalid_request_error",
                                                    "param": "messages", "code": None}})


def demo_client(transport: httpx2.BaseTransport, max_retries: int = 3):
    """An ``OpenAI`` client wired to a pretend transport (no key or network needed)."""
    from openai import OpenAI

    return OpenAI(base_url="http://retry-demo.invalid/v1", api_key="demo-key-not-real",
                  max_retries=max_retries, http_client=httpx2.Client(transport=transport))
