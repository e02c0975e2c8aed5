"""Which server the ``openai`` client calls, and the names the chapter uses for it (Chapter 1)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

OPENAI_HOST = "api.openai.com"
OPENAI_API_URL = "https://api.openai.com/v1"
KEY_VARIABLE = "OPENAI_API_KEY"
BASE_URL_VARIABLE = "OPENAI_BASE_URL"  # the openai client's own variable for another endpoint
# The hosted model whose prices stand for "what this would cost on OpenAI", where the model
# that answered has no price in the table (the local stand-in, a custom endpoint's model).
REFERENCE_MODEL = "gpt-4.1-mini"
# The local server needs *a* key (``OpenAI()`` refuses to start without one) but checks none.
LOCAL_PLACEHOLDER_KEY = "not-needed-for-the-local-server"
REVOKE_HINT = ("A key that was shown, committed or shared must be revoked: "
               "https://platform.openai.com/api-keys > the key's menu > Revoke (then create a new one).")


def api_base_url(env: dict | None = None) -> str:
    """The endpoint the ``openai`` client calls: ``OPENAI_BASE_URL`` when set, else OpenAI's.

    The client reads the same variable itself; the course reads it too, so that the
    reachability check, the labels and the prices are about the server that really answers.
    """
    env = os.environ if env is None else env
    return (env.get(BASE_URL_VARIABLE) or "").strip().rstrip("/") or OPENAI_API_URL


def is_openai(base_url: str) -> bool:
    """True when ``base_url`` is OpenAI's own API (prices in the table are then this model's)."""
    return urlsplit(base_url).hostname == OPENAI_HOST


def server_name(base_url: str) -> str:
    """``host:port`` of an endpoint, for labels (never a path on this machine)."""
    return urlsplit(base_url).netloc or base_url
