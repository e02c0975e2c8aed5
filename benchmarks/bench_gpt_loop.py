"""What does the course's training loop cost? Chapter 4's cpu-profile model, trained for a fixed
number of iterations by ``helpers.training.train`` and by a plain minimal PyTorch loop (what
nanoGPT's train.py does per step), side by side in one run.

    python benchmarks/bench_gpt_loop.py                 # 200 iterations each, 2 alternating rounds
    python benchmarks/bench_gpt_loop.py --iters 2000 --rounds 1

Each measurement runs in a fresh child process (so each has its own peak RSS and neither warms
the other's caches), in the order helpers, minimal, minimal, helpers, ... so that a change of
load on a shared machine hits both alike. Same initial weights, same batches, same optimizer,
schedule and clipping: the two losses must agree. Prints tokens/s, ms/iteration, peak RSS and
the loss for each, and the ratio helpers / minimal. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

from helpers.recipes import GPT_RECIPES

# nanoGPT's CPU recipe: the notebook's and scripts/train_gpt.py's "cpu" profile (helpers/recipes.py).
CPU = GPT_RECIPES["cpu"]
MODEL = CPU["model"]
BATCH, LR, MIN_LR, WARMUP, FULL_STEPS = CPU["batch_size"], CPU["lr"], CPU["min_lr"], CPU["warmup"], CPU["steps"]


def child(loop: str, iters: int, threads: int) -> dict:
    import torch

    from helpers.gpt import GPT, GPTConfig
    from helpers.gpt_data import CharTokenizer, lm_loss, load_shakespeare, random_windows, split_corpus
    from helpers.training import TrainConfig, lr_at, make_optimizer, train

    torch.set_num_threads(threads)
    text = load_shakespeare()
    tokenizer = CharTokenizer(text)
    train_ids, _ = split_corpus(tokenizer.encode_tensor(text))
    get_batch = random_windows(train_ids, MODEL["block_size"], BATCH, seed=0)
    # The schedule of the full 2000-step run, cut after `iters` steps: the same per-step work.
    config = TrainConfig(max_steps=FULL_STEPS, lr=LR, min_lr=MIN_LR, warmup_steps=WARMUP, betas=(0.9, 0.99),
                         weight_decay=0.1, grad_clip=1.0, precision="fp32", log_every=10)
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=tokenizer.vocab_size, **MODEL))
    # The first optimizer built in a process imports torch._dynamo (1-4 s, once). train() builds its
    # optimizer inside, so pay that import here, outside both timings, and compare the steps alone.
    torch.optim.AdamW([torch.zeros(1, requires_grad=True)])

    if loop == "helpers":
        def stop_after(i):  # the loop's own way out: it returns the history at the interrupt
            if i == iters:
                raise KeyboardInterrupt
            return get_batch(i)

        import contextlib
        import io
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # the loop's "interrupted" message
            history = train(model, stop_after, lm_loss, config, progress=False)
        seconds = time.perf_counter() - start
        loss = history.train_loss[-1]  # mean of the last 10 steps
    else:
        optimizer = make_optimizer(model, config)  # the same AdamW, weight decay on matrices only
        model.train()
        losses = []
        start = time.perf_counter()
        for step in range(iters):
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step, config)
            x, y = get_batch(step)
            _, loss = model(x, y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(loss.detach())
        seconds = time.perf_counter() - start
        loss = torch.stack(losses[-10:]).mean().item()
    tokens = iters * BATCH * MODEL["block_size"]
    return dict(loop=loop, iters=iters, seconds=seconds, ms_per_iter=1000 * seconds / iters,
                tokens_per_s=tokens / seconds, loss=loss,
                peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # KiB on Linux
                threads=torch.get_num_threads(), parameters=model.num_parameters())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iters", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2, help="alternating measurements of each loop")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (nanoGPT on this machine: 2)")
    parser.add_argument("--child", choices=("helpers", "minimal"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.iters, args.threads)))
        return

    order = []
    for r in range(args.rounds):  # helpers, minimal, minimal, helpers, ...
        order += ["helpers", "minimal"] if r % 2 == 0 else ["minimal", "helpers"]
    results = {"helpers": [], "minimal": []}
    for loop in order:
        out = subprocess.run([sys.executable, __file__, "--child", loop, "--iters", str(args.iters),
                              "--threads", str(args.threads)], capture_output=True, text=True, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        results[loop].append(result)
        print(f"  {loop:>7}: {result['ms_per_iter']:6.1f} ms/iter  {result['tokens_per_s']:8,.0f} tokens/s  "
              f"peak RSS {result['peak_rss_mb']:5.0f} MB  loss {result['loss']:.4f}", flush=True)

    med = {loop: {k: statistics.median(r[k] for r in rs) for k in ("ms_per_iter", "tokens_per_s", "peak_rss_mb", "loss")}
           for loop, rs in results.items()}
    first = results["helpers"][0]
    print(f"\ncpu-profile model ({first['parameters']:,} parameters, batch {BATCH} x {MODEL['block_size']}), "
          f"{args.iters} iterations, {first['threads']} threads, median of {args.rounds}:")
    print(f"| loop | ms/iter | tokens/s | peak RSS (MB) | loss after {args.iters} iters |")
    print("|---|---|---|---|---|")
    for loop, m in med.items():
        name = "helpers.training.train" if loop == "helpers" else "minimal PyTorch loop"
        print(f"| {name} | {m['ms_per_iter']:.1f} | {m['tokens_per_s']:,.0f} | {m['peak_rss_mb']:.0f} | {m['loss']:.4f} |")
    ratio = med["helpers"]["ms_per_iter"] / med["minimal"]["ms_per_iter"]
    print(f"\nhelpers / minimal time per iteration: {ratio:.3f} (1.000 = no overhead); "
          f"loss difference {abs(med['helpers']['loss'] - med['minimal']['loss']):.1e}")


if __name__ == "__main__":
    main()
