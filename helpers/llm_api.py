"""Chapter 1's plumbing for calling a model through the OpenAI API, with a key or fully offline.

What the chapter's cells need and should not repeat:

- **keys** (``resolve_api_key``): environment variable, ``.env`` file, Colab secret, hidden
  prompt; never printed (``ApiKey`` hides its value, ``explain`` scrubs keys from messages);
- **a backend** (``connect``): the endpoint the ``openai`` client calls (OpenAI's, or any
  OpenAI-compatible server named by ``OPENAI_BASE_URL``) when it answers, else the local
  ``transformers serve`` stand-in (``helpers.local_server``), with server quirks fixed here
  (``LocalQuirksTransport``) and every answer labelled with who answered (``Backend.show``);
- **errors** (``explain``, ``friendly_errors``): one actionable sentence instead of a traceback;
- **retries** (``FlakyTransport``): a reproducible 429 with no network, to watch backoff work;
- **tokens and money** (``count_tokens``, ``estimate_cost``, ``cost_of``): tiktoken (offline
  through the kit's encodings) and the maintained price table of ``genai-prices``;
- **a disk cache** (``ResponseCache``): re-running the notebook does not pay twice;
- **zero-/few-shot sentiment** (``classify_sentiment``): Chapter 1's closing measurement,
  reused by Chapter 5's comparison.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

import httpx2

from helpers.hub import url_reachable
from helpers.paths import REPO_ROOT, results_dir

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


# ---------------------------------------------------------------- keys (Chapter 1, section "Keys")

class ApiKey:
    """A secret that never shows itself: ``print(key)`` and ``repr(key)`` say only where it came from.

    ``key.reveal()`` is the one way to get the value, and only ``connect`` calls it (to hand it
    to the client). A notebook that prints a key has leaked it: outputs get saved and shared.
    """

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str):
        self._value = value
        self.source = source

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"ApiKey(from {self.source}, {len(self._value)} characters, hidden)"

    __str__ = __repr__

    def __reduce__(self):  # no pickling a secret into some file by accident
        raise TypeError("an ApiKey cannot be pickled")


def can_prompt() -> bool:
    """True in a Jupyter kernel that accepts typed input (not under papermill/nbval)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return sys.stdin is not None and sys.stdin.isatty()
    shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    if kernel is not None:
        return bool(getattr(kernel, "_allow_stdin", False))
    return sys.stdin is not None and sys.stdin.isatty()


def _colab_secret(name: str) -> str | None:
    """The Colab secret ``name`` (the key icon in Colab's left bar), or None outside Colab."""
    if "google.colab" not in sys.modules:
        return None
    try:
        from google.colab import userdata  # type: ignore[import-not-found]
        return userdata.get(name) or None
    except Exception:  # SecretNotFoundError, NotebookAccessError (access not granted), ...
        return None


def _dotenv_value(name: str, paths: Iterable[Path]) -> tuple[str, Path] | tuple[None, None]:
    from dotenv import dotenv_values  # reads the file; does not put it into os.environ

    for path in paths:
        if path.is_file():
            value = dotenv_values(path).get(name)
            if value:
                return value, path
    return None, None


def resolve_api_key(env: dict | None = None, dotenv_paths: Iterable[Path] | None = None,
                    colab: Callable[[str], str | None] = _colab_secret,
                    prompt: Callable[[str], str] | None = None,
                    interactive: bool | None = None) -> ApiKey | None:
    """Find an OpenAI key, first place that has one wins (Chapter 1):

    1. the environment variable ``OPENAI_API_KEY``;
    2. a ``.env`` file (in the current folder, then the course's root) with ``OPENAI_API_KEY=...``;
    3. a Colab secret named ``OPENAI_API_KEY``;
    4. a hidden prompt (``getpass``), only when a person can type (not under the test harness).

    Returns None when there is none: the chapter then uses the local server.
    The arguments exist so that tests can stand in for each source.
    """
    env = os.environ if env is None else env
    value = (env.get(KEY_VARIABLE) or "").strip()
    if value:
        return ApiKey(value, f"the environment variable {KEY_VARIABLE}")
    paths = list(dotenv_paths) if dotenv_paths is not None else [Path.cwd() / ".env", REPO_ROOT / ".env"]
    value, path = _dotenv_value(KEY_VARIABLE, paths)
    if value:
        return ApiKey(value.strip(), f"the file {path.name} in {path.parent.name}/")
    value = colab(KEY_VARIABLE)
    if value:
        return ApiKey(value.strip(), "a Colab secret")
    if interactive is None:
        interactive = can_prompt()
    if interactive:
        if prompt is None:
            from getpass import getpass as prompt
        try:
            value = prompt(f"{KEY_VARIABLE} (input hidden; leave empty to use the local model): ")
        except (NotImplementedError, EOFError, KeyboardInterrupt):  # no stdin: papermill, nbval
            value = ""
        if value and value.strip():
            return ApiKey(value.strip(), "what you typed")
    return None


_KEY_LIKE = re.compile(r"\b(sk|sess|rk)-[A-Za-z0-9_*\-.]{4,}")


def scrub_secrets(text: str, *secrets: str) -> str:
    """Remove anything key-shaped from ``text`` (OpenAI's 401 message quotes part of the key)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<hidden key>")
    return _KEY_LIKE.sub("<hidden key>", text)


# ---------------------------------------------------------------- the local server's quirks

class LocalQuirksTransport(httpx2.HTTPTransport):
    """An HTTP transport that makes ``transformers serve`` (5.24) answer like OpenAI does (Chapter 1).

    Used for the local stand-in and for any custom endpoint (``OPENAI_BASE_URL``), never for
    OpenAI itself. Every change is one that OpenAI-compatible servers accept or ignore (Ollama
    and vLLM ignore a field they do not know). Handed to the client as
    ``OpenAI(http_client=httpx2.Client(transport=...))``, it fixes these differences once, so that
    every cell can be written exactly as for the real API:

    - ``/v1/responses`` streams unless the request says ``"stream": false``, and the OpenAI
      client leaves ``stream`` out for a normal call: we add ``"stream": false``;
    - a request for a model other than the served one gets a 400 ``{"detail": ...}``; OpenAI
      answers 404 ``{"error": {...}}`` (``NotFoundError``): we rewrite it to that;
    - an empty ``messages`` list makes the server fail with a 500, which the client retries
      for nothing: we refuse it at once with a 400, as OpenAI does.
    """

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        body = None
        if request.method == "POST" and request.headers.get("content-type", "").startswith("application/json"):
            try:
                body = json.loads(request.read() or b"{}")
            except ValueError:
                body = None
        if isinstance(body, dict):
            path = request.url.path
            if path.endswith("/chat/completions") and not body.get("messages"):
                return _openai_error(400, "'messages' must be a non-empty list.", "invalid_request_error", request)
            changed = False
            if path.endswith("/responses") and "stream" not in body:
                body["stream"] = False
                changed = True
            if _wants_sampling(body) and "generation_config" not in body:
                # The server applies temperature/top_p on top of the model's own generation
                # config, which for SmolLM2 says "greedy": the knobs would change nothing.
                # A generation_config that turns sampling on makes them work as with OpenAI.
                body["generation_config"] = json.dumps({
                    "do_sample": True, "temperature": float(body.get("temperature", 1.0)),
                    "top_p": float(body.get("top_p", 1.0))})
                changed = True
            if changed:
                headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
                request = httpx2.Request(request.method, request.url, headers=headers,
                                         content=json.dumps(body).encode(), extensions=request.extensions)
        response = super().handle_request(request)
        if response.status_code in (400, 404, 422):
            response.read()
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = None
            if isinstance(detail, str) and "requested" in detail and "pinned" in detail.lower():
                return _openai_error(404, f"The model does not exist on this server. {detail}", "model_not_found", request)
            if detail is not None and "error" not in response.json():
                return _openai_error(response.status_code, str(detail), "invalid_request_error", request)
        return response


def _wants_sampling(body: dict) -> bool:
    """True when a request asks for sampling (a temperature above 0); OpenAI samples then."""
    temperature = body.get("temperature")
    return temperature is not None and float(temperature) > 0


def _openai_error(status: int, message: str, code: str, request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(status, json={"error": {"message": message, "type": "invalid_request_error",
                                                   "param": None, "code": code}}, request=request)


# ---------------------------------------------------------------- one client, three kinds of server

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


def has_price(model: str) -> bool:
    """True when genai-prices knows OpenAI's price for ``model``."""
    try:
        price_per_million(model)
        return True
    except Exception:  # LookupError and friends: an unknown model
        return False


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
    goes on with the stand-in, labelled, instead of failing in every cell.
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
          f"  difference: a 135M-parameter model on this CPU, roughly 1/1000 the size of the hosted\n"
          f"              models: same API and code, much weaker answers. Every answer is labelled.\n"
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
        print(f"Note: {server_name(backend.base_url)} does not list {backend.model!r}; it lists: "
              f"{', '.join(served[:10]) or 'nothing'}. If calls fail with 404, set OPENAI_MODEL to one of these.")


# ---------------------------------------------------------------- errors people can act on

def explain(error: BaseException, base_url: str | None = None, model: str | None = None) -> str:
    """One or two sentences that say what went wrong and what to do (Chapter 1).

    Never contains a key: OpenAI's own 401 message quotes part of the key, so it is scrubbed.
    """
    import openai

    from helpers.local_server import ServerError

    where = f" at {base_url}" if base_url else ""
    said = scrub_secrets(_server_message(error))
    if isinstance(error, openai.AuthenticationError):
        if base_url and not is_openai(base_url):
            return (f"The server at {server_name(base_url)} rejected the key (401 Unauthorized). Put the key this "
                    f"server expects in {KEY_VARIABLE} (the one it was started with, e.g. vLLM's --api-key, or "
                    f"your provider's), or unset {BASE_URL_VARIABLE} to call OpenAI. " + REVOKE_HINT)
        return ("The API rejected the key (401 Unauthorized): it is mistyped, revoked, or belongs to another "
                f"organisation/project. Copy it again from https://platform.openai.com/api-keys into {KEY_VARIABLE}. "
                + REVOKE_HINT)
    if isinstance(error, openai.PermissionDeniedError):
        return f"The key is valid but not allowed to do this (403): {said} Check the project's model access and region."
    if isinstance(error, openai.NotFoundError):
        name = f" {model!r}" if model else ""
        return (f"Unknown model{name} (404){where}: it does not exist or this key cannot use it. "
                f"Check the spelling; `client.models.list()` lists the models you can use. Server said: {said}")
    if isinstance(error, openai.RateLimitError):
        if "quota" in said.lower():
            return ("Out of credit (429 insufficient_quota): retrying will not help. Add credit or raise the "
                    "limit at https://platform.openai.com/settings/organization/billing.")
        return ("Rate limited (429) even after the client's retries with backoff: slow down (fewer requests "
                "at once), raise max_retries, or ask for a higher rate limit. Server said: " + said)
    if isinstance(error, openai.BadRequestError):
        return f"The server refused the request (400): {said} Fix the request; retrying the same one will not help."
    if isinstance(error, openai.InternalServerError):
        return (f"The server failed ({error.status_code}){where}, even after retries. Usually temporary: try "
                "again in a minute; for OpenAI check https://status.openai.com.")
    if isinstance(error, openai.APITimeoutError):
        return (f"No answer{where} within the time-out, even after retries. Ask for fewer output tokens, "
                "raise `timeout=` on the client, or try again later.")
    if isinstance(error, openai.APIConnectionError):
        return (f"Could not connect{where}: the server is down or not started, the base_url is wrong, or "
                "there is no network (a proxy or firewall?). Nothing was sent and nothing was charged.")
    if isinstance(error, openai.APIStatusError):
        return f"The server answered {error.status_code}{where}: {said}"
    if isinstance(error, openai.OpenAIError):
        return f"{scrub_secrets(str(error))} (set {KEY_VARIABLE}, or use the local server)"
    if isinstance(error, ServerError):
        return f"The local server failed: {error}"
    return f"{type(error).__name__}: {scrub_secrets(str(error))}"


def _server_message(error: BaseException) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else None
        message = message or body.get("detail") or body.get("message")
        if message:
            return str(message).rstrip(".") + "."
    return str(getattr(error, "message", None) or error)


class friendly_errors:
    """``with friendly_errors(backend): ...``: an API error prints one clear message, no traceback.

    The error is kept in ``.error`` and its message in ``.message``, so a cell can check it.
    ``reraise=True`` still raises after printing (where the chapter must stop).
    """

    def __init__(self, backend: Backend | None = None, base_url: str | None = None,
                 model: str | None = None, reraise: bool = False):
        self.base_url = base_url or (str(backend.client.base_url) if backend else None)
        self.model = model or (backend.model if backend else None)
        self.reraise = reraise
        self.error: BaseException | None = None
        self.message: str | None = None

    def __enter__(self) -> "friendly_errors":
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        import openai

        from helpers.local_server import ServerError

        if error is None or not isinstance(error, (openai.OpenAIError, ServerError)):
            return False
        self.error, self.message = error, explain(error, self.base_url, self.model)
        print(f"✗ {type(error).__name__}: {self.message}")
        return not self.reraise


# ---------------------------------------------------------------- retries, reproducibly

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

    Offline, the chapter cannot reach OpenAI to show what a bad key looks like, and the local
    server checks no key; this replays the status and error shape OpenAI sends, labelled as such.
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


# ---------------------------------------------------------------- tokens

def use_offline_encodings() -> str | None:
    """Point tiktoken at the kit's encodings when built, so counting works with no network.

    tiktoken downloads each encoding once into ``TIKTOKEN_CACHE_DIR``; the kit's files are
    byte-identical to those downloads. A ``TIKTOKEN_CACHE_DIR`` already set is respected.
    """
    if os.environ.get("TIKTOKEN_CACHE_DIR"):
        return os.environ["TIKTOKEN_CACHE_DIR"]
    from helpers.offline_kit import AssetMissingError, asset_path

    try:
        folder = str(asset_path("tiktoken-encodings"))
    except AssetMissingError:
        return None  # online machines download the encodings themselves
    os.environ["TIKTOKEN_CACHE_DIR"] = folder
    return folder


def encoding_for(model: str):
    """tiktoken's encoding for an OpenAI model; ``o200k_base`` (GPT-4o onwards) for any other name."""
    import tiktoken

    use_offline_encodings()
    try:
        return tiktoken.encoding_for_model(model)
    except KeyError:
        return tiktoken.get_encoding("o200k_base")


def count_tokens(text: str, model: str) -> int:
    """How many tokens ``text`` is for ``model`` (Chapter 1; counted locally, nothing sent)."""
    return len(encoding_for(model).encode(text))


def count_message_tokens(messages: list[dict], model: str) -> int:
    """Estimated input tokens of a chat request: each message's text plus a few tokens of
    framing per message (role markers) and for priming the reply. An estimate: the server's
    ``usage`` is the exact figure, and what you are billed for."""
    encoding = encoding_for(model)
    per_message, priming = 3, 3
    return priming + sum(per_message + len(encoding.encode(m.get("role", ""))) +
                         len(encoding.encode(m.get("content") or "")) for m in messages)


# ---------------------------------------------------------------- money

def price_per_million(model: str) -> tuple[float, float]:
    """(input, output) US dollars per million tokens for an OpenAI model, from genai-prices."""
    from genai_prices import Usage, calc_price

    price = calc_price(Usage(input_tokens=1_000_000, output_tokens=1_000_000), model_ref=model, provider_id="openai")
    return float(price.input_price), float(price.output_price)


def estimate_cost(model: str, input_tokens: int, output_tokens: int, cached_input_tokens: int = 0) -> Decimal:
    """What ``input_tokens`` in and ``output_tokens`` out cost on ``model``, in US dollars
    (Chapters 1 and 5). From the maintained price table of the ``genai-prices`` package, not
    from numbers typed into the notebook, which go stale. Exact decimal arithmetic."""
    from genai_prices import Usage, calc_price

    usage = Usage(input_tokens=input_tokens, output_tokens=output_tokens, cache_read_tokens=cached_input_tokens or None)
    return calc_price(usage, model_ref=model, provider_id="openai").total_price


def usage_of(response) -> tuple[int, int]:
    """(input tokens, output tokens) from a Responses or Chat Completions result."""
    usage = getattr(response, "usage", None)
    if usage is None:
        return 0, 0
    if hasattr(usage, "input_tokens"):
        return usage.input_tokens, usage.output_tokens
    return usage.prompt_tokens, usage.completion_tokens


def cost_of(response, backend: Backend) -> tuple[Decimal | None, Decimal]:
    """(what this call cost, what it would cost on ``backend.price_model``), in dollars.

    The first is the price table's figure on OpenAI, 0 on the local stand-in (you pay in your
    own electricity and hardware), and None on a custom endpoint (its prices are its own). The
    second prices the same token counts at a hosted OpenAI model's rates, for comparison (an
    estimate where another model's tokenizer counted the tokens).
    """
    tokens_in, tokens_out = usage_of(response)
    return backend.cost(tokens_in, tokens_out), estimate_cost(backend.price_model, tokens_in, tokens_out)


def money(amount: Decimal | float | None, digits: int = 6) -> str:
    """``$0.000123``, or "unknown" for a custom endpoint's price (Chapters 1 and 5)."""
    return "unknown (not OpenAI's price table)" if amount is None else f"${amount:.{digits}f}"


# ---------------------------------------------------------------- a cache on disk

def cache_dir() -> Path:
    """``results/api-cache/`` (git-ignored; moved with ``COURSE_RESULTS_DIR``)."""
    return results_dir() / "api-cache"


class ResponseCache:
    """Answers kept on disk, keyed by everything that determines them (Chapter 1).

    ``cache.create(client.responses.create, namespace, **request)`` calls the API only for a
    request never seen before; a repeat is read from disk, free and identical. The namespace
    (e.g. "openai" or "local") keeps the two worlds apart. Sampling makes answers random, so a
    cache is right for re-running a notebook, wrong where you want a fresh answer every time.
    """

    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder) if folder else cache_dir()
        self.hits = self.misses = 0

    def key(self, namespace: str, endpoint: str, request: dict) -> str:
        blob = json.dumps({"ns": namespace, "endpoint": endpoint, "request": request}, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def create(self, method: Callable, namespace: str, **request):
        """Return (response, hit, seconds): seconds is how long the original call took."""
        endpoint = getattr(method, "__qualname__", repr(method))
        key = self.key(namespace, endpoint, request)
        path = self.path(key)
        response_type = _response_type(method)
        if path.exists():
            entry = json.loads(path.read_text(encoding="utf-8"))
            self.hits += 1
            return response_type.model_validate(entry["response"]), True, entry["seconds"]
        started = time.perf_counter()
        response = method(**request)
        seconds = time.perf_counter() - started
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")  # write then rename: an interrupted run never leaves half a file
        tmp.write_text(json.dumps({"seconds": seconds, "response": response.model_dump(mode="json")}), encoding="utf-8")
        os.replace(tmp, path)
        self.misses += 1
        return response, False, seconds

    def clear(self) -> int:
        """Delete every cached answer; returns how many."""
        files = list(self.folder.rglob("*.json")) if self.folder.exists() else []
        for f in files:
            f.unlink()
        return len(files)


def _response_type(method: Callable):
    from openai.types.chat import ChatCompletion
    from openai.types.responses import Response

    owner = getattr(method, "__qualname__", "")
    return ChatCompletion if "Completions" in owner else Response


# ---------------------------------------------------------------- structured output

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
    from tqdm.auto import tqdm

    examples = list(examples)
    results = []
    for text in tqdm(texts, desc=f"{'few' if examples else 'zero'}-shot", disable=not progress):
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
