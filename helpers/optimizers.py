"""The optimizers of the course's training loop (Chapters 3 and 4; ``helpers.training`` uses them).

- ``make_optimizer``: AdamW with weight decay on matrices only, optionally with Muon for the
  hidden layers' matrices (the bonus notebook 04b's "training faster" section);
- ``hidden_matrices``: the weights Muon is for;
- ``Optimizers``: several optimizers stepped as one, so that ``train`` takes Muon + AdamW like one.
"""

from __future__ import annotations

import torch


def make_optimizer(model: torch.nn.Module, config, fused: bool | None = None,
                   muon: bool = False) -> torch.optim.Optimizer:
    """AdamW with weight decay on matrices (weights of linear layers and embeddings) only:
    decaying biases and LayerNorm gains pulls them towards 0 for no benefit. ``config`` is the
    loop's ``helpers.training.TrainConfig`` (its ``lr``, ``betas`` and ``weight_decay``).

    ``fused``: update every weight in one kernel (``True``) or tensor by tensor; ``None``, the
    default, fuses on GPUs only. ``muon``: the hidden layers' matrices (``hidden_matrices``) are
    trained by ``torch.optim.Muon`` instead, everything else by this AdamW; both follow the same
    learning rate (Muon's ``match_rms_adamw`` scaling makes AdamW's learning rate right for it)."""
    params = [p for p in model.parameters() if p.requires_grad]
    matrices = hidden_matrices(model) if muon else []
    params = [p for p in params if all(p is not m for m in matrices)]
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": config.weight_decay},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    if fused is None:
        fused = all(p.is_cuda for p in params)  # one fused kernel per step on a GPU
    adamw = torch.optim.AdamW(groups, lr=config.lr, betas=config.betas, fused=fused or None)
    if not muon:
        return adamw
    return Optimizers(torch.optim.Muon(matrices, lr=config.lr, weight_decay=config.weight_decay,
                                       adjust_lr_fn="match_rms_adamw"), adamw)


def hidden_matrices(model: torch.nn.Module) -> list[torch.nn.Parameter]:
    """The weights that Muon is for: every ``nn.Linear``'s weight, except the output layer
    (``lm_head``) and any matrix shared with an embedding (a tied output layer). Embeddings and
    the output layer map tokens in and out, and AdamW trains them better (Jordan et al. 2024)."""
    embedding_weights = [m.weight for m in model.modules() if isinstance(m, torch.nn.Embedding)]
    output = getattr(getattr(model, "lm_head", None), "weight", None)
    return [m.weight for m in model.modules()
            if isinstance(m, torch.nn.Linear) and m.weight.requires_grad and m.weight is not output
            and all(m.weight is not e for e in embedding_weights)]


class Optimizers:
    """Several optimizers stepped as one, which ``train`` takes like one: Muon for the matrices,
    AdamW for the rest (``make_optimizer(..., muon=True)``). ``param_groups`` lists every group (the
    loop sets each one's learning rate); the state dict holds each optimizer's, for checkpoints.
    Used in float32 and bfloat16 (with float16's gradient scaler it is untested)."""

    def __init__(self, *optimizers: torch.optim.Optimizer):
        self.optimizers = optimizers

    @property
    def param_groups(self) -> list[dict]:
        return [group for optimizer in self.optimizers for group in optimizer.param_groups]

    def step(self) -> None:
        for optimizer in self.optimizers:
            optimizer.step()

    def zero_grad(self, set_to_none: bool = True) -> None:
        for optimizer in self.optimizers:
            optimizer.zero_grad(set_to_none=set_to_none)

    def state_dict(self) -> dict:
        return {"optimizers": [optimizer.state_dict() for optimizer in self.optimizers]}

    def load_state_dict(self, state: dict) -> None:
        for optimizer, saved in zip(self.optimizers, state["optimizers"], strict=True):
            optimizer.load_state_dict(saved)
