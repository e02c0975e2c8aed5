"""Is this Python one the course supports? ``make setup`` asks before it makes an environment.

The answer comes from pyproject.toml's ``requires-python``, the one place the range is written
(the locks are resolved for it, ``make doctor`` reads it too). Standard library only, and plain
enough syntax for an old Python to run it and say what to do, instead of failing later inside an
install with a resolver's message.

    python course_tools/python_check.py     # exit 0, or 1 with one line saying what to do
"""

import re
import sys
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def oldest_python(pyproject=PYPROJECT):
    """(3, 11) for ``requires-python = ">=3.11"``."""
    match = re.search(r'^requires-python\s*=\s*">=\s*(\d+)\.(\d+)"', pyproject.read_text(), flags=re.MULTILINE)
    return int(match.group(1)), int(match.group(2))


def main():
    oldest = oldest_python()
    if sys.version_info[:2] >= oldest:
        return 0
    print("Python {}.{} at {} is too old: the course needs {}.{} or newer (pyproject.toml). Install one "
          "(Colab has 3.12), then run make again with it, e.g. `make setup PYTHON=python3.12`."
          .format(*sys.version_info[:2], sys.executable, *oldest), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
