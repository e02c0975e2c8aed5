"""The course as a website, built from executed notebooks (``make site``).

    python -m course_tools.site [--profile auto]      # the newest complete run in runs/gpu/ or runs/cpu/
    python -m course_tools.site --profile cpu         # runs/cpu/, written by `make course PROFILE=cpu`
    python -m course_tools.site --from build/executed/smoke --out build/site-check

Which run (``choose_run``): ``auto`` takes the newest *complete* real run, runs/gpu/ or runs/cpu/
(complete: every chapter of notebooks/ is there and none stopped with an error; newest: by the
latest papermill start time among its chapters), and only when neither is complete a smoke run
(runs/smoke/ or the copies ``make test`` saved in build/executed/smoke/, complete first, then
newest), saying so. An explicit profile or ``--from`` folder is taken as it is, failed or missing
chapters included, and the pages say which. The console says which run the site shows and why; every page (chapters, landing page,
docs) says it too, in the theme's announcement banner: profile, date, folder, and whether the
chapters used the Hugging Face Hub or the offline kit's stand-ins.

Nothing is executed: the pages show the outputs stored in the executed copies (plots, tables,
printed results). Each chapter page gets a box with the profile and the date it ran; its Colab and
Binder buttons are the theme's own launch buttons (``site/conf.py``, addresses from
``course_tools.links``); papermill's injected-parameters cell and the progress-bar widgets (blank
without a kernel) are left out. The site's configuration and landing
page are in ``site/`` (Sphinx + MyST-NB + sphinx-book-theme); the landing page includes parts of
README.md and docs/results.md, so those stay the one place for the course's description, how to run
it and Chapter 5's measured table. The pages of ``docs/`` (for teachers and maintainers) are pages of
the site too; their links to other files of the repository (a notebook, the Makefile) point to
GitHub there, since the site holds only the pages (``site_links``). Output: ``<out>/html`` (upload that folder), with Sphinx's cache in
``<out>/doctrees`` and the staged sources in ``<out>/src``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import html
import posixpath
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from course_tools import links
from helpers.paths import REPO_ROOT, runs_dir, shown_path

SITE_DIR = REPO_ROOT / "site"  # conf.py, index.md, _static/
DOCS_DIR = REPO_ROOT / "docs"  # pages for teachers and maintainers, listed in index.md's toctree
MARKDOWN_LINK = re.compile(r"(\]\()([^)\s]+)(\))")  # [text](target)
CHAPTER_GLOB = "[0-9][0-9]*_*.ipynb"  # the chapters, and bonus notebooks such as 04b_*
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
REAL_PROFILES = ("gpu", "cpu")  # make site's choice, newest first; smoke only when neither is complete
MAKE_TEST_COPIES = REPO_ROOT / "build" / "executed" / "smoke"  # the chapters make test ran (conftest.py)
# setup_chapter's banner: "  hub     : offline, because ...; using offline-kit stand-ins"
HUB_LINE = re.compile(r"^\s+hub\s+: (online|offline)\b.*$", re.M)
HUB_WORDS = {"online": "the Hugging Face Hub's models and data",
             "mirror": "a Hub mirror's models and data (HF_ENDPOINT)",
             "offline": "the offline kit's stand-ins for the Hub's models and data"}


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
        when = when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)  # papermill writes UTC
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
        "when": when,
        "hub": hub_of(nb),
    }


def hub_of(nb: nbformat.NotebookNode) -> str | None:
    """"online", "mirror" (online, through HF_ENDPOINT) or "offline" (stand-ins), as the chapter's
    setup banner printed it; "none" where the chapter needs no Hub model (Chapter 4); None where the
    banner is not in its outputs."""
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            found = HUB_LINE.search(str(output.get("text", "")))
            if found and "needs no Hub models" in found.group(0):
                return "none"
            if found:
                return "mirror" if found.group(1) == "online" and "HF_ENDPOINT" in found.group(0) else found.group(1)
    return None


@dataclasses.dataclass
class Run:
    """One folder of executed chapters, as the site would show it."""

    folder: Path
    chapters: dict[str, dict]  # file name -> run_info, for the chapters found
    missing: list[str]         # chapters of notebooks/ not in the folder

    @property
    def failed(self) -> list[str]:
        return [name for name, info in self.chapters.items() if info["failed"]]

    @property
    def complete(self) -> bool:
        return bool(self.chapters) and not self.missing and not self.failed

    @property
    def newest(self) -> dt.datetime:
        return max(info["when"] for info in self.chapters.values())

    @property
    def profile(self) -> str:
        return "/".join(sorted({info["profile"] for info in self.chapters.values()}))

    @property
    def dates(self) -> str:
        days = sorted({info["ran_on"] for info in self.chapters.values()})
        return days[0] if len(days) == 1 else f"{days[0]} to {days[-1]}"

    @property
    def hub(self) -> str:
        found = {info["hub"] for info in self.chapters.values()}
        modes = sorted(found - {"none", None})
        if len(modes) == 1:
            return "with " + HUB_WORDS[modes[0]]
        if modes:
            return "with " + " or ".join(HUB_WORDS[mode] for mode in modes) + ", depending on the chapter"
        return "with no Hub models" if found == {"none"} else "Hub or offline kit not recorded"

    @property
    def where(self) -> str:
        return shown_path(self.folder).rstrip("/") + "/"

    def label(self) -> str:
        """One line for the console and the pages: which run, when, where, with what."""
        if not self.chapters:
            return f"no executed chapters ({self.where})"
        text = f"the {self.profile} run of {self.dates} ({self.where}, {self.hub})"
        if self.failed:
            text += f"; stopped with an error: {', '.join(self.failed)}"
        if self.missing:
            text += f"; not run: {', '.join(self.missing)}"
        return text

    def banner(self) -> str:
        """The theme's announcement (raw HTML, on every page of the site)."""
        def escape(text: str) -> str:
            return html.escape(text, quote=False)

        text = (f"This site shows the <strong>{escape(self.profile)}</strong> run of "
                f"{escape(self.dates)} ({escape(self.where)}), {escape(self.hub)}.")
        if self.profile == "smoke":
            text += (" Smoke is the smallest profile, a check that everything runs: its numbers are not "
                     "the course's results.")
        if self.failed:
            text += f" <strong>Stopped with an error:</strong> {escape(', '.join(self.failed))}."
        if self.missing:
            text += f" Not run: {escape(', '.join(self.missing))}."
        return text


def survey(folder: Path) -> Run:
    """The executed chapters in ``folder`` (none when it does not exist)."""
    chapters = {}
    for path in sorted(folder.glob(CHAPTER_GLOB)) if folder.is_dir() else []:
        chapters[path.name] = run_info(nbformat.read(path, as_version=4), path)
    return Run(folder, chapters, [name for name in course_chapters() if name not in chapters])


def choose_run(runs: Path, test_copies: Path | None = None) -> tuple[Run, str]:
    """``make site``'s run when no PROFILE is given: the newest complete real run (runs/gpu/,
    runs/cpu/), else a smoke run (runs/smoke/ or ``make test``'s copies: complete first, then newest), with
    the reason in words.

    Raises NoExecutedNotebooks when there is none at all."""
    real = [run for run in (survey(runs / profile) for profile in REAL_PROFILES) if run.chapters]
    complete = sorted((run for run in real if run.complete), key=lambda run: run.newest, reverse=True)
    if complete:
        chosen = complete[0]
        others = [run for run in real if run is not chosen]
        why = "the newest complete real run" + "".join(
            f"; {run.where} is {'older' if run.complete else 'incomplete'}" for run in others)
        return chosen, why
    smoke = [run for run in (survey(runs / "smoke"), survey(test_copies or MAKE_TEST_COPIES)) if run.chapters]
    if not smoke:
        incomplete = "".join(f"\n  {run.where}: {run.label()}" for run in real)
        raise NoExecutedNotebooks(
            f"No complete run to build the site from in {runs}/ (gpu, cpu or smoke):"
            + (incomplete or " none has any executed chapter.")
            + "\nRun `make course` first (PROFILE=cpu, or gpu on a GPU), then `make site`"
            + (", or build from an incomplete run anyway with `make site PROFILE=<profile>`." if real else "."))
    chosen = sorted(smoke, key=lambda run: (run.complete, run.newest), reverse=True)[0]
    why = ("no complete real run (runs/gpu/, runs/cpu/), so a smoke run: the smallest profile, its "
           "outputs are not the course's real results" + "".join(f"; {run.where} is incomplete" for run in real))
    return chosen, why


def title_of(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return cell.source.splitlines()[0][2:].strip()
    return fallback


def run_box(name: str, info: dict) -> str:
    """The box at the top of a chapter page: when and how it ran, and where to run it yourself
    (the theme's launch button, in the page's header: ``launch_buttons`` in site/conf.py)."""
    details = f"profile `{info['profile']}`" + (f", hub mode `{info['hub_mode']}`" if info["hub_mode"] else "")
    took = f", {info['seconds']:.0f} s" if info["seconds"] else ""
    used = f" It used {HUB_WORDS[info['hub']]}." if info["hub"] in HUB_WORDS else ""
    lines = [
        f":::{{admonition}} Ran on {info['ran_on']}, profile {info['profile']}",
        ":class: course-run",
        "",
        f"The outputs on this page are those of a real run ({details}; {info['ran_at']}{took}, "
        f"executed by {info['runner']}).{used} Nothing was re-run to build the page.",
    ]
    if info["failed"]:
        lines += ["", "**This run stopped with an error**; the failing cell shows it below."]
    lines += ["", "To run it yourself, the rocket button at the top of the page opens this notebook "
                  "on Colab or Binder.", ":::"]
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
            ran = f"{info['profile']}, {info['ran_on']}" + (", **stopped with an error**" if info["failed"] else "")
            rows.append(f"| [{info['title']}]({name}) | {ran} | {launch} |")
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
    """Stage and build the site; returns the folder to publish (``out/html``). Every page says
    which run it shows, in the theme's announcement banner (``Run.banner``).

    Sphinx's warnings are errors (``-W``): a broken cross-reference fails the build."""
    found = stage(executed, out / "src")
    run = Run(executed, found, [name for name in course_chapters() if name not in found])
    site = out / "html"
    for stale in (site, out / "doctrees", out / "jupyter_execute"):  # no page left from an earlier run
        shutil.rmtree(stale, ignore_errors=True)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(SITE_DIR), "-d", str(out / "doctrees"),
               "-D", f"html_theme_options.announcement={run.banner()}",
               "-W", "--keep-going", "-j", "1", *(["-q"] if quiet else []), str(out / "src"), str(site)]
    subprocess.run(command, check=True, cwd=REPO_ROOT)
    if run.missing:
        print(f"Not in {executed}/ (listed as 'not run yet'): {', '.join(run.missing)}", file=sys.stderr)
    if run.failed:
        print(f"Stopped with an error in {executed}/ (the pages say so): {', '.join(run.failed)}", file=sys.stderr)
    return site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.site", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="auto",
                        help="build from runs/<profile>/ (make course's PROFILE); auto: the newest complete "
                             "run of runs/gpu/ and runs/cpu/, else a smoke run")
    parser.add_argument("--from", dest="executed", type=Path, default=None,
                        help="a folder of executed notebooks instead, e.g. build/executed/smoke")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "site")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        if args.executed is not None or args.profile != "auto":
            executed = args.executed or runs_dir() / args.profile
            run, why = survey(executed), ("as asked (--from)" if args.executed is not None
                                          else f"as asked (PROFILE={args.profile})")
        else:
            run, why = choose_run(runs_dir())
            executed = run.folder
        if run.chapters:
            print(f"The site shows {run.label()}: {why}.", flush=True)
        site = build(executed, args.out, quiet=False)
    except NoExecutedNotebooks as error:
        others = sorted(p.name for p in runs_dir().glob("*") if any(p.glob(CHAPTER_GLOB)))
        hint = f"\nExecuted runs that do exist: {', '.join(others)} (make site PROFILE=...)." if others else ""
        print(f"{error}{hint}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        print(f"sphinx-build failed (exit {error.returncode}); its messages are above.", file=sys.stderr)
        return 1
    print(f"\nSite built in {time.perf_counter() - start:.1f} s from {run.label()}")
    print(f"Upload this folder: {site}/  (open {site / 'index.html'} to read it here)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
