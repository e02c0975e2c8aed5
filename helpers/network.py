"""Is a server there? Quick reachability checks, and which Hub the libraries will call (every chapter).

Used by the resolver (``helpers.hub``: the Hugging Face Hub, or ``HF_ENDPOINT``) and by the API
client (``helpers.llm_api``: api.openai.com, or ``OPENAI_BASE_URL``). Imports nothing of the course.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

HUB_URL = "https://huggingface.co"


def host_reachable(host: str, timeout: float = 2.0, port: int = 443) -> bool:
    """True when a TCP connection to ``host``:``port`` opens within ``timeout`` seconds
    (the Hub here; the OpenAI endpoint in Chapter 1).

    A plain socket rather than an HTTP request: it fails in milliseconds where DNS
    fails, and never waits longer than ``timeout`` on a network that drops packets.
    """
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def url_reachable(url: str, timeout: float = 2.0) -> bool:
    """``host_reachable`` for the host and port of a URL (``http://127.0.0.1:8090`` -> port 8090)."""
    parts = urlsplit(url)
    return bool(parts.hostname) and host_reachable(
        parts.hostname, timeout, parts.port or (80 if parts.scheme == "http" else 443))


def hub_endpoint() -> str:
    """The Hub the libraries will call: ``HF_ENDPOINT`` when set, else https://huggingface.co."""
    return (os.environ.get("HF_ENDPOINT") or "").strip().rstrip("/") or HUB_URL


def hub_reachable(timeout: float = 2.0) -> bool:
    """True when the Hub (``hub_endpoint()``) answers within ``timeout`` seconds."""
    return url_reachable(hub_endpoint(), timeout)
