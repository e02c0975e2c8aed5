"""Small pieces of fine-tuning a sentiment classifier (Chapter 3; Chapter 5 reuses them).

Chapter 3 writes the fine-tuning out in full, cell by cell (``from_pretrained``, ``dataset.map``,
the training loop). What is here is only what a second chapter needs again, or what would distract
from the lesson if spelled out inline:

- ``LABELS``, ``load_classifier``: an encoder with a fresh two-label classification head (Chapter 3
  writes this ``from_pretrained`` call out; Chapter 5 uses it);
- ``tokenize_reviews``: truncation without padding (padding happens per batch, dynamically; Chapter 3
  writes this ``dataset.map`` out);
- ``count_parameters``, ``training_state_bytes``, ``folder_bytes``: what full fine-tuning
  and LoRA cost in parameters, memory and disk;
- ``lora_target_modules``: the attention projections LoRA adapts, whatever the encoder calls them;
- ``crash_at``: a ``TrainerCallback`` that simulates a runtime dying mid-training (Chapter 3's bonus, 03b);
- ``classify``: a saved model (a folder) or pipeline on a held-out set: accuracy, F1, latency;
- ``quick_fine_tune``: Chapter 3's recipe in one call, for Chapter 5;
- ``dataset_batches``: ``get_batch`` for the course's own loop (``helpers.training.train``) from a
  tokenized dataset, for Chapter 3's bonus notebook (03b), beside ``Trainer``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from helpers.environment import mixed_precision_dtype
from helpers.paths import folder_bytes  # noqa: F401  (Chapter 3 imports it from here)
from helpers.progress import progress_bar

LABELS = {0: "NEGATIVE", 1: "POSITIVE"}  # the same names as the SST-2 DistilBERT of Chapter 2

# What different encoders call the query and value projections of their attention layers.
# LoRA's original recipe adapts exactly these two (Hu et al. 2021, section 7.1).
_QUERY_VALUE_NAMES = ("query", "value", "q_lin", "v_lin", "q_proj", "v_proj")


def load_classifier(model_name: str):
    """``AutoModelForSequenceClassification`` with two labels named like Chapter 2's model.

    The encoder's weights come from ``model_name``; the classification head on top is new
    (randomly initialized), which is why a model fresh from here guesses at chance.
    """
    from transformers import AutoModelForSequenceClassification

    return AutoModelForSequenceClassification.from_pretrained(
        model_name, num_labels=len(LABELS), id2label=LABELS, label2id={v: k for k, v in LABELS.items()})


def tokenize_reviews(dataset, tokenizer, max_length: int):
    """Token ids for every review, truncated to ``max_length`` and NOT padded: a
    ``DataCollatorWithPadding`` pads each batch to its own longest review instead."""
    return dataset.map(lambda batch: tokenizer(batch["text"], truncation=True, max_length=max_length),
                       batched=True, remove_columns=["text"], desc="tokenizing")


def count_parameters(model) -> tuple[int, int]:
    """(trainable, total) parameter counts, from transformers' own ``model.num_parameters``
    (a PEFT model passes the call to the model it wraps, LoRA's matrices included)."""
    return model.num_parameters(only_trainable=True), model.num_parameters()


def training_state_bytes(model) -> int:
    """Bytes of training state in float32 AdamW: every weight once, and for each trainable
    one a gradient and two optimizer moments. Activations come on top (they grow with batch
    size and sequence length); this is the part LoRA shrinks."""
    trainable, total = count_parameters(model)
    return 4 * total + (4 + 8) * trainable


def lora_target_modules(model) -> list[str]:
    """The names of the attention query/value projections in ``model`` (BERT: query, value;
    DistilBERT: q_lin, v_lin), so one LoRA config fits the online and the offline encoder."""
    import torch

    found = sorted({name.rsplit(".", 1)[-1] for name, module in model.named_modules()
                    if isinstance(module, torch.nn.Linear) and name.rsplit(".", 1)[-1] in _QUERY_VALUE_NAMES})
    if not found:
        raise ValueError(f"no attention projections named any of {_QUERY_VALUE_NAMES} in {type(model).__name__}")
    return found


def new_head_modules(model) -> list[str]:
    """Top-level modules of the classification head that are not part of the encoder
    (BERT: classifier; DistilBERT: pre_classifier, classifier). They start untrained, so
    LoRA must train them in full (peft's ``modules_to_save``)."""
    encoder = getattr(model, "base_model_prefix", "")
    return [name for name, module in model.named_children()
            if name != encoder and any(True for _ in module.parameters())]


class SimulatedCrash(RuntimeError):
    """Raised by ``CrashAt``: stands for a runtime that died (Colab disconnect, power cut)."""


def crash_at(step: int):
    """A ``TrainerCallback`` that raises ``SimulatedCrash`` when training reaches ``step``.

    Everything since the last saved checkpoint is lost, as in a real crash.
    (Built in a function so importing this module does not import transformers.)
    """
    from transformers import TrainerCallback

    class CrashAt(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step == step:
                raise SimulatedCrash(f"simulated crash at step {step}")

    return CrashAt()


def peak_gpu_memory_mb(reset: bool = False) -> float | None:
    """Peak GPU memory allocated by torch since the last reset, in MiB; None without CUDA
    (CPU memory is shared with everything else on the machine and has no such counter)."""
    import torch

    if not torch.cuda.is_available():
        return None
    if reset:
        torch.cuda.reset_peak_memory_stats()
    return torch.cuda.max_memory_allocated() / 2**20


def classify(model_or_pipeline, dataset, batch_size: int = 32, device=None, max_length: int | None = None,
             progress: bool = True) -> dict:
    """Classify every review of ``dataset`` (columns text, label) with a saved model folder,
    a Hub id, or an existing ``pipeline``; return accuracy, F1, latency and per-review results.

    ``max_length``: truncate as in training (default: the model's own limit, e.g. 512).
    Used for Chapter 3's before/after comparison and for Chapter 5's side-by-side table.
    """
    from sklearn.metrics import accuracy_score, f1_score
    from transformers import pipeline
    from transformers.pipelines.pt_utils import KeyDataset

    pipe = model_or_pipeline
    if isinstance(model_or_pipeline, (str, Path)):
        pipe = pipeline("sentiment-analysis", model=str(model_or_pipeline), device=device)
    label_to_id = {label.upper(): i for label, i in pipe.model.config.label2id.items()}
    options = {"truncation": True} | ({"max_length": max_length} if max_length else {})
    pipe(dataset["text"][:2], **options)  # warm-up: the first call pays one-off costs
    start = time.perf_counter()
    outputs = list(progress_bar(pipe(KeyDataset(dataset, "text"), batch_size=batch_size, **options),
                        total=len(dataset), desc="classifying", disable=not progress))
    seconds = time.perf_counter() - start
    predicted = [label_to_id[o["label"].upper()] for o in outputs]
    truth = list(dataset["label"])
    return {"accuracy": accuracy_score(truth, predicted), "f1": f1_score(truth, predicted),
            "correct": sum(p == t for p, t in zip(predicted, truth)), "n": len(truth),
            "latency_ms": 1000 * seconds / len(truth), "predicted": predicted,
            "confidence": [o["score"] for o in outputs], "truth": truth}


def quick_fine_tune(model_name: str, train_dataset, output_dir, *, eval_dataset=None, epochs: float = 1,
                    learning_rate: float = 5e-5, batch_size: int = 16, max_length: int = 256,
                    lora_rank: int | None = None, seed: int = 0, device: str = "cpu",
                    progress: bool = True) -> dict:
    """Chapter 3's recipe in one call (for Chapter 5): fine-tune ``model_name`` on
    ``train_dataset`` (columns text, label), save model and tokenizer in ``output_dir``
    (pass that folder to ``classify`` or ``pipeline``), return timings and the log.

    ``lora_rank``: train LoRA adapters of that rank (and the new head) instead of every
    weight, as in Chapter 3's section 7; the adapters are merged before saving, so the
    folder holds an ordinary model either way.
    """
    import torch
    from transformers import AutoTokenizer, DataCollatorWithPadding, Trainer, TrainingArguments

    torch.manual_seed(seed)  # the new head's random start
    tokenizer = AutoTokenizer.from_pretrained(model_name)
    model = load_classifier(model_name)
    trainable, total = count_parameters(model)
    if lora_rank:
        from peft import LoraConfig, TaskType, get_peft_model

        config = LoraConfig(task_type=TaskType.SEQ_CLS, r=lora_rank, lora_alpha=2 * lora_rank, lora_dropout=0.1,
                            target_modules=lora_target_modules(model), modules_to_save=new_head_modules(model))
        model = get_peft_model(model, config)
        trainable, total = count_parameters(model)
    train_tokens = tokenize_reviews(train_dataset, tokenizer, max_length)
    eval_tokens = tokenize_reviews(eval_dataset, tokenizer, max_length) if eval_dataset is not None else None
    on_gpu = device == "cuda"
    precision = mixed_precision_dtype(device)  # bf16 where native, fp16 on a T4, float32 on the CPU
    args = TrainingArguments(
        output_dir=str(output_dir), num_train_epochs=epochs, learning_rate=learning_rate,
        per_device_train_batch_size=batch_size, per_device_eval_batch_size=2 * batch_size,
        warmup_steps=0.1, lr_scheduler_type="linear", weight_decay=0.01, seed=seed,
        eval_strategy="epoch" if eval_tokens is not None else "no", save_strategy="no",
        logging_steps=10, report_to="none", push_to_hub=False, disable_tqdm=not progress,
        bf16=precision == torch.bfloat16, fp16=precision == torch.float16, dataloader_pin_memory=on_gpu)
    trainer = Trainer(model=model, args=args, train_dataset=train_tokens, eval_dataset=eval_tokens,
                      data_collator=DataCollatorWithPadding(tokenizer), processing_class=tokenizer)
    if not progress:  # with its progress bar off, Trainer prints every log line instead; keep it quiet
        from transformers.trainer_callback import PrinterCallback

        trainer.remove_callback(PrinterCallback)
    start = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - start
    if lora_rank:
        model = model.merge_and_unload()  # fold B·A into W: an ordinary model, as fast as a full fine-tune
    model.save_pretrained(str(output_dir))
    tokenizer.save_pretrained(str(output_dir))
    return {"folder": str(output_dir), "train_seconds": seconds, "log": trainer.state.log_history,
            "steps": trainer.state.global_step, "trainable_parameters": trainable, "parameters": total}


def dataset_batches(dataset, batch_size: int, collate_fn: Callable, device, seed: int = 0
                    ) -> Callable[[int], dict]:
    """``get_batch`` for a map-style dataset (Chapter 3): micro-batch ``i`` of a shuffled pass,
    a new shuffle each epoch, all decided by ``seed`` and ``i`` alone, so a resumed run sees
    the same batches as an uninterrupted one. Tensors are moved to ``device``."""
    import torch

    per_epoch = len(dataset) // batch_size  # drop the ragged last batch: equal-sized steps
    if per_epoch == 0:
        raise ValueError(f"batch_size {batch_size} is larger than the dataset ({len(dataset)} examples).")
    orders: dict[int, list[int]] = {}

    def get_batch(i: int) -> dict:
        epoch, position = divmod(i, per_epoch)
        if epoch not in orders:
            generator = torch.Generator().manual_seed(seed + epoch)
            orders.clear()  # keep only the current epoch's order in memory
            orders[epoch] = torch.randperm(len(dataset), generator=generator).tolist()
        indices = orders[epoch][position * batch_size:(position + 1) * batch_size]
        batch = collate_fn([dataset[j] for j in indices])
        return {k: v.to(device) if hasattr(v, "to") else v for k, v in batch.items()}

    return get_batch
