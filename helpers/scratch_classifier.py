"""A small transformer classifier built from Chapter 4's blocks (Chapter 5).

``TransformerClassifier`` is Chapter 4's blocks (``helpers.gpt.Block``) with a classification
head; ``train_classifier`` trains it on labelled reviews with Chapter 4's loop
(``helpers.training.train``). ``train_from_scratch`` starts it from random weights and a
vocabulary of the labelled reviews alone: Chapter 5's "no pre-training" row. The pre-trained
row (``helpers.pretraining``) starts the same class from a pre-trained ``GPT`` instead.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

import torch
import torch.nn as nn
from torch.nn import functional as F

from helpers.gpt import Block, GPTConfig

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]")


class WordVocabulary:
    """Word-level tokenizer learned from the labelled training texts only (Chapter 5).

    A from-scratch model gets no pre-trained tokenizer either: its vocabulary is every word
    seen at least ``min_count`` times in *your* training data. Id 0 pads, id 1 stands for any
    word it has not seen ("unknown").
    """

    PAD, UNKNOWN = 0, 1

    def __init__(self, texts: Sequence[str], min_count: int = 2, max_size: int = 20_000):
        counts = Counter(word for text in texts for word in self.words(text))
        kept = [w for w, c in counts.most_common(max_size - 2) if c >= min_count]
        self.itos = ["<pad>", "<unk>"] + kept
        self.stoi = {w: i for i, w in enumerate(self.itos)}

    @staticmethod
    def words(text: str) -> list[str]:
        return WORD.findall(text.lower())

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, texts: Sequence[str], max_len: int) -> torch.Tensor:
        """(len(texts), longest) ids, cut at ``max_len`` and right-padded with 0."""
        rows = [[self.stoi.get(w, self.UNKNOWN) for w in self.words(t)][:max_len] or [self.UNKNOWN]
                for t in texts]
        longest = max(len(r) for r in rows)
        return torch.tensor([r + [self.PAD] * (longest - len(r)) for r in rows])


class TransformerClassifier(nn.Module):
    """Chapter 4's transformer blocks with a classification head instead of a next-token head.

    Reviews are right-padded. The blocks use causal attention, so a real word only ever looks
    at words to its left and never at the padding after it: no attention mask is needed. The
    review's vector is the mean over its real (non-pad) positions; a linear layer turns it into
    two logits (negative, positive).
    """

    def __init__(self, config: GPTConfig, num_labels: int = 2):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd, padding_idx=WordVocabulary.PAD)
        self.wpe = nn.Embedding(config.block_size, config.n_embd)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList([Block(config) for _ in range(config.n_layer)])
        self.ln_f = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.head = nn.Linear(config.n_embd, num_labels)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.drop(self.wte(ids) + self.wpe(positions))
        for block in self.blocks:
            x = block(x)
        real = (ids != WordVocabulary.PAD).unsqueeze(-1).float()
        pooled = (self.ln_f(x) * real).sum(1) / real.sum(1).clamp(min=1)
        return self.head(pooled)


def train_classifier(model: TransformerClassifier, vocab: WordVocabulary, texts: Sequence[str],
                     labels: Sequence[int], *, steps: int = 300, batch_size: int = 32, lr: float = 2e-3,
                     seed: int = 0, progress: bool = True):
    """Train ``model`` (whatever its starting weights) on labelled ``texts`` with Chapter 4's loop;
    the one recipe both Chapter 5 rows share, from random weights and from pre-trained ones.
    Returns the loss ``History`` (its ``seconds`` is the training time).

    Batches are drawn at random (seeded, a pure function of the step, as ``train`` expects);
    ``steps`` fixes the work, so a small training set is simply seen more often.
    """
    from helpers.training import TrainConfig, train

    device = next(model.parameters()).device
    ids, targets = vocab.encode(texts, model.config.block_size), torch.tensor(list(labels))

    def get_batch(i: int):
        rows = torch.randint(len(ids), (batch_size,), generator=torch.Generator().manual_seed(seed * 100_003 + i))
        batch = ids[rows]
        batch = batch[:, : int((batch != WordVocabulary.PAD).sum(1).max())]  # trim shared padding
        return batch.to(device), targets[rows].to(device)

    def loss_of(model, batch):
        x, y = batch
        return F.cross_entropy(model(x), y)

    config_train = TrainConfig(max_steps=steps, lr=lr, warmup_steps=max(1, steps // 10), weight_decay=0.1,
                               log_every=max(1, steps // 20), precision="fp32")
    history = train(model, get_batch, loss_of, config_train, progress=progress)
    model.eval()
    return history


def train_from_scratch(texts: Sequence[str], labels: Sequence[int], *, n_layer: int = 2, n_embd: int = 64,
                       n_head: int = 4, max_len: int = 64, steps: int = 300, batch_size: int = 32,
                       lr: float = 2e-3, dropout: float = 0.1, min_count: int = 2, seed: int = 0,
                       device: str = "cpu", progress: bool = True) -> dict:
    """Build a vocabulary and a ``TransformerClassifier`` from the labelled ``texts`` alone (no
    pre-training) and train it with ``train_classifier`` (Chapter 5). Returns model, vocabulary,
    training seconds and loss history."""
    torch.manual_seed(seed)
    vocab = WordVocabulary(texts, min_count=min_count)
    config = GPTConfig(vocab_size=len(vocab), block_size=max_len, n_layer=n_layer, n_head=n_head,
                       n_embd=n_embd, dropout=dropout)
    model = TransformerClassifier(config).to(device)
    history = train_classifier(model, vocab, texts, labels, steps=steps, batch_size=batch_size, lr=lr,
                               seed=seed, progress=progress)
    return {"model": model, "vocab": vocab, "train_seconds": history.seconds, "history": history,
            "parameters": sum(p.numel() for p in model.parameters())}


@torch.no_grad()
def predict_from_scratch(model: TransformerClassifier, vocab: WordVocabulary, texts: Sequence[str],
                         batch_size: int = 256) -> list[int]:
    """Labels (0/1) for ``texts`` from a ``train_from_scratch`` model."""
    model.eval()
    device = next(model.parameters()).device
    predicted = []
    for start in range(0, len(texts), batch_size):
        ids = vocab.encode(texts[start:start + batch_size], model.config.block_size).to(device)
        predicted += model(ids).argmax(-1).tolist()
    return predicted
