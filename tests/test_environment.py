"""setup_chapter's decisions: device, profile, threads, platform, what it prints."""

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


@pytest.mark.parametrize("device, expected", [("cuda", "gpu"), ("mps", "cpu"), ("cpu", "cpu")])
def test_auto_profile_follows_the_hardware(device, expected):
    assert env.pick_profile("auto", device) == expected


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
                     "torch " + torch.__version__, "runs best on a GPU"):
        assert expected in printed
