"""The course as a website (make site), built from this run's executed chapters and read in a
real browser: headless Chromium opens every page (course_tools/site_check.py).

Under `make test` the chapters are executed first and saved to build/executed/smoke/; these tests
run after them (``after_notebooks``), build the site into build/site-check/ and leave two
screenshots there. Under `make unit` there are no executed chapters: the browser tests skip, the
ones on the build's pieces run.
"""

import os
import shutil
from pathlib import Path

import nbformat
import pytest

from course_tools import links
from course_tools import site as course_site
from course_tools.site_check import check_site, find_browser
from helpers.paths import REPO_ROOT

EXECUTED = REPO_ROOT / "build" / "executed" / "smoke"
OUT = REPO_ROOT / "build" / "site-check"
# What MyST-NB shows of an output with several representations, first found first (its HTML order).
SHOWN_FIRST = ["text/html", "image/svg+xml", "image/png", "image/jpeg", "text/markdown", "text/latex", "text/plain"]


def executed_chapters() -> list[Path]:
    return sorted(EXECUTED.glob(course_site.CHAPTER_GLOB))


@pytest.fixture(scope="module")
def built_site(request) -> Path:
    if not executed_chapters():
        # Under make test (the chapters in this session, or this test picked by `-m after_notebooks`
        # once they ran), no executed chapter means the run did not save them: a failure, not a skip.
        ran_chapters = any(str(item.fspath).endswith(".ipynb") for item in request.session.items)
        if ran_chapters or request.config.getoption("markexpr") == "after_notebooks":
            pytest.fail(f"no executed chapter in {EXECUTED}: the chapters' run did not save them (see conftest.py)")
        pytest.skip(f"no executed chapters in {EXECUTED.relative_to(REPO_ROOT)}/: `make test` writes them "
                    "before this test (`make unit` does not run the chapters)")
    try:
        find_browser()
    except FileNotFoundError as missing:
        if os.environ.get("CI"):
            pytest.fail(str(missing))
        pytest.skip(str(missing))
    return course_site.build(EXECUTED, OUT)


def screenshot_page() -> str:
    """The chapter page photographed: Chapter 4 (plots of its training), else the first with a plot."""
    with_plots = [p for p in executed_chapters() if shown_counts(course_site.site_notebook(p)[0])[0]]
    names = [p.name for p in with_plots]
    name = "04_gpt_from_scratch.ipynb" if "04_gpt_from_scratch.ipynb" in names else (names or ["index"])[0]
    return Path(name).stem + ".html"


@pytest.fixture(scope="module")
def report(built_site, pytestconfig):
    chapter = screenshot_page()
    shots = {"index.html": OUT / "landing-page.png", chapter: OUT / f"chapter-{chapter[:2]}.png"}
    result = check_site(built_site, shots)
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():  # in make test's log, not only on failure
        print("".join(f"\nscreenshot of the website: {path}" for path in result.screenshots))
    return result


def shown_counts(nb) -> tuple[int, int]:
    """(images, HTML tables) among a notebook's outputs, as the site shows them."""
    images = tables = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            shown = next((mime for mime in SHOWN_FIRST if mime in data), None)
            images += bool(shown and shown.startswith("image/"))
            tables += shown == "text/html" and "<table" in str(data[shown])
    return images, tables


@pytest.mark.after_notebooks
def test_every_page_loads_with_no_console_error_broken_link_or_missing_image(report):
    assert report.problems == []
    assert len(report.screenshots) == 2 and all(path.stat().st_size > 10_000 for path in report.screenshots)


@pytest.mark.after_notebooks
def test_every_chapter_page_shows_its_plots_and_tables(report):
    for path in executed_chapters():
        page = report.pages.get(path.stem + ".html")
        assert page is not None, f"{path.name}: no page reachable from the landing page"
        images, tables = shown_counts(course_site.site_notebook(path)[0])
        assert page.output_images == images, f"{path.name}: {images} plots in the notebook, {page.output_images} shown"
        assert page.output_tables >= tables, f"{path.name}: {tables} tables in the notebook, {page.output_tables} shown"
    assert sum(page.output_images for page in report.pages.values()) > 0


@pytest.mark.after_notebooks
def test_each_chapter_page_says_how_it_ran_and_opens_on_colab_and_binder(report, built_site):
    for path in executed_chapters():
        page = report.pages[path.stem + ".html"]
        assert page.buttons == [["Open in Colab", links.colab_url(path.name)],
                                ["Launch on Binder", links.binder_url(path.name)]]
        text = (built_site / f"{path.stem}.html").read_text(encoding="utf-8")
        assert "profile smoke" in text and "injected-parameters" not in text


@pytest.mark.after_notebooks
def test_the_landing_page_has_the_course_its_chapters_the_measured_table_and_math(report, built_site):
    landing = report.pages["index.html"]
    assert landing.math > 0  # typeset by MathJax, or report.problems says so
    assert landing.tables >= 3  # chapters, Chapter 5's measurements, the syllabus's comparison
    text = (built_site / "index.html").read_text(encoding="utf-8")
    for words in ["Transformers, four ways", "Call a hosted model", "model actually used", "On Colab", "On Binder"]:
        assert words in text


@pytest.mark.after_notebooks
def test_the_checker_reports_a_broken_link_a_missing_image_a_console_error_and_a_cdn(built_site, tmp_path):
    """The check above can fail: the same site, broken four ways, must be reported four ways."""
    broken = tmp_path / "html"
    shutil.copytree(built_site, broken)
    chapter = broken / screenshot_page()
    page = chapter.read_text(encoding="utf-8")
    image = next(part.split('"')[0] for part in page.split('src="')[1:] if part.startswith("_images/"))
    (broken / image).unlink()
    page = page.replace('href="index.html"', 'href="no-such-chapter.html"', 1)
    page = page.replace("</body>", "<script>console.error('planted error')</script></body>", 1)
    page = page.replace("</head>", '<link rel="stylesheet" href="https://cdn.example.invalid/theme.css"></head>', 1)
    chapter.write_text(page, encoding="utf-8")
    problems = "\n".join(check_site(broken).problems)
    assert f"{chapter.name}: broken link to no-such-chapter.html" in problems
    assert f"{chapter.name}: image not shown" in problems and image in problems
    assert "planted error" in problems
    assert "loaded from another site (the site must work offline): https://cdn.example.invalid/theme.css" in problems


# The build's pieces, without a browser (these run under `make unit` too).

def executed_copy(tmp_path, start_time=None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"parameters": {"PROFILE": "cpu"}} | ({"start_time": start_time} if start_time else {})
    nb.metadata["widgets"] = {"state": {}}
    params = nbformat.v4.new_code_cell('PROFILE = "auto"', metadata={"tags": ["parameters"]})
    injected = nbformat.v4.new_code_cell('PROFILE = "cpu"', metadata={"tags": ["injected-parameters"]})
    progress = nbformat.v4.new_code_cell("train()", outputs=[
        nbformat.v4.new_output("display_data", data={course_site.WIDGET_MIME: {"model_id": "x"}, "text/plain": "HBox()"}),
        nbformat.v4.new_output("stream", name="stdout", text="loss 1.9\n")])
    nb.cells = [nbformat.v4.new_markdown_cell("# Chapter 9 · A test\n\nWhat it teaches."), params, injected, progress]
    path = tmp_path / "09_test.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_site_page_drops_the_injected_cell_and_widgets_and_says_when_it_ran(tmp_path):
    nb, info = course_site.site_notebook(executed_copy(tmp_path, start_time="2026-11-28T10:00:00.5+00:00"))
    assert (info["profile"], info["ran_on"], info["runner"], info["title"]) == ("cpu", "2026-11-28", "papermill",
                                                                               "Chapter 9 · A test")
    sources = [cell.source for cell in nb.cells]
    assert sources[0] == "# Chapter 9 · A test" and "Ran on 2026-11-28, profile cpu" in sources[1]
    assert links.colab_url("09_test.ipynb") in sources[1] and links.binder_url("09_test.ipynb") in sources[1]
    assert sources[2] == "What it teaches." and 'PROFILE = "cpu"' not in sources
    assert [o.output_type for o in nb.cells[-1].outputs] == ["stream"] and "widgets" not in nb.metadata


def test_a_copy_saved_by_make_test_is_dated_by_its_file(tmp_path):
    path = executed_copy(tmp_path)
    os.utime(path, (1795000000, 1795000000))  # 2026-11-18 in UTC
    info = course_site.site_notebook(path)[1]
    assert (info["ran_on"], info["runner"]) == ("2026-11-18", "nbval")


def test_make_site_without_executed_notebooks_says_to_run_make_course(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_RUNS_DIR", str(tmp_path / "runs"))
    assert course_site.main(["--profile", "cpu", "--out", str(tmp_path / "site")]) == 1
    error = capsys.readouterr().err
    assert "No executed notebooks in" in error and "make course" in error


def test_every_docs_page_is_a_page_of_the_site():
    """docs/ is shown on the website: each page is in the landing page's toctree (a page left out
    would be built unreachable, and Sphinx's -W build fails on it)."""
    import re

    index = (course_site.SITE_DIR / "index.md").read_text(encoding="utf-8")
    listed = re.findall(r"^docs/([\w-]+)$", index, re.M)
    assert sorted(listed) == sorted(p.stem for p in course_site.DOCS_DIR.glob("*.md"))


def test_on_the_site_docs_pages_link_to_each_other_and_other_files_to_github():
    blob, tree = (f"{links.clone_url()}/{kind}/{links.REF}/" for kind in ("blob", "tree"))
    page = "[a](setup.md#which-torch) [b](../Makefile) [c](../notebooks/) [d](https://x.org) [e](#top) [f](../README.md)"
    assert course_site.site_links(page, "docs/testing.md") == (
        f"[a](setup.md#which-torch) [b]({blob}Makefile) [c]({tree}notebooks) [d](https://x.org) [e](#top) "
        f"[f]({blob}README.md)")
    assert course_site.site_links("[s](docs/setup.md) [l](LICENSE)", "README.md") == f"[s](docs/setup.md) [l]({blob}LICENSE)"


def test_the_site_stages_the_readme_and_docs_with_what_the_landing_page_includes(tmp_path):
    """What index.md includes is there when it is staged: the README's and docs/results.md's markers."""
    import re

    executed = executed_copy(tmp_path).parent
    src = tmp_path / "src"
    course_site.stage(executed, src)
    index = (src / "index.md").read_text(encoding="utf-8")
    for include, marker in re.findall(r"```\{include\} (\S+)\n(?::start-after: (.*)\n)?", index):
        text = (src / include).read_text(encoding="utf-8")
        assert not marker or marker in text, f"index.md includes {include} after {marker!r}, which it lacks"
    assert {p.name for p in (src / "docs").glob("*.md")} == {p.name for p in course_site.DOCS_DIR.glob("*.md")}
    assert "](../" not in (src / "docs" / "chapters.md").read_text(encoding="utf-8")  # notebook links: GitHub
