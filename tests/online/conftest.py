"""The online path's servers, one set per test file (module scope): see ``online_support.py``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from online_support import OUT, PLANTED_KEY, SERVED_MODEL

from helpers.kit import AssetMissingError, asset_path
from helpers.local_server import free_port
from helpers.paths import REPO_ROOT


def _kit_folder(name: str) -> Path:
    try:
        return asset_path(name)
    except AssetMissingError:
        if os.environ.get("CI"):
            raise  # in CI a missing kit is a failure, not a reason to skip the online path
        pytest.skip("the offline kit is not built (make kit)")


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 120.0) -> None:
    started = time.perf_counter()
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            pass
        if process.poll() is not None or time.perf_counter() - started > timeout:
            process.terminate()
            raise RuntimeError(f"{url} did not come up; log:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)


@pytest.fixture(scope="module")
def online_out(request) -> Path:
    """This file's own folder: build/online/<file name without test_online_>, emptied."""
    out = OUT / request.module.__name__.removeprefix("test_online_")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    return out


@pytest.fixture(scope="module")
def openai_endpoint(online_out):
    """``transformers serve`` with the kit's chat model, under its repo id, checking PLANTED_KEY."""
    model_dir = _kit_folder("smollm2-135m-instruct")
    port, log = free_port(), online_out / "openai-endpoint.log"
    env = dict(os.environ, ENDPOINT_API_KEY=PLANTED_KEY, OMP_NUM_THREADS="1")
    with open(log, "w") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "course_tools.openai_endpoint", "--model-dir", str(model_dir),
                                    "--name", SERVED_MODEL, "--port", str(port)], env=env, cwd=REPO_ROOT,
                                   stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    _wait_until_up(f"http://127.0.0.1:{port}/health", process, log)
    yield f"http://127.0.0.1:{port}/v1"
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def keyless_endpoint(online_out):
    """A plain ``transformers serve``, as Chapter 1 tells a learner to start one, on the kit's chat
    model folder: the venv's ``transformers`` command, the folder as its model, ``--port`` for the
    port (its default host, localhost). It checks no key, like Ollama, LM Studio and vLLM without
    ``--api-key``. Yields (its base URL, the model name to send: the folder, as served).

    Started from the folder's parent, with the folder's name, as ``helpers.local_server`` does: the
    server is pinned to the name it was given, which then shows in every label, and a full path
    there would be a path of this machine in what a learner reads (test_executed_notebooks)."""
    model_dir = _kit_folder("smollm2-135m-instruct")
    port, log = free_port(), online_out / "keyless-endpoint.log"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    with open(log, "w") as log_file:
        process = subprocess.Popen([str(Path(sys.executable).parent / "transformers"), "serve", model_dir.name,
                                    "--port", str(port)], env=env, cwd=model_dir.parent,
                                   stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    _wait_until_up(f"http://localhost:{port}/health", process, log)
    yield f"http://localhost:{port}/v1", model_dir.name
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def hub_mirror():
    """olah on a free port, serving the kit under the real repo ids; yields its HF_ENDPOINT."""
    _kit_folder("sentiment-minilm-rt")
    from course_tools.hub_mirror import HubMirror

    with HubMirror(free_port()) as mirror:
        yield mirror.endpoint


def _learner_env(out: Path, **variables: str) -> dict:
    """The environment of a learner online: no offline switches, an empty Hugging Face cache (so
    every model and dataset really comes through HF_ENDPOINT), this file's own results folder."""
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE",
                                                           "TRANSFORMERS_OFFLINE")}
    env.update(HF_HOME=str(out / "hf-home"), COURSE_RESULTS_DIR=str(out / "results"), **variables)
    return env


@pytest.fixture(scope="module")
def api_env(online_out, openai_endpoint):
    """A learner with a key (the planted one) and an OpenAI-compatible endpoint."""
    return _learner_env(online_out, OPENAI_API_KEY=PLANTED_KEY, OPENAI_BASE_URL=openai_endpoint)


@pytest.fixture(scope="module")
def keyless_env(online_out, keyless_endpoint):
    """The learner of issue 23: a key in the environment (the planted one, which must still never be
    shown) and ``OPENAI_BASE_URL`` at a server that checks no key."""
    return _learner_env(online_out, OPENAI_API_KEY=PLANTED_KEY, OPENAI_BASE_URL=keyless_endpoint[0])


@pytest.fixture(scope="module")
def hub_env(online_out, hub_mirror):
    """A learner with the Hub, and a key in the environment that these chapters do not use (it must
    not show in their outputs either)."""
    return _learner_env(online_out, HF_ENDPOINT=hub_mirror, OPENAI_API_KEY=PLANTED_KEY)


@pytest.fixture(scope="module")
def online_env(online_out, openai_endpoint, hub_mirror):
    """A learner with a key and the Hub: both point at the local servers."""
    return _learner_env(online_out, OPENAI_API_KEY=PLANTED_KEY, OPENAI_BASE_URL=openai_endpoint,
                        HF_ENDPOINT=hub_mirror)
