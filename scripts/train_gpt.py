"""Train Chapter 4's GPT on the Shakespeare corpus: on one process, or on several with torchrun.

The model is ``helpers/gpt.py`` and the loop is ``helpers/training.py``, exactly as in the
notebook; only the launch differs. Under ``torchrun`` each process holds a copy of the model in
``DistributedDataParallel`` (NCCL on GPUs, gloo on CPUs), trains on its own slice of every batch,
and the gradients are averaged at each step, so the copies stay identical.

    python scripts/train_gpt.py --profile cpu                       # one process
    torchrun --nproc_per_node=2 scripts/train_gpt.py --profile smoke # two processes, one machine
    torchrun --nnodes=2 --node_rank=0 --master_addr=HOST --nproc_per_node=8 \\
        scripts/train_gpt.py --profile gpu                           # two machines, 8 GPUs each

``--batch_size`` is per process: N processes train on N times the batch per step (the
learning rate is not rescaled). To keep the global batch of a 1-process run, divide it by N.
Every flag overrides the profile's value; ``--help`` lists them. ``--profile auto`` (the default, and
``make train-gpt``'s) picks one as every chapter does: ``helpers.environment.resolve_profile``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from dataclasses import asdict
from pathlib import Path

import torch

from helpers.environment import resolve_profile
from helpers.gpt import GPT, GPTConfig
from helpers.gpt_data import CharTokenizer, lm_loss, load_shakespeare, make_evaluate, random_windows, split_corpus
from helpers.recipes import GPT_RECIPES
from helpers.training import TrainConfig, train


def flat(recipe: dict) -> dict:
    """A recipe of helpers.recipes as this script's flags: the model's sizes and the training knobs."""
    names = {"steps": "max_steps", "warmup": "warmup_steps"}
    return {**recipe["model"], **{names.get(k, k): v for k, v in recipe.items() if k != "model"}}


# nanoGPT's recipes on this corpus (helpers/recipes.py, shared with the notebook and the benchmark).
PROFILES = {name: flat(recipe) for name, recipe in GPT_RECIPES.items()}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", choices=("auto", *PROFILES), default="auto",
                        help="auto: the chapters' rule (helpers.environment.resolve_profile): gpu on a CUDA GPU, "
                             "smoke under 4 GiB of memory, else cpu")
    for name, value in PROFILES["cpu"].items():
        parser.add_argument(f"--{name}", type=type(value), default=None, help="profile value unless given")
    parser.add_argument("--beta2", type=float, default=0.99)
    parser.add_argument("--weight_decay", type=float, default=0.1)
    parser.add_argument("--grad_clip", type=float, default=1.0)
    parser.add_argument("--accumulate", type=int, default=1)
    parser.add_argument("--precision", default="auto", help="auto (bf16 on GPUs with native bf16, fp16 on older ones such as a T4, fp32 on CPUs), fp32, bf16, fp16")
    parser.add_argument("--compile", action="store_true", help="torch.compile the model (GPUs: faster after ~30 s)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                        help="auto: one GPU per process when there are GPUs, else the CPU")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads per process; 0: the cores / processes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out_dir", default=None, help="checkpoint and result.json; default results/chapter04/script-<profile>")
    parser.add_argument("--resume", action="store_true", help="continue from the checkpoint in out_dir")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    args.profile = resolve_profile(args.profile, device="cpu" if args.device == "cpu" else None)
    for name, value in PROFILES[args.profile].items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    distributed = "RANK" in os.environ  # torchrun sets RANK, LOCAL_RANK, WORLD_SIZE
    if distributed:
        rank, local_rank, world = (int(os.environ[k]) for k in ("RANK", "LOCAL_RANK", "WORLD_SIZE"))
    else:
        rank, local_rank, world = 0, 0, 1
    if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available()):
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
        torch.backends.cuda.matmul.allow_tf32 = True  # TF32 matmuls where bf16 autocast does not reach
        torch.backends.cudnn.allow_tf32 = True
    else:
        device = torch.device("cpu")
        from helpers.environment import available_cpus
        local_world = int(os.environ.get("LOCAL_WORLD_SIZE", 1))
        # Processes on one machine share its cores; more threads than cores makes all of them wait.
        torch.set_num_threads(args.threads or max(1, available_cpus() // local_world))
    if distributed:
        torch.distributed.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    main_process = rank == 0

    text = load_shakespeare()  # on an empty kit, one process builds it, the others wait (the kit's lock)
    tokenizer = CharTokenizer(text)
    train_ids, val_ids = split_corpus(tokenizer.encode_tensor(text))

    torch.manual_seed(args.seed)  # the same initial weights in every process (DDP also broadcasts rank 0's)
    config = GPTConfig(vocab_size=tokenizer.vocab_size, block_size=args.block_size, n_layer=args.n_layer,
                       n_head=args.n_head, n_embd=args.n_embd, dropout=args.dropout)
    model = GPT(config).to(device)
    if args.compile:
        model.compile()  # in place: parameter names (and checkpoints) stay those of the plain model
    if distributed:
        model = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[local_rank] if device.type == "cuda" else None)

    out_dir = Path(args.out_dir) if args.out_dir else None
    if out_dir is None:
        from helpers.paths import results_dir
        out_dir = results_dir() / "chapter04" / f"script-{args.profile}"  # not the notebook's checkpoint
    train_config = TrainConfig(max_steps=args.max_steps, lr=args.lr, min_lr=args.min_lr,
                               warmup_steps=args.warmup_steps, weight_decay=args.weight_decay,
                               betas=(0.9, args.beta2), accumulate=args.accumulate,
                               grad_clip=args.grad_clip or None, precision=args.precision,
                               eval_every=args.eval_every, checkpoint_dir=str(out_dir))
    get_batch = random_windows(train_ids, args.block_size, args.batch_size, seed=args.seed,
                               device=device, rank=rank, world_size=world)
    # Evaluation batches have the global batch size and are shared out between the processes,
    # so a run's evaluations are the same numbers whatever the number of processes.
    evaluate = make_evaluate({"train": train_ids, "val": val_ids}, args.block_size, world * args.batch_size,
                             args.eval_batches, device=device)

    def on_eval(history):
        e = history.evals[-1]
        print(f"step {e['step']:>5}: train loss {e['train_loss']:.4f}, val loss {e['val_loss']:.4f}, "
              f"{time.perf_counter() - started:.1f} s", flush=True)

    if main_process:
        n_params = getattr(model, "module", model).num_parameters()
        print(f"{world} process(es) on {device.type} ({torch.get_num_threads()} threads each), "
              f"{n_params:,} parameters, global batch {world * args.batch_size * args.accumulate} x "
              f"{args.block_size} tokens, {args.max_steps} steps; config {asdict(config)}", flush=True)
    started = time.perf_counter()
    history = train(model, get_batch, lm_loss, train_config, evaluate=evaluate, on_eval=on_eval,
                    resume=args.resume, progress=not args.quiet)
    wall = time.perf_counter() - started
    tokens = args.max_steps * world * args.batch_size * args.accumulate * args.block_size
    result = dict(profile=args.profile, world_size=world, device=device.type,
                  parameters=getattr(model, "module", model).num_parameters(), steps=args.max_steps,
                  tokens=tokens, train_seconds=history.seconds, wall_seconds=wall,
                  ms_per_step=1000 * history.seconds / max(1, args.max_steps),
                  tokens_per_second=tokens / history.seconds if history.seconds else math.nan,
                  final_train_loss=history.train_loss[-1] if history.train_loss else None,
                  **{k: v for k, v in history.evals[-1].items() if k != "step"},
                  evals=history.evals, args=vars(args))
    if main_process:
        print(f"done: val loss {result['val_loss']:.4f} after {args.max_steps} steps; "
              f"{history.seconds:.1f} s of training ({result['ms_per_step']:.1f} ms/step, "
              f"{result['tokens_per_second']:,.0f} tokens/s), {wall:.1f} s with the final evaluation", flush=True)
        (out_dir / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    if distributed:
        torch.distributed.destroy_process_group()
    return result


if __name__ == "__main__":
    main()
