"""Reading the locks (written by `make lock`, uv's pip-compatible format).

- ``requirements.lock`` (``LOCK``): the learners' packages, from requirements.txt: what the chapters
  import, and all Binder's image installs;
- ``requirements-dev.lock`` (``DEV_LOCK``): everything, from requirements-dev.txt (the tests, the
  website, lint besides): what ``make setup`` installs. The packages the two share are at the same
  versions (``make lock`` resolves the first within the second's).

Used by `make doctor` (installed versions against the tested ones), binder/postBuild (through
``course_tools.pip_check``) and tests/test_lock.py.
"""

from __future__ import annotations

import re
from pathlib import Path

from packaging.markers import Marker
from packaging.utils import canonicalize_name

from helpers.paths import REPO_ROOT

LOCK = REPO_ROOT / "requirements.lock"
DEV_LOCK = REPO_ROOT / "requirements-dev.lock"


def lock_entries(text: str) -> list[dict]:
    """Each package of the lock: name (canonical), version, marker (or None) and its sha256 hashes."""
    entries = []
    for line in text.splitlines():
        if re.match(r"^[A-Za-z0-9]", line):
            spec, _, marker = line.rstrip(" \\").partition(";")
            name, _, version = spec.strip().partition("==")
            entries.append(dict(name=canonicalize_name(name), version=version,
                                marker=Marker(marker.strip()) if marker.strip() else None, hashes=[]))
        elif line.strip().startswith("--hash=sha256:"):
            entries[-1]["hashes"].append(line.strip().split(":", 1)[1].rstrip(" \\"))
    return entries


def tested_versions(lock: Path = LOCK, also: tuple[str, ...] = ()) -> dict[str, str]:
    """{package: version} as this machine installs the lock (the entries whose marker holds here),
    plus the packages named in ``also`` whatever their marker (torch: named, never installed by it)."""
    if not lock.exists():
        return {}
    return {e["name"]: e["version"] for e in lock_entries(lock.read_text())
            if e["name"] in also or e["marker"] is None or e["marker"].evaluate()}
