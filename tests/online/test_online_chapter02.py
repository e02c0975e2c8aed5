"""Chapter 2 online: the real repo ids downloaded through ``HF_ENDPOINT`` (a local olah mirror), a
typo'd id answered with the closest known one, and the mirror's answers checked against the Hub's.
(See ``online_support.py``.)"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from online_support import assert_key_never_written, downloaded, run_chapter, text_of

pytestmark = pytest.mark.slow  # make test runs it, make unit does not


def test_chapter02_downloads_the_real_repo_ids_through_hf_endpoint(hub_env, online_out):
    shown = text_of(run_chapter("02", hub_env, online_out, HUB_MODE="online"))
    assert "hub     : online, because HUB_MODE = 'online' in the parameters cell, and HF_ENDPOINT" in shown
    assert "OFFLINE STAND-IN" not in shown
    assert {"models--distilbert-base-uncased-finetuned-sst-2-english", "datasets--stanfordnlp--imdb",
            "models--sentence-transformers--all-MiniLM-L6-v2",
            "models--HuggingFaceTB--SmolLM2-135M-Instruct"} <= downloaded(hub_env)
    assert_key_never_written(online_out, hub_env, chapters=1)


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
