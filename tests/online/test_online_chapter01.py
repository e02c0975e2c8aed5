"""Chapter 1 online: a learner with a key and an OpenAI-compatible endpoint (``OPENAI_BASE_URL``).

The "key found, endpoint reachable" branch end to end against ``transformers serve`` behind a key
check, in the sections the key and endpoint change (``CHAPTER1_KEY_RUN``): the key found, the
connection, streaming, costs, a use case; then its bonus notebook 01b in full (the same key and
connection, the real server's 401 for a wrong key and 404 for an unknown model, the cache, and the
embeddings this server cannot make, said so and made by a labelled local model); then
``make reference-answers``. The planted key must appear in nothing the chapters wrote. (See
``online_support.py``.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from online_support import PLANTED_KEY, SERVED_MODEL, assert_key_never_written, run_chapter, text_of

pytestmark = pytest.mark.slow  # make test runs it, make unit does not


# The sections where a key and a custom endpoint change what the chapter does: where the key is found (1),
# the connection and streaming (2), the prices (3), one use case (4). Sections 5-9 send more prompts
# through the same client to the same server, code the smoke run executes against the local stand-in
# (also an OpenAI-compatible server); Chapter 5's API rows (test_online_chapters03_05.py) classify
# through this server with the key. The server's own errors and the cache, once Chapter 1's sections 8
# and 9, are the bonus notebook 01b's, which runs whole: it is short, and a key changes all of it.
CHAPTER1_KEY_RUN = ["## 1.", "## 2.", "## 3.", "## 4."]


def test_chapter01_uses_the_key_and_the_endpoint_it_found(online_env, openai_endpoint, online_out):
    chapter = text_of(run_chapter("01", online_env, online_out, sections=CHAPTER1_KEY_RUN, OPENAI_MODEL=SERVED_MODEL))
    bonus = text_of(run_chapter("01b", online_env, online_out, OPENAI_MODEL=SERVED_MODEL))
    shown = chapter + "\n" + bonus
    netloc = openai_endpoint.split("//")[1].split("/")[0]
    # The bug this guards: a key was found, then ignored, and the local stand-in answered. Each
    # notebook finds the key and connects on its own (01b rebuilds Chapter 1's client from the helpers).
    # 01b's embeddings: this server has no /v1/embeddings (transformers serve), so the notebook says so and
    # embeds with a model on this machine, labelled a stand-in; that label is the only "local stand-in" allowed.
    embeddings_stand_in = "[local stand-in: all-MiniLM-L6-v2, 22M parameters, not text-embedding-3-small]"
    assert f"{netloc} did not embed (HTTP 404)" in bonus and f"embeddings from {embeddings_stand_in}" in bonus
    for each in (chapter, bonus.replace(embeddings_stand_in, "")):
        assert "key: ApiKey(from the environment variable OPENAI_API_KEY" in each
        assert "LOCAL STAND-IN" not in each and "local stand-in" not in each.lower().replace("local stand-in for", "")
        assert f"answers come from: [{SERVED_MODEL} at {netloc}, from OPENAI_BASE_URL]" in each
        assert "because: a key was found (the environment variable OPENAI_API_KEY)" in each
    # Every answer names the server that answered; a custom endpoint is never called an OpenAI model.
    assert shown.count(f"[{SERVED_MODEL} at {netloc}, from OPENAI_BASE_URL]") >= 8
    assert "[OpenAI:" not in shown
    # Prices: unknown for this server, and what the same tokens cost on a hosted model, labelled.
    assert "paid unknown (not OpenAI's price table); on gpt-4.1-mini it costs $" in shown
    # The errors, from the real server (in 01b): its 401 for a wrong key, its 404 for an unknown model.
    assert f"The server at {netloc} rejected the key (401 Unauthorized)" in bonus
    assert "Unknown model 'gpt-7-ultra' (404)" in bonus
    # Streaming (Chapter 1) and the cache (01b) ran against it.
    assert "first text after" in chapter and "2nd call: cache, free" in bonus
    assert_key_never_written(online_out, online_env, chapters=2)


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


def test_reference_answers_are_stored_with_model_date_and_tokens(openai_endpoint, monkeypatch, tmp_path):
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
