"""Chapter 1's plumbing for calling a model through the OpenAI API, with a key or fully offline.

What the chapter's cells need and should not repeat:

- **keys** (``resolve_api_key``): environment variable, ``.env`` file, Colab secret, hidden
  prompt; never printed (``ApiKey`` hides its value, ``explain`` scrubs keys from messages);
- **a backend** (``connect``): the real API when a key and a network are there, else the local
  ``transformers serve`` stand-in (``helpers.local_server``), with its quirks fixed here
  (``LocalQuirksTransport``) and every answer labelled (``Backend.show``);
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
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable

import httpx2

from helpers.hub import host_reachable
from helpers.paths import REPO_ROOT, results_dir

OPENAI_HOST = "api.openai.com"
KEY_VARIABLE = "OPENAI_API_KEY"
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

    Handed to the client as ``OpenAI(http_client=httpx2.Client(transport=...))``, it fixes three
    differences once, so that every cell can be written exactly as for the real API:

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


# ---------------------------------------------------------------- one backend, two worlds

def openai_reachable(timeout: float = 2.0) -> bool:
    """True when a TCP connection to api.openai.com opens within ``timeout`` seconds."""
    return host_reachable(OPENAI_HOST, timeout)


@dataclass
class Backend:
    """What ``connect`` chose (Chapter 1): an ``openai.OpenAI`` client, the model name to send,
    and whether the answers come from OpenAI or from the local stand-in."""

    client: Any
    model: str              # the name to pass as model=...
    kind: str               # "openai" or "local"
    asked_model: str        # the OpenAI model the chapter is about (prices are for it)
    reason: str
    server: Any = None      # the LocalServer, when local
    key_source: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def is_local(self) -> bool:
        return self.kind == "local"

    @property
    def label(self) -> str:
        """A short tag for every answer, so nobody mistakes the stand-in's text for GPT's."""
        if self.is_local:
            return f"[local stand-in: {Path(self.model).name}, 135M parameters, not {self.asked_model}]"
        return f"[OpenAI: {self.model}]"

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


def connect(openai_model: str, local_model: str, use_local: str | bool = "auto",
            key: ApiKey | None = None, timeout: float = 60.0, max_retries: int = 2,
            reachable: Callable[[], bool] = openai_reachable, start_timeout: float = 180.0) -> Backend:
    """The chapter's one decision: the real OpenAI API, or the local stand-in (Chapter 1).

    ``use_local``: "auto" (local when there is no key or api.openai.com is unreachable),
    True (always local, e.g. to compare), False (never: fail clearly without a key).
    ``local_model``: a folder or Hub id for ``transformers serve`` (the notebook passes
    ``resolve_model(LOCAL_MODEL)``, which is the offline kit's folder when offline).
    """
    from openai import OpenAI

    if use_local == "auto":
        if key is None:
            use_local, reason = True, "no OpenAI key was found (environment, .env, Colab secret, prompt)"
        elif not reachable():
            use_local, reason = True, f"a key was found but {OPENAI_HOST} is not reachable"
        else:
            use_local, reason = False, f"a key was found ({key.source}) and {OPENAI_HOST} is reachable"
    elif use_local:
        reason = "USE_LOCAL_SERVER = True in the parameters cell"
    else:
        reason = "USE_LOCAL_SERVER = False in the parameters cell"
        if key is None:
            raise RuntimeError(f"USE_LOCAL_SERVER = False but no key was found. Set {KEY_VARIABLE} in the "
                               "environment or a .env file (or a Colab secret), or set USE_LOCAL_SERVER = 'auto'.")

    if not use_local:
        client = OpenAI(api_key=key.reveal(), timeout=timeout, max_retries=max_retries)
        return Backend(client, openai_model, "openai", openai_model, reason, key_source=key.source)

    from helpers.local_server import LocalServer

    server = LocalServer(local_model).start(timeout=start_timeout)
    client = OpenAI(base_url=server.base_url, api_key=LOCAL_PLACEHOLDER_KEY, timeout=timeout,
                    max_retries=max_retries, http_client=httpx2.Client(transport=LocalQuirksTransport(),
                                                                       timeout=timeout))
    backend = Backend(client, server.model, "local", openai_model, reason, server=server)
    line = "=" * 78
    print(f"{line}\nLOCAL STAND-IN FOR THE OPENAI API\n"
          f"  asked for : {openai_model} (OpenAI, hosted)\n"
          f"  using     : {Path(server.model).name} via `transformers serve` at {server.base_url}\n"
          f"  why       : {reason}\n"
          f"  difference: a 135M-parameter model on this CPU, roughly 1/1000 the size of the hosted\n"
          f"              models: same API and code, much weaker answers. Every answer is labelled.\n"
          f"  started in {server.start_seconds:.1f} s; server log: {server.log_path.name} in results/local-server/\n"
          f"{line}")
    return backend


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


def cost_of(response, backend: Backend) -> tuple[Decimal, Decimal]:
    """(what this call cost, what it would cost on ``backend.asked_model``), in dollars.

    On the local server the first is 0: you pay in your own electricity and hardware.
    The second prices the same token counts at the hosted model's rates (the local model's
    tokenizer differs a little from OpenAI's, so it is an estimate).
    """
    tokens_in, tokens_out = usage_of(response)
    would = estimate_cost(backend.asked_model, tokens_in, tokens_out)
    return (Decimal(0) if backend.is_local else would), would


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
