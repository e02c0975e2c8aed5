"""Chapter 5's measuring tools: the classifier with and without pre-training (helpers.scratch_classifier,
helpers.pretraining), the yardstick (helpers.yardstick), the README table (course_tools.readme_table)."""

import math

import pytest
import torch

from course_tools.readme_table import README_END, README_START, write_readme_table
from helpers.scratch_classifier import (TransformerClassifier, WordVocabulary, predict_from_scratch,
                                        train_from_scratch)
from helpers.pretraining import classifier_from_gpt, fine_tune_pretrained, pretrain_gpt
from helpers.yardstick import code_lines, labels_to_reach, measure
from helpers.gpt import GPT, GPTConfig


def toy_reviews(n, seed=0):
    """Short reviews whose label shows in one word, with filler around it."""
    g = torch.Generator().manual_seed(seed)
    filler = ["the", "film", "was", "plot", "acting", "very", "a", "story"]
    texts, labels = [], []
    for i in range(n):
        label = i % 2
        opinion = (["good", "great", "wonderful"] if label else ["bad", "awful", "dull"])[int(torch.randint(3, (1,), generator=g))]
        words = [filler[int(j)] for j in torch.randint(len(filler), (5,), generator=g)]
        words.insert(int(torch.randint(6, (1,), generator=g)), opinion)
        texts.append(" ".join(words))
        labels.append(label)
    return texts, labels


def test_vocabulary_keeps_frequent_words_and_pads_on_the_right():
    vocab = WordVocabulary(["a good film", "a bad film", "a film!"], min_count=2)
    assert vocab.itos[:2] == ["<pad>", "<unk>"] and {"a", "film"} <= set(vocab.itos)
    assert "good" not in vocab.stoi  # seen once: below min_count
    ids = vocab.encode(["a good film", "film"], max_len=10)
    assert ids.shape == (2, 3)
    assert ids[0, 1].item() == WordVocabulary.UNKNOWN and ids[1, 1:].tolist() == [0, 0]
    assert vocab.encode(["a " * 50], max_len=4).shape == (1, 4)  # cut at max_len


def test_padding_does_not_change_a_reviews_prediction():
    """Causal attention plus right padding: the pad tokens after a review never reach it."""
    torch.manual_seed(0)
    model = TransformerClassifier(GPTConfig(vocab_size=10, block_size=16, n_layer=2, n_head=2, n_embd=16)).eval()
    alone = model(torch.tensor([[3, 4, 5]]))
    padded = model(torch.tensor([[3, 4, 5, 0, 0, 0]]))
    assert torch.allclose(alone, padded, atol=1e-5)


def test_from_scratch_learns_a_learnable_task():
    texts, labels = toy_reviews(400)
    result = train_from_scratch(texts, labels, n_layer=1, n_embd=32, n_head=2, max_len=16, steps=120,
                                batch_size=32, lr=3e-3, min_count=1, progress=False)
    losses = result["history"].train_loss
    assert losses[-1] < 0.5 * losses[0], f"the loss should fall: {losses[0]:.3f} -> {losses[-1]:.3f}"
    test_texts, test_labels = toy_reviews(100, seed=1)
    predicted = predict_from_scratch(result["model"], result["vocab"], test_texts, batch_size=32)
    accuracy = sum(p == t for p, t in zip(predicted, test_labels)) / len(test_labels)
    assert accuracy >= 0.9, f"one word decides the label; accuracy was {accuracy:.2f}"
    assert result["parameters"] == sum(p.numel() for p in result["model"].parameters())


def test_measure_reports_accuracy_interval_throughput_and_latency(monkeypatch):
    """A pretend model on a pretend clock: 0.1 s per call plus 0.02 s per review, so the figures
    measure() must report are known exactly (batched 50 reviews: 1.1 s; one review alone: 0.12 s)."""
    import helpers.yardstick as yardstick

    clock = [0.0]
    monkeypatch.setattr(yardstick.time, "perf_counter", lambda: clock[0])

    def always_positive(batch):
        clock[0] += 0.1 + 0.02 * len(batch)
        return [1] * len(batch)

    texts = [f"review {i}" for i in range(50)]
    truth = [i % 2 for i in range(50)]
    m = measure(always_positive, texts, truth, single_reviews=5)
    assert m["correct"] == 25 and m["accuracy"] == 0.5 and m["n"] == 50 and len(m["predicted"]) == 50
    assert m["interval"] == pytest.approx((0.366, 0.634), abs=1e-3)  # Wilson, 25 of 50
    assert m["throughput"] == pytest.approx(50 / 1.1) and m["latency_ms"] == pytest.approx(120)
    assert measure(always_positive, texts, truth, single_reviews=0)["latency_ms"] is None


def _example(x):
    """A docstring is not code."""
    # neither is a comment

    y = x + 1
    return (y,
            x)


class _Example:
    """Nor a class docstring."""

    def method(self):
        return 1


def test_code_lines_counts_code_not_docstrings_comments_or_blanks():
    assert code_lines(_example) == 4  # def, y = ..., and the two-line return
    assert code_lines(_Example) == 3
    assert code_lines(_example, _Example) == 7


def test_labels_to_reach_reads_the_curve_and_does_not_extrapolate():
    ns, accuracies = [100, 1000, 10000], [0.60, 0.70, 0.80]
    assert labels_to_reach(ns, accuracies, 0.55) == 100
    assert labels_to_reach(ns, accuracies, 0.70) == pytest.approx(1000)
    assert labels_to_reach(ns, accuracies, 0.75) == pytest.approx(math.sqrt(1000 * 10000))  # halfway on a log scale
    assert labels_to_reach(ns, accuracies, 0.85) is None  # beyond the measured range: no guess


def test_readme_table_goes_between_the_markers_and_nowhere_else(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Course\nbefore\n{README_START}\nold table\n{README_END}\nafter\n")
    table = tmp_path / "comparison.md"
    table.write_text("| approach | accuracy |\n|---|---|\n| TF-IDF | 0.77 |\n")
    write_readme_table(readme, table)
    text = readme.read_text()
    assert "old table" not in text and "| TF-IDF | 0.77 |" in text
    assert text.startswith("# Course\nbefore\n") and text.endswith(f"{README_END}\nafter\n")
    with pytest.raises(FileNotFoundError, match="run Chapter 5 first"):
        write_readme_table(readme, tmp_path / "missing.md")


def test_readme_shows_a_measured_cpu_comparison():
    """The issue's promise: the docs carry a real cpu-profile run of Chapter 5 (docs/results.md, linked
    from the README and included in the website's landing page), saying where, when and with which
    models it was measured (regenerate with `make comparison`)."""
    import re

    from course_tools.readme_table import RESULTS_PAGE

    text = RESULTS_PAGE.read_text(encoding="utf-8")
    block = text.split(README_START, 1)[1].split(README_END, 1)[0]
    assert "profile `cpu`" in block, "docs/results.md's table must come from the cpu profile: run `make comparison`"
    assert re.search(r"Measured on \d{4}-\d{2}-\d{2}", block) and "usable CPU cores" in block
    assert "| approach | model actually used |" in block
    # Every row of the chapter, approach 4 as the syllabus means it included.
    for approach in ["TF-IDF + logistic regression", "hosted API, zero-shot", "hosted API, few-shot",
                     "pre-trained model, off the shelf", "fine-tuned (full)", "fine-tuned (LoRA)",
                     "own GPT, pre-trained + fine-tuned", "transformer, no pre-training"]:
        row = next((line for line in block.splitlines() if line.startswith(f"| {approach} |")), None)
        assert row, f"no row for {approach!r}"
        assert re.search(r"\| 0\.\d{3} \(0\.\d{3}-[01]\.\d{3}\), n=[\d,]+ \|", row), f"no accuracy with interval: {row}"
    assert "Learning curve" in block and "own GPT, pre-trained + fine-tuned 100:" in block
    assert "Rules:" in block and "the course's judgement" in block, "each rating's rule, judgement marked as such"


def test_pretraining_lowers_the_next_word_loss_and_counts_its_cost():
    texts, _ = toy_reviews(600)
    pretrained = pretrain_gpt(texts, n_layer=1, n_embd=32, n_head=2, block_size=16, steps=60, batch_size=16,
                              lr=3e-3, min_count=1, eval_batches=2, progress=False)
    # Five of the six words are random filler (ln 8 = 2.08 at best); the uniform guess is ln 14 = 2.64.
    assert pretrained["loss_after"] < min(pretrained["loss_before"], pretrained["uniform_loss"]) - 0.1, \
        f"the next-word loss should fall: {pretrained['loss_before']:.2f} -> {pretrained['loss_after']:.2f}"
    assert pretrained["tokens_seen"] == 60 * 16 * 16
    assert pretrained["flops"] == 6 * pretrained["model"].num_parameters(non_embedding=True) * 60 * 16 * 16
    assert pretrained["uniform_loss"] == pytest.approx(math.log(len(pretrained["vocab"])))


def test_classifier_from_gpt_copies_every_pretrained_weight_and_adds_only_a_head():
    torch.manual_seed(0)
    gpt = GPT(GPTConfig(vocab_size=12, block_size=8, n_layer=2, n_head=2, n_embd=16))
    classifier = classifier_from_gpt(gpt)
    assert torch.equal(classifier.wte.weight, gpt.transformer.wte.weight)
    assert torch.equal(classifier.wpe.weight, gpt.transformer.wpe.weight)
    for mine, theirs in zip(classifier.blocks.state_dict().values(), gpt.transformer.h.state_dict().values()):
        assert torch.equal(mine, theirs)
    classifier.blocks[0].attn.c_attn.weight.data.add_(1.0)  # a copy, not the same tensors
    assert not torch.equal(classifier.blocks[0].attn.c_attn.weight, gpt.transformer.h[0].attn.c_attn.weight)


def test_fine_tuning_a_pretrained_gpt_changes_its_predictions_and_learns_the_task():
    texts, labels = toy_reviews(400)
    pretrained = pretrain_gpt(texts, n_layer=1, n_embd=32, n_head=2, block_size=16, steps=30, batch_size=16,
                              min_count=1, eval_batches=2, progress=False)
    gpt_before = {k: v.clone() for k, v in pretrained["model"].state_dict().items()}
    test_texts, test_labels = toy_reviews(100, seed=1)
    untrained = classifier_from_gpt(pretrained["model"]).eval()
    before = predict_from_scratch(untrained, pretrained["vocab"], test_texts)
    tuned = fine_tune_pretrained(pretrained, texts, labels, steps=120, lr=3e-3, progress=False)
    after = predict_from_scratch(tuned["model"], pretrained["vocab"], test_texts)
    assert before != after
    assert sum(p == t for p, t in zip(after, test_labels)) / len(test_labels) >= 0.9
    for name, value in pretrained["model"].state_dict().items():  # the pre-trained model is left as it was
        assert torch.equal(value, gpt_before[name]), name


def test_numbers_are_formatted_for_people_and_not_applicable_is_a_dash():
    from helpers.yardstick import money, number

    assert number(22713986) == "22,713,986" and number(25610.4, 1) == "25,610.4"
    assert number(None) == "-" and number(float("nan"), 3) == "-"
    assert money(1.706e-05) == "$0.0000" and money(0.0213) == "$0.02" and money(1234.5) == "$1,234.50"
    assert money(0.0) == "$0.00" and money(None) == "-"


def _row(accuracy, **extra):
    return dict(model="m", labels=100, accuracy=accuracy, low=accuracy - 0.05, high=accuracy + 0.05, n=200,
                accuracy_on_api_subset=accuracy, latency_ms=None, throughput=2.04, one_at_a_time=False,
                pretrain_seconds=None, train_seconds=1.0, parameters=None, trained_parameters=0, size_mb=None,
                train_cost_usd=0.0, cost_for_workload_usd=2.5e-05, code_lines=5, setup=[], stand_in="", note="") | extra


def test_comparison_table_and_markdown_say_how_each_figure_was_measured():
    from helpers.yardstick import comparison_markdown, comparison_table

    rows = {"api": _row(0.6, one_at_a_time=True, setup=["key", "install"], note="stand-in"),
            "own": _row(0.7, pretrain_seconds=12.0, latency_ms=1.25)}
    table = comparison_table(rows, predictions=1000, api_reviews=10)
    assert list(table.index) == ["own", "api"]  # best first
    assert table.loc["api", "reviews/s"] == "2 (one at a time)" and table.loc["own", "reviews/s"] == "2 (batched)"
    assert table.loc["api", "pre-training (s)"] == "-" and table.loc["own", "pre-training (s)"] == "12"
    assert table.loc["api", "setup steps"] == "key, install" and table.loc["own", "size (MB)"] == "-"
    text = comparison_markdown(header=["Measured on 2026-01-01."], rows=rows, predictions=1000,
                               curve={"own": {100: {"accuracy": 0.7}}}, reading=["it rises"],
                               syllabus=[{"Approach": "X", "Ease of Use": "High", "Flexibility": "Low (judgement: y)",
                                          "Cost": "Low", "Compute: training": "Low", "Compute: serving": "Low",
                                          "When to Use": "w"}], rules=["Cost: $"])
    assert "| own | m | 100 | 0.700 (0.650-0.750), n=200 | 1.2 | 2 | 12 |" in text
    assert "| api | m | 100 | 0.600 (0.550-0.650), n=200 | - | 2 (one at a time) | - |" in text
    assert "| X | High | Low (judgement: y) | Low | Low | Low | w |" in text
    assert "Rules: Cost: $." in text and "Notes: api: stand-in." in text and "nan" not in text.lower()
