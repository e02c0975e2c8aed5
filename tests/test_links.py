"""The course's address and ref live in course_tools/links.py; README and every first cell must agree with it."""

import re

from course_tools import links


def test_readme_and_notebooks_use_the_one_repository_address_and_ref():
    assert links.out_of_date() == [], "run `make links` after changing course_tools/links.py"


def test_urls_are_built_from_the_repository_and_ref():
    assert links.colab_url("02_x.ipynb").endswith(f"github/{links.REPOSITORY}/blob/{links.REF}/notebooks/02_x.ipynb")
    assert links.binder_url().startswith(f"https://mybinder.org/v2/gh/{links.REPOSITORY}/{links.REF}?")


def test_the_ref_is_main_or_a_release_tag():
    """main on main; `make release` writes the release's tag (vX.Y.Z) only into the commit it tags."""
    assert links.REF == "main" or re.fullmatch(r"v\d+\.\d+\.\d+", links.REF), links.REF


def test_a_changed_ref_reaches_every_first_cell_and_button(monkeypatch):
    """What `make release` relies on: the same rewrite, with another ref, marks every copy stale."""
    monkeypatch.setattr(links, "REF", "v9.9.9")
    stale = set(links.out_of_date())
    assert "README.md" in stale
    for kind in ("notebooks/0", "notebooks/text/", "notebooks/exercises/", "solutions/"):
        assert any(path.startswith(kind) for path in stale), f"no {kind}* file holds COURSE_REF"
