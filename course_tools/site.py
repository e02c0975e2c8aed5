"""The course as a website, built from executed notebooks (``make site``).

    python -m course_tools.site [--profile auto]      # from runs/<profile>/, written by `make course`
    python -m course_tools.site --from build/executed/smoke --out build/site-check

Nothing is executed: the pages show the outputs stored in the executed copies (plots, tables,
printed results). Each chapter page gets a box with the profile and the date it ran and its
Colab and Binder buttons (``course_tools.links``); papermill's injected-parameters cell and the
progress-bar widgets (blank without a kernel) are left out. The site's configuration and landing
page are in ``site/`` (Sphinx + MyST-NB + sphinx-book-theme); the landing page includes parts of
README.md and docs/results.md, so those stay the one place for the course's description, how to run
it and Chapter 5's measured table. The pages of ``docs/`` (for teachers and maintainers) are pages of
the site too; their links to other files of the repository (a notebook, the Makefile) point to
GitHub there, since the site holds only the pages (``site_links``). Output: ``<out>/html`` (upload that folder), with Sphinx's cache in
``<out>/doctrees`` and the staged sources in ``<out>/src``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import posixpath
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from course_tools import links
from helpers.paths import REPO_ROOT, runs_dir

SITE_DIR = REPO_ROOT / "site"  # conf.py, index.md, _static/
DOCS_DIR = REPO_ROOT / "docs"  # pages for teachers and maintainers, listed in index.md's toctree
MARKDOWN_LINK = re.compile(r"(\]\()([^)\s]+)(\))")  # [text](target)
CHAPTER_GLOB = "[0-9][0-9]_*.ipynb"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


class NoExecutedNotebooks(Exception):
    """There is nothing to build the site from."""


def course_chapters() -> list[str]:
    """The chapters' file names, in order (notebooks/NN_*.ipynb)."""
    return sorted(p.name for p in (REPO_ROOT / "notebooks").glob(CHAPTER_GLOB))


def run_info(nb: nbformat.NotebookNode, path: Path) -> dict:
    """Profile, date and duration of the run that produced an executed copy.

    papermill (``make course``) records its parameters and timestamps in the notebook's metadata;
    the copies that ``make test`` saves were executed by nbval from papermill-prepared inputs, so
    they have the parameters but no timestamps: then the file's time is when its last cell ran.
    """
    record = nb.metadata.get("papermill", {})
    params = record.get("parameters", {})
    started = record.get("start_time")
    if started:
        when = dt.datetime.fromisoformat(started)
        runner = "papermill"
    else:
        when = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.timezone.utc)
        runner = "nbval"
    return {
        "profile": params.get("PROFILE", "default (not injected)"),
        "hub_mode": params.get("HUB_MODE"),
        "ran_on": when.astimezone(dt.timezone.utc).strftime("%Y-%m-%d"),
        "ran_at": when.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "seconds": record.get("duration"),
        "runner": runner,
        "failed": bool(record.get("exception")),
    }


def title_of(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return cell.source.splitlines()[0][2:].strip()
    return fallback


def run_box(name: str, info: dict) -> str:
    """The box at the top of a chapter page: when and how it ran, and where to run it yourself."""
    details = f"profile `{info['profile']}`" + (f", hub mode `{info['hub_mode']}`" if info["hub_mode"] else "")
    took = f", {info['seconds']:.0f} s" if info["seconds"] else ""
    lines = [
        f":::{{admonition}} Ran on {info['ran_on']}, profile {info['profile']}",
        ":class: course-run",
        "",
        f"The outputs on this page are those of a real run ({details}; {info['ran_at']}{took}, "
        f"executed by {info['runner']}). Nothing was re-run to build the page.",
    ]
    if info["failed"]:
        lines += ["", "**This run stopped with an error**; the failing cell shows it below."]
    lines += ["",
              f"[Open in Colab]({links.colab_url(name)}){{.course-button}} "
              f"[Launch on Binder]({links.binder_url(name)}){{.course-button}}",
              ":::"]
    return "\n".join(lines)


def site_notebook(path: Path) -> tuple[nbformat.NotebookNode, dict]:
    """An executed copy as the site shows it: papermill's injected cell and widget outputs left
    out, the run box after the title."""
    nb = nbformat.read(path, as_version=4)
    info = run_info(nb, path)
    info["title"] = title_of(nb, path.stem)
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if WIDGET_MIME not in o.get("data", {})]
    nb.metadata.pop("widgets", None)
    box = nbformat.v4.new_markdown_cell(run_box(path.name, info))
    first = nb.cells[0] if nb.cells else None
    if first is not None and first.cell_type == "markdown" and first.source.startswith("# "):
        title, _, rest = first.source.partition("\n")
        first.source = title
        nb.cells[1:1] = [box] + ([nbformat.v4.new_markdown_cell(rest.strip("\n"))] if rest.strip() else [])
    else:
        nb.cells.insert(0, box)
    return nb, info


def chapters_table(found: dict[str, dict]) -> str:
    """The landing page's list of chapters, with how each ran and its buttons."""
    rows = ["{.course-chapters}", "| chapter | this site's run | run it yourself |", "|---|---|---|"]
    for name in course_chapters():
        info = found.get(name)
        launch = f"[Colab]({links.colab_url(name)}) · [Binder]({links.binder_url(name)})"
        if info:
            rows.append(f"| [{info['title']}]({name}) | {info['profile']}, {info['ran_on']} | {launch} |")
        else:
            rows.append(f"| `{name}` | not run yet | {launch} |")
    return "\n".join(rows) + "\n"


def site_links(text: str, where: str) -> str:
    """A Markdown file of the repository (``where``, e.g. "docs/setup.md") with its relative links as the
    site needs them: a link to a page of ``docs/`` stays (it is a page of the site too, at the same place);
    a link to any other file or folder of the repository becomes its address on GitHub."""
    base = posixpath.dirname(where)

    def fix(match: re.Match) -> str:
        target = match.group(2)
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):  # https:, mailto:, #anchor
            return match.group(0)
        path, _, anchor = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(base, path))
        if resolved.startswith("docs/") and resolved.endswith(".md"):
            return match.group(0)
        kind = "tree" if (REPO_ROOT / resolved).is_dir() else "blob"
        url = f"{links.clone_url()}/{kind}/{links.REF}/{resolved}" + (f"#{anchor}" if anchor else "")
        return match.group(1) + url + match.group(3)

    return MARKDOWN_LINK.sub(fix, text)


def stage_markdown(path: Path, src: Path) -> None:
    """Copy one Markdown file of the repository into the site's sources, at the same relative place."""
    where = path.relative_to(REPO_ROOT).as_posix()
    (src / where).parent.mkdir(parents=True, exist_ok=True)
    (src / where).write_text(site_links(path.read_text(encoding="utf-8"), where), encoding="utf-8")


def stage(executed: Path, src: Path) -> dict[str, dict]:
    """Write the site's sources into ``src``: landing page, README (for its includes), docs/, chapters."""
    notebooks = sorted(executed.glob(CHAPTER_GLOB)) if executed.is_dir() else []
    if not notebooks:
        raise NoExecutedNotebooks(
            f"No executed notebooks in {executed}/: the site shows the outputs of a real run.\n"
            "Run `make course` first (it writes runs/<profile>/), then `make site` with the same PROFILE.")
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    shutil.copy(SITE_DIR / "index.md", src / "index.md")
    for page in [REPO_ROOT / "README.md", *sorted(DOCS_DIR.glob("*.md"))]:
        stage_markdown(page, src)
    found = {}
    for path in notebooks:
        nb, found[path.name] = site_notebook(path)
        nbformat.write(nb, src / path.name)
    (src / "_chapters.md").write_text(chapters_table(found), encoding="utf-8")
    return found


def build(executed: Path, out: Path, quiet: bool = True) -> Path:
    """Stage and build the site; returns the folder to publish (``out/html``).

    Sphinx's warnings are errors (``-W``): a broken cross-reference fails the build."""
    found = stage(executed, out / "src")
    html = out / "html"
    for stale in (html, out / "doctrees", out / "jupyter_execute"):  # no page left from an earlier run
        shutil.rmtree(stale, ignore_errors=True)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(SITE_DIR), "-d", str(out / "doctrees"),
               "-W", "--keep-going", "-j", "1", *(["-q"] if quiet else []), str(out / "src"), str(html)]
    subprocess.run(command, check=True, cwd=REPO_ROOT)
    missing = [name for name in course_chapters() if name not in found]
    if missing:
        print(f"Not in {executed}/ (listed as 'not run yet'): {', '.join(missing)}", file=sys.stderr)
    return html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.site", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="auto", help="build from runs/<profile>/ (make course's PROFILE)")
    parser.add_argument("--from", dest="executed", type=Path, default=None,
                        help="a folder of executed notebooks instead, e.g. build/executed/smoke")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "site")
    args = parser.parse_args(argv)
    if args.executed is None:
        from helpers.environment import resolve_profile  # auto: the folder make course wrote, by the same rule

        args.profile = resolve_profile(args.profile)
    executed = args.executed or runs_dir() / args.profile
    start = time.perf_counter()
    try:
        html = build(executed, args.out, quiet=False)
    except NoExecutedNotebooks as error:
        others = sorted(p.name for p in runs_dir().glob("*") if any(p.glob(CHAPTER_GLOB)))
        hint = f"\nExecuted runs that do exist: {', '.join(others)} (make site PROFILE=...)." if others else ""
        print(f"{error}{hint}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        print(f"sphinx-build failed (exit {error.returncode}); its messages are above.", file=sys.stderr)
        return 1
    print(f"\nSite built in {time.perf_counter() - start:.1f} s from {executed}/")
    print(f"Upload this folder: {html}/  (open {html / 'index.html'} to read it here)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
