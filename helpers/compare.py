"""Chapter 5's measuring tools: one task, every approach, the same yardstick.

What the chapter's cells need and should not repeat:

- **a small transformer classifier trained from scratch** (``WordVocabulary``,
  ``TransformerClassifier``, ``train_from_scratch``, ``predict_from_scratch``), built from
  Chapter 4's blocks (``helpers.gpt.Block``) and trained by Chapter 4's loop
  (``helpers.training.train``): nothing in it has seen any text but your labelled reviews;
- **the same measurements for every approach** (``measure``): accuracy with its interval,
  throughput over the whole test set, and the latency of one review on its own;
- **money** (``local_cost_usd``): seconds of your machine times an hourly price you choose;
- **effort** (``code_lines``): lines of code a learner writes for an approach;
- **the learning curve's reading** (``labels_to_reach``): how many labelled examples an
  approach needs to reach an accuracy, read off the measured curve, not assumed;
- **the README's table** (``write_readme_table``; ``python -m helpers.compare readme``).
"""

from __future__ import annotations

import argparse
import inspect
import io
import math
import os
import re
import statistics
import sys
import textwrap
import time
import tokenize
from collections import Counter
from typing import Callable, Sequence

import torch
import torch.nn as nn
from torch.nn import functional as F

from helpers.gpt import Block, GPTConfig
from helpers.paths import REPO_ROOT, results_dir
from helpers.results import accuracy_interval

# ---------------------------------------------------------------- from scratch: words in, sentiment out

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


def train_from_scratch(texts: Sequence[str], labels: Sequence[int], *, n_layer: int = 2, n_embd: int = 64,
                       n_head: int = 4, max_len: int = 64, steps: int = 300, batch_size: int = 32,
                       lr: float = 2e-3, dropout: float = 0.1, min_count: int = 2, seed: int = 0,
                       device: str = "cpu", progress: bool = True) -> dict:
    """Build a vocabulary and a ``TransformerClassifier`` from ``texts`` alone and train it with
    Chapter 4's loop (Chapter 5). Returns model, vocabulary, training seconds and loss history.

    Batches are drawn at random (seeded, a pure function of the step, as ``train`` expects);
    ``steps`` fixes the work, so a small training set is simply seen more often.
    """
    from helpers.training import TrainConfig, train

    torch.manual_seed(seed)
    vocab = WordVocabulary(texts, min_count=min_count)
    config = GPTConfig(vocab_size=len(vocab), block_size=max_len, n_layer=n_layer, n_head=n_head,
                       n_embd=n_embd, dropout=dropout)
    model = TransformerClassifier(config).to(device)
    ids, targets = vocab.encode(texts, max_len), torch.tensor(list(labels))

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


# ---------------------------------------------------------------- one yardstick for every approach

def measure(predict: Callable[[list[str]], list[int]], texts: Sequence[str], truth: Sequence[int],
            single_reviews: int = 20) -> dict:
    """Run ``predict`` (a list of reviews in, a list of 0/1 labels out) on the whole test set and
    measure it the same way for every approach (Chapter 5):

    - accuracy, with its 95% Wilson interval (an answer that is not a label counts as wrong);
    - throughput: reviews per second when the approach gets all of them at once (batched);
    - latency: the median time for *one* review asked on its own (what a user waiting for an
      answer feels), over the first ``single_reviews`` reviews (0: not measured, None).
    """
    texts, truth = list(texts), list(truth)
    predict(texts[:2])  # warm-up: the first call pays one-off costs (threads, caches)
    start = time.perf_counter()
    predicted = list(predict(texts))
    seconds = time.perf_counter() - start
    singles = []
    for text in texts[:single_reviews]:
        start = time.perf_counter()
        predict([text])
        singles.append(time.perf_counter() - start)
    correct = sum(int(p == t) for p, t in zip(predicted, truth))
    return {"accuracy": correct / len(truth), "correct": correct, "n": len(truth),
            "interval": accuracy_interval(correct, len(truth)), "predicted": predicted,
            "throughput": len(truth) / seconds, "latency_ms": 1000 * statistics.median(singles) if singles else None,
            "predict_seconds": seconds}


def machine_description() -> str:
    """The machine a measurement ran on, in a line: CPU model, usable cores, memory, GPU
    (Chapter 5 prints it under every table, because every time and cost depends on it)."""
    import platform

    from helpers.environment import available_cpus

    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8")
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages * page_size / 2**30:.0f} GiB RAM"
    except (ValueError, OSError, AttributeError):
        pass
    gpu = (f", GPU {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else ", no GPU")
    return f"{platform.system()} {platform.machine()}, {cpu}, {available_cpus()} usable CPU cores{memory}{gpu}"


def local_cost_usd(seconds: float, dollars_per_hour: float) -> float:
    """What ``seconds`` of a machine rented at ``dollars_per_hour`` cost (Chapter 5)."""
    return seconds / 3600 * dollars_per_hour


def code_lines(*objects) -> int:
    """Lines of code a learner writes for ``objects`` (functions or classes): blank lines,
    comments and docstrings do not count (Chapter 5's measure of effort)."""
    total = 0
    for obj in objects:
        source = textwrap.dedent(inspect.getsource(obj))
        lines = set()
        previous = None
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            kind = token.type
            # A string that stands alone as a statement is a docstring, not code.
            if kind == tokenize.STRING and previous in (tokenize.INDENT, tokenize.NEWLINE, tokenize.DEDENT, None):
                previous = kind
                continue
            if kind not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                            tokenize.DEDENT, tokenize.ENDMARKER):
                lines.update(range(token.start[0], token.end[0] + 1))
            if kind not in (tokenize.COMMENT, tokenize.NL):
                previous = kind
        total += len(lines)
    return total


def labels_to_reach(ns: Sequence[int], accuracies: Sequence[float], target: float) -> float | None:
    """How many labelled examples a learning curve needs to reach ``target`` accuracy, read off
    the measured points (straight lines between them on a log scale of n). None when the curve
    never reaches it in the measured range: "more than max(ns)", not a guess (Chapter 5)."""
    points = list(zip(ns, accuracies))
    if points[0][1] >= target:
        return float(points[0][0])
    for (n0, a0), (n1, a1) in zip(points, points[1:]):
        if a0 < target <= a1:
            share = (target - a0) / (a1 - a0)
            return float(math.exp(math.log(n0) + share * (math.log(n1) - math.log(n0))))
    return None


# ---------------------------------------------------------------- the README's comparison table

README_START = "<!-- comparison:start -->"
README_END = "<!-- comparison:end -->"


def comparison_file():
    """``results/chapter05/comparison.md``: Chapter 5 writes the measured table here."""
    return results_dir() / "chapter05" / "comparison.md"


def write_readme_table(readme=REPO_ROOT / "README.md", table=None) -> str:
    """Put Chapter 5's latest measured table (``comparison_file()``) into the README, between
    the comparison markers; ``make comparison`` runs the chapter, then this."""
    table = table or comparison_file()
    if not table.exists():
        raise FileNotFoundError(f"{table} does not exist yet: run Chapter 5 first (make comparison PROFILE=cpu).")
    text = readme.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        raise ValueError(f"{readme.name} has no {README_START} ... {README_END} block to fill.")
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    block = table.read_text(encoding="utf-8").strip()
    readme.write_text(f"{head}{README_START}\n{block}\n{README_END}{tail}", encoding="utf-8")
    return block


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["readme"], help="readme: copy Chapter 5's table into README.md")
    parser.parse_args(argv)
    try:
        block = write_readme_table()
    except (FileNotFoundError, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    print(f"README.md updated with the table of {comparison_file()}:\n{block[:400]}...")
    return 0


if __name__ == "__main__":
    sys.exit(main())
