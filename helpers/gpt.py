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
- ``attention_maps``: the attention weights of every head, for plotting.

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

    def qkv(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Queries, keys and values, each (batch, heads, time, head size)."""
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        return tuple(t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.qkv(x)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                           dropout_p=self.dropout if self.training else 0.0)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # heads side by side again
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    """Per token: widen 4x, GELU, back to n_embd."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    """Attention (tokens talk to earlier tokens), then the MLP (each token thinks alone); each
    reads a LayerNorm-ed copy and adds its result to the residual stream."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),   # token embeddings
            wpe=nn.Embedding(config.block_size, config.n_embd),   # position embeddings
            drop=nn.Dropout(config.dropout),
            h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            ln_f=nn.LayerNorm(config.n_embd, bias=config.bias),
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
        return n - self.transformer.wpe.weight.numel() if non_embedding else n

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None):
        """Logits (batch, time, vocab) for token ids ``idx`` (batch, time); with ``targets``, also
        the mean cross-entropy of predicting each next token."""
        B, T = idx.shape
        if T > self.config.block_size:
            raise ValueError(f"sequence of length {T} is longer than block_size {self.config.block_size}")
        pos = torch.arange(T, device=idx.device)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
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
    x = model.transformer.wte(idx) + model.transformer.wpe(torch.arange(T, device=idx.device))
    maps = []
    mask = torch.ones(T, T, dtype=torch.bool, device=idx.device).tril()
    for block in model.transformer.h:
        q, k, _ = block.attn.qkv(block.ln_1(x))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.size(-1))
        maps.append(torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1))
        x = block(x)
    return maps
