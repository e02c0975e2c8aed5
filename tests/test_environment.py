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


def test_available_cpus_is_at_least_one_and_at_most_the_host():
    import os

    assert 1 <= env.available_cpus() <= (os.cpu_count() or 1)


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
