"""Structured output and zero-/few-shot sentiment through Chat Completions (Chapter 1, section 8; Chapter 5)."""

from __future__ import annotations

import re
import time
from typing import Iterable

from helpers.llm_api.cache import ResponseCache
from helpers.llm_api.money import usage_of


def extract_json(text: str) -> str | None:
    """The first {...} block in ``text`` (small models wrap JSON in prose or code fences)."""
    match = re.search(r"\{.*\}", text or "", re.S)
    return match.group(0) if match else None


# ---------------------------------------------------------------- sentiment, zero- and few-shot

SENTIMENT_INSTRUCTIONS = ("Classify the sentiment of a movie review. "
                          "Answer with exactly one word: positive or negative.")
LABEL_WORDS = {0: "negative", 1: "positive"}


def sentiment_messages(text: str, examples: Iterable[tuple[str, int]] = ()) -> list[dict]:
    """Chat messages asking for one review's sentiment; ``examples`` (text, label) make it few-shot,
    given as earlier turns of the conversation (the usual way to show a chat model examples)."""
    messages = [{"role": "system", "content": SENTIMENT_INSTRUCTIONS}]
    for example, label in examples:
        messages += [{"role": "user", "content": f"Review: {example}"},
                     {"role": "assistant", "content": LABEL_WORDS[label]}]
    return messages + [{"role": "user", "content": f"Review: {text}"}]


def parse_sentiment(answer: str) -> int | None:
    """1 for positive, 0 for negative, None when the answer says neither (counted as wrong)."""
    words = re.findall(r"[a-z]+", (answer or "").lower())
    for word in words:
        if word.startswith("pos"):
            return 1
        if word.startswith("neg"):
            return 0
    return None


def classify_sentiment(client, model: str, texts: list[str], examples: Iterable[tuple[str, int]] = (),
                       cache: ResponseCache | None = None, namespace: str = "", max_tokens: int = 3,
                       progress: bool = True, **options) -> list[dict]:
    """Zero-shot (no ``examples``) or few-shot sentiment through Chat Completions (Chapters 1, 5).

    Chat Completions rather than Responses, because every OpenAI-compatible server speaks it.
    Each result: label (0/1/None), answer, seconds, input_tokens, output_tokens, cached.
    Deterministic settings (temperature 0) where the model accepts them: classification wants
    the most likely label, not a creative one.
    """
    from helpers.progress import progress_bar  # tqdm, whose saved notebook output shows where it ended

    examples = list(examples)
    results = []
    for text in progress_bar(texts, desc=f"{'few' if examples else 'zero'}-shot", disable=not progress):
        request = dict(model=model, messages=sentiment_messages(text, examples), max_completion_tokens=max_tokens,
                       **options)
        if cache is not None:
            response, hit, seconds = cache.create(client.chat.completions.create, namespace or model, **request)
        else:
            started = time.perf_counter()
            response, hit = client.chat.completions.create(**request), False
            seconds = time.perf_counter() - started
        answer = response.choices[0].message.content or ""
        tokens_in, tokens_out = usage_of(response)
        results.append(dict(label=parse_sentiment(answer), answer=answer.strip(), seconds=seconds,
                            input_tokens=tokens_in, output_tokens=tokens_out, cached=hit))
    return results
