"""Every size the course trains with, written once (Chapters 3, 4 and 5; the script, the benchmark, the tests).

A profile changes only sizes, never which code runs: ``smoke`` (seconds, for the tests), ``cpu``
(a laptop), ``gpu`` (the full run). The notebooks print the recipe they use; their own extras
(how many samples to print, which sizes to sweep) stay in the notebook, next to the cells that
use them.
"""

from __future__ import annotations

# Chapter 4's GPT on the Shakespeare corpus. "cpu" is nanoGPT's CPU recipe and "gpu" its
# train_shakespeare_char recipe, on this corpus; "smoke" is the smallest run that still learns.
# Used by notebooks/04, scripts/train_gpt.py, benchmarks/bench_gpt_loop.py and tests/test_gpt.py.
GPT_RECIPES = {
    "smoke": dict(model=dict(n_layer=2, n_head=2, n_embd=64, block_size=32, dropout=0.0),
                  batch_size=16, steps=100, lr=3e-3, min_lr=3e-4, warmup=10, eval_every=50, eval_batches=4),
    "cpu": dict(model=dict(n_layer=4, n_head=4, n_embd=128, block_size=64, dropout=0.0),
                batch_size=12, steps=2000, lr=1e-3, min_lr=1e-4, warmup=100, eval_every=250, eval_batches=20),
    "gpu": dict(model=dict(n_layer=6, n_head=6, n_embd=384, block_size=256, dropout=0.2),
                batch_size=64, steps=5000, lr=1e-3, min_lr=1e-4, warmup=100, eval_every=250, eval_batches=200),
}

# Chapter 3's fine-tuning of distilbert-base-uncased on IMDb; Chapter 5 uses the same numbers so
# that it can evaluate Chapter 3's saved models instead of training them again.
#   train/val/test: reviews (None: the whole split); val is carved out of the training split.
#   lr: peak learning rate. 2e-5 is the standard DistilBERT-on-IMDb recipe for 2 epochs; short CPU
#   runs (one epoch, 60-125 steps) need larger steps to get anywhere (offline, smoke measured: 0.77
#   accuracy with 2e-4, 0.72 with 1e-4; cpu with 3,500 reviews and 1e-4: 0.797). LoRA moves far
#   fewer weights and wants ~10x more (lora_lr).
FINE_TUNING_RECIPES = {
    "smoke": dict(train=480, val=100, test=300, epochs=1, batch=8, max_len=64, lr=2e-4, lora_lr=3e-3),
    "cpu": dict(train=4000, val=500, test=1000, epochs=1, batch=32, max_len=128, lr=2e-4, lora_lr=3e-3),
    "gpu": dict(train=None, val=1000, test=None, epochs=2, batch=16, max_len=512, lr=2e-5, lora_lr=5e-4),
}
