"""Calling a model through the OpenAI API, with a key, your own server, or fully offline (Chapters 1, 5).

Read the modules in this order; each is one concern, short enough for a sitting:

- ``keys``: find a key (environment, ``.env``, Colab secret, hidden prompt); never show it;
- ``client``: ``connect`` and ``Backend``: OpenAI's API, any OpenAI-compatible endpoint named by
  ``OPENAI_BASE_URL``, or the local ``transformers serve`` stand-in; every answer labelled with
  the server that gave it;
- ``errors``: one actionable sentence per failure instead of a traceback (``friendly_errors``);
- ``demo_servers``: pretend servers (a 429 that clears, a replayed 401, a tool call) for reproducible demos;
- ``tokens`` and ``money``: tiktoken counts and the maintained price table of ``genai-prices``;
- ``cache``: answers kept on disk, so re-running a notebook does not pay twice;
- ``faq``: the support bot's FAQ and the keyword retriever Chapter 1 writes out (its bonus searches it by meaning);
- ``prompts``: structured output and zero-/few-shot sentiment (Chapter 1's closing measurement,
  reused by Chapter 5);
- ``reference``: a hosted model's stored answers, shown to learners who have no key.

Machinery you need not read: ``endpoints`` (names and constants) and ``server_quirks`` (makes
``transformers serve`` answer exactly like OpenAI). Everything is importable from here, e.g.
``from helpers.llm_api import connect``.
"""

from helpers.llm_api.cache import ResponseCache, cache_dir
from helpers.llm_api.client import (Backend, check_key, choose_backend, connect, served_models)
from helpers.llm_api.demo_servers import (FlakyTransport, ReplayTransport, ToolCallTransport, demo_client,
                                         fake_chat_completion)
from helpers.llm_api.endpoints import (BASE_URL_VARIABLE, KEY_VARIABLE, LOCAL_PLACEHOLDER_KEY, OPENAI_API_URL,
                                       OPENAI_HOST, REFERENCE_MODEL, REVOKE_HINT, api_base_url, is_openai,
                                       server_name)
from helpers.llm_api.errors import explain, friendly_errors
from helpers.llm_api.keys import ApiKey, can_prompt, resolve_api_key, scrub_secrets
from helpers.llm_api.money import cost_of, estimate_cost, has_price, money, price_per_million, usage_of
from helpers.llm_api.prompts import (LABEL_WORDS, SENTIMENT_INSTRUCTIONS, classify_sentiment, extract_json,
                                     parse_sentiment, sentiment_messages)
from helpers.llm_api.reference import REFERENCE_REQUESTS, show_reference
from helpers.llm_api.server_quirks import LocalQuirksTransport
from helpers.llm_api.tokens import count_message_tokens, count_tokens, encoding_for, use_offline_encodings

__all__ = [
    "ApiKey", "BASE_URL_VARIABLE", "Backend", "FlakyTransport", "KEY_VARIABLE", "LABEL_WORDS",
    "LOCAL_PLACEHOLDER_KEY", "LocalQuirksTransport", "OPENAI_API_URL", "OPENAI_HOST", "REFERENCE_MODEL",
    "REFERENCE_REQUESTS", "REVOKE_HINT", "ReplayTransport", "ResponseCache", "ToolCallTransport", "SENTIMENT_INSTRUCTIONS", "api_base_url", "cache_dir",
    "can_prompt", "check_key", "choose_backend", "classify_sentiment", "connect", "cost_of",
    "count_message_tokens", "count_tokens", "demo_client", "encoding_for", "estimate_cost", "explain",
    "extract_json", "fake_chat_completion", "friendly_errors", "has_price", "is_openai", "money",
    "parse_sentiment", "price_per_million", "resolve_api_key", "scrub_secrets", "sentiment_messages",
    "served_models", "server_name", "show_reference", "usage_of", "use_offline_encodings",
]
