"""requirements.lock: the exact environment `make test`, `make course` and Binder install.

It is written by `make lock` (uv) from requirements.txt and requirements-dev.txt. These tests catch
the drift a person causes by hand: a bound raised in requirements.txt without a new lock, a line
without its hash, torch installed through the lock instead of on its own.
"""

import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from course_tools.lockfile import LOCK, lock_entries

ROOT = LOCK.parent


def requirements(path: Path) -> list[Requirement]:
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


def installed_here() -> dict:
    """The lock as this machine installs it: the entries whose marker holds here."""
    return {e["name"]: e for e in lock_entries(LOCK.read_text()) if e["marker"] is None or e["marker"].evaluate()}


def test_every_requirement_is_locked_within_its_bounds():
    locked = installed_here()
    for requirement in requirements(ROOT / "requirements.txt") + requirements(ROOT / "requirements-dev.txt"):
        name = canonicalize_name(requirement.name)
        if name == "torch":
            continue  # installed on its own, see below
        assert name in locked, f"{requirement} is not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(locked[name]["version"], prereleases=True), (
            f"requirements.lock has {name}=={locked[name]['version']}, outside {requirement}: run `make lock`")


def test_every_installed_line_is_pinned_with_a_hash():
    entries = [e for e in lock_entries(LOCK.read_text()) if "never" not in str(e["marker"])]
    assert len(entries) > 150  # the parser read the file
    for entry in entries:
        assert entry["version"] and entry["hashes"], f"{entry['name']} has no exact version or no hash"
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in entry["hashes"])


def test_torch_is_named_at_the_makefiles_version_but_never_installed_by_the_lock():
    torch = next(e for e in lock_entries(LOCK.read_text()) if e["name"] == "torch")
    makefile_torch = re.search(r"^TORCH\s*\?= (\S+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert torch["version"] == makefile_torch
    assert not torch["marker"].evaluate(), "the lock would install torch: the right build differs by machine"
    assert "torch" not in installed_here()


def test_the_parser_reads_markers_and_hashes():
    text = ("numpy==2.4.6 ; python_full_version < '3.12' \\\n    --hash=sha256:" + "a" * 64 + " \\\n"
            "    --hash=sha256:" + "b" * 64 + "\n    # via pandas\ncolorama==0.4.6 ; sys_platform == 'never' \\\n"
            "    --hash=sha256:" + "c" * 64 + "\n")
    numpy, colorama = lock_entries(text)
    assert (numpy["name"], numpy["version"], len(numpy["hashes"])) == ("numpy", "2.4.6", 2)
    assert not colorama["marker"].evaluate()
