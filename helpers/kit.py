"""Where the offline kit's stand-ins are on this machine, and whether they are built (every chapter).

The kit itself (what each stand-in is, how it is downloaded and built) is machinery in
``course_tools.kit``; chapters only ever ask "where is asset X?", which is this module.
"""

from __future__ import annotations

import json
from pathlib import Path

from helpers.paths import kit_dir

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
