"""Pretend servers for reproducible demonstrations: a 429 that clears, a 401 replayed (Chapter 1's bonus
notebook, 01b_in_production).

Nothing goes over the network, so the retry demonstration is the same on every run.
"""

from __future__ import annotations

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


def demo_client(transport: httpx2.BaseTransport, max_retries: int = 3):
    """An ``OpenAI`` client wired to a pretend transport (no key or network needed)."""
    from openai import OpenAI

    return OpenAI(base_url="http://retry-demo.invalid/v1", api_key="demo-key-not-real",
                  max_retries=max_retries, http_client=httpx2.Client(transport=transport))
