"""Don't pay twice: answers kept on disk, keyed by everything that determines them (Chapter 1's bonus
notebook, 01b_in_production; Chapter 1's and Chapter 5's evaluations use it)."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Callable

from helpers.paths import results_dir


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
