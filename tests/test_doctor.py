"""make doctor: each check says what is wrong and what to do, and the exit code follows the problems."""

from course_tools import doctor


def test_requirements_found_missing_and_too_old(tmp_path, monkeypatch):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pytest>=1.0   # a comment\nno-such-package-for-the-course>=1\nnumpy>=999\n")
    checks = {c.name: c for c in doctor.check_requirements(requirements)}
    assert checks["pytest"].ok is True
    missing = checks["no-such-package-for-the-course"]
    assert missing.ok is False and missing.said == "not installed" and "pip install" in missing.fix
    old = checks["numpy"]
    assert old.ok is False and "the course needs >=999" in old.said and 'pip install "numpy>=999"' in old.fix


def test_requirements_are_compared_with_the_tested_versions_of_the_lock(tmp_path):
    from importlib.metadata import version

    requirements, lock = tmp_path / "requirements.txt", tmp_path / "requirements.lock"
    requirements.write_text("pytest>=1.0\npackaging>=1.0\n")
    lock.write_text("pytest==1.0.0 \\\n    --hash=sha256:" + "a" * 64 + "\n"
                    f"packaging=={version('packaging')} \\\n    --hash=sha256:" + "b" * 64 + "\n")
    checks = {c.name: c for c in doctor.check_requirements(requirements, lock)}
    assert checks["pytest"].ok is True
    assert checks["pytest"].said == f"{version('pytest')} (the course was tested with 1.0.0: `make setup` installs it)"
    assert checks["packaging"].said == version("packaging")


def test_a_local_build_label_is_the_tested_version(tmp_path, monkeypatch):
    """torch 2.13.0+cpu is the 2.13.0 the lock names: no note that says otherwise."""
    requirements, lock = tmp_path / "requirements.txt", tmp_path / "requirements.lock"
    requirements.write_text("torch>=2.3\n")
    lock.write_text("torch==2.13.0 ; sys_platform == 'never' \\\n    --hash=sha256:" + "a" * 64 + "\n")
    monkeypatch.setattr(doctor, "version", lambda name: "2.13.0+cpu")
    assert doctor.check_requirements(requirements, lock)[0].said == "2.13.0+cpu"
    monkeypatch.setattr(doctor, "version", lambda name: "2.12.0")
    assert "tested with 2.13.0" in doctor.check_requirements(requirements, lock)[0].said


def test_disk_needs_room_for_the_kit_and_checkpoints(tmp_path):
    assert doctor.check_disk(tmp_path, needed=1).ok is True
    full = doctor.check_disk(tmp_path, needed=2**60)
    assert full.ok is False and "COURSE_KIT_DIR" in full.fix


def test_api_check_names_the_endpoint_and_the_fix(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setattr("helpers.llm_api.keys._dotenv_value", lambda name, paths: (None, None))
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    no_key = doctor.check_api()
    assert no_key.ok is None and "OPENAI_API_KEY" in no_key.fix
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    down = doctor.check_api()
    assert down.ok is False and "127.0.0.1:9 (OPENAI_BASE_URL) does not answer" in down.said


def test_main_exits_1_on_a_problem_and_prints_what_to_do(monkeypatch, capsys):
    monkeypatch.setattr(doctor, "run_checks", lambda: [doctor.Check("python", True, "3.11.7"),
                                                       doctor.Check("disk", False, "0.1 GiB free", "free some space")])
    assert doctor.main([]) == 1
    out = capsys.readouterr().out
    assert "[OK] python: 3.11.7" in out and "[!!] disk: 0.1 GiB free" in out and "what to do: free some space" in out
    monkeypatch.setattr(doctor, "run_checks", lambda: [doctor.Check("python", True, "3.11.7")])
    assert doctor.main([]) == 0


def test_python_is_checked_against_pyprojects_one_range():
    """requires-python is the one statement of it: the doctor, the lock and the Makefile agree with it."""
    import re

    from helpers.paths import REPO_ROOT

    oldest = doctor.oldest_python()
    assert oldest == (3, 11)
    too_old = doctor.check_python((3, 10))
    assert too_old.ok is False and "needs 3.11 or newer" in too_old.said and "Python 3.11 or newer" in too_old.fix
    assert doctor.check_python((3, 11)).ok is True
    newer = doctor.check_python((3, 12))
    assert newer.ok is True and "tested with 3.11" in newer.said
    floor = f"{oldest[0]}.{oldest[1]}"
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert f"--python-version {floor}" in makefile  # the lock is resolved for that Python and newer
    assert re.search(rf"--python-version {re.escape(floor)}\b", (REPO_ROOT / "requirements.lock").read_text())
    assert f"Python {floor} or newer" in (REPO_ROOT / "README.md").read_text()


def test_make_setup_refuses_a_python_older_than_the_range_before_installing_anything(monkeypatch, capsys):
    import sys

    from course_tools import python_check
    from helpers.paths import REPO_ROOT

    monkeypatch.setattr(sys, "version_info", (3, 10, 13, "final", 0))
    assert python_check.main() == 1
    said = capsys.readouterr().err
    assert "Python 3.10" in said and "needs 3.11 or newer" in said and "PYTHON=" in said
    monkeypatch.setattr(sys, "version_info", (3, 12, 1, "final", 0))
    assert python_check.main() == 0
    recipe = (REPO_ROOT / "Makefile").read_text().split("$(VENV)/.installed:")[1]
    assert recipe.index("python_check.py") < recipe.index("-m venv")
