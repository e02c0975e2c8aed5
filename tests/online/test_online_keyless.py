"""Chapter 1 and its bonus notebook 01b against a server that checks no key (issue 23): a learner with
``OPENAI_API_KEY`` set and ``OPENAI_BASE_URL`` at a plain ``transformers serve``, started as Chapter 1
tells them to.

Ollama, LM Studio and vLLM without ``--api-key`` behave the same way: any key is accepted. The other
Chapter 1 file runs against a server that checks keys (``course_tools.openai_endpoint``); with only
that one, Chapter 1 (whose bad-key demonstration is now 01b's) ended here in ``AssertionError: some
failures were not caught: {... 'bad key': None ...}`` without any test seeing it. Then Chapter 5's API rows against the same server (the
chapter from its start through section 3, offline for its data: the Hub plays no part in those rows).
The planted key is sent with every request and must still appear in nothing the chapters wrote.
(See ``online_support.py``.)
"""

from __future__ import annotations

import json
import urllib.request

import pytest
from online_support import assert_key_never_written, run_chapter, text_of

pytestmark = pytest.mark.slow  # make test runs it, make unit does not


def test_the_server_checks_no_key(keyless_endpoint):
    """What makes this file's server the other kind: a wrong key gets the models listed, not a 401."""
    base_url, model = keyless_endpoint
    request = urllib.request.Request(f"{base_url}/models", headers={"Authorization": "Bearer a-wrong-key"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert reply.status == 200 and [m["id"] for m in json.load(reply)["data"]] == [model]


def test_chapter01_says_the_server_checks_no_key_and_replays_openais_401(keyless_env, keyless_endpoint, online_out):
    base_url, model = keyless_endpoint
    netloc = base_url.split("//")[1].split("/")[0]
    # Chapter 1's sections 1-2 (the key, the connection, the first calls and streaming) and its bonus
    # notebook 01b's section 1 (the failures, once Chapter 1's section 8): what a server that checks no
    # key changes. Chapter 1's sections 3-9 and 01b's cache send the same requests through the same
    # client: the other file runs them against an endpoint from OPENAI_BASE_URL, and make test's smoke
    # run against the local stand-in, which is this same plain `transformers serve`.
    chapter = text_of(run_chapter("01", keyless_env, online_out, sections=["## 1.", "## 2."],
                                  HUB_MODE="offline", OPENAI_MODEL=model))
    bonus = text_of(run_chapter("01b", keyless_env, online_out, sections=["## 1."],
                                HUB_MODE="offline", OPENAI_MODEL=model))
    shown = chapter + "\n" + bonus
    for each in (chapter, bonus):  # 01b finds the key and connects on its own, as Chapter 1 does
        assert "key: ApiKey(from the environment variable OPENAI_API_KEY" in each
        assert "LOCAL STAND-IN" not in each
        assert f"answers come from: [{model} at {netloc}, from OPENAI_BASE_URL]" in each
    # The bad key (01b): this server took it, and the notebook says so, then shows OpenAI's 401 as a replay.
    assert f"The server at {netloc} accepted a wrong key: it checks no key at all" in bonus
    assert "What OpenAI answers to a wrong key instead (a replay of its 401, not a live call)" in bonus
    assert "The API rejected the key (401 Unauthorized)" in bonus
    assert f"The server at {netloc} rejected the key" not in shown
    # The rest of 01b's section 1, and Chapter 1's section 2 calls, against this server.
    assert "Unknown model 'gpt-7-ultra' (404)" in bonus
    assert "first text after" in chapter and "tokens out" in chapter
    assert_key_never_written(online_out, keyless_env, chapters=2)


# Printed after Chapter 5's section 3: its rows so far, as the comparison table will show them.
PRINT_ROWS = """for approach, row in rows.items():
    print(f"row | {approach} | {row['model']} | {row['note']}")"""


def test_chapter05_api_rows_against_a_server_that_checks_no_key(keyless_env, keyless_endpoint, online_out):
    """The same learner, with ``OPENAI_BASE_URL`` at a server that ignores the (planted) key. Only the
    chapter's API rows (section 3) reach the server, so this run executes the chapter from its start
    through section 3 (its data, the TF-IDF floor, the zero- and few-shot rows), then prints those rows;
    the sections after it are the first run's, whatever the server checks."""
    base_url, model = keyless_endpoint
    netloc = base_url.split("//")[1].split("/")[0]
    shown = text_of(run_chapter("05", keyless_env, online_out, until="## 4.", then=PRINT_ROWS,
                                HUB_MODE="offline", OPENAI_MODEL=model))
    assert "LOCAL STAND-IN" not in shown
    assert f"Calling the OpenAI-compatible endpoint {netloc} (OPENAI_BASE_URL) with model {model}" in shown
    for approach in ("zero-shot", "few-shot"):
        assert (f"row | hosted API, {approach} | {model} at {netloc} (OPENAI_BASE_URL) | custom endpoint: money "
                "priced at gpt-4.1-mini's rates, its own prices unknown") in shown
        assert f"hosted API, {approach}: accuracy" in shown
    assert_key_never_written(online_out, keyless_env, chapters=3)  # Chapter 1, its bonus 01b, Chapter 5
