"""Approach 4 as the syllabus means it: pre-train your own model, then fine-tune it (Chapter 5).

- ``word_stream``: unlabelled reviews as one long run of word ids (the pre-training text);
- ``pretrain_gpt``: a vocabulary from that text and Chapter 4's ``GPT`` trained on it by
  next-word prediction with Chapter 4's loop (``random_windows``, ``lm_loss``, ``train``); it
  reports what pre-training cost: tokens seen, seconds, and FLOPs by the 6ND rule;
- ``classifier_from_gpt``: the pre-trained embeddings and blocks copied into a
  ``TransformerClassifier`` (the same ``Block`` class), with a new two-way head;
- ``fine_tune_pretrained``: that classifier trained on labelled reviews by the very recipe of the
  no-pre-training row (``train_classifier``), so the two rows differ only by pre-training.
"""

from __future__ import annotations

import math
from typing import Sequence

import torch

from helpers.gpt import GPT, GPTConfig
from helpers.scratch_classifier import TransformerClassifier, WordVocabulary, train_classifier


def word_stream(vocab: WordVocabulary, texts: Sequence[str]) -> torch.Tensor:
    """Every review's word ids, one review after another, as a 1-D tensor (unknown words: id 1)."""
    return torch.tensor([vocab.stoi.get(w, vocab.UNKNOWN) for text in texts for w in vocab.words(text)])


def pretrain_gpt(texts: Sequence[str], *, n_layer: int = 2, n_embd: int = 64, n_head: int = 4,
                 block_size: int = 64, steps: int = 300, batch_size: int = 32, lr: float = 2e-3,
                 min_count: int = 2, max_vocab: int = 20_000, eval_batches: int = 8, seed: int = 0,
                 device: str = "cpu", progress: bool = True) -> dict:
    """Pre-train Chapter 4's ``GPT`` on unlabelled ``texts`` by next-word prediction (Chapter 5).

    The vocabulary comes from ``texts`` (words seen ``min_count`` times or more); the last 5% of
    the word stream is held out to measure the next-word loss before and after. Returns the model,
    the vocabulary, the loss history and the cost: ``tokens_seen`` (steps x batch x block),
    ``seconds`` and ``flops`` = 6 N D, with N the parameters every token passes through (the
    position table, a lookup, left out; the token matrix kept, as it is also the output layer).
    """
    from helpers.gpt_data import lm_loss, make_evaluate, random_windows
    from helpers.training import TrainConfig, train

    torch.manual_seed(seed)
    vocab = WordVocabulary(texts, min_count=min_count, max_size=max_vocab)
    ids = word_stream(vocab, texts)
    cut = int(0.95 * len(ids))
    train_ids, held_out = ids[:cut], ids[cut:]
    if len(held_out) <= block_size or len(train_ids) <= block_size:
        raise ValueError(f"{len(ids):,} words of text are too few for windows of {block_size}.")
    config = GPTConfig(vocab_size=len(vocab), block_size=block_size, n_layer=n_layer, n_head=n_head,
                       n_embd=n_embd, dropout=0.0)
    model = GPT(config).to(device)
    evaluate = make_evaluate({"held_out": held_out}, block_size, batch_size, eval_batches, device=device)
    model.eval()
    with torch.no_grad():
        before = evaluate(model)["held_out_loss"]
    history = train(model, random_windows(train_ids, block_size, batch_size, seed=seed, device=device), lm_loss,
                    TrainConfig(max_steps=steps, lr=lr, warmup_steps=max(1, steps // 10), weight_decay=0.1,
                                log_every=max(1, steps // 20), precision="fp32"),
                    evaluate=evaluate, progress=progress)
    model.eval()
    tokens_seen = steps * batch_size * block_size
    n = model.num_parameters(non_embedding=True)
    return {"model": model, "vocab": vocab, "history": history, "seconds": history.seconds,
            "corpus_tokens": len(train_ids), "tokens_seen": tokens_seen, "flops": 6 * n * tokens_seen,
            "parameters": model.num_parameters(), "loss_before": before,
            "loss_after": history.evals[-1]["held_out_loss"], "uniform_loss": math.log(len(vocab))}


def classifier_from_gpt(gpt: GPT, dropout: float = 0.1, seed: int = 0) -> TransformerClassifier:
    """A ``TransformerClassifier`` that starts from ``gpt``'s pre-trained weights: token and
    position embeddings, every block and the final LayerNorm are copied; only the two-way head is
    new (random, seeded). ``gpt`` itself is left untouched, so it can start several classifiers."""
    config = GPTConfig(**{**vars(gpt.config), "dropout": dropout})
    torch.manual_seed(seed)
    classifier = TransformerClassifier(config).to(next(gpt.parameters()).device)
    classifier.wte.load_state_dict(gpt.transformer.wte.state_dict())
    classifier.wpe.load_state_dict(gpt.transformer.wpe.state_dict())
    classifier.blocks.load_state_dict(gpt.transformer.h.state_dict())
    classifier.ln_f.load_state_dict(gpt.transformer.ln_f.state_dict())
    return classifier


def fine_tune_pretrained(pretrained: dict, texts: Sequence[str], labels: Sequence[int], *, steps: int = 300,
                         batch_size: int = 32, lr: float = 2e-3, dropout: float = 0.1, seed: int = 0,
                         progress: bool = True) -> dict:
    """Fine-tune a fresh copy of ``pretrain_gpt``'s model on labelled reviews, with the same
    recipe as ``train_from_scratch`` (Chapter 5). Returns what ``train_from_scratch`` returns."""
    model = classifier_from_gpt(pretrained["model"], dropout=dropout, seed=seed)
    history = train_classifier(model, pretrained["vocab"], texts, labels, steps=steps, batch_size=batch_size,
                               lr=lr, seed=seed, progress=progress)
    return {"model": model, "vocab": pretrained["vocab"], "train_seconds": history.seconds, "history": history,
            "parameters": sum(p.numel() for p in model.parameters())}
