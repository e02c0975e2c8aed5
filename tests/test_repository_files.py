"""The files a stranger looks for in a repository, each saying what is true of this one:

- LICENSE is the Apache License 2.0 that pyproject.toml declares; NOTICE credits every package the
  offline kit takes models or data from (course_tools/kit/), with the license the kit records;
- CITATION.cff is valid Citation File Format with the project's version and license;
- the issue form asks for `make doctor`'s output;
- .pre-commit-config.yaml works offline: only local hooks, each calling a tool `make setup` installs.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from course_tools.kit.registry import ASSETS
from helpers.paths import REPO_ROOT

PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_license_is_the_one_pyproject_declares():
    assert PROJECT["license"] == "Apache-2.0"
    text = (REPO_ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License\n                           Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text and len(text) > 11_000  # the whole text, not a summary


def test_notice_credits_every_package_the_kit_takes_from_with_its_license():
    notice = (REPO_ROOT / "NOTICE").read_text(encoding="utf-8")
    for name, spec in ASSETS.items():
        assert name in notice, f"NOTICE does not say what the kit builds as {name}"
        for wheel in spec.sources:
            entry = re.search(rf"^{re.escape(wheel.package)} {re.escape(wheel.version)} \({re.escape(wheel.url)}\)"
                              r".*?(?=^\S|\Z)", notice, re.M | re.S)
            assert entry, f"NOTICE has no entry for {wheel.pin} ({wheel.url}), which the kit downloads"
            assert "License:" in entry.group(0), f"NOTICE's entry for {wheel.pin} names no license"
    for license_name in ("Apache-2.0", "MIT", "public domain"):
        assert license_name in notice


def test_citation_cff_names_the_project_version_and_license():
    citation = yaml.safe_load((REPO_ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0" and citation["type"] == "software"
    assert {"message", "title", "authors"} <= set(citation) and citation["authors"]
    assert citation["version"] == PROJECT["version"], "bump CITATION.cff's version with pyproject.toml's"
    assert citation["license"] == PROJECT["license"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(citation["date-released"]))


def test_the_changelog_has_an_entry_for_this_version():
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{PROJECT['version']}]" in changelog and "## [Unreleased]" in changelog


def test_the_issue_form_asks_for_make_doctors_output():
    forms = sorted((REPO_ROOT / ".github" / "ISSUE_TEMPLATE").glob("*.yml"))
    forms = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in forms]
    problem = next(form for form in forms if "body" in form)
    fields = {field.get("id"): field for field in problem["body"]}
    assert "make doctor" in fields["doctor"]["attributes"]["label"]
    assert fields["doctor"]["validations"]["required"] is True


PRE_COMMIT = yaml.safe_load((REPO_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
HOOKS = [hook for repo in PRE_COMMIT["repos"] for hook in repo["hooks"]]


def test_pre_commit_fetches_nothing_its_hooks_are_local():
    assert [repo["repo"] for repo in PRE_COMMIT["repos"]] == ["local"]
    assert {hook["language"] for hook in HOOKS} <= {"system", "unsupported"}  # no environment to download
    assert {hook["id"] for hook in HOOKS} == {"ruff", "text-twins", "exercise-notebooks", "stripped-notebooks"}


@pytest.mark.parametrize("hook", HOOKS, ids=lambda hook: hook["id"])
def test_each_pre_commit_hook_calls_a_tool_make_setup_installs(hook):
    """Entries name .venv/bin/ (where make setup installs); here, the same tool in this environment."""
    program, *arguments = hook["entry"].split()
    assert program.startswith(".venv/bin/"), f"{hook['id']}: call the locked tool in .venv/bin/, not {program}"
    here = Path(sys.executable).parent / program.removeprefix(".venv/bin/")
    assert here.exists(), f"{hook['id']}: {here.name} is not installed by make setup (requirements-dev.txt)"
    if program.endswith("/python") and arguments[:1] == ["-m"]:
        module = arguments[1]
        assert module == "pytest" or (REPO_ROOT / (module.replace(".", "/") + ".py")).exists(), module
        if module == "pytest":
            assert all((REPO_ROOT / path).exists() for path in arguments if path.startswith("tests/"))
