"""Shared fixtures: keep tests from touching the learner's kit, results or hub mode."""

import pytest

import helpers.hub as hub


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """Each test gets its own results folder and a fresh resolver state."""
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.setattr(hub, "_current", None)
    monkeypatch.setattr(hub, "_banners_shown", set())
    yield


@pytest.fixture
def one_thread():
    """Tiny tensors: one torch thread is fastest, and does not stall when other work shares the cores
    (used by the model and training tests through ``pytest.mark.usefixtures("one_thread")``)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
