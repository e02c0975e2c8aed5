"""``make test``'s two workers finish together only if the longest files are handed out first
(``conftest.py`` at the repository root): every online-path file, and Binder's build, must be in its list."""

import importlib.util

from helpers.paths import REPO_ROOT


def test_every_online_file_is_in_the_longest_first_order():
    spec = importlib.util.spec_from_file_location("root_conftest", REPO_ROOT / "conftest.py")
    root_conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(root_conftest)
    on_disk = {p.name for p in (REPO_ROOT / "tests" / "online").glob("test_online_*.py")}
    assert on_disk | {"test_binder.py"} == set(root_conftest.LONG_FILES), "add the new file to LONG_FILES, by its length"
