"""Every link in the README and the other pages people read (docs/, CONTRIBUTING.md, CHANGELOG.md, the
issue forms and workflows in .github/) leads somewhere, and nothing they say points outside the repository.

A stranger reads these on GitHub, in a clone, or on the website. So:

- every relative link (``[text](docs/setup.md)``, ``![..](..)``, ``href="..."``) names a file or folder
  that a clone has (it exists and git does not ignore it), inside the repository; a ``#anchor`` names a
  heading of the page it points to (GitHub's and MyST's anchors: lower case, punctuation dropped,
  spaces as hyphens);
- nothing names a place outside the repository: a ``../`` path that climbs out of it (``../shared/...``)
  or names nothing in it,
  an absolute path of one machine (``/work/...``, ``file://``), or an internal tracker (``the online-path
  issue's budget``, ``issue 24``): a reader has none of them.

Links to other sites (``https://``) are not fetched: the tests run offline. The names of our modules
and files mentioned in prose are checked by ``tests/test_doc_references.py``.
"""

from __future__ import annotations

import posixpath
import re
import shutil
import subprocess

import pytest

from helpers.paths import REPO_ROOT

FENCE = re.compile(r"^(```|~~~).*?^\1\s*$", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"  # [text](target), ![alt](src)
                  r"|^ {0,3}\[[^\]]+\]:\s*(\S+)(?:\s+[\"'(].*)?$"                           # [label]: target
                  r"|(?:href|src)=\"([^\"]+)\"", re.M)                                    # HTML
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
# Places outside the repository a page must not send a reader to.
OUTSIDE = [
    (re.compile(r"(?<![\w/.])(?:\.\./)+[\w.-][\w./-]*"), "a relative path"),  # checked: does it climb out?
    (re.compile(r"(?<![\w.:/-])/(?:work|tmp|home|root|Users|mnt|srv)/[\w./-]+"), "a path on one machine"),
    (re.compile(r"\bfile://\S+"), "a path on one machine"),
    (re.compile(r"\b[\w-]*\s?issue's\b|\bissues? #?\d+\b", re.I), "an internal tracker"),
]


def pages() -> list[str]:
    """The Markdown people read, by path in the repository."""
    found = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md"]
    found += sorted(p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "docs").rglob("*.md"))
    found += sorted(p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / ".github").rglob("*")
                    if p.suffix in (".md", ".yml"))  # issue forms and workflows: what they say counts too
    return [page for page in found if (REPO_ROOT / page).is_file()]


def without_code(text: str) -> str:
    """The text with code blocks and inline code blanked out (a link inside them is not a link)."""
    text = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return INLINE_CODE.sub("``", text)


def slug(heading: str) -> str:
    """A heading's anchor as GitHub and MyST (``myst_heading_anchors``) write it."""
    heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    return {slug(h) for h in HEADING.findall(without_code(text))} | set(re.findall(r"<a (?:id|name)=\"([^\"]+)\"", text))


def links(text: str) -> list[str]:
    return [next(g for g in m.groups() if g) for m in LINK.finditer(without_code(text))]


def ignored_by_git(paths: list[str]) -> set[str]:
    """Which of these paths git ignores (a clone does not have them); none when git is not there."""
    if not paths or not shutil.which("git") or not (REPO_ROOT / ".git").exists():
        return set()
    done = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], input="\n".join(paths), text=True,
                          capture_output=True, cwd=REPO_ROOT)
    return set(done.stdout.split())


def broken_links(where: str, text: str, read=lambda path: (REPO_ROOT / path).read_text(encoding="utf-8")) -> list[str]:
    """What is wrong with each relative link of one page (``where``: its path in the repository)."""
    problems, inside = [], {}
    for target in links(text):
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target):  # https:, mailto:: another site
            continue
        path, _, anchor = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(where), path)) if path else where
        if resolved == ".." or resolved.startswith("../") or path.startswith("/"):
            problems.append(f"{where}: link to {target} leaves the repository")
        else:
            inside[target] = (resolved + "/" if path.endswith("/") else resolved, anchor)
    ignored = ignored_by_git(sorted({resolved for resolved, _ in inside.values()}))
    for target, (resolved, anchor) in inside.items():
        if resolved in ignored:
            problems.append(f"{where}: link to {target}: git ignores {resolved}, so a clone does not have it")
        elif resolved != where and not (REPO_ROOT / resolved).exists():
            problems.append(f"{where}: link to {target}: {resolved} does not exist")
        elif anchor and resolved.endswith(".md") and anchor not in anchors(text if resolved == where else read(resolved)):
            problems.append(f"{where}: link to {target}: no heading #{anchor} in {resolved}")
    return problems


def outside_references(where: str, text: str) -> list[str]:
    """Each mention of a place outside the repository (code spans included: a path there is still one)."""
    found = []
    for pattern, kind in OUTSIDE:
        for match in pattern.finditer(text):
            mention = match.group(0).rstrip(".,;:")
            if kind == "a relative path":
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(where), mention))
                if not (resolved == ".." or resolved.startswith("../")) and (REPO_ROOT / resolved).exists():
                    continue  # docs/x.md naming ../README.md: still inside
            found.append(f"{where}: {kind}, outside the repository: {mention!r}")
    return found


@pytest.mark.parametrize("page", pages())
def test_every_relative_link_leads_to_a_file_a_clone_has(page):
    assert broken_links(page, (REPO_ROOT / page).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("page", pages())
def test_nothing_points_outside_the_repository(page):
    assert outside_references(page, (REPO_ROOT / page).read_text(encoding="utf-8")) == []


def test_the_pages_checked_are_the_ones_people_read():
    assert {"README.md", "CONTRIBUTING.md", "CHANGELOG.md", "docs/setup.md", "docs/testing.md"} <= set(pages())
    assert any(page.startswith(".github/ISSUE_TEMPLATE/") for page in pages())


def test_the_checks_catch_what_they_are_for():
    """Broken in each way once, in a page that does not exist: each is reported."""
    page = ("# A page\n\n## Set up and run\n\n[ok](../README.md) [ok](#set-up-and-run) [ok](setup.md#which-torch)\n"
            "[gone](no-such-page.md) [bad anchor](#no-such-heading) [out](../../elsewhere.md) "
            "[ignored](../build/) `[in code](nowhere.md)`\n"
            "nanoGPT's figures are in `../shared/reference-figures.md`; within the online-path issue's budget "
            "(issue 24), see /work/main/notes.md.\n")
    problems = "\n".join(broken_links("docs/example.md", page))
    assert "no-such-page.md does not exist" in problems and "no heading #no-such-heading" in problems
    assert "elsewhere.md leaves the repository" in problems and "nowhere.md" not in problems
    if shutil.which("git") and (REPO_ROOT / ".git").exists():
        assert "git ignores build" in problems
    assert problems.count("\n") + 1 == 3 + bool(shutil.which("git") and (REPO_ROOT / ".git").exists())
    assert links("[x]: https://example.org\n[range]: no difference this run can see\n") == ["https://example.org"]
    outside = "\n".join(outside_references("docs/example.md", page))
    for mention in ["'../shared/reference-figures.md'", "'../../elsewhere.md'", "issue's", "'issue 24'",
                    "'/work/main/notes.md'"]:
        assert mention in outside, mention
    assert "README.md" not in outside  # ../README.md from docs/ is inside
