"""Building the kit: dependencies first, each asset in a scratch folder renamed when complete, a manifest."""

from __future__ import annotations

import json
import os
import shutil
import time
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock, Timeout
from tqdm.auto import tqdm

from course_tools.kit import cache as kit_cache
from course_tools.kit.downloads import KitError, _say, sha256_of
from course_tools.kit.registry import ASSETS
from helpers.kit import is_built, read_manifest
from helpers.paths import folder_bytes, kit_dir


# Every built file's sha256 as this course expects it (written from a build by
# `python -m course_tools.kit expected`, committed): a teacher's kit is the kit docs/offline.md describes.
EXPECTED_FILE = Path(__file__).with_name("expected.json")
# Where bytes cannot match (a CPU with other vector instructions rounds differently, see
# builders.deterministic_training), the trained stand-in's held-out accuracy must stay this close to
# the expected one. Five builds before the build was made deterministic spanned 0.812-0.825.
ACCURACY_BOUND = 0.015
# The files training writes whose bytes depend on the CPU's rounding.
WEIGHT_SUFFIXES = (".safetensors", ".bin")
# In the kit folder: held by the process that is building (see _build_lock).
LOCK_FILE = ".build.lock"


def compare_with_expected(name: str, files: dict, facts: dict, expected: dict | None = None) -> dict:
    """How a fresh build of ``name`` compares with the expected one: {"matches": bool, "differs": [...],
    "note": what that means}. Only a trained asset whose accuracy left the bound is an error."""
    expected = _expected() if expected is None else expected
    if name not in expected:
        return {"matches": None, "differs": [], "note": "no expected sha256 recorded for this asset"}
    want = expected[name]
    differs = sorted(f for f in set(files) | set(want["files"])
                     if files.get(f, {}).get("sha256") != want["files"].get(f))
    if not differs:
        return {"matches": True, "differs": [], "note": "byte-identical to the expected build"}
    if "test_accuracy" not in want.get("facts", {}):  # nothing trained: the same inputs give the same bytes
        return {"matches": False, "differs": differs,
                "note": (f"{', '.join(differs)} differ from the expected sha256 ({EXPECTED_FILE.name}): other "
                         "library versions than requirements.lock's (a saved config records them), or a "
                         "changed builder; after a deliberate change, run `python -m course_tools.kit expected`")}
    got, want_accuracy = facts["test_accuracy"], want["facts"]["test_accuracy"]
    if abs(got - want_accuracy) > ACCURACY_BOUND:
        raise KitError(f"{name}: held-out accuracy {got:.4f}, expected {want_accuracy:.4f} ± {ACCURACY_BOUND}: "
                       "the build went wrong (library versions other than requirements.lock's?)")
    weights = [f for f in differs if f.endswith(WEIGHT_SUFFIXES)]
    others = [f for f in differs if f not in weights]
    note = (f"{', '.join(weights)} differ in the last bits (this CPU's kernels round differently from the "
            f"machine that wrote {EXPECTED_FILE.name}: AVX-512, AVX2 and ARM each add in their own order); "
            f"held-out accuracy {got:.4f} vs the expected {want_accuracy:.4f}, within ± {ACCURACY_BOUND}: "
            "the same model for the course" if weights else f"held-out accuracy {got:.4f}, as expected")
    if others:  # a trained model's config and tokenizer do not depend on the CPU
        note += (f"; {', '.join(others)} differ too: other library versions than requirements.lock's "
                 "(a saved config records them), or a changed builder")
    return {"matches": False, "differs": differs, "note": note}


def _expected() -> dict:
    return json.loads(EXPECTED_FILE.read_text()) if EXPECTED_FILE.exists() else {}


def write_expected(manifest: dict | None = None) -> Path:
    """Record the built kit's sha256s (and the trained asset's accuracy) as the expected ones."""
    manifest = read_manifest() if manifest is None else manifest
    expected = {name: {"files": {f: info["sha256"] for f, info in entry["files"].items()},
                       "facts": {k: v for k, v in entry["facts"].items() if k == "test_accuracy"}}
                for name, entry in sorted(manifest["assets"].items())}
    EXPECTED_FILE.write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    return EXPECTED_FILE


def _write_manifest(manifest: dict) -> None:
    # Write to a temporary name then rename: a crash never leaves half a manifest.
    kit = kit_dir()
    tmp = kit / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, kit / "manifest.json")
    lines = ["# Offline asset kit", "",
             "Built by `python -m course_tools.kit build`. Each asset stands in for a Hub asset.", "",
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
        lines += ["\nWheel sha256: " + ", ".join(f"{s['package']} `{s['wheel_sha256']}`" for s in entry["sources"])]
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


def _build_one(name: str, manifest: dict, use_cache: bool = True) -> None:
    spec, kit = ASSETS[name], kit_dir()
    final, work = kit / name, kit / f".building-{name}"
    shutil.rmtree(work, ignore_errors=True)  # leftovers of an interrupted build
    work.mkdir(parents=True)
    # make's cache of finished assets (course_tools/kit/cache.py): the same key, the same bytes.
    key = kit_cache.cache_key(name, manifest, _expected()) if use_cache and kit_cache.cache_folder() else None
    try:
        cached = kit_cache.restore(name, key, work) if key else None
        if cached:
            facts, seconds = cached["facts"], cached["build_seconds"]
            _say(f"restore {name} from the kit cache ({kit_cache.cache_folder()}): built {cached['built_at'][:10]} "
                 f"in {seconds} s with the same code, libraries and CPU kernels; every file's sha256 checked")
        else:
            _say(f"build {name} (stand-in for {spec.stands_in_for})")
            started = time.perf_counter()
            facts = spec.builder(work)
            seconds = round(time.perf_counter() - started, 1)
    except BaseException:  # also Ctrl-C: never leave a half-built folder behind
        shutil.rmtree(work, ignore_errors=True)
        raise
    files = {}
    for path in tqdm(sorted(p for p in work.rglob("*") if p.is_file()), desc=f"sha256 {name}", unit="file"):
        # safetensors writes its files readable by their owner only; a kit copied to a shared
        # classroom folder must be readable by every learner.
        path.chmod(0o644)
        files[path.relative_to(work).as_posix()] = {"bytes": path.stat().st_size, "sha256": sha256_of(path)}
    try:
        expected = compare_with_expected(name, files, facts)
    except KitError:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _say(f"{name}: {expected['note']}")
    # Only a complete build gets the real name, so "folder exists" means "asset finished".
    shutil.rmtree(final, ignore_errors=True)
    work.rename(final)
    manifest["assets"][name] = {
        "name": name, "stands_in_for": spec.stands_in_for, "license": spec.license,
        "sources": [{"package": w.pin, "url": w.url, "file": w.filename, "wheel_sha256": w.sha256}
                    for w in spec.sources],
        "derived_from": list(spec.deps), "differs": spec.differs,
        "built_at": cached["built_at"] if cached else datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "build_seconds": seconds,
        "size_bytes": sum(f["bytes"] for f in files.values()), "files": files, "facts": facts,
        "expected": expected}
    if cached:  # when this copy was made from the cache (built_at is when its bytes were built)
        manifest["assets"][name]["restored_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    _write_manifest(manifest)
    if key and not cached:
        _say(f"kept {name} in the kit cache: {kit_cache.store(name, key, final, manifest['assets'][name])}")
    _say(f"done {name}: restored (its build took {seconds} s)" if cached else f"done {name} in {seconds} s")


@contextmanager
def _build_lock():
    """Only one process builds into the kit at a time (each process of ``torchrun`` may ask for
    Chapter 4's corpus at once; a second notebook, ``make kit`` in another terminal). One lock for
    the whole kit, not one per asset: every build rewrites the one manifest.json, and two processes
    sharing a download or a scratch folder would delete each other's files. An OS file lock: it is
    released when its process ends, even killed, so a crash never leaves the kit locked."""
    lock = FileLock(kit_dir() / LOCK_FILE)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        _say(f"another process is building into this kit (it holds {LOCK_FILE}): waiting for it to finish")
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


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
        order = _build_order(requested)
        stale = lambda name, manifest: not is_built(name, manifest) or (force and name in requested)
        # The lock only when something is to be built: a complete kit is never written to (a
        # classroom's shared copy may be read-only). Then the manifest is read again under the
        # lock: what another process built while this one waited is reused, not built twice.
        before = read_manifest()
        with _build_lock() if any(stale(name, before) for name in order) else nullcontext():
            manifest = read_manifest()
            for name in order:
                if not stale(name, manifest):
                    _say(f"reuse {name} (already built; --force rebuilds)")
                    continue
                _build_one(name, manifest, use_cache=not (force and name in requested))
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
        built = is_built(name, manifest)
        size = f"{folder_bytes(kit / name) / 1e6:.1f} MB" if built else "-"
        print(f"{name:<24}{'yes' if built else 'no':<8}{size:>10}  {spec.stands_in_for}")
    print(f"downloads cache: {folder_bytes(kit / 'downloads') / 1e6:.1f} MB; "
          f"total: {folder_bytes(kit) / 1e6:.1f} MB")
