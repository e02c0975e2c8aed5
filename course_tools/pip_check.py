"""`pip check`, limited to the course's packages: for an environment the course shares with others.

Binder's image (repo2docker) holds its own Jupyter server (jupyterhub-singleuser, notebook,
jupyterlab, ...) before binder/postBuild installs the learners' lock into the same environment. A
plain `pip check` there also reports what repo2docker's packages think of each other, which is not
the course's to fix. This keeps every problem that involves a package of the lock (or the course
itself), on either side: a locked package missing what it needs, and a server package that a locked
version no longer satisfies (the lock would have broken the server). Standard library only.

    python -m course_tools.pip_check requirements.lock     # exit 1, with the problems, if any
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

COURSE = "transformers-course"  # pyproject.toml's name: the course itself, installed with -e
NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_names(text: str) -> set[str]:
    """The packages a lock names (whatever their marker; torch too, installed on its own)."""
    return {canonical(m.group(1)) for m in re.finditer(rf"^({NAME})==", text, re.M)}


def involved(line: str) -> set[str]:
    """The packages a `pip check` line is about: the one that requires, and the one required."""
    first = re.match(rf"({NAME}) ", line)
    required = re.search(rf"(?:requires|has requirement) ({NAME})", line)
    return {canonical(m.group(1)) for m in (first, required) if m}


def ours(report: str, names: set[str]) -> tuple[list[str], list[str]]:
    """`pip check`'s lines split into (the course's problems, the rest)."""
    lines = [line.strip() for line in report.splitlines()
             if line.strip() and not line.startswith("No broken requirements")]
    kept = [line for line in lines if involved(line) & names]
    return kept, [line for line in lines if line not in kept]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    lock = Path(argv[0] if argv else "requirements.lock")
    names = lock_names(lock.read_text()) | {COURSE}
    done = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    kept, others = ours(done.stdout + done.stderr, names)
    if kept:
        print(f"pip check: the course's packages ({lock}) do not fit this environment:", *kept, sep="\n  ")
        return 1
    print(f"pip check: the {len(names)} packages of {lock} and the course fit together and with the rest; "
          f"{len(others)} problem(s) among the environment's other packages left alone", *others, sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
