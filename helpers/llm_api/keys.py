"""API keys: find one, never show it (Chapter 1, section 1 "Keys").

First place that has a key wins: the environment, a ``.env`` file, a Colab secret, a hidden
prompt. ``ApiKey`` never prints its value; ``scrub_secrets`` removes key-shaped text from messages.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Callable, Iterable

from helpers.llm_api.endpoints import KEY_VARIABLE
from helpers.paths import REPO_ROOT


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
