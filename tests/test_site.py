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
    """The buttons are the theme's launch buttons (site/conf.py): the addresses course_tools.links gives."""
    for path in executed_chapters():
        page = report.pages[path.stem + ".html"]
        assert page.launch == [["Binder", links.binder_url(path.name)], ["Colab", links.colab_url(path.name)]]
        text = (built_site / f"{path.stem}.html").read_text(encoding="utf-8")
        assert "profile smoke" in text and "injected-parameters" not in text


@pytest.mark.after_notebooks
def test_every_page_says_which_run_the_site_shows(report):
    assert {"index.html", "docs/website.html"} <= set(report.pages)
    for page in report.pages.values():
        assert page.announcement.startswith("This site shows the smoke run of "), page.path


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
    assert "rocket button" in sources[1]  # the theme's launch buttons, checked in the browser test above
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


# Which run `make site` shows (course_site.choose_run), on synthetic runs folders.

def write_run(folder: Path, profile: str, start: str, failed=(), skip=(), hub="offline") -> Path:
    """A run as `make course` leaves it: every chapter, with papermill's record and the setup banner."""
    folder.mkdir(parents=True)
    for name in course_site.course_chapters():
        if name in skip:
            continue
        nb = nbformat.v4.new_notebook()
        nb.metadata["papermill"] = {"parameters": {"PROFILE": profile}, "start_time": start,
                                    "exception": name in failed or None}
        banner = f"Chapter\n  device  : CPU\n  profile : {profile}\n  hub     : {hub}, because a test says so\n"
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}"),
                    nbformat.v4.new_code_cell("setup_chapter()", outputs=[
                        nbformat.v4.new_output("stream", name="stdout", text=banner)])]
        nbformat.write(nb, folder / name)
    return folder


def test_auto_takes_the_newest_complete_real_run(tmp_path):
    write_run(tmp_path / "cpu", "cpu", "2026-12-01T08:00:00+00:00")
    write_run(tmp_path / "gpu", "gpu", "2026-12-02T08:00:00+00:00", hub="online")
    run, why = course_site.choose_run(tmp_path, test_copies=tmp_path / "none")
    assert run.folder == tmp_path / "gpu" and run.profile == "gpu" and run.complete
    assert run.label().startswith("the gpu run of 2026-12-02 (") and "with the Hugging Face Hub's models" in run.label()
    assert why.startswith("the newest complete real run") and "cpu/ is older" in why
    # the cpu run newer: it is taken instead
    write_run(tmp_path / "cpu2", "cpu", "2026-12-03T08:00:00+00:00")
    (tmp_path / "cpu").rename(tmp_path / "cpu-old")
    (tmp_path / "cpu2").rename(tmp_path / "cpu")
    assert course_site.choose_run(tmp_path, test_copies=tmp_path / "none")[0].profile == "cpu"


def test_auto_takes_a_cpu_run_alone_and_passes_over_an_incomplete_one(tmp_path):
    write_run(tmp_path / "cpu", "cpu", "2026-12-01T08:00:00+00:00")
    run = course_site.choose_run(tmp_path, test_copies=tmp_path / "none")[0]
    assert run.profile == "cpu" and "offline kit's stand-ins" in run.label()
    first, last = course_site.course_chapters()[0], course_site.course_chapters()[-1]
    write_run(tmp_path / "gpu", "gpu", "2026-12-05T08:00:00+00:00", failed=[first])  # newer, but a chapter failed
    run, why = course_site.choose_run(tmp_path, test_copies=tmp_path / "none")
    assert run.profile == "cpu" and "gpu/ is incomplete" in why
    failed = course_site.survey(tmp_path / "gpu")
    assert failed.failed == [first] and f"stopped with an error: {first}" in failed.label()
    missing = course_site.survey(write_run(tmp_path / "other", "cpu", "2026-12-06T08:00:00+00:00", skip=[last]))
    assert not missing.complete and missing.missing == [last] and f"Not run: {last}" in missing.banner()


def test_auto_falls_back_to_a_smoke_run_only_without_a_complete_real_one(tmp_path, monkeypatch, capsys):
    write_run(tmp_path / "runs" / "cpu", "cpu", "2026-12-05T08:00:00+00:00", skip=course_site.course_chapters()[1:])
    copies = write_run(tmp_path / "executed", "smoke", "2026-12-01T08:00:00+00:00")
    run, why = course_site.choose_run(tmp_path / "runs", test_copies=copies)
    assert run.folder == copies and run.profile == "smoke"
    assert why.startswith("no complete real run") and "cpu/ is incomplete" in why
    # nothing at all: an error that says what to run
    monkeypatch.setenv("COURSE_RUNS_DIR", str(tmp_path / "empty"))
    monkeypatch.setattr(course_site, "MAKE_TEST_COPIES", tmp_path / "none")
    assert course_site.main(["--out", str(tmp_path / "site")]) == 1
    error = capsys.readouterr().err
    assert "No complete run to build the site from" in error and "make course" in error


def test_make_site_says_which_run_it_shows_on_the_console_and_on_every_page(tmp_path, monkeypatch, capsys):
    """make site with no PROFILE: the console names the run; the pages' banner (the theme's announcement,
    passed to sphinx-build) and each chapter's box say the same."""
    runs = tmp_path / "runs"
    write_run(runs / "cpu", "cpu", "2026-12-01T08:00:00+00:00")
    write_run(runs / "gpu", "gpu", "2026-12-02T09:30:00+00:00")
    monkeypatch.setenv("COURSE_RUNS_DIR", str(runs))
    commands = []
    monkeypatch.setattr(course_site.subprocess, "run", lambda command, **kw: commands.append(command))
    assert course_site.main(["--out", str(tmp_path / "site")]) == 0
    out = capsys.readouterr().out
    assert "The site shows the gpu run of 2026-12-02 (" in out and "the newest complete real run" in out
    announcement = next(arg for arg in commands[0] if arg.startswith("html_theme_options.announcement="))
    assert "This site shows the <strong>gpu</strong> run of 2026-12-02" in announcement
    assert "offline kit's stand-ins" in announcement
    first = course_site.course_chapters()[0]
    page = (tmp_path / "site" / "src" / first).read_text(encoding="utf-8")
    assert "Ran on 2026-12-02, profile gpu" in page and "offline kit's stand-ins" in page
    # an explicit PROFILE still wins
    commands.clear()
    assert course_site.main(["--profile", "cpu", "--out", str(tmp_path / "site")]) == 0
    assert "The site shows the cpu run of 2026-12-01" in capsys.readouterr().out


def test_the_themes_launch_buttons_are_the_course_links(tmp_path):
    """site/conf.py's launch_buttons, run through the theme's own code for a staged chapter page,
    give the addresses course_tools.links gives (the browser test checks the built pages too)."""
    import runpy
    from types import SimpleNamespace

    from sphinx_book_theme.header_buttons import update_context_with_repository_info
    from sphinx_book_theme.header_buttons.launch import add_launch_buttons

    class Config(SimpleNamespace):  # Sphinx's config: read both as config.x and as config["x"]
        def __getitem__(self, key):
            return getattr(self, key)

    conf = runpy.run_path(str(course_site.SITE_DIR / "conf.py"))
    name = "04_gpt_from_scratch.ipynb"
    page = Path(name).stem  # the page of the chapter staged at the top of the sources (course_site.stage)
    options = conf["html_theme_options"]
    app = SimpleNamespace(config=Config(html_theme_options=options, html_context=dict(conf["html_context"])),
                          builder=SimpleNamespace(theme_options=options),
                          env=SimpleNamespace(doc2path=lambda docname: tmp_path / f"{docname}.ipynb",
                                              metadata={page: {"kernelspec": {}}}))
    update_context_with_repository_info(app)  # the theme's builder-inited step: repository_url into the context
    context = dict(app.config.html_context, pagename=page, sourcename=name, header_buttons=[])
    add_launch_buttons(app, page, "page.html", context, None)
    [group] = context["header_buttons"]
    assert [(button["text"], button["url"]) for button in group["buttons"]] == [
        ("Binder", links.binder_url(name)), ("Colab", links.colab_url(name))]
