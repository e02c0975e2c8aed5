"""A release that Colab can pin (``make release VERSION=x.y.z``, maintainers).

On main, the README's buttons and every notebook's first cell name ``main`` (``course_tools.links.REF``):
a learner gets whatever main holds that day. A release is a commit in which they name the release's
tag instead, so a notebook opened from it installs the helpers it was written for. This module makes
that commit and tags it, then puts main back, in three steps:

1. checks: a clean working tree, a new tag, a version above the current one, and a CHANGELOG with
   something under [Unreleased] (each refusal says what to do);
2. "Release vX.Y.Z": CHANGELOG's [Unreleased] becomes ``## [X.Y.Z] - date`` (an empty [Unreleased]
   above it), pyproject.toml's and CITATION.cff's version (and date-released) are bumped, REF becomes
   the tag and ``links.write_links`` rewrites the buttons and first cells; the commit is tagged
   ``vX.Y.Z`` (annotated);
3. "Back to main after vX.Y.Z": REF is ``main`` again, links rewritten, committed.

It never pushes: it prints the command that does. Forks: REPOSITORY and REF both come from
``course_tools/links.py``, and ``make links`` rewrites the copies from it as before.

    python -m course_tools.release 1.2.0 [--date YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import datetime
import re
import subprocess
import sys
from pathlib import Path

from course_tools import links
from helpers.paths import REPO_ROOT

CHANGELOG = REPO_ROOT / "CHANGELOG.md"
PYPROJECT = REPO_ROOT / "pyproject.toml"
CITATION = REPO_ROOT / "CITATION.cff"
LINKS = Path(links.__file__)
UNRELEASED = "## [Unreleased]"


class Refused(Exception):
    """A release that must not be made; the message says what to do instead."""


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.strip()


def parse(version: str) -> tuple[int, ...]:
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise Refused(f"{version!r} is not a version: give three numbers, e.g. `make release VERSION=1.2.0`")
    return tuple(int(part) for part in version.split("."))


def current_version() -> str:
    return re.search(r'^version = "([^"]+)"', PYPROJECT.read_text(encoding="utf-8"), re.M).group(1)


def _sub_once(pattern: str, replacement: str, text: str, where: Path) -> str:
    new, count = re.subn(pattern, replacement, text, count=1, flags=re.M)
    if count != 1:
        raise Refused(f"{where.name}: found no line matching {pattern!r} to update; restore it, then run again")
    return new


def unreleased_notes(text: str) -> str:
    """What CHANGELOG.md says under [Unreleased], up to the next version's heading."""
    if UNRELEASED not in text:
        raise Refused(f"CHANGELOG.md has no `{UNRELEASED}` heading: add it above the versions, with what changed")
    return text.split(UNRELEASED, 1)[1].split("\n## [", 1)[0].strip()


def check(version: str) -> str:
    """Refuse what must not be released; return the tag."""
    tag = f"v{version}"
    new, current = parse(version), current_version()
    if re.fullmatch(r"v\d+\.\d+\.\d+", links.REF):
        raise Refused(f"course_tools/links.py's REF is {links.REF}, a release's: release from main (git switch main)")
    if git("status", "--porcelain"):
        raise Refused("the working tree has uncommitted changes (git status): commit or stash them, then run again")
    if git("tag", "--list", tag):
        raise Refused(f"tag {tag} exists already: choose a version above the latest (git tag --list 'v*')")
    if new <= parse(current):
        raise Refused(f"{version} is not above the current version {current} (pyproject.toml): choose a higher one")
    if not unreleased_notes(CHANGELOG.read_text(encoding="utf-8")):
        raise Refused("CHANGELOG.md has nothing under [Unreleased]: write what changed for learners, teachers "
                      "and maintainers there, commit it, then run again")
    return tag


def bump(version: str, date: str) -> None:
    """CHANGELOG's dated entry, and the version in pyproject.toml and CITATION.cff."""
    text = CHANGELOG.read_text(encoding="utf-8")
    CHANGELOG.write_text(text.replace(UNRELEASED, f"{UNRELEASED}\n\n## [{version}] - {date}", 1), encoding="utf-8")
    text = PYPROJECT.read_text(encoding="utf-8")
    PYPROJECT.write_text(_sub_once(r'^version = "[^"]*"', f'version = "{version}"', text, PYPROJECT), encoding="utf-8")
    text = _sub_once(r"^version: .*$", f"version: {version}", CITATION.read_text(encoding="utf-8"), CITATION)
    CITATION.write_text(_sub_once(r"^date-released: .*$", f'date-released: "{date}"', text, CITATION), encoding="utf-8")


def point_links_at(ref: str) -> None:
    """Set REF in links.py (the file, and this process's module), then rewrite every copy from it."""
    text = LINKS.read_text(encoding="utf-8")
    LINKS.write_text(_sub_once(r'^REF = "[^"]*"', f'REF = "{ref}"', text, LINKS), encoding="utf-8")
    links.REF = ref
    links.write_links()
    stale = links.out_of_date()
    if stale:
        raise Refused(f"still naming another ref after the rewrite: {stale}; fix them, `git reset --hard` and rerun")


def release(version: str, date: str | None = None) -> str:
    """Make the release commit, tag it, and go back to main; return the tag."""
    tag = check(version)
    date = date or datetime.date.today().isoformat()
    notes, main = unreleased_notes(CHANGELOG.read_text(encoding="utf-8")), links.REF
    bump(version, date)
    point_links_at(tag)
    git("add", "--all")
    git("commit", "-q", "-m", f"Release {tag}",
        "-m", f"The notebooks' first cells and the README's buttons name {tag}, so that a notebook opened from "
              "this commit installs this commit's helpers.")
    git("tag", "-a", "--cleanup=verbatim", tag, "-m", f"{tag} ({date})\n\n{notes}")
    point_links_at(main)
    git("add", "--all")
    git("commit", "-q", "-m", f"Back to main after {tag}",
        "-m", f"The first cells and buttons name {main} again: main's notebooks install main's helpers.")
    return tag


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.release", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("version", help="the new version, three numbers (1.2.0); the tag is v1.2.0")
    parser.add_argument("--date", type=lambda text: datetime.date.fromisoformat(text).isoformat(),
                        help="the release date, YYYY-MM-DD (default: today)")
    args = parser.parse_args(argv)
    try:
        tag = release(args.version.removeprefix("v"), args.date)
    except Refused as refused:
        print(f"release refused: {refused}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as failed:
        print(f"release stopped: `{' '.join(failed.cmd)}` failed:\n{failed.stderr}\nFix that; then `git status` "
              "and `git log` show how far it got (undo with `git reset --hard <commit before>`, "
              "`git tag -d <tag>`), and run again.", file=sys.stderr)
        return 1
    branch = git("rev-parse", "--abbrev-ref", "HEAD")
    print(f"{tag} tagged on {git('rev-parse', '--short', tag + '^{commit}')}, and {branch} is back on {links.REF}.\n"
          f"Nothing is pushed yet. To publish it: git push --atomic origin {branch} {tag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
