"""The locks: the exact environments the course installs.

- requirements-dev.lock, from requirements-dev.txt: everything (the chapters, the tests, the
  website, lint); `make setup` (so `make course` and `make test`) installs it.
- requirements.lock, from requirements.txt: the learners' part, what the chapters import; Binder's
  image installs it (binder/postBuild), at the same versions as the other.

Both are written by `make lock` (uv). These tests catch the drift a person causes by hand: a bound
raised in a requirements file without a new lock, a line without its hash, torch installed through
a lock instead of on its own, the two locks disagreeing, a maintainers' tool in the learners' lock.
"""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from course_tools.lockfile import DEV_LOCK, LOCK, lock_entries

ROOT = LOCK.parent
# Each lock with the requirements file it is made from.
LOCKS = {LOCK: ROOT / "requirements.txt", DEV_LOCK: ROOT / "requirements-dev.txt"}


def requirements(path: Path) -> list[Requirement]:
    """A requirements file's own lines, and those of the files it includes (-r)."""
    found = []
    for line in (raw.split("#")[0].strip() for raw in path.read_text().splitlines()):
        if line.startswith("-r "):
            found += requirements(path.parent / line.split(maxsplit=1)[1])
        elif line and not line.startswith("-"):
            found.append(Requirement(line))
    return found


def installed_here(lock: Path) -> dict:
    """The lock as this machine installs it: the entries whose marker holds here."""
    return {e["name"]: e for e in lock_entries(lock.read_text()) if e["marker"] is None or e["marker"].evaluate()}


def versions(lock: Path) -> dict[str, set[str]]:
    """Every version a lock names for each package, whatever the marker (a universal lock may name two)."""
    found: dict[str, set[str]] = {}
    for entry in lock_entries(lock.read_text()):
        found.setdefault(entry["name"], set()).add(entry["version"])
    return found


@pytest.mark.parametrize("lock", LOCKS, ids=lambda lock: lock.name)
def test_every_requirement_is_locked_within_its_bounds(lock):
    locked = installed_here(lock)
    for requirement in requirements(LOCKS[lock]):
        name = canonicalize_name(requirement.name)
        if name == "torch":
            continue  # installed on its own, see below
        assert name in locked, f"{requirement} is not in {lock.name}: run `make lock`"
        assert requirement.specifier.contains(locked[name]["version"], prereleases=True), (
            f"{lock.name} has {name}=={locked[name]['version']}, outside {requirement}: run `make lock`")


@pytest.mark.parametrize("lock", LOCKS, ids=lambda lock: lock.name)
def test_every_installed_line_is_pinned_with_a_hash(lock):
    entries = [e for e in lock_entries(lock.read_text()) if "never" not in str(e["marker"])]
    assert len(entries) > (150 if lock == DEV_LOCK else 80)  # the parser read the file
    for entry in entries:
        assert entry["version"] and entry["hashes"], f"{entry['name']} has no exact version or no hash"
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in entry["hashes"])


@pytest.mark.parametrize("lock", LOCKS, ids=lambda lock: lock.name)
def test_torch_is_named_at_the_makefiles_version_but_never_installed_by_a_lock(lock):
    torch = next(e for e in lock_entries(lock.read_text()) if e["name"] == "torch")
    makefile_torch = re.search(r"^TORCH\s*\?= (\S+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert torch["version"] == makefile_torch
    assert not torch["marker"].evaluate(), "the lock would install torch: the right build differs by machine"
    assert "torch" not in installed_here(lock)


def test_the_learners_lock_is_the_dev_locks_packages_at_the_same_versions_and_hashes():
    """What Binder installs is what `make test` passed with: every package of requirements.lock is in
    requirements-dev.lock at the same version(s), with the same hashes."""
    dev = {(e["name"], e["version"]): set(e["hashes"]) for e in lock_entries(DEV_LOCK.read_text())}
    for entry in lock_entries(LOCK.read_text()):
        key = (entry["name"], entry["version"])
        assert key in dev, (f"requirements.lock has {entry['name']}=={entry['version']}, requirements-dev.lock "
                            f"{sorted(versions(DEV_LOCK).get(entry['name'], ['nothing']))}: run `make lock`")
        assert set(entry["hashes"]) == dev[key], f"{entry['name']}=={entry['version']}: other hashes in the two locks"


def test_the_learners_lock_holds_no_maintainers_tool():
    """Binder's image carries what the chapters import: none of requirements-dev.txt's own tools (tests,
    website, lint) unless a chapter's package needs it too."""
    own_tools = {canonicalize_name(r.name) for r in requirements(ROOT / "requirements-dev.txt")} \
        - {canonicalize_name(r.name) for r in requirements(ROOT / "requirements.txt")}
    assert {"pytest", "sphinx", "selenium", "ruff", "jupyterlab"} <= own_tools  # the files were read
    assert not own_tools & set(versions(LOCK)), "a maintainers' tool in requirements.lock: run `make lock`"
    assert len(versions(LOCK)) < len(versions(DEV_LOCK)) - 50


def test_the_learners_lock_holds_every_package_the_chapters_and_helpers_import():
    """Binder installs requirements.lock only: each module the chapters, the exercises and helpers/
    import from outside the standard library must come from a package in it (or be torch)."""
    colab_only = {"google"}  # google.colab: imported only on Colab, where it is
    sources = [*ROOT.glob("notebooks/text/*.py"), *ROOT.glob("solutions/*.py"), *ROOT.glob("helpers/**/*.py")]
    imported = set()
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    imported -= set(sys.stdlib_module_names) | {"__future__", "helpers", "course_tools"} | colab_only
    learners = set(versions(LOCK)) | {"torch"}
    distributions = packages_distributions()
    assert {"transformers", "torch", "openai", "sklearn"} <= imported  # the sources were read
    for module in sorted(imported):
        providers = {canonicalize_name(d) for d in distributions.get(module, [])}
        assert providers, f"{module} is imported but not installed here (make setup)"
        assert providers & learners, (f"{module} (from {sorted(providers)}) is imported by the chapters or helpers "
                                      "but not in requirements.lock: add it to requirements.txt, then `make lock`")


def test_the_makefile_writes_both_locks_the_learners_within_the_dev_one():
    makefile = (ROOT / "Makefile").read_text()
    assert "requirements-dev.txt --upgrade -o requirements-dev.lock" in makefile
    assert "requirements.txt -c requirements-dev.lock -o requirements.lock" in makefile
    assert re.search(r"^LOCK\s*\?= requirements-dev\.lock$", makefile, re.M), "make setup installs everything"


def test_the_parser_reads_markers_and_hashes():
    text = ("numpy==2.4.6 ; python_full_version < '3.12' \\\n    --hash=sha256:" + "a" * 64 + " \\\n"
            "    --hash=sha256:" + "b" * 64 + "\n    # via pandas\ncolorama==0.4.6 ; sys_platform == 'never' \\\n"
            "    --hash=sha256:" + "c" * 64 + "\n")
    numpy, colorama = lock_entries(text)
    assert (numpy["name"], numpy["version"], len(numpy["hashes"])) == ("numpy", "2.4.6", 2)
    assert not colorama["marker"].evaluate()
