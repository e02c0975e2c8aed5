"""Which torch APIs the course calls, and whether the oldest torch it supports has them.

``requirements.txt`` names a lower bound for torch. A bound is only true if the course runs on it,
and code keeps growing: one new call to an API that the bound's release lacks (``torch.optim.Muon``
arrived in 2.9, ``torch.nn.RMSNorm`` in 2.4) makes the bound a lie on every machine that installs it.

- ``python -m course_tools.torch_api record`` (run by ``make test-oldest``, in an environment with
  torch at the bound) lists every ``torch.*`` name the course's code refers to and writes those the
  installed torch has into ``course_tools/torch_api_floor.json``, with its version; names missing there
  are printed, and it exits 1.
- ``tests/test_torch_api.py`` (in ``make test``, any torch) fails when the code refers to a name the
  record does not vouch for, or when the record is of another version than the bound: then run
  ``make test-oldest``, which checks the name on the real old torch, and commit the new record.

Only names are checked here (a new keyword argument is not); ``make test-oldest`` runs the whole
suite on the bound and finds the rest.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import re
import sys
from pathlib import Path

from helpers.paths import REPO_ROOT

FLOOR_FILE = Path(__file__).with_name("torch_api_floor.json")
# Everything a learner or a maintainer runs: the helpers, the chapters' and exercises' text twins,
# the scripts and benchmarks. (course_tools and tests only test; they run on the lock's torch.)
CODE = ("helpers", "notebooks/text", "solutions", "scripts", "benchmarks")


def torch_bound(requirements: Path = REPO_ROOT / "requirements.txt") -> str:
    """The lower bound requirements.txt gives torch, e.g. "2.9"."""
    match = re.search(r"^torch\s*>=\s*([0-9][0-9.]*)", requirements.read_text(), flags=re.MULTILINE)
    if not match:
        raise ValueError(f"{requirements} has no 'torch>=X' line")
    return match.group(1)


def _dotted(node: ast.AST) -> str | None:
    """"a.b.c" for an attribute chain on a plain name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def names_in(source: str) -> set[str]:
    """Every ``torch.…`` name a piece of Python refers to, through ``import torch``, ``import torch.x
    as y`` and ``from torch.x import y`` aliases, each as its full dotted path."""
    tree = ast.parse(source)
    aliases = {}  # local name -> the torch path it stands for
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "torch" or alias.name.startswith("torch."):
                    aliases[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else "torch"
                    found.add(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and \
                (node.module == "torch" or node.module.startswith("torch.")):
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                found.add(f"{node.module}.{alias.name}")
    for node in ast.walk(tree):
        # A call ends a chain: ``torch.cuda.get_device_properties(0).major`` gives
        # torch.cuda.get_device_properties (and its prefixes), not an attribute of what it returns.
        dotted = _dotted(node) if isinstance(node, ast.Attribute) else None
        head, _, rest = (dotted or "").partition(".")
        if head in aliases:
            found.add(f"{aliases[head]}.{rest}")
    return found


def used_names(root: Path = REPO_ROOT) -> dict[str, list[str]]:
    """Each torch name the course's code refers to, with the files that refer to it."""
    where: dict[str, list[str]] = {}
    for folder in CODE:
        for path in sorted((root / folder).rglob("*.py")):
            for name in names_in(path.read_text(encoding="utf-8")):
                where.setdefault(name, []).append(path.relative_to(root).as_posix())
    return dict(sorted(where.items()))


def exists(name: str) -> bool:
    """Whether the installed torch has ``name`` (a module, or an attribute of one)."""
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for attribute in parts[split:]:
                obj = getattr(obj, attribute)
        except AttributeError:
            return False
        return True
    return False


def record() -> int:
    """Write the names the installed torch has; print those it lacks (exit 1 if any)."""
    import torch

    version = torch.__version__.split("+")[0]
    used = used_names()
    present = sorted(name for name in used if exists(name))
    missing = sorted(set(used) - set(present))
    FLOOR_FILE.write_text(json.dumps({"torch": version, "names": present}, indent=1) + "\n")
    print(f"torch {version}: {len(present)} of the {len(used)} torch names the course refers to exist; "
          f"wrote {FLOOR_FILE.relative_to(REPO_ROOT)}")
    for name in missing:
        print(f"  missing in torch {version}: {name} (used in {', '.join(used[name])})")
    return 1 if missing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.torch_api", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["record", "list"])
    args = parser.parse_args(argv)
    if args.command == "list":
        for name, files in used_names().items():
            print(f"{name}  ({', '.join(files)})")
        return 0
    return record()


if __name__ == "__main__":
    sys.exit(main())
