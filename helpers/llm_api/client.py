"""One client, three kinds of server: OpenAI, any OpenAI-compatible endpoint, or the local stand-in (Chapter 1, section 2).

``connect`` makes the chapter's one decision (``choose_backend``) and says why; ``Backend``
labels every answer with the server that gave it and prices it only where the prices are its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import httpx2

from helpers.llm_api.endpoints import (BASE_URL_VARIABLE, KEY_VARIABLE, LOCAL_PLACEHOLDER_KEY, OPENAI_API_URL,
                                       OPENAI_HOST, REFERENCE_MODEL, api_base_url, is_openai, server_name)
from helpers.llm_api.errors import explain
from helpers.llm_api.keys import ApiKey
from helpers.llm_api.money import estimate_cost, has_price
from helpers.llm_api.server_quirks import LocalQuirksTransport
from helpers.network import url_reachable


@dataclass
class Backend:
    """What ``connect`` chose (Chapter 1): an ``openai.OpenAI`` client, the model name to send,
    and which kind of server answers:

    - ``"openai"``: OpenAI's hosted API (api.openai.com), billed at the price table's rates;
    - ``"custom"``: another OpenAI-compatible endpoint from ``OPENAI_BASE_URL`` (Ollama, vLLM,
      LM Studio, your own ``transformers serve``, another provider): its price is not in the table;
    - ``"local"``: the course's stand-in, started here because no endpoint could be used.
    """

    client: Any
    model: str              # the name to pass as model=...
    kind: str               # "openai", "custom" or "local"
    asked_model: str        # the model the chapter asked for (OPENAI_MODEL)
    reason: str
    server: Any = None      # the LocalServer, when local
    key_source: str | None = None
    base_url: str = OPENAI_API_URL

    @property
    def is_local(self) -> bool:
        return self.kind == "local"

    @property
    def where(self) -> str:
        """Who answers, in words: "OpenAI", or the custom endpoint's host:port."""
        return "OpenAI" if self.kind == "openai" else server_name(self.base_url)

    @property
    def label(self) -> str:
        """A short tag for every answer, so nobody mistakes one server's text for another's."""
        if self.is_local:
            return f"[local stand-in: {Path(self.model).name}, 135M parameters, not {self.asked_model}]"
        if self.kind == "custom":
            return f"[{self.model} at {self.where}, from {BASE_URL_VARIABLE}]"
        return f"[OpenAI: {self.model}]"

    @property
    def price_model(self) -> str:
        """The OpenAI model whose prices the "what it would cost on OpenAI" figures use: the model
        itself on OpenAI, else the model asked for when the table knows it, else ``REFERENCE_MODEL``."""
        if self.kind == "openai" and has_price(self.model):
            return self.model
        if self.kind == "local" and has_price(self.asked_model):
            return self.asked_model
        return REFERENCE_MODEL

    def cost(self, input_tokens: int, output_tokens: int) -> Decimal | None:
        """What these tokens cost on this backend: the price table's figure on OpenAI, $0 on the
        local stand-in (your own hardware), and None (unknown) on a custom endpoint, whose prices
        are its own (Chapters 1 and 5)."""
        if self.is_local:
            return Decimal(0)
        if self.kind == "openai" and has_price(self.model):
            return estimate_cost(self.model, input_tokens, output_tokens)
        return None

    def http_client(self, timeout: float = 60.0):
        """What to pass as ``OpenAI(http_client=...)`` for this server: None for OpenAI (the client's
        own), and for any other server an HTTP client whose transport smooths the small ways
        ``transformers serve`` differs from OpenAI (``helpers.llm_api.server_quirks``)."""
        if self.kind == "openai":
            return None
        return httpx2.Client(transport=LocalQuirksTransport(), timeout=timeout)

    @property
    def supports_temperature(self) -> bool:
        """GPT-5-family (reasoning) models reject any temperature or top_p but the default."""
        return self.is_local or not re.match(r"(gpt-5|o\d)", self.model)

    def sampling(self, **options) -> dict:
        """``options`` (temperature, top_p) when the model accepts them, else {} (Chapter 1)."""
        return options if self.supports_temperature else {}

    def show(self, text: str, title: str | None = None, width: int = 100) -> None:
        """Print an answer with its label (and the title of what was asked)."""
        import textwrap

        head = f"{title}  " if title else ""
        print(f"{head}{self.label}")
        for paragraph in (text or "(empty answer)").strip().splitlines() or [""]:
            print(textwrap.fill(paragraph, width, initial_indent="  ", subsequent_indent="  ") or "  ")

    def close(self) -> None:
        """Stop the local server, if any (the chapter's last cell)."""
        if self.server is not None:
            self.server.stop()


def check_key(client) -> BaseException | None:
    """Ask the endpoint to list its models, which every OpenAI-compatible server answers for free:
    None when it accepts the key, else the error (a 401 for a rejected key). Chapter 1."""
    import openai

    try:
        client.models.list()
        return None
    except openai.AuthenticationError as error:
        return error
    except openai.OpenAIError:  # a server without /models, or a hiccup: the first real call will tell
        return None


def served_models(client) -> list[str] | None:
    """The model names an endpoint lists (``client.models.list()``), or None when it lists none."""
    import openai

    try:
        return [m.id for m in client.models.list()]
    except openai.OpenAIError:
        return None


def choose_backend(key: "ApiKey | None", base_url: str, use_local: str | bool = "auto",
                   reachable: Callable[[str], bool] = url_reachable) -> tuple[bool, str]:
    """The chapter's one decision, as (use the local stand-in?, the reason in words). Chapter 1.

    ``use_local``: "auto" (the endpoint when it can be used, else local), True (always local),
    False (never: fail clearly when the endpoint cannot be used). A custom endpoint
    (``OPENAI_BASE_URL``) needs no key: local servers such as Ollama accept any.
    """
    custom = not is_openai(base_url)
    where = f"{BASE_URL_VARIABLE}={base_url}" if custom else OPENAI_HOST
    if use_local is True:
        return True, "USE_LOCAL_SERVER = True in the parameters cell"
    if key is None and not custom:
        problem = f"no OpenAI key was found (environment, .env, Colab secret, prompt), and {BASE_URL_VARIABLE} is not set"
    elif not reachable(base_url):
        problem = (f"{'a key was found but ' if key else ''}{where} is not reachable "
                   "(no network, a firewall, or nothing listening there)")
    else:
        found = f"a key was found ({key.source})" if key else "no key was found (a placeholder is sent)"
        return False, f"{found} and {where} is reachable"
    if use_local == "auto":
        return True, problem
    raise RuntimeError(f"USE_LOCAL_SERVER = False, but {problem}. Set {KEY_VARIABLE} (environment, .env file or "
                       f"Colab secret) or fix {BASE_URL_VARIABLE}, or set USE_LOCAL_SERVER = 'auto'.")


def connect(openai_model: str, local_model: str, use_local: str | bool = "auto",
            key: ApiKey | None = None, base_url: str | None = None, timeout: float = 60.0,
            max_retries: int = 2, reachable: Callable[[str], bool] = url_reachable,
            start_timeout: float = 180.0) -> Backend:
    """The hosted API (or any OpenAI-compatible endpoint), or the local stand-in (Chapters 1, 5).

    ``key``: what ``resolve_api_key()`` found; without it only a custom endpoint or the local
    stand-in can answer. ``base_url``: the endpoint; default ``OPENAI_BASE_URL``, else OpenAI's.
    ``local_model``: a Hub id for the stand-in (the offline kit's copy is used when offline).
    A key the endpoint rejects (401) is said at once; with ``use_local="auto"`` the chapter then
    goes on with the stand-in, labelled, instead of failing in every cell. A server that checks no
    key (Ollama, LM Studio, vLLM without ``--api-key``, ``transformers serve``) accepts any: nothing
    to say then (Chapter 1's bonus notebook, 01b_in_production, shows which kind of server answered).
    """
    from openai import OpenAI

    base_url = base_url or api_base_url()
    custom = not is_openai(base_url)
    local, reason = choose_backend(key, base_url, use_local, reachable)
    if not local:
        # A custom server may differ from OpenAI in small ways (transformers serve does):
        # LocalQuirksTransport makes it answer like OpenAI. OpenAI itself gets a plain client.
        http_client = httpx2.Client(transport=LocalQuirksTransport(), timeout=timeout) if custom else None
        client = OpenAI(api_key=key.reveal() if key else LOCAL_PLACEHOLDER_KEY, base_url=base_url,
                        timeout=timeout, max_retries=max_retries, http_client=http_client)
        rejected = check_key(client)
        if rejected is None:
            backend = Backend(client, openai_model, "custom" if custom else "openai", openai_model, reason,
                              key_source=key.source if key else None, base_url=base_url)
            _print_remote_banner(backend)
            return backend
        message = explain(rejected, base_url)
        if use_local is False:
            raise RuntimeError(f"USE_LOCAL_SERVER = False, but {message}")
        print(f"✗ {message}\n  Going on with the local stand-in; fix the key and run the chapter again.")
        reason = f"{server_name(base_url)} rejected the key (401)"

    from helpers.hub import resolve_model
    from helpers.local_server import LocalServer

    server = LocalServer(resolve_model(local_model)).start(timeout=start_timeout)
    client = OpenAI(base_url=server.base_url, api_key=LOCAL_PLACEHOLDER_KEY, timeout=timeout,
                    max_retries=max_retries, http_client=httpx2.Client(transport=LocalQuirksTransport(),
                                                                       timeout=timeout))
    backend = Backend(client, server.model, "local", openai_model, reason, server=server, base_url=server.base_url)
    line = "=" * 78
    print(f"{line}\nLOCAL STAND-IN FOR THE OPENAI API\n"
          f"  asked for : {openai_model} (hosted)\n"
          f"  using     : {Path(server.model).name} via `transformers serve` at {server.base_url}\n"
          f"  why       : {reason}\n"
          f"  difference: a 135M-parameter model on this CPU (the last size OpenAI published, GPT-3's,\n"
          f"              is 175B): same API and code, much weaker answers. Every answer is labelled.\n"
          f"  started in {server.start_seconds:.1f} s; server log: {server.log_path.name} in results/local-server/\n"
          f"{line}")
    return backend


def _print_remote_banner(backend: Backend) -> None:
    """Say which server answers, with which model, and how its calls are priced."""
    if backend.kind == "openai":
        prices = (f"{backend.model} at the price table's rates" if has_price(backend.model) else
                  f"{backend.model} is not in the price table (genai-prices): costs are shown as unknown")
        print(f"Calling OpenAI's API ({OPENAI_HOST}) with model {backend.model}; key from {backend.key_source}.\n"
              f"Money: {prices}.")
        return
    print(f"Calling the OpenAI-compatible endpoint {server_name(backend.base_url)} ({BASE_URL_VARIABLE}) with "
          f"model {backend.model}; key from {backend.key_source or 'nowhere (a placeholder; this server needs none)'}.\n"
          f"Money: this server's prices are its own, not OpenAI's: costs are shown as unknown, next to what the same "
          f"tokens would cost on {backend.price_model}.")
    served = served_models(backend.client)
    if served is not None and backend.model not in served:
        print(f"Note: {server_name(backend.base_url)} does not list {backend.model!r}; "
              + (f"it lists: {', '.join(served[:10])}. If calls fail with 404, set OPENAI_MODEL to one of these."
                 if served else "it lists no model (some servers list only the ones they have loaded). "
                 "If calls fail, check OPENAI_MODEL against what your server serves."))
