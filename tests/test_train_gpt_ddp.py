"""scripts/train_gpt.py under torchrun: 2 CPU processes (gloo) train the same model as 1 process.

With the same global batch (1 process x 8 windows, or 2 processes x 4 of the same 8 windows),
DistributedDataParallel's averaged gradient is the one-process gradient, so after a few steps
the weights must agree to float32 round-off. That round-off is not the same on every CPU: the two
runs add the batch's gradients in another order, and AdamW divides by the square root of small
second moments, which amplifies the difference over 20 steps. Measured (largest difference of any
weight, as a fraction of the largest distance training moved a weight): under 3e-4 on an Intel
AVX-512 machine, 6e-4 on an AMD AVX2 one (2026-12-03). A missing gradient sync or a wrong data
split is of the order of the movement itself (training on half the batch, as a rank without the
sync would: 1.7 times the movement). So the bound is one hundredth of the movement: 15 times the
round-off seen, 100 times below a broken sync.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "train_gpt.py"
TINY = ["--profile", "smoke", "--device", "cpu", "--n_layer", "2", "--n_head", "2", "--n_embd", "32", "--block_size", "16",
        "--max_steps", "20", "--warmup_steps", "2", "--lr", "3e-3", "--eval_every", "10",
        "--eval_batches", "2", "--quiet"]


def load(out: Path) -> tuple[dict, dict]:
    result = json.loads((out / "result.json").read_text())
    weights = torch.load(out / "checkpoint.pt", map_location="cpu", weights_only=False)["model"]
    return result, weights


def run_one_process(tmp_path: Path) -> tuple[dict, dict]:
    """The reference: plain ``main()`` in this process (no torchrun), the whole batch of 8."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("train_gpt", SCRIPT)
    train_gpt = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train_gpt)
    threads = torch.get_num_threads()
    try:
        train_gpt.main([*TINY, "--batch_size", "8", "--threads", "1", "--out_dir", str(tmp_path / "np1")])
    finally:
        torch.set_num_threads(threads)
    return load(tmp_path / "np1")


def run_two_processes(tmp_path: Path) -> tuple[dict, dict]:
    """torchrun, 2 processes on this machine, gloo, each 4 of the same 8 windows."""
    out = tmp_path / "np2"
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
               str(SCRIPT), *TINY, "--batch_size", "4", "--threads", "1", "--out_dir", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return load(out)


def test_two_gloo_processes_train_the_same_model_as_one(tmp_path):
    two, weights_two = run_two_processes(tmp_path)
    one, weights_one = run_one_process(tmp_path)
    assert (one["world_size"], two["world_size"]) == (1, 2)
    assert one["tokens"] == two["tokens"]  # the same global batch, hence the same data

    from helpers.gpt import GPT, GPTConfig
    torch.manual_seed(0)  # the script's seed: the weights both runs started from
    start = GPT(GPTConfig(vocab_size=84, block_size=16, n_layer=2, n_head=2, n_embd=32)).state_dict()
    assert start.keys() == weights_one.keys() == weights_two.keys()

    moved = max((weights_one[k] - start[k]).abs().max().item() for k in start)
    apart = max((weights_one[k] - weights_two[k]).abs().max().item() for k in start)
    assert moved > 1e-2, f"training barely changed the weights ({moved:.1e}): the check would mean nothing"
    assert apart < moved / 100, f"1 and 2 processes ended {apart:.1e} apart (training moved weights {moved:.1e})"
    assert two["val_loss"] == pytest.approx(one["val_loss"], abs=1e-4)
    assert [e["step"] for e in two["evals"]] == [10, 20]
    assert one["val_loss"] < one["evals"][0]["val_loss"] < 4.43  # it learned: below ln(84), and falling
