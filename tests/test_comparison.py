"""Chapter 5's presentation helpers (helpers.comparison): the rows, tables, plots and sentences the
chapter shows, checked for what they contain, not only that they run."""

import matplotlib

matplotlib.use("Agg")

import pytest

from helpers import comparison
from helpers.yardstick import comparison_table

APPROACHES = ["hosted API, zero-shot", "hosted API, few-shot", "pre-trained model, off the shelf", "fine-tuned (full)",
              "fine-tuned (LoRA)", "TF-IDF + logistic regression", "transformer, no pre-training",
              "own GPT, pre-trained + fine-tuned"]


def measured(accuracy, n=10, predicted=None):
    """A result as ``helpers.yardstick.measure`` returns it."""
    predicted = predicted or [1] * n
    return {"accuracy": accuracy, "interval": (accuracy - 0.1, accuracy + 0.1), "n": n, "predicted": predicted,
            "latency_ms": 2.5, "throughput": 400.0}


def row(accuracy, **extra):
    described = dict(labels=100, parameters=1000, trained_parameters=10, size_mb=1.5, lines=40, setup=["install"],
                     train_seconds=3.0, train_cost_usd=0.001, cost_for_workload_usd=0.5)
    return comparison.comparison_row("m", measured(accuracy), api_truth=[1, 0, 1, 0],
                                     **(described | extra))


@pytest.fixture
def rows():
    accuracies = [0.6, 0.65, 0.8, 0.85, 0.84, 0.75, 0.62, 0.7]
    built = {name: row(a) for name, a in zip(APPROACHES, accuracies)}
    built["hosted API, few-shot"] |= {"stand_in": "a SmolLM2 on this machine", "one_at_a_time": True,
                                      "setup": ["key", "install"]}
    built["own GPT, pre-trained + fine-tuned"] |= {"pretrain_seconds": 12.0}
    return built


def test_comparison_row_scores_the_api_subset_and_keeps_each_prediction():
    r = comparison.comparison_row("m", measured(0.7, n=5, predicted=[1, 1, 0, 0, 1]), api_truth=[1, 0, 0, 1],
                                  labels=5, train_seconds=2.0, train_cost_usd=0.1, cost_for_workload_usd=3.0,
                                  parameters=None, trained_parameters=0, size_mb=None, lines=7, setup=("key",))
    assert r["accuracy_on_api_subset"] == 0.5  # predicted [1, 1, 0, 0] against [1, 0, 0, 1]
    assert (r["low"], r["high"], r["n"]) == pytest.approx((0.6, 0.8, 5)) and r["predicted"] == [1, 1, 0, 0, 1]
    assert r["setup"] == ["key"] and r["code_lines"] == 7 and r["stand_in"] == "" and r["pretrain_seconds"] is None
    line = comparison.row_summary("TF-IDF", r)
    assert line == ("TF-IDF: accuracy 0.700 (0.600-0.800) on 5 reviews; 2.5 ms per review alone, 400 reviews/s "
                    "batched; setup: key; 7 lines of code")


def test_hosted_api_labels_name_the_stand_in_and_the_custom_endpoints_pricing():
    local = comparison.hosted_api_labels("local", "x", "here", "gpt-4.1-mini", "gpt-4.1-mini",
                                         "HuggingFaceTB/SmolLM2-135M-Instruct")
    assert local["model"] == "SmolLM2-135M-Instruct (local stand-in for gpt-4.1-mini)"
    assert local["stand_in"] == "a SmolLM2-135M-Instruct on this machine, not gpt-4.1-mini"
    custom = comparison.hosted_api_labels("custom", "llama", "localhost:8000", "gpt-4.1-mini", "gpt-4.1-mini", "a/b")
    assert custom["model"] == "llama at localhost:8000 (OPENAI_BASE_URL)" and custom["stand_in"] == ""
    assert custom["note"].startswith("custom endpoint: money priced at gpt-4.1-mini's rates, its own prices unknown; ")
    real = comparison.hosted_api_labels("openai", "gpt-4.1-mini", "api.openai.com", "gpt-4.1-mini", "gpt-4.1-mini", "a/b")
    assert real["model"] == "gpt-4.1-mini" and real["note"].startswith("reviews/s: one request at a time")


def test_earlier_results_keep_only_this_profiles_sentiment_records_beside_this_chapters(rows):
    records = [dict(chapter="03", approach="fine-tuned (full)", accuracy=0.8, n_examples=200, profile="smoke",
                    task="binary sentiment, movie reviews", recorded_at="2026-12-01T10:00:00+00:00"),
               dict(chapter="03", approach="fine-tuned (full)", accuracy=0.9, n_examples=200, profile="cpu",
                    task="binary sentiment, movie reviews", recorded_at="2026-12-01T10:00:00+00:00"),
               dict(chapter="04", approach="GPT", accuracy=0.1, n_examples=1, profile="smoke", task="text",
                    recorded_at="2026-12-01T10:00:00+00:00")]
    table = comparison.earlier_results_table(records, rows, "smoke")
    assert table.shape == (1, 7) and table.loc[0, "accuracy then"] == 0.8 and table.loc[0, "accuracy here"] == 0.85
    assert table.loc[0, "recorded"] == "2026-12-01T10:00"
    assert comparison.earlier_results_table(records, rows, "gpu") is None


def test_stand_ins_are_named_in_the_table_and_under_the_models(rows):
    table = comparison_table(rows, predictions=1000, api_reviews=4)
    assert "hosted API, few-shot [STAND-IN]" in table.index and "fine-tuned (full)" in table.index
    assert list(table.index)[0] == "fine-tuned (full)"  # best first
    text = comparison.models_used(rows).splitlines()
    assert text[0] == "models actually used:" and len(text) == 1 + len(rows) + 1
    assert any("STAND-IN: a SmolLM2 on this machine; its numbers are not the real model's" in line for line in text)


def test_the_plots_draw_every_approach_and_mark_stand_ins(rows):
    fig = comparison.plot_accuracy_against_cost_and_latency(rows, 1000, 0.5, "smoke profile, cpu")
    labels = fig.axes[1].get_legend_handles_labels()[1]
    assert len(labels) == len(rows) + 1 and "hosted API, few-shot (STAND-IN, hollow)" in labels
    assert all(ax.get_xscale() == "log" for ax in fig.axes[:2]) and fig._suptitle.get_text() == "smoke profile, cpu"
    point = lambda accuracy, seeds: {"accuracy": accuracy, "interval": (accuracy - 0.05, accuracy + 0.05), "seeds": seeds}
    curve = {"fine-tuned (full)": {50: point(0.7, [0.68, 0.72]), 480: point(0.8, [0.8])},
             "TF-IDF + logistic regression": {50: point(0.55, [0.5, 0.6]), 480: point(0.7, [0.7])}}
    ax = comparison.plot_learning_curve(curve, rows, [50, 480], 0.5).axes[0]
    labels = ax.get_legend_handles_labels()[1]
    assert labels[:2] == ["fine-tuned (full)", "TF-IDF + logistic regression"]
    assert "hosted API, few-shot (no training, STAND-IN)" in labels and "majority label" in labels
    assert [t.get_text() for t in ax.get_xticklabels()] == ["50", "480"]
    assert len(ax.collections) == 2 + 2  # a shaded interval per approach, a scatter of seeds where there are several


def test_the_curve_in_words():
    assert comparison.seed_spread_sentence(50, 2, {"a": 0.02, "b": 0.1}, interval_width=0.05).startswith(
        "50 labels, mean of 2 seeds; the seed moved a by 0.020, b by 0.100. The most, 0.100 (b), is wider than")
    assert "is within one run's 95% test-set interval (0.200 wide)" in comparison.seed_spread_sentence(
        50, 2, {"a": 0.02, "b": 0.1}, interval_width=0.2)
    high, low = {"accuracy": 0.8, "interval": (0.75, 0.85)}, {"accuracy": 0.6, "interval": (0.55, 0.65)}
    close = {"accuracy": 0.78, "interval": (0.7, 0.86)}
    assert comparison.intervals_apart(high, low) and not comparison.intervals_apart(high, close)
    assert comparison.gain_in_words(high, low) == "+0.200"
    assert comparison.gain_in_words(close, high) == "-0.020 (intervals overlap: no difference shown)"
    assert comparison.labels_needed("TF-IDF + logistic regression", 1234.4, 3000) == "TF-IDF needs ~1,234"
    assert comparison.labels_needed("transformer, no pre-training", None, 3000) == "no pre-training needs more than 3,000"
    assert comparison.bands_in_words([(1, "Low"), (60, "Medium"), (float("inf"), "High")], "{:g} s") == \
        "Low up to 1 s, Medium up to 60 s, else High"


def test_the_syllabus_tables_words_draw_no_claim_from_a_stand_in(rows):
    assert comparison.matched_in_words(rows["hosted API, few-shot"], 50, [50, 480]).startswith(
        "this run's row is a stand-in (a SmolLM2 on this machine)")
    shelf = rows["pre-trained model, off the shelf"]
    assert comparison.matched_in_words(shelf, None, [50, 480]) == "fine-tuning did not match it within 480 labels"
    assert comparison.matched_in_words(shelf, 50.0, [50, 480]) == \
        "fine-tuning beats it already with 50 labels, the fewest measured"
    assert comparison.matched_in_words(shelf, 210.0, [50, 480]) == "fine-tuning matches it from ~210 labels"
    matched = {"hosted API, few-shot": "A", "pre-trained model, off the shelf": "B"}
    column = comparison.when_to_use_column(rows, matched=matched, ft_first=(50, 0.7), tfidf_needs=None,
                                           tfidf_largest=480, own_vs_none="paired test p = 0.3: no difference shown")
    assert list(column) == ["OpenAI API", "Pre-Trained Model", "Fine-Tuning", "Building from Scratch"]
    assert column["OpenAI API"] == "no labelled data, quick results; A"
    assert column["Pre-Trained Model"] == "a published model fits your task (0.800 with none of your labels); B"
    assert column["Fine-Tuning"] == "you have labels: 0.700 from 50 of them, where TF-IDF needs more than 480"
    assert "12 s of your own pre-training gave 0.700 against 0.620 without it (paired test p = 0.3" in \
        column["Building from Scratch"]
    measured_columns = {"Ease of Use": ("High", "1 setup step"), "Cost": ("Low", "$0.50")}
    out = comparison.syllabus_row("Fine-Tuning", measured_columns, ("High", "every weight"), "w",
                                  ("Low", "High", "Medium", "High"), rows["hosted API, few-shot"])
    assert out == {"Approach": "Fine-Tuning", "Ease of Use": "High", "Cost": "Low",
                   "Flexibility": "High (judgement: every weight)", "When to Use": "w",
                   "why (measured)": "Ease of Use: 1 setup step; Cost: $0.50",
                   "syllabus said": "Low / High / Medium / High", "accuracy": "0.650 (a stand-in's)"}


def test_the_guide_covers_each_situation_with_this_runs_numbers(rows):
    guide = comparison.approach_guide(rows, predictions=1000, price_model="gpt-4.1-mini", device="cpu",
                                      pretrained_words=5000, own_vs_none="p = 0.01", api_matched="soon")
    assert len(guide) == 6 and all(situation and advice for situation, advice in guide)
    advice = dict(guide)
    assert "this run's API row is a stand-in (a SmolLM2 on this machine)" in advice[
        "You have no labelled data and need an answer today"]
    assert "fine-tune a pre-trained model: here 0.850 with 100 labels after 3 s of training, LoRA 0.840 training " \
           "1.0% of the weights; against a hosted model's few-shot answers: soon" == advice[
               "You have labelled data, or can label some"]
    assert "0.700 after 12 s of pre-training on 5,000 words, against 0.620" in advice[
        "You are doing research, or your text is not text any published model knows"]


def test_the_comparison_files_header_names_prices_and_stand_ins(rows):
    header = comparison.comparison_header(day="2026-12-04", profile="smoke", hub="offline", machine="Linux x86_64",
                                          versions={"torch": "2.5", "transformers": "4.50"}, data_label="reviews, n=200",
                                          api_reviews=12, price_model="gpt-4.1-mini", price_in=0.4, price_out=1.6,
                                          dollars_per_hour=0.1, device="cpu", rows=rows)
    assert len(header) == 3 and header[1] == ""
    assert header[0] == ("Measured on 2026-12-04 by `notebooks/05_comparing_approaches.ipynb`, profile `smoke`, hub "
                         "offline, on Linux x86_64; torch 2.5, transformers 4.50.")
    assert "Money: gpt-4.1-mini at $0.4/$1.6 per million" in header[2]
    assert header[2].endswith("Stand-ins: hosted API, few-shot: a SmolLM2 on this machine.")
