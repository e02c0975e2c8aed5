"""Chapters 3 and 5 online, in this order and one environment, as a learner runs them: Chapter 3
fine-tunes ``distilbert-base-uncased`` downloaded through ``HF_ENDPOINT`` (the sections that reach the
Hub or feed Chapter 5, ``CHAPTER3_ONLINE``); Chapter 5 reuses its
saved models, calls the OpenAI-compatible endpoint for its API rows and downloads Chapter 2's model,
through section 10 (every row of its comparison; sections 11-14 compute from those rows what the
smoke run computes, with no further download or API call). Chapter 5's API rows against a server
that checks no key are in ``test_online_keyless.py``, beside Chapter 1's. (See ``online_support.py``.)"""

from __future__ import annotations

import pytest
from online_support import SERVED_MODEL, assert_key_never_written, downloaded, run_chapter, text_of

pytestmark = pytest.mark.slow  # make test runs it, make unit does not


# Chapter 3's sections that read from the Hub or feed Chapter 5: the dataset and the tokenizer (1-2), the
# model and Trainer (3-4), the saved model beside Chapter 2's (5), LoRA (7) and the records (8).
# Section 6 (the hard cases) runs the saved models of section 5 on six sentences: the smoke run's code.
# The bonus notebook 03b (the same fine-tuning in plain PyTorch, accelerate and the course's loop, a
# resumed run) loads the same model from the same cache with the same code: the smoke run's.
CHAPTER3_ONLINE = ["## 1.", "## 2.", "## 3.", "## 4.", "## 5.", "## 7.", "## 8."]


def test_chapter03_fine_tunes_the_real_repo_id_through_hf_endpoint(online_env, online_out):
    shown = text_of(run_chapter("03", online_env, online_out, sections=CHAPTER3_ONLINE, HUB_MODE="online"))
    assert "OFFLINE STAND-IN" not in shown and "hub     : online" in shown
    assert "models--distilbert-base-uncased" in downloaded(online_env)


# Printed after a partial Chapter 5: its rows so far, as the comparison table will show them.
PRINT_ROWS = """for approach, row in rows.items():
    print(f"row | {approach} | {row['model']} | {row['note']}")"""


def test_chapter05_runs_api_rows_and_hub_models_online(online_env, openai_endpoint, online_out):
    shown = text_of(run_chapter("05", online_env, online_out, until="## 11.", then=PRINT_ROWS,
                                HUB_MODE="online", OPENAI_MODEL=SERVED_MODEL))
    netloc = openai_endpoint.split("//")[1].split("/")[0]
    assert "OFFLINE STAND-IN" not in shown and "LOCAL STAND-IN" not in shown
    assert f"Calling the OpenAI-compatible endpoint {netloc} (OPENAI_BASE_URL)" in shown
    # It evaluated Chapter 3's saved models (this file's first test) instead of training them again.
    assert "row | fine-tuned (full) | distilbert-base-uncased | Chapter 3's saved model (fine-tuned-full" in shown
    assert "row | fine-tuned (LoRA) | distilbert-base-uncased | Chapter 3's saved model (fine-tuned-lora" in shown
    for approach in ("zero-shot", "few-shot"):
        assert (f"row | hosted API, {approach} | {SERVED_MODEL} at {netloc} (OPENAI_BASE_URL) | custom endpoint: "
                "money priced at gpt-4.1-mini's rates, its own prices unknown") in shown
    assert "row | pre-trained model, off the shelf | distilbert-base-uncased-finetuned-sst-2-english |" in shown
    assert_key_never_written(online_out, online_env, chapters=2)
