"""The GitHub Actions workflows (.github/workflows/) run what the README tells people to run.

They cannot run here (no GitHub), so `make test` checks them twice: actionlint (the Makefile) reads
their syntax, expressions and the actions' inputs, and these tests read what they run:

- the tests workflow runs on every push and pull request, and runs `.ci/run`, whose command is the
  README's test command;
- every `make` target a workflow calls is one the README names, and one the Makefile has;
- torch comes the Makefile's way (``make setup``'s ``course_tools/torch_install.py``, the CPU build),
  never from a workflow's own ``pip install``;
- a weekly workflow runs ``make test-latest``; the website's runs ``make course PROFILE=cpu``, then
  ``make site PROFILE=cpu``, and publishes ``build/site/html`` on GitHub Pages.
"""

from __future__ import annotations

import re
import shlex

import pytest
import yaml

from helpers.paths import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
SHELL_SEPARATORS = {";", "&&", "||", "|", "&", ")", "(", "then", "do"}


def workflows() -> dict[str, dict]:
    return {path.name: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(WORKFLOWS.glob("*.yml"))}


def triggers(workflow: dict) -> dict:
    """The ``on:`` block (PyYAML reads the bare key ``on`` as True, YAML 1.1's boolean)."""
    on = workflow.get("on", workflow.get(True))
    return {name: None for name in on} if isinstance(on, list) else dict(on or {})


def run_scripts(workflow: dict) -> list[str]:
    return [step["run"] for job in workflow["jobs"].values() for step in job.get("steps", []) if "run" in step]


def make_calls(script: str) -> list[list[str]]:
    """Each ``make ...`` command of a shell script, as its words up to the end of that command."""
    calls = []
    for line in script.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        for start, word in enumerate(words):
            if word == "make" and (start == 0 or words[start - 1] in SHELL_SEPARATORS):
                command = []
                for following in words[start + 1:]:
                    if following in SHELL_SEPARATORS:
                        break
                    command.append(following)
                calls.append(command)
    return calls


def targets(words: list[str]) -> set[str]:
    """The targets of one make command: not its options (-s) nor its variables (PROFILE=cpu)."""
    return {word for word in words if not word.startswith("-") and "=" not in word}


def ci_run_command() -> str:
    """The make command .ci/run runs."""
    calls = make_calls((REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8"))
    assert len(calls) == 1, f".ci/run should run one make command, it runs {calls}"
    return " ".join(["make", *calls[0]])


def readme_test_command() -> str:
    """The README's test command: the code block after "The test command"."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"The test command[^\n]*\n+```(?:bash|sh)?\n([^\n]+)\n", readme)
    assert found, "the README's Tests section has no code block after 'The test command'"
    return found.group(1).split("#")[0].strip()


def readme_make_targets() -> set[str]:
    """Every target the README names in a ``make ...`` command (in code spans and code blocks)."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    return {target for match in re.finditer(r"(?<![\w-])make\s+((?:[\w-]+=\S+\s+|-\w+\s+)*[a-z][\w-]*)", readme)
            for target in targets(match.group(1).split())}


def makefile_targets() -> set[str]:
    return set(re.findall(r"^([a-z][\w-]*)\s*:(?!=)", (REPO_ROOT / "Makefile").read_text(encoding="utf-8"), re.M))


def workflow_targets(workflow: dict) -> set[str]:
    """The make targets a workflow runs, .ci/run's included."""
    found = set()
    for script in run_scripts(workflow):
        for words in make_calls(script):
            found |= targets(words)
        if re.search(r"(^|\s)(bash\s+)?\.ci/run\b", script):
            found |= targets(ci_run_command().split()[1:])
    return found


def test_there_are_the_three_workflows():
    assert set(workflows()) == {"tests.yml", "test-latest.yml", "website.yml"}


def test_ci_runs_the_readmes_test_command():
    assert readme_test_command() == "make test"
    assert ci_run_command() == readme_test_command(), ".ci/run must run the README's test command"


@pytest.mark.parametrize("name", sorted(workflows()))
def test_each_workflow_calls_only_make_targets_the_readme_names(name):
    called = workflow_targets(workflows()[name])
    assert called, f"{name} runs no make target"
    assert called <= makefile_targets(), f"{name} calls targets the Makefile lacks: {called - makefile_targets()}"
    assert called <= readme_make_targets(), (f"{name} calls make targets the README does not name: "
                                             f"{sorted(called - readme_make_targets())}")


@pytest.mark.parametrize("name", sorted(workflows()))
def test_torch_comes_the_makefiles_way_its_cpu_build(name):
    workflow = workflows()[name]
    for job in workflow["jobs"].values():
        if any("run" in step for step in job.get("steps", [])):
            assert {**workflow.get("env", {}), **job.get("env", {})}.get("TORCH_INDEX") == "cpu", \
                f"{name}: set TORCH_INDEX: cpu (course_tools/torch_install.py then installs PyTorch's CPU build)"
    for script in run_scripts(workflow):
        assert not re.search(r"pip\s+install\b[^\n]*\btorch\b", script), f"{name} installs torch itself: {script}"


def test_the_tests_run_on_every_push_and_pull_request_as_ci_does():
    workflow = workflows()["tests.yml"]
    assert {"push", "pull_request"} <= set(triggers(workflow))
    assert triggers(workflow)["push"] is None, "every branch's pushes, not only main's"
    (job,) = workflow["jobs"].values()
    assert any(re.fullmatch(r"(bash )?\.ci/run", script.strip()) for script in run_scripts(workflow))
    assert job["env"]["HF_HUB_OFFLINE"] == "1", "as on the course's CI machine: no Hub, the kit's stand-ins"
    assert "debian" in job["container"] or "bookworm" in job["container"] or "trixie" in job["container"], \
        ".ci/run installs Debian's packages, as root: run it in a Debian container"


def debian_packages(script: str) -> set[str]:
    found = re.search(r"apt-get install\s+((?:-\S+\s+)*)([\w .+-]+)", script)
    return set(found.group(2).split()) if found else set()


def test_the_newest_dependencies_run_every_week_with_the_browser_ci_has():
    workflow = workflows()["test-latest.yml"]
    assert triggers(workflow)["schedule"] and "cron" in triggers(workflow)["schedule"][0]
    assert workflow_targets(workflow) == {"test-latest"}
    installed = set().union(*map(debian_packages, run_scripts(workflow)))
    assert debian_packages((REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")) == {"chromium", "chromium-driver"}
    assert {"chromium", "chromium-driver"} <= installed, "the website's browser check needs what .ci/run installs"


def test_the_website_is_built_from_a_cpu_run_and_published_on_pages():
    workflow = workflows()["website.yml"]
    calls = [" ".join(words) for script in run_scripts(workflow) for words in make_calls(script)]
    assert calls == ["course PROFILE=cpu", "site PROFILE=cpu"]
    steps = [step for job in workflow["jobs"].values() for step in job.get("steps", [])]
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "build/site/html"
    assert any(step.get("uses", "").startswith("actions/deploy-pages@") for step in steps)
    assert triggers(workflow)["push"]["branches"] == ["main"]


def test_the_makefile_runs_actionlint_in_make_test():
    recipe = (REPO_ROOT / "Makefile").read_text(encoding="utf-8").split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "$(VENV)/bin/actionlint" in recipe


def test_the_checks_catch_a_target_the_readme_does_not_name():
    """A workflow calling `make deploy`, `make -s lint` or `make test` behind a `cd`: each found."""
    workflow = yaml.safe_load("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                              "      - run: make deploy PROFILE=gpu\n"
                              "      - run: |\n          cd build && make -s lint  # a comment: make nothing\n"
                              "          echo make is not run here\n")
    assert workflow_targets(workflow) == {"deploy", "lint"}
    assert not {"deploy", "lint"} <= readme_make_targets()
    assert {"test", "course", "site", "doctor", "test-latest"} <= readme_make_targets()
    assert make_calls("bash .ci/run") == [] and workflow_targets(yaml.safe_load(
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: bash .ci/run\n")) == {"test"}
