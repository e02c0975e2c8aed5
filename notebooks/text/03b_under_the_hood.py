# %% [markdown]
# # Chapter 3, bonus · Under the hood: the training loop, and resuming
#
# Chapter 3 fine-tuned a pre-trained encoder with `transformers.Trainer`, which runs the whole
# training loop for you. This bonus notebook opens `Trainer` up, for when you have digested the chapter:
#
# 1. the same fine-tuning as a plain PyTorch loop you can read line by line, the same loop with
#    `accelerate`, and the course's loop with checkpoints;
# 2. survive a crash: stop training mid-run and resume from the last checkpoint.
#
# It needs nothing from Chapter 3's run: the cells below load the same reviews, the same split and the
# same pre-trained model from the course's `helpers`, whose steps Chapter 3 wrote out cell by cell.
#
# **Run time** (Run All): `smoke` under a minute, `cpu` about 2 minutes on a 2-core laptop CPU (three
# loops of 30 steps and three short `Trainer` runs), `gpu` not yet measured.
#
# **No internet?** As in Chapter 3: when the Hub cannot be reached, the course's offline kit stands
# in (the MiniLM encoder for `distilbert-base-uncased`, Rotten Tomatoes critics' sentences for IMDb),
# and a banner says so.

# %%
# The course's `helpers` package. Run locally, `make` has installed it (`pip install -e .`) and
# this cell does nothing. On Colab, or anywhere it is not installed, it fetches the course at
# COURSE_REF, installs it with its requirements (Colab's own torch is kept) and says which commit.
import importlib.util, site, subprocess, sys, sysconfig

COURSE_REPOSITORY = "https://github.com/transformers-course/transformers-course"
COURSE_REF = "main"  # in a release's notebooks, its tag: the helpers they were written for
if importlib.util.find_spec("helpers") is None:
    subprocess.run(["git", "clone", "--depth", "1", "--branch", COURSE_REF, COURSE_REPOSITORY, "transformers-course"],
                   check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "transformers-course"], check=True)
    site.addsitedir(sysconfig.get_paths()["purelib"])  # the new install, importable without a restart
    commit = subprocess.check_output(["git", "-C", "transformers-course", "rev-parse", "--short", "HEAD"], text=True)
    print(f"course helpers: {COURSE_REF} (commit {commit.strip()}) of {COURSE_REPOSITORY}")

# %% [markdown]
# ## Parameters
#
# `PROFILE` sets how big the run is; the code below is the same at every size. (The tests run this
# notebook with `PROFILE = "smoke"`.)

# %% tags=["parameters"]
PROFILE = "auto"    # "smoke" (seconds, for tests), "cpu" (a laptop), "gpu" (the full run); "auto": gpu on a GPU, smoke under 4 GiB of memory, else cpu
HUB_MODE = "auto"   # "online" (Hugging Face Hub), "offline" (the course's offline kit); "auto" checks the network
SEED = 0

BASE_MODEL = "distilbert-base-uncased"   # Chapter 3's model: distilled from BERT on plain text, no sentiment yet
REVIEWS_DATASET = "stanfordnlp/imdb"      # Chapter 3's reviews: 25,000 training + 25,000 test

# %%
from helpers import setup_chapter

chapter = setup_chapter("Chapter 3, bonus · Under the hood: the training loop, and resuming",
                        profile=PROFILE, hub_mode=HUB_MODE, seed=SEED, wants_gpu=True)

from helpers.recipes import FINE_TUNING_RECIPES

# Chapter 3's recipe for this profile (helpers/recipes.py: reviews, batch, max_len, learning rate), and
# what only this notebook needs: the steps of each loop in section 1, the reviews of section 2's short runs.
SIZES = FINE_TUNING_RECIPES[chapter.profile] | {
    "smoke": dict(loop_steps=8, resume_examples=48),
    "cpu": dict(loop_steps=30, resume_examples=96),
    "gpu": dict(loop_steps=200, resume_examples=256),
}[chapter.profile]
print("sizes:", SIZES)

# %% [markdown]
# Chapter 3's data and model, from the helpers: the same training reviews drawn with the same seed and
# split the same way into training and validation, tokenized and cut at `max_len` but not padded
# (`DataCollatorWithPadding` pads each batch to its longest review), and `new_classifier()`, a fresh
# copy of the pre-trained encoder with a new, random two-label head, as Chapter 3's section 3 built it.

# %%
import torch
from transformers import AutoTokenizer, DataCollatorWithPadding
from helpers import load_reviews, resolve_model
from helpers.environment import mixed_precision_dtype
from helpers.fine_tuning import load_classifier, tokenize_reviews
from helpers.hub import MODEL_STAND_INS
from helpers.paths import results_dir, shown_path

model_name = resolve_model(BASE_MODEL)
tokenizer = AutoTokenizer.from_pretrained(model_name)
n_reviews = None if SIZES["train"] is None else SIZES["train"] + SIZES["val"]  # None: the whole split
pool = load_reviews(REVIEWS_DATASET, "train", n=n_reviews, seed=SEED)
split = pool.train_test_split(test_size=SIZES["val"], seed=SEED)  # seeded: Chapter 3's split
train_tokens = tokenize_reviews(split["train"], tokenizer, SIZES["max_len"])
val_tokens = tokenize_reviews(split["test"], tokenizer, SIZES["max_len"])
collator = DataCollatorWithPadding(tokenizer)

def new_classifier():
    """The pre-trained encoder with a new two-label head, initialised at random (a fresh copy each call)."""
    return load_classifier(model_name)

out_dir = results_dir() / "chapter03b"  # checkpoints: git-ignored, never in the notebook folder
on_gpu = chapter.device == "cuda"
# Mixed precision as Chapter 3's Trainer chose it: bf16 on recent GPUs, fp16 on older ones, none on a CPU.
precision = {torch.bfloat16: "bf16", torch.float16: "fp16", None: "no"}[mixed_precision_dtype(chapter.device)]
model_label = BASE_MODEL if chapter.hub.online else f"{MODEL_STAND_INS[BASE_MODEL]} (offline stand-in for {BASE_MODEL})"
print(f"{model_label}; train {len(train_tokens):,} | validation {len(val_tokens):,} reviews, "
      f"cut at {SIZES['max_len']} tokens; mixed precision: {precision!r}")

# %% [markdown]
# ## 1. The same fine-tuning in plain PyTorch
#
# `Trainer` hides a loop. Here it is, written out: batches from a `DataLoader`, the forward pass (given
# `labels`, the model returns the loss), `loss.backward()` for the gradients, an optimizer step and a
# learning-rate scheduler step. It trains a fresh copy of the pre-trained model for a few steps
# (`loop_steps`), and measures it on the validation split before and after.

# %%
import itertools

from torch.utils.data import DataLoader
from transformers import get_scheduler

train_loader = DataLoader(train_tokens, batch_size=SIZES["batch"], shuffle=True, collate_fn=collator)
val_loader = DataLoader(val_tokens, batch_size=2 * SIZES["batch"], collate_fn=collator)
loop_steps = SIZES["loop_steps"]

def validate(model):
    """Validation loss and accuracy, without gradients and with dropout off."""
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for batch in val_loader:
            batch = {k: v.to(chapter.device) for k, v in batch.items()}
            output = model(**batch)
            loss_sum += output.loss.item() * len(batch["labels"])
            correct += (output.logits.argmax(dim=-1) == batch["labels"]).sum().item()
    model.train()
    return {"val_loss": loss_sum / len(val_tokens), "val_accuracy": correct / len(val_tokens)}

def optimizer_and_schedule(model):
    """AdamW, and a linear schedule: warm-up over the first 10% of the steps, then decay to 0 (as Trainer)."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=SIZES["lr"], weight_decay=0.01)
    return optimizer, get_scheduler("linear", optimizer, num_warmup_steps=max(1, loop_steps // 10),
                                    num_training_steps=loop_steps)


# %%
torch.manual_seed(SEED)  # the same new head in every loop of this section
loop_model = new_classifier().to(chapter.device)
loop_before = validate(loop_model)
optimizer, scheduler = optimizer_and_schedule(loop_model)

torch.manual_seed(SEED)  # and the same shuffled batches and dropout from here on
plain_losses = []
loop_model.train()  # dropout on
for batch in itertools.islice(train_loader, loop_steps):  # the first loop_steps batches of a shuffled epoch
    batch = {k: v.to(chapter.device) for k, v in batch.items()}
    loss = loop_model(**batch).loss  # forward: logits, and their cross-entropy against batch["labels"]
    loss.backward()                  # backward: the gradient of the loss for every weight
    optimizer.step()                 # AdamW moves each weight a little against its gradient
    scheduler.step()                 # the learning rate for the next step
    optimizer.zero_grad()            # clear the gradients, or the next backward() adds to them
    plain_losses.append(loss.item())

loop_after = validate(loop_model)
print(f"{loop_steps} steps of plain PyTorch: validation loss "
      f"{loop_before['val_loss']:.3f} -> {loop_after['val_loss']:.3f}, accuracy "
      f"{loop_before['val_accuracy']:.3f} -> {loop_after['val_accuracy']:.3f}")
assert loop_after["val_loss"] < loop_before["val_loss"], "the plain loop did not learn"

# %% [markdown]
# That is the whole of fine-tuning. Everything else `Trainer` does is around this loop.
#
# ### The same loop with `accelerate`
#
# Hugging Face `accelerate` runs this loop, unchanged but for three lines, on a CPU, one GPU, several
# GPUs or several machines, in mixed precision if asked: `accelerator.prepare(...)` puts the model,
# the optimizer and the batches where they belong, and `accelerator.backward(loss)` replaces
# `loss.backward()` (it scales the loss for float16 mixed precision, and divides it when gradients are
# accumulated over several batches). Launch the same script with `accelerate launch train.py` to use
# several GPUs: `prepare` then wraps the model in PyTorch's `DistributedDataParallel`, which averages
# the gradients across processes during the backward pass. (`Trainer` itself runs on
# `accelerate`.) The same seeds give the same new head, batches and dropout, so on one device in
# float32 the two loops must agree.

# %%
from accelerate import Accelerator

accelerator = Accelerator(mixed_precision=precision)  # what Chapter 3's Trainer used: "no" on a CPU
torch.manual_seed(SEED)
accelerate_model = new_classifier()
optimizer, scheduler = optimizer_and_schedule(accelerate_model)
accelerate_model, optimizer, accelerate_loader, scheduler = accelerator.prepare(
    accelerate_model, optimizer, train_loader, scheduler)

torch.manual_seed(SEED)
accelerate_losses = []
accelerate_model.train()
for batch in itertools.islice(accelerate_loader, loop_steps):  # batches arrive on accelerator.device
    loss = accelerate_model(**batch).loss
    accelerator.backward(loss)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad()
    accelerate_losses.append(loss.item())

difference = max(abs(a - b) for a, b in zip(plain_losses, accelerate_losses))
print(f"accelerate on {accelerator.device}, mixed precision {precision!r}, {loop_steps} steps: the largest "
      f"difference from the plain loop's training losses, step by step, is {difference:.1e}")
if precision == "no":  # in float32 on one device: the same arithmetic
    assert difference < 1e-4, difference

# %% [markdown]
# ### The course's loop: checkpoints, resuming, a live plot
#
# `Trainer` adds features around the loop. The course's `helpers/training.py` (the loop Chapter 4
# also trains its GPT with) adds the same ones in plain PyTorch, each in a few lines you can read:
#
# | `Trainer` | `helpers.training` |
# |---|---|
# | `train_dataset` + `data_collator` + shuffling | `dataset_batches(dataset, batch_size, collate_fn, device, seed)`: batch *i* of a seeded shuffle |
# | the model computes its loss when given `labels` | `compute_loss = lambda model, batch: model(**batch).loss` |
# | AdamW with weight decay | `make_optimizer`: AdamW, decay on weight matrices only |
# | `lr_scheduler_type`, `warmup_steps` | `lr_at(step, config)`: linear warm-up, then cosine decay |
# | `max_grad_norm=1.0` | `grad_clip=1.0`: `clip_grad_norm_` before each step |
# | `gradient_accumulation_steps` | `accumulate`: several micro-batches per optimizer step |
# | `bf16` / `fp16` | `precision`: `torch.autocast`, plus a gradient scaler for float16 |
# | `eval_strategy` + `compute_metrics` | `evaluate(model)` every `eval_every` steps |
# | `save_strategy`, `resume_from_checkpoint` | `checkpoint_dir`, `checkpoint_every`, `resume=True` |
# | progress bar, `log_history` | a progress bar, `History` (and `live_loss_plot`) |
#
# The same fresh model, the same number of steps:

# %%
from helpers.progress import live_loss_plot
from helpers.fine_tuning import dataset_batches
from helpers.training import TrainConfig, train

torch.manual_seed(SEED)
helper_model = new_classifier().to(chapter.device)
get_batch = dataset_batches(train_tokens, SIZES["batch"], collator, chapter.device, seed=SEED)
config = TrainConfig(max_steps=loop_steps, lr=SIZES["lr"], warmup_steps=max(1, loop_steps // 10),
                     weight_decay=0.01, betas=(0.9, 0.999), grad_clip=1.0, precision="auto",
                     eval_every=max(1, loop_steps // 2), log_every=max(1, loop_steps // 8),
                     checkpoint_dir=str(out_dir / "loop"))  # a checkpoint at the end (and on interrupt)
history = train(helper_model, get_batch, lambda m, batch: m(**batch).loss, config, evaluate=validate,
                on_eval=live_loss_plot("the course's loop: fine-tuning, step by step", ("val_loss",)))
print(f"{config.max_steps} steps in {history.seconds:.0f} s; validation loss {loop_before['val_loss']:.3f} -> "
      f"{history.evals[-1]['val_loss']:.3f}, accuracy {loop_before['val_accuracy']:.3f} -> "
      f"{history.evals[-1]['val_accuracy']:.3f}; a checkpoint in {shown_path(out_dir / 'loop')}")
assert history.evals[-1]["val_loss"] < loop_before["val_loss"], "the course's loop did not learn"

# %% [markdown]
# A few lines of PyTorch per feature, and you control every one of them. That is what `Trainer` saves
# you from writing and testing; in return, the plain loop is where you go when you need something
# `Trainer` does not do (Chapter 4 trains a GPT from scratch with it).
#
# ## 2. Interrupted training resumes
#
# A Colab runtime can disconnect mid-run; a laptop can go to sleep. Because `Trainer` writes a
# checkpoint every `save_steps` (weights, optimizer state, learning-rate scheduler, random-number
# states, and how far it got), nothing is lost but the steps since the last checkpoint. Here is the
# whole story on a short run, cheap enough for every profile:
#
# 1. a reference run of 6 steps, uninterrupted;
# 2. the same run with a checkpoint every 2 steps (only the latest kept), which "crashes" at step 5, after the checkpoint at step 4;
# 3. a brand-new model and `Trainer` (as after a restart) with `trainer.train(resume_from_checkpoint=True)`.
#
# The resumed run must end with exactly the weights of the uninterrupted one.

# %%
import shutil

from transformers import Trainer, TrainingArguments
from transformers.trainer_callback import PrinterCallback
from helpers.fine_tuning import SimulatedCrash, crash_at

resume_tokens = train_tokens.select(range(SIZES["resume_examples"]))

def short_run(output_dir, callbacks=()):
    """A fresh model and Trainer: 6 steps, a checkpoint every 2 (the same seed every time)."""
    args = TrainingArguments(output_dir=str(output_dir), max_steps=6, save_steps=2, save_total_limit=1, logging_steps=1,
                             per_device_train_batch_size=8, learning_rate=SIZES["lr"], seed=SEED,
                             report_to="none", disable_tqdm=True, dataloader_pin_memory=on_gpu)
    torch.manual_seed(SEED)  # the new head starts from the same random weights in every run
    run = Trainer(model=new_classifier(), args=args, train_dataset=resume_tokens,
                  data_collator=collator, callbacks=list(callbacks))
    run.remove_callback(PrinterCallback)  # no bar and no printed logs: the losses stay in run.state.log_history
    return run

resume_dir = out_dir / "resume-demo"
shutil.rmtree(resume_dir, ignore_errors=True)
reference = short_run(resume_dir / "uninterrupted")
reference.train()

crashing = short_run(resume_dir / "interrupted", callbacks=[crash_at(5)])
try:
    crashing.train()
except SimulatedCrash as crash:
    print(f"{crash}; checkpoints on disk: {sorted(p.name for p in (resume_dir / 'interrupted').glob('checkpoint-*'))}")

restarted = short_run(resume_dir / "interrupted")  # new weights, new optimizer: all must come from the checkpoint
_ = restarted.train(resume_from_checkpoint=True)   # True: the latest checkpoint in output_dir

# %%
# NBVAL_CHECK_OUTPUT
reference_weights = reference.model.state_dict()
same = all(torch.allclose(value, reference_weights[name]) for name, value in restarted.model.state_dict().items())
losses = lambda t: [round(e["loss"], 4) for e in t.state.log_history if "loss" in e]
print(f"resumed run ended at step {restarted.state.global_step}; same weights as the uninterrupted run: {same}")
print(f"same training losses, step by step: {losses(restarted) == losses(reference)}")
assert same

# %% [markdown]
# On Colab, point `output_dir` at Google Drive (`from google.colab import drive;
# drive.mount("/content/drive")`) so that the checkpoints outlive the runtime; after a disconnect,
# run the notebook again with `trainer.train(resume_from_checkpoint=True)`. The course's loop of
# section 1 does the same with `resume=True` (and saves a checkpoint when you press Jupyter's stop
# button); Chapter 4 shows it.
#
# ## Summary
#
# - The loop under `Trainer` is a handful of lines: forward, `loss.backward()`, `optimizer.step()`,
#   `scheduler.step()`, `optimizer.zero_grad()`. `accelerate` runs the same loop anywhere (CPU, GPUs,
#   machines, mixed precision) for three changed lines; `Trainer` adds evaluation, schedules, mixed
#   precision, checkpoints and a progress table from a few arguments, and the course's loop adds the
#   same in plain PyTorch you can read.
# - Checkpoints make a crash cost minutes, not the run: `trainer.train(resume_from_checkpoint=True)`,
#   or `resume=True` in the course's loop. A resumed run ends with exactly the weights of an
#   uninterrupted one, because the checkpoint holds the optimizer, the schedule and the random states too.
#
# **Try this:** give the loops more steps (`SIZES["loop_steps"]`) and watch the validation accuracy
# climb towards Chapter 3's; make the crash come at step 3 (`crash_at(3)`) and read which checkpoint the
# restarted run resumes from.
#
# ## Check yourself
#
# **1.** In the plain loop of section 1, what goes wrong if you delete `optimizer.zero_grad()`?
#
# <details><summary>Answer</summary>
#
# `backward()` adds the new gradients to the ones already stored, so every step would use the sum of
# all gradients so far: ever larger, ever staler updates, and training goes astray. (Adding up the
# gradients of several batches *on purpose*, then stepping and clearing once, is gradient accumulation:
# a bigger effective batch in the same memory.)
#
# </details>
#
# **2.** The resumed run of section 2 ended with exactly the weights of the uninterrupted one. Why
# would a checkpoint of the weights alone not be enough for that?
#
# <details><summary>Answer</summary>
#
# The next steps depend on more than the weights: AdamW's running averages of each gradient and of its
# square, the learning rate the schedule has reached, the random states that decide the shuffled
# batches and dropout, and the step count. From the weights alone, a restarted run would begin AdamW's
# averages at zero, warm the learning rate up again and draw other batches: a similar model, not the
# same one. `Trainer`'s checkpoint folder holds all of them.
#
# </details>
#
# ## Further reading
#
# - Hugging Face LLM course, chapter 3, "Fine-tuning a pretrained model": the plain loop and
#   `accelerate`, step by step: <https://huggingface.co/learn/llm-course/chapter3/4>
# - Hugging Face Accelerate documentation: <https://huggingface.co/docs/accelerate>
# - `Trainer`'s checkpoints and `resume_from_checkpoint`:
#   <https://huggingface.co/docs/transformers/main_classes/trainer>
#
# **Next:** back to Chapter 3's section 7 (`03_fine_tuning.ipynb`), LoRA, if you came here midway;
# then Chapter 4, which trains a GPT from scratch with the course's loop of section 1.
