"""Recording results for Chapter 5."""

import json

import pytest

from helpers.paths import results_dir
from helpers.results import load_results, record_result

BASE = dict(chapter="02", approach="pre-trained", task="sentiment", data="rotten-tomatoes/test",
            model="sentiment-minilm-rt", profile="smoke", device="cpu")


def test_a_record_is_written_where_the_env_var_says_and_read_back(tmp_path):
    record_result(**BASE, accuracy=0.8, n_examples=64, latency_ms=12.5, cost_usd=0.0, hub_mode="offline")
    path = results_dir() / "results.jsonl"
    assert path.is_relative_to(tmp_path)  # COURSE_RESULTS_DIR (set in conftest) moves it
    (line,) = path.read_text().splitlines()
    stored = json.loads(line)
    assert stored["accuracy"] == 0.8 and stored["hub_mode"] == "offline" and stored["recorded_at"]
    assert load_results() == [stored]


def test_latest_result_per_chapter_approach_profile_wins():
    record_result(**BASE, accuracy=0.6)
    record_result(**BASE, accuracy=0.7)
    record_result(**{**BASE, "profile": "cpu"}, accuracy=0.9)
    latest = load_results()
    assert sorted(r["accuracy"] for r in latest) == [0.7, 0.9]
    assert len(load_results(latest_only=False)) == 3


@pytest.mark.parametrize("bad, message", [
    (dict(accuracy=81.0), "fraction"),
    (dict(latency_ms="fast"), "latency_ms"),
    (dict(model=""), "model"),
])
def test_bad_records_are_refused_with_the_reason(bad, message):
    with pytest.raises(ValueError, match=message):
        record_result(**{**BASE, **bad})
    assert load_results() == []


def test_no_results_yet_is_an_empty_list():
    assert load_results() == []


def test_wilson_interval_matches_hand_computed_figures():
    from helpers.results import accuracy_interval

    # 80/100 at 95%: centre (0.8 + 1.96^2/200) / (1 + 1.96^2/100) = 0.7890,
    # half-width 1.96*sqrt(0.0016 + 1.96^2/40000) / 1.0384 = 0.0811 -> (0.7112, 0.8666)
    low, high = accuracy_interval(80, 100)
    assert low == pytest.approx(0.7112, abs=1e-3) and high == pytest.approx(0.8666, abs=1e-3)
    assert accuracy_interval(10, 10)[1] == pytest.approx(1.0)  # stays inside [0, 1]
    assert accuracy_interval(0, 10)[0] == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError):
        accuracy_interval(5, 0)


def test_paired_test_matches_hand_computed_binomial_tails():
    from helpers.results import paired_test

    truth = [1, 0, 1, 0, 1, 0, 1, 0, 1, 1]
    # A is right on all ten; B is wrong on the first six and right on the rest: 6 discordant, all A's.
    # Under "equally good" each goes A's way with probability 1/2: P(all 6 one way, either way) = 2/64.
    b = [1 - t for t in truth[:6]] + truth[6:]
    test = paired_test(truth, b, truth)
    assert (test["only_a"], test["only_b"], test["n"]) == (6, 0, 10)
    assert test["p_value"] == pytest.approx(2 / 64)
    # Six for A, one for B: P(X >= 6) + P(X <= 1) for X ~ Binomial(7, 1/2) = (1 + 7 + 7 + 1) / 128.
    a = truth[:9] + [0]  # A now wrong on the last one, which B gets right
    test = paired_test(a, b, truth)
    assert (test["only_a"], test["only_b"]) == (6, 1) and test["p_value"] == pytest.approx(16 / 128)
    assert paired_test(b, a, truth)["p_value"] == pytest.approx(16 / 128)  # symmetric
    # Reviews both get right or both get wrong change nothing; no discordant review: p = 1.
    assert paired_test(a + [1, 0], b + [1, 0], truth + [1, 1])["p_value"] == pytest.approx(16 / 128)
    assert paired_test(truth, truth, truth) == {"only_a": 0, "only_b": 0, "n": 10, "p_value": 1.0}
    assert paired_test([None, 1], [0, 1], [0, 1])["only_b"] == 1  # no label at all counts as wrong
    with pytest.raises(ValueError, match="same examples"):
        paired_test([1, 0], [1], [1, 0])
