"""A cache of finished kit assets outside the clone, for ``make`` (``COURSE_KIT_CACHE``).

``make test`` and ``make kit`` start from a fresh clone often: a teacher with a second checkout, CI
on every push. Rebuilding the kit there repeats minutes of identical work (the fine-tuned stand-in
trains for about 100 s on 2 CPU cores), as installing the packages again would without uv's cache.
So ``make`` passes ``COURSE_KIT_CACHE`` (default ``~/.cache/transformers-course/kit``), and each
asset, once built, is kept there under a key made of everything its bytes depend on. A later build
with the same key copies it instead of building it, after checking every file against its sha256.

What the key covers (``cache_key``): the builders' code and pinned sources (this package's
builders.py, downloads.py, registry.py), the versions of every installed package (but pip, uv
and setuptools), Python, the machine and the CPU kernels torch picks (they decide a trained model's
last bits), the expected sha256s (course_tools/kit/expected.json) and the files of the assets it is built from. Change any
of these and the asset is built afresh (and the older entry replaced). ``--force`` never reads the
cache. Unset or empty ``COURSE_KIT_CACHE`` (a notebook's own build, the test suite): no cache.
The test that trains the stand-in twice (tests/test_offline_kit.py) still runs the builder in every
``make test``, on 64 sentences.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
from pathlib import Path

from course_tools.kit.downloads import sha256_of
from course_tools.kit.registry import ASSETS

CACHE_ENV = "COURSE_KIT_CACHE"
ENTRY_FILE = "entry.json"  # the asset's manifest entry, as its build wrote it
KIT_CODE = ("builders.py", "downloads.py", "registry.py")  # the code that decides an asset's bytes
# Installed packages that never touch an asset's bytes, and that `make setup` upgrades on its own.
INSTALLERS = {"pip", "uv", "setuptools", "wheel"}


def cache_folder() -> Path | None:
    """Where finished assets are kept, or None when no cache is asked for."""
    value = os.environ.get(CACHE_ENV, "").strip()
    return Path(value).expanduser() if value else None


def cache_key(name: str, manifest: dict, expected: dict) -> str:
    """A short hash of everything the asset's bytes depend on (see the module's docstring)."""
    import torch  # every builder that trains or converts uses it; its CPU kernels round in their own way

    here = Path(__file__).parent
    parts = [name, platform.python_version(), platform.machine(), torch.backends.cpu.get_cpu_capability()]
    parts += [(here / file).read_text(encoding="utf-8") for file in KIT_CODE]
    parts += sorted(f"{dist.metadata.get('Name', '?')}=={dist.version}" for dist in importlib.metadata.distributions()
                    if dist.metadata.get("Name", "").lower() not in INSTALLERS)
    parts.append(json.dumps(expected.get(name), sort_keys=True))
    parts += [json.dumps(manifest["assets"][dep]["files"], sort_keys=True) for dep in ASSETS[name].deps]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:20]


def restore(name: str, key: str, work: Path) -> dict | None:
    """Copy the cached asset into ``work`` and return its manifest entry; None when there is none
    for this key, or when any cached file has changed since (then ``work`` is emptied again)."""
    folder = cache_folder() / name / key
    if not (folder / ENTRY_FILE).is_file():
        return None
    entry = json.loads((folder / ENTRY_FILE).read_text(encoding="utf-8"))
    for relative, info in entry["files"].items():
        cached = folder / "files" / relative
        if not cached.is_file() or sha256_of(cached) != info["sha256"]:
            shutil.rmtree(work)  # what was copied so far: the builder starts from an empty folder
            work.mkdir()
            return None
        (work / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, work / relative)
    return entry


def store(name: str, key: str, built: Path, entry: dict) -> Path:
    """Keep a finished asset (its folder and manifest entry) under ``key``, replacing older keys of
    the same asset, so that the cache holds one kit at most. Written to a scratch name, then renamed:
    a build interrupted while storing leaves nothing that ``restore`` would use."""
    asset_folder = cache_folder() / name
    scratch, final = asset_folder / f".storing-{key}-{os.getpid()}", asset_folder / key
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(built, scratch / "files")
    (scratch / ENTRY_FILE).write_text(json.dumps(entry, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    shutil.rmtree(final, ignore_errors=True)
    scratch.rename(final)
    for older in asset_folder.iterdir():
        if older != final and not older.name.startswith(".storing-"):
            shutil.rmtree(older, ignore_errors=True)
    return final
