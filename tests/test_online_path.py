"""The online path, executed: what a learner with a key and the Hub runs, run here end to end.

The machines that test the course reach neither api.openai.com nor huggingface.co, so the
online branches are run against local servers reached the way learners reach real ones,
through the variables the libraries already honour:

- ``OPENAI_BASE_URL`` -> ``transformers serve`` behind an API key (``course_tools.openai_endpoint``),
  and ``OPENAI_API_KEY`` set to a planted key: Chapter 1 and Chapter 5's API rows take the
  "key found, endpoint reachable" branch (Responses and Chat Completions, streaming, structured
  output, the cache, costs, a rejected key);
- ``HF_ENDPOINT`` -> ``olah``, a self-hosted Hub mirror serving the offline kit under the real
  repo ids (``course_tools.hub_mirror``): Chapters 2, 3 and 5 run with ``HUB_MODE = "online"`` and
  download through it into an empty Hugging Face cache.

The planted key is then searched for in every executed notebook and every file the chapters
wrote: it must appear nowhere. The offline runs (``build/smoke``, under nbval) stay as they are.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from helpers.local_server import free_port
from helpers.kit import AssetMissingError, asset_path
from helpers.paths import REPO_ROOT

pytestmark = pytest.mark.slow  # about 5 minutes: make test runs it, make unit does not

OUT = REPO_ROOT / "build" / "online"
# A key that looks real (OpenAI's shape) so that every scrubber and printer is tested against it.
PLANTED_KEY = "sk-proj-PLANTEDtestKEY0123456789abcdefDoNotPrint"
SERVED_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"


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
def openai_endpoint():
    """``transformers serve`` with the kit's chat model, under its repo id, checking PLANTED_KEY."""
    model_dir = _kit_folder("smollm2-135m-instruct")
    OUT.mkdir(parents=True, exist_ok=True)
    port, log = free_port(), OUT / "openai-endpoint.log"
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
def hub_mirror():
    """olah on a free port, serving the kit under the real repo ids; yields its HF_ENDPOINT."""
    _kit_folder("sentiment-minilm-rt")
    from course_tools.hub_mirror import HubMirror

    with HubMirror(free_port()) as mirror:
        yield mirror.endpoint


@pytest.fixture(scope="module")
def online_env(openai_endpoint, hub_mirror):
    """The environment of a learner with a key and the Hub: both point at the local servers.
    An empty Hugging Face cache, so every model and dataset really comes through HF_ENDPOINT."""
    shutil.rmtree(OUT / "hf-home", ignore_errors=True)
    shutil.rmtree(OUT / "results", ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE",
                                                           "TRANSFORMERS_OFFLINE")}
    env.update(OPENAI_API_KEY=PLANTED_KEY, OPENAI_BASE_URL=openai_endpoint, HF_ENDPOINT=hub_mirror,
               HF_HOME=str(OUT / "hf-home"), COURSE_RESULTS_DIR=str(OUT / "results"))
    return env


def run_chapter(name: str, env: dict, **parameters) -> nbformat.NotebookNode:
    """Execute a chapter with papermill in the smoke profile, in ``env``; return the executed copy."""
    source = next((REPO_ROOT / "notebooks").glob(f"{name}_*.ipynb"))
    target, log = OUT / source.name, OUT / f"{source.stem}.log"
    arguments = ["-p", "PROFILE", "smoke"]
    for key, value in parameters.items():
        arguments += ["-p", key, str(value)]
    with open(log, "w") as log_file:
        result = subprocess.run([sys.executable, "-m", "papermill", str(source), str(target), *arguments,
                                 "--cwd", str(source.parent), "--no-progress-bar", "--start-timeout", "120"],
                                env=env, stdout=log_file, stderr=subprocess.STDOUT)
    assert result.returncode == 0, f"{source.name} failed online; see {target}:\n{log.read_text()[-4000:]}"
    return nbformat.read(target, as_version=4)


def text_of(notebook: nbformat.NotebookNode) -> str:
    """Everything the executed notebook shows: printed text, results, errors."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.extend(str(v) for k, v in output.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(parts)


# ---------------------------------------------------------------- Chapter 1: a key and an endpoint

def test_chapter01_uses_the_key_and_the_endpoint_it_found(online_env, openai_endpoint):
    shown = text_of(run_chapter("01", online_env, OPENAI_MODEL=SERVED_MODEL))
    netloc = openai_endpoint.split("//")[1].split("/")[0]
    # The bug this guards: a key was found, then ignored, and the local stand-in answered.
    assert "key: ApiKey(from the environment variable OPENAI_API_KEY" in shown
    assert "LOCAL STAND-IN" not in shown and "local stand-in" not in shown.lower().replace("local stand-in for", "")
    assert f"answers come from: [{SERVED_MODEL} at {netloc}, from OPENAI_BASE_URL]" in shown
    assert "because: a key was found (the environment variable OPENAI_API_KEY)" in shown
    # Every answer names the server that answered; a custom endpoint is never called an OpenAI model.
    assert shown.count(f"[{SERVED_MODEL} at {netloc}, from OPENAI_BASE_URL]") >= 8
    assert "[OpenAI:" not in shown
    # Prices: unknown for this server, and what the same tokens cost on a hosted model, labelled.
    assert "paid unknown (not OpenAI's price table); on gpt-4.1-mini it costs $" in shown
    # The errors, from the real server: its 401 for a wrong key, its 404 for an unknown model.
    assert f"The server at {netloc} rejected the key (401 Unauthorized)" in shown
    assert "Unknown model 'gpt-7-ultra' (404)" in shown
    # Streaming and the cache ran against it.
    assert "first text after" in shown and "2nd call: cache, free" in shown


def test_chapter01_a_rejected_key_is_said_once_and_the_chapter_goes_on(openai_endpoint, monkeypatch, capsys):
    """A wrong key on a reachable endpoint: one clear message, then the stand-in (auto) or a stop (False)."""
    import helpers.local_server
    from helpers import llm_api

    started = []

    class FakeLocalServer:  # the real one is tested elsewhere; here only the decision matters
        def __init__(self, model):
            self.model, self.base_url, self.start_seconds = model, "http://127.0.0.1:9/v1", 0.0
            self.log_path = Path("serve.log")

        def start(self, timeout):
            started.append(self.model)
            return self

    monkeypatch.setattr(helpers.local_server, "LocalServer", FakeLocalServer)
    monkeypatch.setattr("helpers.hub.resolve_model", lambda model: model)
    wrong = llm_api.ApiKey("sk-wrong-key-0000000000000000", "a test")
    backend = llm_api.connect(SERVED_MODEL, SERVED_MODEL, key=wrong, base_url=openai_endpoint)
    said = capsys.readouterr().out
    assert backend.is_local and started == [SERVED_MODEL]
    assert "rejected the key (401" in said and "rejected the key (401)" in backend.reason
    assert wrong.reveal() not in said
    with pytest.raises(RuntimeError, match=r"USE_LOCAL_SERVER = False, but The server at .* rejected the key"):
        llm_api.connect(SERVED_MODEL, SERVED_MODEL, key=wrong, base_url=openai_endpoint, use_local=False)


# ---------------------------------------------------------------- Chapters 2, 3, 5: the Hub online

def _downloaded(env: dict) -> set[str]:
    hub_cache = Path(env["HF_HOME"]) / "hub"
    return {p.name for p in hub_cache.iterdir()} if hub_cache.exists() else set()


def test_chapter02_downloads_the_real_repo_ids_through_hf_endpoint(online_env):
    shown = text_of(run_chapter("02", online_env, HUB_MODE="online"))
    assert "hub     : online, because HUB_MODE = 'online' in the parameters cell, and HF_ENDPOINT" in shown
    assert "OFFLINE STAND-IN" not in shown
    assert {"models--distilbert-base-uncased-finetuned-sst-2-english", "datasets--stanfordnlp--imdb",
            "models--sentence-transformers--all-MiniLM-L6-v2",
            "models--HuggingFaceTB--SmolLM2-135M-Instruct"} <= _downloaded(online_env)


def test_chapter03_fine_tunes_the_real_repo_id_through_hf_endpoint(online_env):
    shown = text_of(run_chapter("03", online_env, HUB_MODE="online"))
    assert "OFFLINE STAND-IN" not in shown and "hub     : online" in shown
    assert "models--distilbert-base-uncased" in _downloaded(online_env)


def test_chapter05_runs_api_rows_and_hub_models_online(online_env, openai_endpoint):
    shown = text_of(run_chapter("05", online_env, HUB_MODE="online", OPENAI_MODEL=SERVED_MODEL))
    netloc = openai_endpoint.split("//")[1].split("/")[0]
    assert "OFFLINE STAND-IN" not in shown and "LOCAL STAND-IN" not in shown
    assert f"Calling the OpenAI-compatible endpoint {netloc} (OPENAI_BASE_URL)" in shown
    comparison = (Path(online_env["COURSE_RESULTS_DIR"]) / "chapter05" / "comparison.md").read_text()
    assert f"{SERVED_MODEL} at {netloc} (OPENAI_BASE_URL)" in comparison
    assert "custom endpoint: money priced at gpt-4.1-mini's rates, its own prices unknown" in comparison
    assert "| pre-trained model, off the shelf | distilbert-base-uncased-finetuned-sst-2-english |" in comparison


# ---------------------------------------------------------------- the key never shows

def test_the_planted_key_appears_in_no_executed_notebook_and_no_file_written(online_env):
    executed = sorted(OUT.glob("*.ipynb"))
    assert len(executed) == 4, f"the online chapters did not all run: {executed}"
    written = [p for p in Path(online_env["COURSE_RESULTS_DIR"]).rglob("*") if p.is_file()]
    leaks = [str(p) for p in [*executed, *OUT.glob("*.log"), *written] if PLANTED_KEY.encode() in p.read_bytes()]
    assert not leaks, f"the API key was written to: {leaks}"
    # and not its tail either (OpenAI's 401 quotes the last four characters of a key)
    assert not [p for p in executed if PLANTED_KEY[-12:] in p.read_text()]


# ---------------------------------------------------------------- a typo'd repo id online

def test_a_typo_in_a_repo_id_names_the_closest_known_id(hub_mirror, monkeypatch):
    from helpers import hub

    monkeypatch.setenv("HF_ENDPOINT", hub_mirror)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # an offline test may have set it for the process
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", False)
    hub.check_repo_exists.cache_clear()
    hub.set_hub_mode(hub.decide_hub_mode("online", check=lambda: True))
    assert hub.resolve_model("distilbert-base-uncased") == "distilbert-base-uncased"
    with pytest.raises(LookupError, match="Did you mean 'distilbert-base-uncased-finetuned-sst-2-english'"):
        hub.resolve_model("distilbert-base-uncased-finetuned-sst2-english")
    with pytest.raises(LookupError, match="Did you mean 'stanfordnlp/imdb'"):
        hub.load_reviews("stanfordnlp/imbd", split="test", n=4)
    hub.check_repo_exists.cache_clear()


def test_hub_mirror_answers_404_for_a_missing_file_and_401_for_a_missing_repo(hub_mirror):
    """The one fix course_tools.olah_server makes to olah, checked against the Hub's documented answers."""
    def status(path):
        request = urllib.request.Request(hub_mirror + path, method="HEAD")
        try:
            with urllib.request.urlopen(request, timeout=5) as reply:
                return reply.status, reply.headers.get("x-error-code")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("x-error-code")

    assert status("/distilbert-base-uncased/resolve/main/config.json")[0] == 200
    assert status("/distilbert-base-uncased/resolve/main/adapter_config.json") == (404, "EntryNotFound")
    assert status("/no-such-org/no-such-model/resolve/main/config.json") == (401, "RepoNotFound")
    revision = json.load(urllib.request.urlopen(f"{hub_mirror}/api/datasets/stanfordnlp/imdb/revision/main"))
    assert "plain_text/test-00000-of-00001.parquet" in {s["rfilename"] for s in revision["siblings"]}


# ---------------------------------------------------------------- make reference-answers

def test_reference_answers_are_stored_with_model_date_and_tokens(openai_endpoint, monkeypatch, tmp_path):
    import json

    from course_tools import reference_answers

    out = tmp_path / "reference-answers.json"
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_endpoint)
    monkeypatch.chdir(tmp_path)  # no .env file here
    assert reference_answers.main(["--out", str(out)]) == 1 and not out.exists()  # no key: nothing sent
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    assert reference_answers.main(["--out", str(out)]) == 1 and not out.exists()  # not OpenAI: refused
    assert reference_answers.main(["--out", str(out), "--model", SERVED_MODEL, "--allow-endpoint"]) == 0
    stored = json.loads(out.read_text())
    assert set(stored) == {"creative", "poet", "weather service"}
    for entry in stored.values():
        assert entry["answer"].strip() and entry["output_tokens"] > 0 and entry["input_tokens"] > 0
        assert entry["date"] and entry["model"] and entry["server"].startswith("127.0.0.1:")
    assert PLANTED_KEY not in out.read_text()
