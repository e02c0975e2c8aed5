"""`make release` (course_tools/release.py), run for real in a throwaway clone of this checkout.

The clone gets this checkout's working tree (committed there), so what is tested is the code as it
stands, not only the last commit; nothing is pushed and this checkout's tags are untouched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from course_tools import links
from helpers.paths import REPO_ROOT

VERSION, DATE = "99.1.0", "2031-05-17"  # above any real version; a fixed date, so that midnight changes nothing
TAG = f"v{VERSION}"


def git(where: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True, check=True).stdout.strip()


def make_clone(tmp_path: Path) -> Path:
    """A clone of this checkout holding its working tree (tracked and new files; ignored ones stay out)."""
    clone = tmp_path / "course"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(REPO_ROOT), str(clone)], check=True)
    changed = git(REPO_ROOT, "diff", "--name-only", "HEAD").splitlines()
    changed += git(REPO_ROOT, "ls-files", "--others", "--exclude-standard").splitlines()
    for name in changed:
        source, target = REPO_ROOT / name, clone / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        elif target.exists():
            target.unlink()
    git(clone, "config", "user.name", "Release Test")
    git(clone, "config", "user.email", "release-test@example.invalid")
    git(clone, "config", "commit.gpgsign", "false")
    git(clone, "config", "tag.gpgsign", "false")
    git(clone, "add", "--all")
    if git(clone, "status", "--porcelain"):
        git(clone, "commit", "-q", "-m", "the working tree under test")
    return clone


def release(clone: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(clone)}  # the clone's course_tools and helpers, rooted there
    return subprocess.run([sys.executable, "-m", "course_tools.release", *args], cwd=clone, env=env,
                          capture_output=True, text=True, timeout=300)


def show(clone: Path, revision: str, path: str) -> str:
    return git(clone, "show", f"{revision}:{path}")


def first_code_cell(notebook_json: str) -> str:
    return "".join(next(c for c in json.loads(notebook_json)["cells"] if c["cell_type"] == "code")["source"])


def files_with_a_first_cell(clone: Path) -> list[str]:
    notebooks = sorted(p.relative_to(clone).as_posix() for p in (clone / "notebooks").glob("[0-9][0-9]*_*.ipynb"))  # bonus notebooks too
    exercises = sorted(p.relative_to(clone).as_posix() for p in (clone / "notebooks" / "exercises").glob("*.ipynb"))
    return notebooks + exercises


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """One release made in a clone: (clone, the release's output)."""
    clone = make_clone(tmp_path_factory.mktemp("release"))
    ran = release(clone, VERSION, "--date", DATE)
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-3000:]
    return clone, ran


def test_the_release_is_an_annotated_tag_and_nothing_is_pushed(released):
    clone, ran = released
    assert git(clone, "cat-file", "-t", TAG) == "tag", "an annotated tag"
    assert git(clone, "log", "-1", "--format=%s", f"{TAG}^{{commit}}") == f"Release {TAG}"
    assert git(clone, "log", "-1", "--format=%s", "HEAD") == f"Back to main after {TAG}"
    assert git(clone, "rev-parse", "HEAD^") == git(clone, "rev-parse", f"{TAG}^{{commit}}"), "main goes on from the tag"
    assert not git(clone, "status", "--porcelain"), "everything it wrote is committed"
    assert "git push --atomic origin" in ran.stdout and TAG in ran.stdout, "it prints how to publish it"
    assert TAG not in git(clone, "ls-remote", "--tags", "origin"), "never pushed"


def test_in_the_tagged_commit_every_first_cell_and_button_names_the_tag(released):
    clone, _ = released
    for path in files_with_a_first_cell(clone):
        cell = first_code_cell(show(clone, TAG, path))
        assert f'COURSE_REF = "{TAG}"' in cell and '"--branch", COURSE_REF' in cell, path
        assert f'COURSE_REPOSITORY = "{links.clone_url()}"' in cell, path
    for path in [*sorted((clone / "notebooks" / "text").glob("*.py")), *sorted((clone / "solutions").glob("0*.py"))]:
        assert f'COURSE_REF = "{TAG}"' in show(clone, TAG, path.relative_to(clone).as_posix()), path.name
    readme = show(clone, TAG, "README.md")
    colab = re.findall(r"https://colab\.research\.google\.com/github/[^)]+", readme)
    assert colab and all(f"/blob/{TAG}/notebooks/" in url for url in colab)
    assert f"mybinder.org/v2/gh/{links.REPOSITORY}/{TAG}?" in readme
    assert re.search(rf'^REF = "{TAG}"', show(clone, TAG, "course_tools/links.py"), re.M)


def test_the_version_and_changelog_are_bumped_in_the_tagged_commit(released):
    clone, _ = released
    assert tomllib.loads(show(clone, TAG, "pyproject.toml"))["project"]["version"] == VERSION
    citation = yaml.safe_load(show(clone, TAG, "CITATION.cff"))
    assert citation["version"] == VERSION and str(citation["date-released"]) == DATE
    changelog = show(clone, TAG, "CHANGELOG.md")
    before = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    notes = before.split("## [Unreleased]", 1)[1].split("\n## [", 1)[0].strip()
    assert f"## [Unreleased]\n\n## [{VERSION}] - {DATE}\n\n{notes}" in changelog, "the notes move under the version"
    assert notes in git(clone, "tag", "-l", "--format=%(contents)", TAG), "the tag's message carries the notes"


def test_after_the_tag_main_names_main_again(released):
    clone, _ = released
    for path in files_with_a_first_cell(clone):
        assert f'COURSE_REF = "{links.REF}"' in first_code_cell(show(clone, "HEAD", path)), path
    assert f"/blob/{links.REF}/notebooks/" in show(clone, "HEAD", "README.md")
    assert f"/blob/{TAG}/" not in show(clone, "HEAD", "README.md")
    changed = set(git(clone, "diff", "--name-only", f"{TAG}^", "HEAD").splitlines())
    assert changed == {"CHANGELOG.md", "pyproject.toml", "CITATION.cff"}, "only the version stays changed"


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A clone for the refusals (each leaves it as it found it)."""
    return make_clone(tmp_path_factory.mktemp("refusals"))


def refused(clone: Path, *args: str) -> str:
    """Run a release that must be refused; check that it changed nothing, and return its message."""
    head, tags = git(clone, "rev-parse", "HEAD"), git(clone, "tag", "--list")
    ran = release(clone, *args)
    assert ran.returncode == 1 and "release refused:" in ran.stderr, ran.stdout[-1000:] + ran.stderr[-2000:]
    assert (git(clone, "rev-parse", "HEAD"), git(clone, "tag", "--list")) == (head, tags), "a refusal changes nothing"
    return ran.stderr


def test_it_refuses_a_dirty_tree(clone):
    (clone / "notes.txt").write_text("not committed\n")
    try:
        assert "commit or stash" in refused(clone, VERSION)
    finally:
        (clone / "notes.txt").unlink()


def test_it_refuses_an_existing_tag(clone):
    git(clone, "tag", TAG)
    try:
        message = refused(clone, VERSION)
        assert f"tag {TAG} exists already" in message and "choose a version above" in message
    finally:
        git(clone, "tag", "-d", TAG)


def test_it_refuses_a_version_not_above_the_current_one(clone):
    current = tomllib.loads((clone / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    message = refused(clone, current)
    assert f"not above the current version {current}" in message and "choose a higher one" in message
    assert "give three numbers" in refused(clone, "2.0")


def test_it_refuses_an_empty_unreleased_section(clone):
    changelog = clone / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    head, rest = text.split("## [Unreleased]", 1)
    changelog.write_text(head + "## [Unreleased]\n\n## [" + rest.split("\n## [", 1)[1], encoding="utf-8")
    git(clone, "commit", "-q", "-am", "nothing unreleased")
    try:
        assert "nothing under [Unreleased]: write what changed" in refused(clone, VERSION)
    finally:
        git(clone, "reset", "-q", "--hard", "HEAD^")


def test_it_refuses_to_release_from_a_release(clone):
    """In a release's commit REF is its tag; a release made from there would point main at that tag."""
    links_py = clone / "course_tools" / "links.py"
    links_py.write_text(re.sub(r'^REF = "[^"]*"', 'REF = "v0.0.1"', links_py.read_text(encoding="utf-8"), flags=re.M),
                        encoding="utf-8")
    git(clone, "commit", "-q", "-am", "a release's links")
    try:
        assert "release from main" in refused(clone, VERSION)
    finally:
        git(clone, "reset", "-q", "--hard", "HEAD^")
