"""Checks for Chapter 3's exercises (notebooks/exercises/03_exercises.ipynb): fine-tuning.

- ``balanced_slice`` (exercise 3.1): a different labelled slice to train on, the same number of
  reviews per label, shuffled, repeatable; on a small made-up dataset sorted by label, like IMDb;
- ``frozen_encoder`` (exercise 3.2): the frozen-encoder baseline: only the new head trains; on
  tiny BERT and DistilBERT classifiers with random weights (built here, no download);
- ``training_step`` (exercise 3.3): one step of the plain PyTorch loop, compared with SGD's update
  (each weight moved against its gradient) worked out here on a copy of the same tiny model;
- ``lora_layer`` (exercise 3.4): a LoRA layer by hand around an ``nn.Linear``: W frozen, B·A trained,
  scaled by alpha / r, B at zero so that the layer starts as the pre-trained one;
- ``question_3_5`` (exercise 3.5): a multiple-choice question on the chapter; the right letter is kept
  only as a digest, and a wrong one is told where to reread.
"""

from __future__ import annotations

import copy

from helpers.checks.feedback import Mistake, exercise, multiple_choice, require_callable


def sorted_reviews(negatives: int = 90, positives: int = 210):
    """A made-up labelled dataset, negatives first (IMDb's splits are sorted by label too)."""
    from datasets import Dataset

    texts = [f"made-up review {i} ({'negative' if i < negatives else 'positive'})" for i in range(negatives + positives)]
    return Dataset.from_dict({"text": texts, "label": [0] * negatives + [1] * positives})


@exercise("3.1", "a balanced labelled slice")
def balanced_slice(make_slice) -> str:
    """Exercise 3.1: ``make_slice(dataset, n_per_label, seed)`` -> a shuffled ``Dataset`` with
    ``n_per_label`` reviews of each label."""
    from datasets.utils.logging import disable_progress_bar, enable_progress_bar, is_progress_bar_enabled

    require_callable(make_slice, "balanced_slice")
    bars = is_progress_bar_enabled()
    disable_progress_bar()  # filter() and map() on 300 rows: no bars under the check's verdict
    try:
        return _balanced_slice(make_slice)
    finally:
        if bars:
            enable_progress_bar()


def _balanced_slice(make_slice) -> str:
    data = sorted_reviews()
    truth = dict(zip(data["text"], data["label"]))
    part = make_slice(data, 20, seed=1)
    if not hasattr(part, "column_names") or not {"text", "label"} <= set(part.column_names):
        raise Mistake(f"you returned a {type(part).__name__}; return a datasets.Dataset with the columns text and "
                      "label, e.g. dataset.select(indices).")
    if len(part) != 40:
        raise Mistake(f"with n_per_label=20 you returned {len(part)} reviews; expected 40 (20 of each label).")
    labels = list(part["label"])
    if labels.count(0) != 20:
        raise Mistake(f"your slice has {labels.count(0)} negative and {labels.count(1)} positive reviews; take "
                      "n_per_label of each (the data is 30% negative, so a random slice is not balanced).")
    for text, label in zip(part["text"], labels):
        if truth.get(text) != label:
            raise Mistake(f"the row {text!r} with label {label} is not in the dataset you were given.")
    if len(set(part["text"])) != 40:
        raise Mistake("your slice has the same review twice: draw without replacement.")
    if len(set(labels[:20])) == 1:
        raise Mistake("the first 20 reviews of your slice all have the same label: shuffle the slice, or every "
                      "early training batch holds one label only (.shuffle(seed=seed)).")
    if list(make_slice(data, 20, seed=1)["text"]) != list(part["text"]):
        raise Mistake("the same seed gave a different slice: pass the seed to every random choice.")
    if list(make_slice(data, 20, seed=2)["text"]) == list(part["text"]):
        raise Mistake("seeds 1 and 2 gave the same slice: the `seed` argument must choose the reviews.")
    _random_choice(make_slice, data)
    try:
        too_many = make_slice(data, 100, seed=1)
    except ValueError:
        too_many = None
    except NotImplementedError:
        raise
    except Exception as error:
        raise Mistake(f"asking for 100 per label when there are only 90 negative reviews raised "
                      f"{type(error).__name__}; check first and raise a ValueError that says how many there are.") from None
    if too_many is not None:
        raise Mistake(f"asking for 100 per label when there are only 90 negative reviews returned {len(too_many)} "
                      "rows; raise a ValueError instead: a silently unbalanced slice is the bug this exercise avoids.")
    return "n of each label, shuffled, repeatable with the seed, and a clear error when there are too few."


def _random_choice(make_slice, data) -> None:
    """Which reviews of each label a slice holds must be drawn at random, from anywhere in the label's rows
    (not its first or last n, only shuffled afterwards): each seed picks other reviews, and over several
    seeds the picks spread over the whole label, not only its start or end."""
    rows = {label: [t for t, y in zip(data["text"], data["label"]) if y == label] for label in (0, 1)}
    positions = {label: {text: i for i, text in enumerate(texts)} for label, texts in rows.items()}
    picked = {0: [], 1: []}
    for seed in (1, 2, 3, 4):
        part = make_slice(data, 20, seed=seed)
        for label in (0, 1):
            chosen = {t for t, y in zip(part["text"], part["label"]) if y == label}
            ranks = sorted(positions[label][t] for t in chosen)
            name = ("negative", "positive")[label]
            if seed == 1 and ranks in (list(range(20)), list(range(len(rows[label]) - 20, len(rows[label])))):
                where = "first" if ranks[0] == 0 else "last"
                raise Mistake(f"your slice holds the {where} 20 {name} reviews of the dataset, only in another order: "
                              "which reviews you take must be random too (shuffle before you select), or every slice "
                              "comes from one end of the data.")
            picked[label].append(ranks)
    for label in (0, 1):
        name, total = ("negative", "positive")[label], len(rows[label])
        if picked[label][0] == picked[label][1]:
            raise Mistake(f"seeds 1 and 2 chose the same 20 {name} reviews, only in another order: the seed must "
                          "choose which reviews you take, not only their order.")
        every = [r for ranks in picked[label] for r in ranks]
        share = sum(r < total / 2 for r in every) / len(every)
        if not 0.3 <= share <= 0.7:  # a fair draw of 80 gives 0.5 +- 0.05
            half = "first" if share > 0.5 else "second"
            raise Mistake(f"over seeds 1 to 4, {share:.0%} of the {name} reviews you chose come from the {half} half "
                          f"of that label's rows: a random draw would take about half from each. Draw from all of the "
                          "label's rows, every one equally likely.")


def tiny_classifiers(seed: int = 0) -> dict:
    """Tiny BERT and DistilBERT sentiment classifiers with random weights (no download)."""
    import torch
    from transformers import (BertConfig, BertForSequenceClassification, DistilBertConfig,
                              DistilBertForSequenceClassification)

    torch.manual_seed(seed)
    bert = BertForSequenceClassification(BertConfig(
        vocab_size=40, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
        max_position_embeddings=32, num_labels=2, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0))
    distilbert = DistilBertForSequenceClassification(DistilBertConfig(
        vocab_size=40, dim=16, n_layers=2, n_heads=2, hidden_dim=32, max_position_embeddings=32, num_labels=2,
        dropout=0.0, attention_dropout=0.0, seq_classif_dropout=0.0))
    return {"BERT": bert, "DistilBERT": distilbert}


@exercise("3.2", "a frozen-encoder baseline")
def frozen_encoder(freeze_encoder) -> str:
    """Exercise 3.2: ``freeze_encoder(model)`` freezes the pre-trained encoder, leaves the new
    head trainable, and returns how many parameters are still trainable."""
    require_callable(freeze_encoder, "freeze_encoder")
    for name, model in tiny_classifiers().items():
        encoder = {id(p) for p in model.base_model.parameters()}
        returned = freeze_encoder(model)
        for parameter_name, parameter in model.named_parameters():
            in_encoder = id(parameter) in encoder
            if in_encoder and parameter.requires_grad:
                extra = (" Your code worked for BERT; use model.base_model, which is the encoder whatever the "
                         "architecture calls it (bert, distilbert, roberta, ...)." if name == "DistilBERT" else "")
                raise Mistake(f"{name}: the encoder's parameter {parameter_name!r} is still trainable: set "
                              f"requires_grad = False on every parameter of model.base_model.{extra}")
            if not in_encoder and not parameter.requires_grad:
                raise Mistake(f"{name}: you froze {parameter_name!r}, which belongs to the new classification head; "
                              "the head starts random and must train, or nothing learns.")
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        if returned != trainable:
            raise Mistake(f"{name}: you returned {returned!r}, but {trainable:,} parameters are trainable: count the "
                          "numbers in the parameters that still train, not the tensors, and count after freezing "
                          "(a parameter's numel() is how many numbers it holds).")
    return "the encoder is frozen (BERT and DistilBERT alike), the head trains, and the count is right."


def _batch(seed: int):
    import torch

    generator = torch.Generator().manual_seed(seed)
    return {"input_ids": torch.randint(5, 40, (4, 10), generator=generator),
            "attention_mask": torch.ones(4, 10, dtype=torch.long),
            "labels": torch.tensor([0, 1, 1, 0])}


def _expected_step(model, batch, lr: float) -> tuple[float, dict]:
    """The loss of ``batch`` and the weights one plain SGD step on it gives, worked out here without an
    optimizer, on a copy: the cross-entropy of the model's logits against the labels, its gradient, and
    every weight moved by ``lr`` times its gradient, downhill (``w - lr * dL/dw``, what SGD's update is)."""
    import torch

    scratch = copy.deepcopy(model)
    inputs = {key: value for key, value in batch.items() if key != "labels"}
    cross_entropy = torch.nn.functional.cross_entropy(scratch(**inputs).logits, batch["labels"])
    cross_entropy.backward()
    with torch.no_grad():
        weights = {name: w if w.grad is None else w - lr * w.grad for name, w in scratch.named_parameters()}
    return float(cross_entropy.detach()), weights


@exercise("3.3", "one step of the training loop")
def training_step(train_step) -> str:
    """Exercise 3.3: ``train_step(model, batch, optimizer)`` -> the batch's loss as a float; over two
    steps, its loss and new weights are compared with an SGD step worked out by hand from the weights
    it started from (so the second step shows whether the first step's gradients were reset)."""
    import torch

    require_callable(train_step, "train_step")
    lr = 0.5
    model = tiny_classifiers(seed=1)["BERT"]
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)

    def weights():
        return {name: w.detach().clone() for name, w in model.named_parameters()}

    def same(a, b):
        return all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)

    for step, seed in enumerate((10, 11), 1):
        batch = _batch(seed)
        before = weights()
        expected_loss, expected_weights = _expected_step(model, batch, lr)
        returned = train_step(model, batch, optimizer)
        if step == 1:
            if isinstance(returned, torch.Tensor):
                raise Mistake("you returned a tensor; return loss.item(), a float (a tensor keeps the whole "
                              "computation graph in memory for as long as you keep it).")
            if not isinstance(returned, float):
                raise Mistake(f"you returned {returned!r}; return the batch's loss as a float, loss.item().")
            if same(weights(), before):
                raise Mistake("after your step the weights did not change: take the model's own loss "
                              "(model(**batch).loss), call backward() on it, then optimizer.step() (zero the "
                              "gradients before the backward pass or after the step, never in between).")
            if abs(returned - expected_loss) > 1e-5:
                raise Mistake(f"you returned the loss {returned:.5f}; the batch's loss before the update is "
                              f"{expected_loss:.5f}: return the loss of this batch, computed once, before "
                              "optimizer.step().")
            if not same(weights(), expected_weights):
                raise Mistake("after one step your weights differ from a correct step's: use the model's own loss "
                              "(model(**batch).loss, the batch holds the labels), backward() on it, optimizer.step().")
        elif not same(weights(), expected_weights):
            raise Mistake("your first step was right, your second was not: the second used the first step's "
                          "gradients too. Gradients add up until you reset them: call optimizer.zero_grad() "
                          "every step.")
    return "forward, backward, step, and the gradients reset: two steps match SGD's update exactly."


@exercise("3.4", "a LoRA layer by hand")
def lora_layer(LoRALinear) -> str:
    """Exercise 3.4: ``LoRALinear(base, r, alpha)`` wraps a pre-trained ``nn.Linear``: ``base`` frozen, a
    trainable low-rank update ``lora_B @ lora_A`` (shapes (out, r) and (r, in)) scaled by alpha / r, and
    ``lora_B`` zero at the start so that the layer first computes exactly what ``base`` did."""
    import torch
    from torch import nn

    require_callable(LoRALinear, "LoRALinear")
    torch.manual_seed(0)
    base = nn.Linear(6, 5)
    original = {name: p.detach().clone() for name, p in base.named_parameters()}
    layer = LoRALinear(base, r=2, alpha=4)
    if not isinstance(layer, nn.Module):
        raise Mistake(f"LoRALinear(...) made a {type(layer).__name__}; keep it an nn.Module (class LoRALinear(nn.Module)).")
    if any(not torch.equal(p, original[name]) for name, p in base.named_parameters()):
        raise Mistake("building the layer changed the pre-trained weights of `base`: they are what was learned "
                      "before, keep them as they are.")
    A, B = getattr(layer, "lora_A", None), getattr(layer, "lora_B", None)
    if not isinstance(A, nn.Parameter) or not isinstance(B, nn.Parameter):
        raise Mistake("the layer needs two nn.Parameter attributes, self.lora_A and self.lora_B (plain tensors are "
                      "not trained: the optimizer never sees them).")
    if tuple(A.shape) != (2, 6) or tuple(B.shape) != (5, 2):
        raise Mistake(f"for an nn.Linear(6, 5) and r=2 your lora_A is {tuple(A.shape)} and lora_B {tuple(B.shape)}: A "
                      "takes the input down to r numbers, B brings them up to the output's size (mind that "
                      "nn.Linear stores its weight as (out_features, in_features)).")
    trainable = {name for name, p in layer.named_parameters() if p.requires_grad}
    frozen_in_base = [name for name, p in base.named_parameters() if p.requires_grad]
    if frozen_in_base:
        raise Mistake(f"the pre-trained {frozen_in_base[0]!r} of `base` is still trainable: LoRA freezes W (and its "
                      "bias) and trains only A and B (Chapter 3, section 7).")
    if trainable != {"lora_A", "lora_B"}:
        raise Mistake(f"the trainable parameters are {sorted(trainable)}; only lora_A and lora_B should be.")

    x = torch.randn(3, 6)
    with torch.no_grad():
        start, expected_start = layer(x), base(x)
    if not isinstance(start, torch.Tensor) or start.shape != expected_start.shape:
        raise Mistake(f"for an input of shape (3, 6) your layer returned "
                      f"{tuple(start.shape) if isinstance(start, torch.Tensor) else type(start).__name__}; expected (3, 5).")
    if not torch.allclose(start, expected_start, atol=1e-6):
        raise Mistake("a freshly built layer does not compute what `base` computes: the update B·A must start at "
                      "zero, so fine-tuning starts from the pre-trained model. Which of the two matrices starts at "
                      "zero? (Chapter 3, section 7, and the LoRA paper's section 4.1.)")
    if not A.detach().abs().sum() > 0 and not B.detach().abs().sum() > 0:
        raise Mistake("lora_A and lora_B are both all zeros: then neither ever gets a gradient and nothing learns. "
                      "Only one of them may start at zero.")
    if B.detach().abs().sum() > 0:
        raise Mistake("your lora_A starts at zero and lora_B random: that layer too starts as base, but the docstring "
                      "(and the LoRA paper) start the other way round: A small and random, B at zero.")
    layer(x).square().sum().backward()
    if B.grad is None or not B.grad.abs().sum() > 0:
        raise Mistake("after a backward pass lora_B has no gradient: its update must be part of the output.")
    if any(p.grad is not None for p in base.parameters()):
        raise Mistake("after a backward pass the frozen base has gradients: freeze it (requires_grad = False).")

    # Known A and B: the output must be W x + b + (alpha / r) B A x, for inputs with any leading shape.
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        A.copy_(torch.randn(2, 6, generator=generator))
        B.copy_(torch.randn(5, 2, generator=generator))
        x = torch.randn(2, 3, 6, generator=generator)
        got = layer(x)
        update = x @ (B @ A).T  # the product first: a different order of work than a layer's
        if got.shape != (2, 3, 5):
            raise Mistake(f"for an input of shape (2, 3, 6) (a batch of sequences) you returned {tuple(got.shape)}; "
                          "expected (2, 3, 5): work on the last dimension, as nn.Linear does.")
        for scale, why in ((4 / 2, None),
                           (1.0, "you left out the scaling: multiply the update by alpha / r"),
                           (2 / 4, "you scaled the update by r / alpha; it is alpha / r")):
            if torch.allclose(got, base(x) + scale * update, atol=1e-5):
                if why:
                    raise Mistake(f"with lora_A and lora_B set to known values, {why} (Chapter 3, section 7: "
                                  "lora_alpha).")
                break
        else:
            raise Mistake("with lora_A and lora_B set to known values your output is not W x + b + (alpha / r)·B·A·x: "
                          "apply A to the input first, then B, and add the result to base's output.")
    if any(not torch.equal(p, original[name]) for name, p in base.named_parameters()):
        raise Mistake("running the layer changed base's weights (B·A merged into W in place?): keep W as it was, "
                      "and add the update to the output.")
    return "W frozen, only A and B train, B starts at zero (the layer starts as base), and the update is scaled by alpha / r."


@exercise("3.5", "question: what LoRA trains")
def question_3_5(answer) -> str:
    """Exercise 3.5, a question: ``answer_3_5`` is the letter of the answer (None until set)."""
    return multiple_choice(answer, name="answer_3_5", number="3.5", choices="abcd", digest="942646d9d7a42405",
                           reread="Chapter 3, section 7, about the shapes of A and B (exercise 3.4 built them)",
                           why=('Right: A is r x 768 and B is 768 x r, so 2 x 768 x 8 = 12,288 numbers train, about 2% of '
                                'the 589,824 in W, which stays frozen. Their product B·A is a full 768 x 768 matrix, but of rank '
                                'at most 8: that is the bet LoRA makes, that fine-tuning needs only a low-rank change.'))
