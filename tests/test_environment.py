"""setup_chapter's decisions: device, profile, threads, platform, what it prints."""

import inspect
import re

import pytest
import torch

import helpers.environment as env


def test_device_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert env.pick_device() == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert env.pick_device() == "mps"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert env.pick_device() == "cpu"


GiB = 2**30


@pytest.mark.parametrize("device, memory, expected", [
    ("cuda", 16 * GiB, "gpu"), ("cuda", 2 * GiB, "gpu"),      # a GPU: its own memory is what counts
    ("mps", 16 * GiB, "cpu"), ("cpu", 24 * GiB, "cpu"),      # a laptop
    ("cpu", 2 * GiB, "smoke"), ("cpu", 1 * GiB, "smoke"),    # a Binder session (1-2 GB)
    ("cpu", 4 * GiB, "cpu"), ("cpu", None, "cpu"),           # memory unknown (Windows): no guess
])
def test_auto_profile_follows_the_hardware(device, memory, expected):
    assert env.pick_profile("auto", device, memory) == expected


@pytest.mark.parametrize("files, expected", [
    ({"memory.max": "2147483648\n"}, 2 * GiB),                 # cgroup v2, capped (Binder)
    ({"memory.max": "max\n"}, 24 * GiB),                       # cgroup v2, no cap: the machine's RAM
    ({"memory.limit_in_bytes": "1073741824\n"}, 1 * GiB),      # cgroup v1
    ({"memory.limit_in_bytes": str(2**63 - 4096)}, 24 * GiB),  # v1's "no limit" is a huge number
    ({}, 24 * GiB),                                            # not in a container
])
def test_available_memory_follows_a_cgroup_limit(tmp_path, monkeypatch, files, expected):
    import os

    sizes = {"SC_PHYS_PAGES": 24 * GiB // 4096, "SC_PAGE_SIZE": 4096}
    monkeypatch.setattr(os, "sysconf", lambda name: sizes[name])
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert env.available_memory_bytes((tmp_path / "memory.max", tmp_path / "memory.limit_in_bytes")) == expected


def _train_gpt_script():
    """scripts/train_gpt.py as a module (scripts/ is a folder of scripts, not a package)."""
    import importlib.util

    from helpers.paths import REPO_ROOT

    spec = importlib.util.spec_from_file_location("train_gpt", REPO_ROOT / "scripts" / "train_gpt.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("device, memory, flags, expected", [
    ("cuda", 16 * GiB, [], "gpu"), ("cpu", 24 * GiB, [], "cpu"), ("cpu", 2 * GiB, [], "smoke"),  # the default: auto
    ("cuda", 16 * GiB, ["--profile", "auto"], "gpu"),
    ("cuda", 16 * GiB, ["--device", "cpu"], "cpu"),   # told to train on the CPU: the CPU's profile, by the same rule
    ("cuda", 16 * GiB, ["--profile", "smoke"], "smoke"),
])
def test_auto_is_decided_by_one_function_everywhere(monkeypatch, tmp_path, device, memory, flags, expected):
    """setup_chapter, make course (the harness) and make train-gpt (the script) all reach pick_profile:
    with the machine faked, each picks what pick_profile says, and nothing else decides. make site's
    auto is not the machine's profile but the newest complete run (tests/test_site.py); a profile
    named reads runs/<profile>/."""
    from course_tools import harness
    from course_tools import site as course_site

    monkeypatch.setattr(env, "pick_device", lambda: device)
    monkeypatch.setattr(env, "available_memory_bytes", lambda *args: memory)
    requested = flags[1] if flags[:1] == ["--profile"] else "auto"

    script = _train_gpt_script()
    args = script.parse_args(flags)
    assert args.profile == expected
    assert args.n_layer == script.PROFILES[expected]["n_layer"]  # and the profile's sizes follow

    if "--device" not in flags:  # the harness and the site have no device flag
        ran = []
        monkeypatch.setattr(harness, "run_course", lambda profile, hub_mode, only: ran.append(profile) or 0)
        assert harness.main(["course", "--profile", requested]) == 0 and ran == [expected]

        if requested != "auto":
            monkeypatch.setenv("COURSE_RUNS_DIR", str(tmp_path / "runs"))
            read = []
            monkeypatch.setattr(course_site, "build", lambda executed, out, quiet: read.append(executed) or out)
            assert course_site.main(["--profile", requested, "--out", str(tmp_path / "site")]) == 0
            assert read[0].name == expected  # runs/<profile>/, the folder make course wrote

    assert "pick_profile(profile, device, memory)" in inspect.getsource(env.setup_chapter)


def test_the_makefile_passes_auto_on_and_maps_nothing():
    """PROFILE goes to the harness, the site and the script as it is: no `$(if $(filter auto,...),cpu,...)`.
    make comparison's cpu profile is an explicit default of its own, since docs/results.md's table is the cpu run's."""
    from helpers.paths import REPO_ROOT

    makefile = (REPO_ROOT / "Makefile").read_text()
    assert re.search(r"^PROFILE \?= auto$", makefile, re.M)
    assert not re.search(r"filter\s+auto|\bauto\s*,\s*(cpu|gpu|smoke)\b", makefile), "the Makefile maps auto itself"
    used = set(re.findall(r"^\t.*--profile\s+(\S+)", makefile, re.M))  # in the recipes, not the comments
    assert used == {"$(PROFILE)", "$(COMPARISON_PROFILE)", "smoke"}, used
    assert re.search(r"^COMPARISON_PROFILE \?= cpu$", makefile, re.M)
    assert re.search(r"^train-gpt:.*\n(\t.*\n)*\t.*scripts/train_gpt\.py --profile \$\(PROFILE\)$", makefile, re.M)


class _FakeGPU:
    def __init__(self, major: int, minor: int):
        self.major, self.minor, self.name = major, minor, f"sm_{major}{minor}"


@pytest.mark.parametrize("device, capability, expected", [
    ("cuda", (8, 0), torch.bfloat16),   # A100 (Ampere): native bf16
    ("cuda", (9, 0), torch.bfloat16),   # H100
    ("cuda", (7, 5), torch.float16),    # Colab's T4 (Turing): bf16 only emulated
    ("cuda", (7, 0), torch.float16),    # V100
    ("cpu", None, None), ("mps", None, None),
])
def test_mixed_precision_is_bf16_only_where_the_gpu_has_it(monkeypatch, device, capability, expected):
    """torch's own check, asked without emulation; only the GPU is pretended."""
    if capability:
        monkeypatch.setattr(torch.version, "hip", None)
        monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
        monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
        monkeypatch.setattr(torch.cuda, "get_device_properties", lambda index: _FakeGPU(*capability))
        # What Chapter 3 and 4 used to ask: on a T4 it says True, by emulation.
        monkeypatch.setattr(torch.cuda, "_check_bf16_tensor_supported", lambda index: True)
        assert torch.cuda.is_bf16_supported() is True
    assert env.mixed_precision_dtype(device) is expected


def test_the_training_loop_and_trainer_take_the_same_precision(monkeypatch):
    """helpers.training (Chapter 4) and helpers.fine_tuning (Chapters 3, 5) both ask mixed_precision_dtype."""
    import inspect

    import helpers.fine_tuning as fine_tuning
    import helpers.training as training

    monkeypatch.setattr(training, "mixed_precision_dtype", lambda device: torch.float16)
    assert training.autocast_dtype("auto", torch.device("cuda")) is torch.float16
    assert training.autocast_dtype("bf16", torch.device("cuda")) is torch.bfloat16
    assert "mixed_precision_dtype(device)" in inspect.getsource(fine_tuning.quick_fine_tune)


def test_explicit_profile_is_kept_and_a_typo_names_the_choices():
    assert env.pick_profile("smoke", "cuda") == "smoke"
    with pytest.raises(ValueError, match="smoke"):
        env.pick_profile("fast", "cpu")


@pytest.mark.parametrize("cpu_max, cap", [("150000 100000", 1), ("100000 100000", 1), ("50000 100000", 1),
                                          ("max 100000", None), ("not a quota", None)])
def test_available_cpus_follows_a_cgroup_quota(tmp_path, monkeypatch, cpu_max, cap):
    """A container capped at 1.5 CPUs gets 1 thread, not the host's many; no cap, the host's count."""
    import os

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    quota = tmp_path / "cpu.max"
    quota.write_text(cpu_max + "\n")
    assert env.available_cpus(quota) == (cap or 8)
    assert env.available_cpus(tmp_path / "no-such-file") == 8  # not in a container


def test_torch_threads_honour_omp_num_threads(monkeypatch):
    """make test runs two chapters at once with OMP_NUM_THREADS=1 each; a chapter that set torch back
    to every core made the two fight over both (about 12% slower on the 2-core machine)."""
    monkeypatch.setattr(env, "available_cpus", lambda *args, **kwargs: 2)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert env.torch_threads() == 2
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert env.torch_threads() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "four")  # not a number: as if unset
    assert env.torch_threads() == 2


def test_colab_and_binder_detection(monkeypatch):
    monkeypatch.delenv("COLAB_RELEASE_TAG", raising=False)
    for name in [n for n in __import__("os").environ if n.startswith("BINDER_")]:
        monkeypatch.delenv(name)
    assert not env.in_colab() and not env.in_binder()
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release-colab-x")
    monkeypatch.setenv("BINDER_LAUNCH_HOST", "https://mybinder.org/")
    assert env.in_colab() and env.in_binder()
    assert "Runtime > Change runtime type" in env.gpu_advice()


def test_setup_chapter_reports_and_seeds(monkeypatch, capsys):
    # The installed distribution's version, as the banner prints it: PyPI's CUDA wheel says 2.9.0
    # where torch.__version__ says 2.9.0+cu128 (seen on the oldest-torch run).
    from importlib.metadata import version

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    chapter = env.setup_chapter("Chapter 0 - test", profile="auto", seed=3, wants_gpu=True)
    first = torch.rand(1).item()
    env.seed_everything(3)
    assert torch.rand(1).item() == first  # the chapter was seeded with 3
    assert (chapter.device, chapter.profile, chapter.hub.online) == ("cpu", "cpu", False)
    printed = capsys.readouterr().out
    for expected in ("Chapter 0 - test", "device  : cpu", "profile : cpu", "hub     : offline",
                     "torch " + version("torch"), "runs best on a GPU", "using offline-kit stand-ins"):
        assert expected in printed


def test_setup_chapter_offline_without_hub_models(monkeypatch, capsys):
    """Chapter 4 loads nothing from the Hub: offline, its banner must not claim stand-ins."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    env.setup_chapter("Chapter 0 - test", profile="smoke", uses_hub_models=False)
    printed = capsys.readouterr().out
    assert "hub     : offline" in printed and "this chapter needs no Hub models" in printed
    assert "stand-in" not in printed
