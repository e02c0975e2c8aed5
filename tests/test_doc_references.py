"""What the docs name exists: every module, function and file of ours that a docstring, a comment, a
chapter, the README or docs/ mentions can be imported, resolved or opened.

Docs drift when code moves: a reading order that starts at a module since removed, a comment that
points to a file renamed a year ago. Here every mention that looks like one of ours is checked:

- dotted names starting ``helpers.``, ``course_tools.``, ``scripts.`` or ``benchmarks.``: the module
  imports (``importlib.util.find_spec``), and each further part is an attribute of it (a function, a
  class, a dataclass field);
- paths under the repository's folders (``helpers/hub.py``, ``course_tools/kit/expected.json``,
  ``tests/online/``): the file or folder exists (``NN`` stands for a chapter's number, ``*`` for anything);
- the layout tree in docs/layout.md: each file named under a folder (``  environment.py ...`` under ``helpers/``)
  exists there.

Where they are looked for: the comments and strings (docstrings among them) of the Python in
``helpers/``, ``course_tools/``, ``scripts/``, ``benchmarks/``, the chapters' text twins and the
exercise sources; all of ``README.md`` and ``docs/``. (Tests are left out: their code names local
variables ``helpers`` too.)
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import io
import re
import tokenize

import pytest

from helpers.paths import REPO_ROOT

PACKAGES = ("helpers", "course_tools", "scripts", "benchmarks")
FOLDERS = PACKAGES + ("tests", "notebooks", "solutions", "docs", "data", "binder", "site")
PYTHON_SOURCES = PACKAGES + ("notebooks/text", "solutions")
DOTTED = re.compile(rf"(?<![\w./-])((?:{'|'.join(PACKAGES)})(?:\.[A-Za-z_]\w*)+)")
# Files the course writes when a maintainer runs a command, so absent from a fresh clone; each with why.
WRITTEN_LATER = {"data/reference-answers.json": "make reference-answers writes it, with a real OpenAI key"}
PATH = re.compile(rf"(?<![\w./-])((?:{'|'.join(FOLDERS)})/[\w./*-]*)")


def prose_of_python(source: str) -> str:
    """A Python file's comments and string literals (docstrings among them): where it talks about code."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return "\n".join(t.string for t in tokens if t.type in (tokenize.COMMENT, tokenize.STRING)
                     or t.type == getattr(tokenize, "FSTRING_MIDDLE", -1))


def documents() -> dict[str, str]:
    """Each place docs live, by its path in the repository: the prose it holds."""
    found = {}
    for folder in PYTHON_SOURCES:
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            found[path.relative_to(REPO_ROOT).as_posix()] = prose_of_python(path.read_text(encoding="utf-8"))
    for path in [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]:
        found[path.relative_to(REPO_ROOT).as_posix()] = path.read_text(encoding="utf-8")
    return found


def layout_paths(page: str) -> list[str]:
    """The files the layout tree (docs/layout.md) names: ``folder/`` lines, and the names indented under them."""
    block = re.search(r"^```\n(notebooks/ .*?)^```$", page, flags=re.M | re.S)
    assert block, "docs/layout.md's layout tree (a ``` block starting with notebooks/) is not found"
    paths, folder = [], ""
    for line in block.group(1).splitlines():
        if re.match(r"\S", line):  # a top-level entry: "helpers/   what learners import", "Makefile   ..."
            entry = line.split()[0]
            folder = entry if entry.endswith("/") else ""
            paths.append(entry)
        elif folder and (names := re.match(r"  ([\w.*/-]+(?:, [\w.*/-]+)*)(?: |$)", line)):
            paths += [folder + name for name in names.group(1).split(", ")]  # "  network.py, hub.py  what"
    return paths


def dotted_exists(name: str) -> bool:
    """Whether ``name`` (``helpers.training.train``) is a module of ours, or an attribute of one."""
    name = name.replace("NN", "01")  # helpers.checks.chapterNN: any chapter's
    parts = name.split(".")
    if parts[0] in ("scripts", "benchmarks"):  # folders of scripts, not packages: read, not run
        path = REPO_ROOT / parts[0] / f"{parts[1]}.py" if len(parts) > 1 else REPO_ROOT / parts[0]
        if len(parts) <= 2 or not path.is_file():
            return path.exists()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        return len(parts) == 3 and parts[2] in defined
    for split in range(len(parts), 0, -1):
        module = ".".join(parts[:split])
        try:
            if importlib.util.find_spec(module) is None:
                continue
        except ModuleNotFoundError:
            continue
        if split == len(parts):
            return True
        obj = importlib.import_module(module)
        for attribute in parts[split:]:
            fields = getattr(obj, "__dataclass_fields__", {})
            if attribute in fields:
                return attribute == parts[-1]  # a field's own attributes are not looked into
            if not hasattr(obj, attribute):
                return False
            obj = getattr(obj, attribute)
        return True
    return False


def path_exists(name: str) -> bool:
    """Whether a path of the repository's exists (``NN`` a chapter's number, ``*`` a glob); a name with no
    suffix may be the start of one (``notebooks/04``, Chapter 4's notebook)."""
    name = name.rstrip(".,")
    pattern = name.replace("NN", "[0-9][0-9]")
    pattern = re.sub(r"(?<=_)x(?=\.)", "*", pattern)  # notebooks/NN_x.ipynb
    if any(REPO_ROOT.glob(pattern.rstrip("/"))):
        return True
    stem = name.rstrip("/").rsplit("/", 1)[-1]
    return "." not in stem and any(REPO_ROOT.glob(pattern.rstrip("/") + "*"))


def mentions(docs: dict[str, str] | None = None) -> list[tuple[str, str, str]]:
    """Every (kind, name, where) the docs (``documents()`` unless given) hold: kind "dotted" or "path"."""
    docs = documents() if docs is None else docs
    found = set()
    for where, text in docs.items():
        found |= {("dotted", m.group(1), where) for m in DOTTED.finditer(text)
                  if not m.group(1).endswith(".md")}  # docs/'s benchmarks.md: a page, not a module
        found |= {("path", m.group(1), where) for m in PATH.finditer(text)}
    if "docs/layout.md" in docs:
        found |= {("path", p, "docs/layout.md (tree)") for p in layout_paths(docs["docs/layout.md"])}
    return sorted(found)


def test_the_checker_finds_what_is_gone():
    """It tells real names from removed ones, so the test below can fail."""
    assert dotted_exists("helpers.environment.resolve_profile") and dotted_exists("course_tools.kit.registry")
    assert dotted_exists("helpers.training.TrainConfig.max_steps") and dotted_exists("helpers.checks.chapterNN")
    assert dotted_exists("scripts.train_gpt.parse_args")
    assert not dotted_exists("helpers.compare") and not dotted_exists("helpers.environment.no_such_function")
    assert not dotted_exists("scripts.train_gpt.no_such_function")
    assert path_exists("helpers/hub.py") and path_exists("notebooks/NN_x.ipynb") and path_exists("notebooks/04")
    assert not path_exists("helpers/offline_kit.py") and path_exists("tests/test_chapter05_tools.py")
    assert layout_paths("```\nnotebooks/   x\nhelpers/   y\n  a.py, b.py   z\n      more, z\n  c.py d, e\n```\n"
                        ) == ["notebooks/", "helpers/", "helpers/a.py", "helpers/b.py", "helpers/c.py"]


def test_every_name_the_docs_mention_exists():
    found = mentions()
    missing = [(name, where) for kind, name, where in found
               if not (dotted_exists(name) if kind == "dotted" else path_exists(name) or name in WRITTEN_LATER)]
    assert not missing, ("the docs name things that do not exist (rename them in the docs, or bring the "
                         f"code back): {missing}")
    assert set(WRITTEN_LATER) <= {name for _, name, _ in found}, "WRITTEN_LATER names a file no doc mentions now"


@pytest.mark.parametrize("name", ["helpers.compare", "helpers/offline_kit.py"])
def test_a_stale_name_in_a_docstring_is_caught(name):
    """The drift this test was written for, put back in a module's docstring: it is found, and not found to exist."""
    source = f'"""Read {name} first."""\n# see {name}\nx = 1\n'
    found = [(kind, n) for kind, n, _ in mentions({"helpers/example.py": prose_of_python(source)})]
    assert found and all(n == name for _, n in found)
    assert not any(dotted_exists(n) if kind == "dotted" else path_exists(n) for kind, n in found)


def test_the_kit_says_what_it_builds():
    """course_tools.kit's docstring lists every asset the registry builds (it once listed four of six)."""
    import course_tools.kit
    from course_tools.kit.registry import ASSETS

    listed = set(re.findall(r"^    ([a-z0-9-]+)  ", course_tools.kit.__doc__, flags=re.M))
    assert listed == set(ASSETS), f"course_tools/kit/__init__.py lists {sorted(listed)}, the registry {sorted(ASSETS)}"
