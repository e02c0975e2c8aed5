"""Where the course keeps things on disk (used by every chapter).

Three folders, all git-ignored, each movable with an environment variable so a
teacher can point a whole class at a shared copy:

- the offline asset kit   (``COURSE_KIT_DIR``,     default ``<repo>/offline-kit``)
- the chapters' results   (``COURSE_RESULTS_DIR``, default ``<repo>/results``)
- executed notebook copies (``COURSE_RUNS_DIR``,   default ``<repo>/runs``)
"""

from __future__ import annotations

import os
from pathlib import Path

# helpers/ lives at the top of the repository, so its parent is the repo root.
REPO_ROOT = Path(__file__).resolve().parent.parent


def _folder(env_var: str, default_name: str) -> Path:
    value = os.environ.get(env_var)
    return Path(value).expanduser().resolve() if value else REPO_ROOT / default_name


def kit_dir() -> Path:
    """The offline asset kit's folder (what is in it: ``helpers.kit``)."""
    return _folder("COURSE_KIT_DIR", "offline-kit")


def results_dir() -> Path:
    """Where chapters record measured results for Chapter 5 (see ``helpers.results``)."""
    return _folder("COURSE_RESULTS_DIR", "results")


def runs_dir() -> Path:
    """Where ``make course`` writes executed copies of the notebooks."""
    return _folder("COURSE_RUNS_DIR", "runs")


def folder_bytes(folder) -> int:
    """Size on disk of everything under ``folder``, 0 when it does not exist (the kit's
    status table; Chapter 3's saved model vs LoRA adapter)."""
    folder = Path(folder)
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def shown_path(path) -> str:
    """``path`` as a learner should read it in a notebook's output: relative to the course
    folder when it is inside it (``results/chapter04/cpu/checkpoint.pt``), else with the home
    folder written ``~``; never the machine's absolute path when that can be avoided."""
    path = Path(path).expanduser().resolve()
    for base, prefix in ((REPO_ROOT, ""), (Path.home(), "~/")):
        try:
            return prefix + str(path.relative_to(base))
        except ValueError:
            continue
    return str(path)
