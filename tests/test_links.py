"""The course address lives in course_tools/links.py; README and notebooks must agree with it."""

from course_tools import links


def test_readme_and_notebooks_use_the_one_repository_address():
    assert links.out_of_date() == [], "run `make links` after changing course_tools/links.py"


def test_urls_are_built_from_the_repository():
    assert links.colab_url("02_x.ipynb").endswith(f"github/{links.REPOSITORY}/blob/main/notebooks/02_x.ipynb")
    assert links.binder_url().startswith(f"https://mybinder.org/v2/gh/{links.REPOSITORY}/main")
