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
