"""helpers/diagrams.py: each figure shows the numbers of the objects it was given (tiny, randomly
initialized models: seconds on a CPU, no download, no offline kit). Chapter 4's ``block_diagram`` is
tested in test_gpt.py."""

import math

import matplotlib
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn
from transformers import (BertConfig, BertForSequenceClassification, BertTokenizerFast, DistilBertConfig,
                          DistilBertForSequenceClassification)

from helpers.diagrams import (APPROACHES, approaches_diagram, attention_diagram, encoder_head_diagram, lora_diagram,
                              pipeline_diagram)
from helpers.fine_tuning import LABELS

matplotlib.use("Agg")
pytestmark = pytest.mark.usefixtures("one_thread")
WORDS = ["i", "loved", "this", "movie", "!", "bad", "film"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def texts(figure) -> str:
    return " ".join(t.get_text() for axis in figure.axes for t in axis.texts + [axis.title]) + " " + \
        " ".join(t.get_text() for t in figure.texts)


def tiny_bert(**sizes):
    config = BertConfig(vocab_size=len(WORDS) + 5, hidden_size=24, num_hidden_layers=3, num_attention_heads=2,
                        intermediate_size=40, max_position_embeddings=32, num_labels=2, id2label=LABELS,
                        label2id={v: k for k, v in LABELS.items()}, **sizes)
    torch.manual_seed(0)
    return BertForSequenceClassification(config).eval()


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    vocab = tmp_path_factory.mktemp("tiny-vocab") / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n")
    return BertTokenizerFast(vocab_file=str(vocab), do_lower_case=True)


@pytest.mark.parametrize("current", [1, 2, 3, 4, None])
def test_approaches_diagram_highlights_the_current_chapter(current):
    figure = approaches_diagram(current=current)
    assert isinstance(figure, Figure)
    boxes = {p.get_gid(): p for p in figure.axes[0].patches if (p.get_gid() or "").startswith("approach-")}
    assert sorted(boxes) == [f"approach-{n}" for n in (1, 2, 3, 4)]
    highlighted = [gid for gid, box in boxes.items() if box.get_linewidth() > 1.5]
    assert highlighted == ([f"approach-{current}"] if current else [])
    shown = texts(figure)
    for _, _, control, data, compute in APPROACHES:
        assert control in shown and data in shown and compute in shown
    assert ("this chapter" in shown) == (current is not None)


def test_pipeline_diagram_shows_the_real_tokens_ids_logits_and_label(tokenizer):
    model = tiny_bert()
    text = "I loved this movie!"
    figure = pipeline_diagram(tokenizer, model, text)
    assert isinstance(figure, Figure)
    encoded = tokenizer(text, return_tensors="pt")
    with torch.no_grad():
        logits = model(**encoded).logits[0]
    probabilities = torch.softmax(logits, -1)
    label = LABELS[int(probabilities.argmax())]
    shown = texts(figure)
    for token, token_id in zip(tokenizer.convert_ids_to_tokens(encoded["input_ids"][0]), encoded["input_ids"][0]):
        assert token in shown and str(int(token_id)) in shown
    for name, logit, p in zip(LABELS.values(), logits.tolist(), probabilities.tolist()):
        assert f"{name}: {logit:+.3f}" in shown and f"{name} {p:.4f}" in shown
    assert f"{label}  (score {probabilities.max():.4f})" in shown


def test_pipeline_diagram_shows_the_first_tokens_of_a_long_text(tokenizer):
    figure = pipeline_diagram(tokenizer, tiny_bert(), "this movie " * 10, max_tokens=6)
    assert "(22 in all, the first 6 shown)" in texts(figure)


@pytest.mark.parametrize("kind", ["bert", "distilbert"])
def test_encoder_head_diagram_reads_the_layers_and_the_head_from_the_model(kind):
    if kind == "bert":
        model, hidden, layers, heads = tiny_bert(), 24, 3, 2
        expected = ["bert.pooler", "dense 24→24", "Tanh", "classifier", "linear 24→2", "MLP 24→40→24"]
    else:
        hidden, layers, heads = 32, 2, 4
        model = DistilBertForSequenceClassification(DistilBertConfig(
            vocab_size=50, dim=hidden, n_layers=layers, n_heads=heads, hidden_dim=48, max_position_embeddings=16,
            id2label=LABELS, label2id={v: k for k, v in LABELS.items()}))
        expected = ["pre_classifier", "linear 32→32", "classifier", "linear 32→2", "MLP 32→48→32"]
    figure = encoder_head_diagram(model)
    assert isinstance(figure, Figure)
    shown = texts(figure)
    for text in expected + [f"{layers} × encoder layer", f"hidden size {hidden}", f"{heads} heads of {hidden // heads}",
                            f"(B, {hidden})", "NEGATIVE, POSITIVE"]:
        assert text in shown, text
    assert f"({hidden * 2 + 2:,} weights)" in shown  # the classifier's weights and biases


def test_encoder_head_diagram_marks_what_the_checkpoint_lacked():
    model = tiny_bert()
    as_loaded = texts(encoder_head_diagram(model, new_weights={"classifier.weight", "classifier.bias"}))
    assert "(50 weights that start at random)" in as_loaded  # 24 × 2 + 2: the pooler came with the checkpoint
    without_pooler = texts(encoder_head_diagram(model, new_weights={"classifier.weight", "classifier.bias",
                                                                    "bert.pooler.dense.weight", "bert.pooler.dense.bias"}))
    assert f"({24 * 24 + 24 + 50:,} weights that start at random)" in without_pooler


def test_lora_diagram_reads_d_k_r_and_the_counts_from_the_peft_model():
    from peft import LoraConfig, TaskType, get_peft_model

    model = get_peft_model(tiny_bert(), LoraConfig(task_type=TaskType.SEQ_CLS, r=4, lora_alpha=8,
                                                   target_modules=["query", "value"], modules_to_save=["classifier"]))
    figure = lora_diagram(model)
    assert isinstance(figure, Figure)
    shown = texts(figure)
    lora_weights = 3 * 2 * (24 * 4 + 4 * 24)  # 3 layers, query and value, B (24 × 4) and A (4 × 24)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    for text in ["W\n24 × 24", "B\n24 × 4", "A: 4 × 24", "rank r = 4", "= 2", "LoRA adapts 6 layers (query, value)",
                 f"{lora_weights:,} weights in B and A", f"{trainable:,} of {model.num_parameters():,}"]:
        assert text in shown, text
    model.merge_and_unload()
    with pytest.raises(ValueError, match="no LoRA layers"):
        lora_diagram(model)


class TinyHead(nn.Module):
    """Chapter 4's Head, as far as the diagram needs it."""

    def __init__(self, n_embd, head_size):
        super().__init__()
        self.query = nn.Linear(n_embd, head_size, bias=False)
        self.key = nn.Linear(n_embd, head_size, bias=False)
        self.value = nn.Linear(n_embd, head_size, bias=False)


def test_attention_diagram_shows_the_heads_real_scores_and_weights():
    torch.manual_seed(0)
    head, x = TinyHead(12, 4), torch.randn(1, 4, 12)
    figure = attention_diagram(head, x, list("to b"))
    assert isinstance(figure, Figure)
    with torch.no_grad():
        q, k = head.query(x[0]), head.key(x[0])
        scores = q @ k.T / math.sqrt(4)
        weights = torch.softmax(scores.masked_fill(~torch.tril(torch.ones(4, 4, dtype=torch.bool)), float("-inf")), -1)
    shown = texts(figure)
    assert "√4" in shown and "Linear 12→4" in shown and "(4, 4) each" in shown and "−∞" in shown
    assert all(f"{s:.2f}" in shown for s in scores.flatten().tolist())
    assert all(f"{w:.2f}" in shown for w in weights[weights > 0].tolist())
    assert shown.count("−∞") == 6 + 1  # the six future cells of the masked scores, and the panel's title


def test_attention_heads_figure_draws_the_chosen_heads_with_their_share_on_the_previous_character():
    from helpers.diagrams import attention_heads_figure

    T = 5
    weights = torch.softmax(torch.randn(2, 3, T, T).masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1),
                                                                float("-inf")), -1)
    previous = weights.diagonal(offset=-1, dim1=-2, dim2=-1).mean(-1)
    figure = attention_heads_figure(weights, "to be", [(1, 2), (0, 0)], previous)
    assert isinstance(figure, Figure)
    shown = texts(figure)
    assert "layer 2, head 3" in shown and "layer 1, head 1" in shown
    assert f"{previous[1, 2]:.0%} of its weight on the previous character" in shown
    assert [t.get_text() for t in figure.axes[0].get_xticklabels()] == list("to␣be")  # a space drawn as ␣
    assert "'to be'" in figure.get_suptitle()
