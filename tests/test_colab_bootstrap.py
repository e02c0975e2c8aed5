"""The path a Colab learner takes: a chapter opened where the course is not installed.

Every notebook's first code cell clones the course at the ref it names (``COURSE_REF``: ``main``,
or in a release its tag), installs it (``pip install -e``), makes it importable in the running
kernel and says which commit it installed. Here that cell runs for real, in a fresh virtual
environment that does not have the course, with the repository address pointed at a repository
holding this checkout's last commit under that ref. The course's dependencies are lent to that
environment (a ``.pth`` line to this environment's site-packages), so nothing big is downloaded
and the test takes seconds.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

from course_tools.links import REF, clone_url
from helpers.paths import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))


def first_code_cell(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "".join(next(c for c in cells if c["cell_type"] == "code")["source"])


def test_every_chapter_starts_with_the_same_bootstrap_cell():
    cells = {first_code_cell(nb) for nb in NOTEBOOKS}
    assert len(cells) == 1, "the chapters' first cells differ"
    cell = cells.pop()
    assert "sys.path.insert" not in cell and "sys.path.append" not in cell
    assert f'COURSE_REPOSITORY = "{clone_url()}"' in cell and f'COURSE_REF = "{REF}"' in cell
    assert '"--branch", COURSE_REF' in cell, "the cell clones the ref it names, not whatever the default branch holds"


def origin_with_the_ref(tmp_path: Path) -> Path:
    """A repository holding this checkout's HEAD commit under the name REF. The checkout itself may not
    have a branch of that name (a worktree on another branch; CI's detached HEAD), so `--branch REF`
    could not clone it directly. Committed files only: what a learner's clone would get."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    # --no-tags: in a release's checkout the tag itself would come along too, a second ref of that name.
    subprocess.run(["git", "-C", str(origin), "fetch", "-q", "--no-tags", str(REPO_ROOT), f"HEAD:refs/heads/{REF}"],
                   check=True)
    return origin


def test_the_first_cell_installs_the_course_where_it_is_missing(tmp_path):
    environment = tmp_path / "colab-like"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    site_packages = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   capture_output=True, text=True, check=True).stdout.strip()
    # The dependencies (torch, transformers, ...) are already here; lend them rather than download.
    # A directory named by a .pth line is on sys.path, but its own .pth files are not run, so this
    # environment's editable install of the course stays invisible there: `helpers` is missing.
    Path(site_packages, "course-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # Nor a PYTHONPATH pointing at a checkout (a way to run these tests without installing the course).
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    missing = subprocess.run([str(python), "-c", "import importlib.util; print(importlib.util.find_spec('helpers'))"],
                             capture_output=True, text=True, cwd=tmp_path, env=env)
    assert missing.stdout.strip() == "None", "the test environment should not see the course yet"

    origin = origin_with_the_ref(tmp_path)
    commit = subprocess.run(["git", "-C", str(origin), "rev-parse", f"refs/heads/{REF}"], capture_output=True, text=True,
                            check=True).stdout.strip()
    cell = first_code_cell(NOTEBOOKS[0]).replace(clone_url(), str(origin))
    check = ("\nimport helpers, helpers.llm_api\nfrom helpers import setup_chapter\nprint('helpers from', helpers.__file__)")
    ran = subprocess.run([str(python), "-c", cell + check], capture_output=True, text=True, cwd=tmp_path, env=env,
                         timeout=600)
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-3000:]
    assert f"helpers from {tmp_path / 'transformers-course' / 'helpers' / '__init__.py'}" in ran.stdout
    said = re.search(rf"^course helpers: {re.escape(REF)} \(commit (\w+)\) of {re.escape(str(origin))}$", ran.stdout, re.M)
    assert said and commit.startswith(said.group(1)), f"it should say what it installed: {ran.stdout[-1000:]}"
    # Run again (a learner re-running the cell): nothing is cloned or installed a second time.
    again = subprocess.run([str(python), "-c", cell + check], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert again.returncode == 0 and "Cloning" not in again.stderr, again.stderr[-2000:]
    assert "course helpers:" not in again.stdout
    assert sys.executable != str(python)
