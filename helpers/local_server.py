"""A local OpenAI-compatible server for Chapter 1, so its cells run without a key or a network.

Chapter 1 teaches the ``openai`` client against OpenAI's hosted models. Without a key (or
offline), the very same client code talks to ``transformers serve`` instead: Hugging Face's own
OpenAI-compatible server, here serving the small ``SmolLM2-135M-Instruct`` chat model from a
local folder. This module starts it as a child process, waits until it answers ``/health``,
and stops it again::

    with LocalServer("offline-kit/smollm2-135m-instruct") as server:
        client = OpenAI(base_url=server.base_url, api_key="not-needed-locally")

Why a subprocess and not in-process: the server's logs (one line per request from uvicorn)
go to a file instead of the notebook, a crash cannot take the notebook's kernel down, and
stopping it frees its memory. The log file is in ``results/local-server/`` (git-ignored).

Quirks of ``transformers serve`` (5.24) that this course works around in
``helpers.llm_api.LocalQuirksTransport``, not in every cell: ``/v1/responses`` streams unless
the request says ``stream=False``; a wrong model name gets a 400 ``{"detail": ...}`` rather
than OpenAI's 404; an empty ``messages`` list gets a 500, which the client would retry.
"""

from __future__ import annotations

import atexit
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from helpers.paths import results_dir

# The command line of ``transformers serve``, run with this very Python (so the virtual
# environment's transformers is the one used, whatever is on PATH).
SERVE = [sys.executable, "-c", "import sys; from transformers.cli.transformers import main; "
         "sys.argv[0] = 'transformers'; sys.exit(main())", "serve"]


class ServerError(RuntimeError):
    """The local server did not start, or died; the message says why and where its log is."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the OS picks one when we bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def log_dir() -> Path:
    """Where server logs go: ``results/local-server/`` (git-ignored; Chapter 1)."""
    return results_dir() / "local-server"


class LocalServer:
    """``transformers serve`` as a child process on ``127.0.0.1`` (Chapter 1's offline path).

    ``model``: a local model folder (or a Hub id when online); the server is *pinned* to it,
    so requests must name exactly ``server.model``. ``threads``: CPU threads for generation;
    on a 2-core machine one thread was fastest for a 135M model (less time spent syncing).
    """

    def __init__(self, model: str, port: int | None = None, host: str = "127.0.0.1",
                 threads: int | None = 1, extra_args: tuple[str, ...] = ()):
        # A folder on this machine is served under its own name, from inside its parent folder: the
        # name clients send, and every label and error message, then shows no path of this machine.
        folder = Path(model)
        self.model, self.cwd = (folder.name, folder.parent) if folder.is_dir() else (str(model), None)
        self.host = host
        self.port = port or free_port(host)
        self.threads = threads
        self.extra_args = tuple(extra_args)
        self.process: subprocess.Popen | None = None
        self.log_path = log_dir() / f"serve-{self.port}.log"
        self.start_seconds: float | None = None

    @property
    def base_url(self) -> str:
        """What to pass as ``OpenAI(base_url=...)``."""
        return f"http://{self.host}:{self.port}/v1"

    @property
    def health_url(self) -> str:
        return f"http://{self.host}:{self.port}/health"

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def healthy(self, timeout: float = 1.0) -> bool:
        """True when ``GET /health`` answers 200 with ``{"status": "ok"}``."""
        try:
            with urllib.request.urlopen(self.health_url, timeout=timeout) as reply:
                return reply.status == 200 and json.loads(reply.read()).get("status") == "ok"
        except (OSError, ValueError, urllib.error.URLError):
            return False

    def log_tail(self, lines: int = 15) -> str:
        """The last lines of the server's log (shown when it fails)."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log written)"

    def start(self, timeout: float = 180.0) -> "LocalServer":
        """Start the server and wait until it is healthy; raise ServerError otherwise."""
        if self.is_running():
            return self
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        if self.threads:
            env["OMP_NUM_THREADS"] = str(self.threads)  # torch reads it for its CPU thread pool
        env.setdefault("TOKENIZERS_PARALLELISM", "false")
        command = [*SERVE, self.model, "--host", self.host, "--port", str(self.port),
                   "--log-level", "warning", *self.extra_args]
        started = time.perf_counter()
        with open(self.log_path, "w", encoding="utf-8") as log:
            # start_new_session: Ctrl-C in the notebook (SIGINT to the kernel's group) does not
            # hit the server halfway through a request; we stop it ourselves.
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                                            cwd=self.cwd, start_new_session=True)
        atexit.register(self.stop)  # a kernel that exits never leaves a server behind
        while not self.healthy():
            if not self.is_running():
                raise ServerError(f"the local server exited while starting (code {self.process.returncode}). "
                                  f"Its log ({self.log_path.name}) ends with:\n{self.log_tail()}")
            if time.perf_counter() - started > timeout:
                self.stop()
                raise ServerError(f"the local server did not become healthy within {timeout:.0f} s. "
                                  f"Its log ends with:\n{self.log_tail()}")
            time.sleep(0.25)
        self.start_seconds = time.perf_counter() - started
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server (politely, then firmly); safe to call twice."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()  # uvicorn shuts down cleanly on SIGTERM
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        self.process = None
        atexit.unregister(self.stop)

    def __enter__(self) -> "LocalServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.is_running() else "stopped"
        return f"LocalServer({Path(self.model).name!r}, {self.base_url}, {state})"
