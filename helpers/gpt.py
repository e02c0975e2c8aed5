"""A GPT-like language model in one readable file (Chapter 4), nanoGPT-style.

Chapter 4 builds this model step by step in the notebook, then uses this file: the same model,
assembled, with the same parameter names, so the notebook's weights load here unchanged.
``scripts/train_gpt.py`` trains it under ``torchrun``. Top to bottom:

- ``GPTConfig``: every size in one dataclass;
- ``CausalSelfAttention``: all heads at once, with ``F.scaled_dot_product_attention(is_causal=True)``
  (the fused kernel computes exactly softmax(QK^T / sqrt(d) + causal mask) V);
- ``MLP``, ``Block`` (pre-LayerNorm, residual connections), ``GPT`` (embeddings, the block stack,
  a final LayerNorm, and an output layer that shares its weights with the token embedding);
- ``GPT.generate``: sampling with temperature, top-k and top-p;
- ``attention_maps``: the attention weights of every head, for plotting (the bonus notebook 04b).

Three options, off by default, swap in the blocks of newer models (the bonus notebook 04b's "training faster"
measures what each buys): ``norm="rmsnorm"`` (RMSNorm instead of LayerNorm), ``position="rope"``
(rotary position embeddings inside attention instead of a learned position table) and
``mlp="swiglu"`` or ``"relu2"`` (another MLP). With the defaults the model is exactly nanoGPT's.

The text it trains on, and how batches are drawn from it, are in ``helpers.gpt_data``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
from torch.nn import functional as F


@dataclass
class GPTConfig:
    vocab_size: int = 84        # characters of the Shakespeare corpus
    block_size: int = 64        # the longest context the model sees (positions it has embeddings for)
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128           # the width of every token's vector
    dropout: float = 0.0
    bias: bool = False          # biases in Linear and LayerNorm (nanoGPT's default is without)
    # Newer blocks, off by default (the defaults are GPT-2's and nanoGPT's):
    norm: str = "layernorm"     # "rmsnorm": scale by the root mean square only (no mean, no bias): LLaMA's
    position: str = "learned"   # "rope": rotate queries and keys by their position (no position table)
    mlp: str = "gelu"           # "swiglu": a gated MLP (LLaMA's); "relu2": ReLU squared (modded-nanogpt's)


def norm_layer(config: GPTConfig) -> nn.Module:
    """LayerNorm (subtract the mean, divide by the standard deviation, scale) or RMSNorm (divide by
    the root mean square, scale): one reduction instead of two, and no bias."""
    if config.norm == "rmsnorm":
        return nn.RMSNorm(config.n_embd)
    if config.norm != "layernorm":
        raise ValueError(f"norm must be 'layernorm' or 'rmsnorm', not {config.norm!r}")
    return nn.LayerNorm(config.n_embd, bias=config.bias)


def rope_tables(block_size: int, head_size: int, base: float = 10_000.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Cosines and sines (block_size, head_size / 2) of the rotary embedding (Su et al. 2021): pair
    ``i`` of every query and key turns by ``position * base ** (-2i / head_size)`` radians."""
    frequencies = base ** (-torch.arange(0, head_size, 2, dtype=torch.float32) / head_size)
    angles = torch.outer(torch.arange(block_size, dtype=torch.float32), frequencies)
    return angles.cos(), angles.sin()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate each pair (first half, second half) of ``x`` (batch, heads, time, head size) by its
    position's angle. A query at position m and a key at position n then score by their content and
    by m - n only: attention sees relative positions, and no weights are needed for them."""
    T = x.size(-2)
    cos, sin = cos[:T].to(x.dtype), sin[:T].to(x.dtype)
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1)


class CausalSelfAttention(nn.Module):
    """Every head at once: one matrix makes queries, keys and values for all heads."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        assert config.n_embd % config.n_head == 0, "n_embd must be a multiple of n_head"
        self.n_head = config.n_head
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = config.dropout
        self.resid_dropout = nn.Dropout(config.dropout)
        self.rope = config.position == "rope"
        if self.rope:  # tables, not weights: recomputed at construction, not saved in checkpoints
            cos, sin = rope_tables(config.block_size, config.n_embd // config.n_head)
            self.register_buffer("rope_cos", cos, persistent=False)
            self.register_buffer("rope_sin", sin, persistent=False)

    def qkv(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Queries, keys and values, each (batch, heads, time, head size)."""
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        if self.rope:  # positions enter here, in queries and keys only
            q, k = apply_rope(q, self.rope_cos, self.rope_sin), apply_rope(k, self.rope_cos, self.rope_sin)
        return q, k, v

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.qkv(x)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                           dropout_p=self.dropout if self.training else 0.0)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # heads side by side again
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    """Per token: widen 4x, GELU, back to n_embd.

    ``mlp="relu2"``: ReLU squared instead of GELU. ``mlp="swiglu"``: two projections up, one
    through SiLU gating the other, then down; 8/3 x wide instead of 4x, so that its three matrices
    hold as many weights as the two of the GELU MLP."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        if config.mlp not in ("gelu", "relu2", "swiglu"):
            raise ValueError(f"mlp must be 'gelu', 'relu2' or 'swiglu', not {config.mlp!r}")
        self.kind = config.mlp
        hidden = 4 * config.n_embd if config.mlp != "swiglu" else 8 * config.n_embd // 3
        # swiglu: the gate and the value come out of one matrix, split in two in forward()
        self.c_fc = nn.Linear(config.n_embd, (2 if self.kind == "swiglu" else 1) * hidden, bias=config.bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(hidden, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.c_fc(x)
        if self.kind == "swiglu":
            gate, value = h.chunk(2, dim=-1)
            h = F.silu(gate) * value
        elif self.kind == "relu2":
            h = F.relu(h).square()
        else:
            h = self.gelu(h)
        return self.dropout(self.c_proj(h))


class Block(nn.Module):
    """Attention (tokens talk to earlier tokens), then the MLP (each token thinks alone); each
    reads a LayerNorm-ed copy and adds its result to the residual stream."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = norm_layer(config)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = norm_layer(config)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        if config.position not in ("learned", "rope"):
            raise ValueError(f"position must be 'learned' or 'rope', not {config.position!r}")
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),   # token embeddings
            # position embeddings (with RoPE, positions enter in attention instead: no table)
            **(dict(wpe=nn.Embedding(config.block_size, config.n_embd)) if config.position == "learned" else {}),
            drop=nn.Dropout(config.dropout),
            h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            ln_f=norm_layer(config),
        ))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        # Weight tying: reading a token in (embedding) and writing one out (logits) use the same
        # matrix; it saves vocab_size * n_embd parameters and usually helps small models.
        self.transformer.wte.weight = self.lm_head.weight
        self.apply(self._init_weights)
        # GPT-2's scaled init: each block adds to the residual stream twice per layer, so the
        # projections that write into it start smaller, keeping its variance flat with depth.
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def num_parameters(self, non_embedding: bool = False) -> int:
        """Parameters, each counted once (the tied matrix too). ``non_embedding`` leaves out the
        position embeddings, as GPT-2's and nanoGPT's reported counts do."""
        n = sum(p.numel() for p in self.parameters())  # parameters() yields a shared tensor once
        if non_embedding and "wpe" in self.transformer:
            n -= self.transformer.wpe.weight.numel()
        return n

    def embed(self, idx: torch.Tensor) -> torch.Tensor:
        """The residual stream's start: token embeddings, plus position embeddings unless RoPE."""
        x = self.transformer.wte(idx)
        if "wpe" in self.transformer:
            x = x + self.transformer.wpe(torch.arange(idx.size(1), device=idx.device))
        return x

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None):
        """Logits (batch, time, vocab) for token ids ``idx`` (batch, time); with ``targets``, also
        the mean cross-entropy of predicting each next token."""
        B, T = idx.shape
        if T > self.config.block_size:
            raise ValueError(f"sequence of length {T} is longer than block_size {self.config.block_size}")
        x = self.transformer.drop(self.embed(idx))
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))
        if targets is None:
            return logits, None
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss

    @torch.no_grad()
    def generate(self, idx: torch.Tensor, max_new_tokens: int, temperature: float = 1.0,
                 top_k: int | None = None, top_p: float | None = None,
                 generator: torch.Generator | None = None) -> torch.Tensor:
        """Append ``max_new_tokens`` sampled tokens to ``idx`` (batch, time) and return it all.

        ``temperature`` divides the logits (below 1: safer, above 1: wilder; 0: always the most
        likely token); ``top_k`` keeps only the k most likely tokens; ``top_p`` keeps the smallest
        set of tokens whose probabilities add up to at least p (nucleus sampling).
        """
        was_training = self.training
        self.eval()
        for _ in range(max_new_tokens):
            context = idx[:, -self.config.block_size:]  # the model sees at most block_size tokens
            logits, _ = self(context)
            logits = logits[:, -1, :].float()
            if temperature == 0:
                next_id = logits.argmax(dim=-1, keepdim=True)
            else:
                logits = logits / temperature
                if top_k is not None:
                    kth = torch.topk(logits, min(top_k, logits.size(-1))).values[:, [-1]]
                    logits = logits.masked_fill(logits < kth, float("-inf"))
                if top_p is not None:
                    sorted_logits, order = torch.sort(logits, descending=True)
                    cumulative = torch.softmax(sorted_logits, dim=-1).cumsum(dim=-1)
                    # drop a token when the tokens before it already reach top_p (the first always stays)
                    drop = cumulative - torch.softmax(sorted_logits, dim=-1) >= top_p
                    logits = logits.masked_fill(drop.scatter(1, order, drop), float("-inf"))
                probs = torch.softmax(logits, dim=-1)
                next_id = torch.multinomial(probs, num_samples=1, generator=generator)
            idx = torch.cat((idx, next_id), dim=1)
        self.train(was_training)
        return idx


@torch.no_grad()
def attention_maps(model: GPT, idx: torch.Tensor) -> list[torch.Tensor]:
    """The attention weights of every layer, each (batch, heads, time, time): the fused kernel
    never materialises them, so recompute them from the same queries and keys."""
    B, T = idx.shape
    x = model.embed(idx)
    maps = []
    mask = torch.ones(T, T, dtype=torch.bool, device=idx.device).tril()
    for block in model.transformer.h:
        q, k, _ = block.attn.qkv(block.ln_1(x))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.size(-1))
        maps.append(torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1))
        x = block(x)
    return maps
