"""Test doubles the checks hand to your code: a pretend OpenAI server and a pretend pipeline.

Both answer instantly, from a script, and write down every request they get, so a check can
say exactly what your code sent ("request 2 does not contain the first answer"). They build on
Chapter 1's pretend servers (``helpers.llm_api.demo_servers``): the same ``openai`` client,
talking to an ``httpx2.MockTransport`` instead of the network.
"""

from __future__ import annotations

import json
from typing import Callable

import httpx2

from helpers.llm_api.demo_servers import demo_client, fake_chat_completion


class ScriptedServer(httpx2.MockTransport):
    """A pretend Chat Completions server (Chapter 1's exercises).

    ``answer`` is a list of replies, given in turn (the last one repeats), or a function
    ``answer(request_number, body) -> str``. ``requests`` keeps the JSON body of every request.
    """

    def __init__(self, answer: list[str] | Callable[[int, dict], str]):
        self.requests: list[dict] = []

        def handle(request: httpx2.Request) -> httpx2.Response:
            body = json.loads(request.content or b"{}")
            self.requests.append(body)
            number = len(self.requests)
            if callable(answer):
                text = answer(number, body)
            else:
                text = answer[min(number, len(answer)) - 1]
            return httpx2.Response(200, json=fake_chat_completion(text, model=body.get("model", "demo-model")))

        super().__init__(handle)

    def client(self, max_retries: int = 0):
        """An ``openai.OpenAI`` client that talks to this pretend server (no key, no network)."""
        return demo_client(self, max_retries=max_retries)

    def messages(self, number: int) -> list[dict]:
        """The ``messages`` of request ``number`` (1-based), as sent."""
        return self.requests[number - 1].get("messages", [])


class PretendPipeline:
    """Stands in for ``pipeline("sentiment-analysis")`` (Chapter 2's exercises): answers each
    text from ``scores`` (text -> (label, score)) and records how it was called."""

    def __init__(self, scores: dict[str, tuple[str, float]]):
        self.scores = scores
        self.calls: list[dict] = []

    def __call__(self, inputs, **options):
        if not isinstance(inputs, (str, list)):  # like the real pipeline, which refuses a tuple or a Column
            raise ValueError(f"text input must be of type `str` (single example) or `list[str]` (batch), "
                             f"not {type(inputs).__name__}")
        texts = [inputs] if isinstance(inputs, str) else list(inputs)
        self.calls.append({"n_texts": len(texts), **options})
        unknown = [t for t in texts if t not in self.scores]
        if unknown:
            raise ValueError(f"the pretend pipeline was given a text it was not asked about: {unknown[0]!r}")
        return [{"label": self.scores[t][0], "score": self.scores[t][1]} for t in texts]
