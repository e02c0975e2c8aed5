"""Reads the built site in a real browser, as a reader would (``tests/test_site.py``).

    python -m course_tools.site_check build/site/html [--screenshots build/site-check]

Serves the folder on 127.0.0.1, opens every page it can reach from index.html in headless
Chromium (Debian's ``chromium`` and ``chromium-driver``, driven by Selenium; nothing is
downloaded), and reports as a problem:

- a console error on any page (a script that fails, a file that does not load);
- a request the server answered with an error (a stylesheet, script, font or image missing);
- a script, stylesheet, font or image loaded from another site (a CDN): the site must work offline;
- an internal link to a page or file that does not exist, or to an anchor not on its page;
- an image that the browser could not decode, or that has no size;
- math left untypeset by MathJax.

It also counts, per page, the images and tables inside the notebooks' outputs, for the caller
to compare with what the executed notebooks hold, and saves screenshots of the pages asked for.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import shutil
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--window-size=1280,1400",
    "--disable-dev-shm-usage",  # containers often have a small /dev/shm
]
INSTALL_HINT = "apt-get install chromium chromium-driver (Debian's packages; .ci/run installs them)"

# Everything the check needs from a page, read in one go once it has loaded (and MathJax is done).
PAGE_SCRIPT = """
const inOutput = el => el.closest('.cell_output') !== null;
const visible = el => el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().height > 0;
return {
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id)
         .concat(Array.from(document.querySelectorAll('a[name]')).map(a => a.name)),
  images: Array.from(document.images).map(img => ({
    src: img.currentSrc || img.src, complete: img.complete, width: img.naturalWidth,
    height: img.naturalHeight, output: inOutput(img), visible: visible(img)})),
  output_tables: Array.from(document.querySelectorAll('.cell_output table')).filter(visible).length,
  tables: Array.from(document.querySelectorAll('article table')).filter(visible).length,
  math: document.querySelectorAll('.math').length,
  math_typeset: document.querySelectorAll('.math mjx-container, mjx-container.MathJax').length,
  launch: Array.from(document.querySelectorAll('.dropdown-launch-buttons a'))
            .map(a => [a.querySelector('.btn__text-container').textContent.trim(), a.href]),
  announcement: (document.querySelector('.bd-header-announcement') || {textContent: ''}).textContent.trim(),
  title: document.title,
  external: performance.getEntriesByType('resource').map(r => r.name)
              .filter(url => !url.startsWith(location.origin) && !url.startsWith('data:')),
};
"""
WAIT_FOR_MATHJAX = """
const done = arguments[arguments.length - 1];
if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
  MathJax.startup.promise.then(() => done('typeset'), error => done('MathJax failed: ' + error));
} else { done('no MathJax'); }
"""


@dataclasses.dataclass
class Page:
    path: str  # relative to the site's root, e.g. "04_gpt_from_scratch.html"
    title: str = ""
    output_images: int = 0  # decoded images inside notebook outputs (the plots)
    output_tables: int = 0  # tables inside notebook outputs (DataFrames)
    tables: int = 0         # every table in the article (markdown ones too)
    math: int = 0
    launch: list = dataclasses.field(default_factory=list)  # the theme's launch buttons: [text, address]
    announcement: str = ""  # the theme's banner at the top of the page (make site: which run it shows)


@dataclasses.dataclass
class Report:
    pages: dict[str, Page]
    problems: list[str]
    screenshots: list[Path]


def find_browser() -> tuple[str, str]:
    """Chromium and its driver from the system (CHROMIUM / CHROMEDRIVER override the paths)."""
    browser = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    if not browser or not driver:
        raise FileNotFoundError(f"headless Chromium and chromedriver are needed: {INSTALL_HINT}")
    return browser, driver


class _QuietHandler(SimpleHTTPRequestHandler):
    failures: list  # set per server: (status, path) of every request answered with an error

    def log_message(self, format, *args):  # noqa: A002 (the standard library's name)
        pass

    def log_request(self, code="-", size="-"):
        if isinstance(code, int) and code >= 400 or str(code).isdigit() and int(code) >= 400:
            self.failures.append((int(code), unquote(self.path)))


def serve(folder: Path) -> tuple[ThreadingHTTPServer, list]:
    failures: list = []
    handler = type("Handler", (_QuietHandler,), {"failures": failures})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, failures


def start_browser(profile_dir: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = find_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile_dir}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    chrome.set_page_load_timeout(60)
    chrome.set_script_timeout(30)
    return chrome


def _page_path(url: str, root: str) -> str | None:
    """The site-relative file a same-site URL names ("" and "x/" are their index.html)."""
    if not url.startswith(root):
        return None
    path = unquote(urlsplit(url).path)[1:]
    return path + "index.html" if path == "" or path.endswith("/") else path


def check_site(html: Path, screenshots: dict[str, Path] | None = None,
               scroll_to_plot: bool = True) -> Report:
    """Crawl the site from index.html in headless Chromium; see the module's docstring.

    ``screenshots`` maps a page (e.g. "index.html") to the PNG to save of it; a chapter page is
    scrolled to its first plot first, so the picture shows one.
    """
    html = Path(html)
    if not (html / "index.html").exists():
        raise FileNotFoundError(f"{html}/index.html does not exist: build the site first (make site).")
    screenshots = screenshots or {}
    server, failures = serve(html)
    root = f"http://127.0.0.1:{server.server_address[1]}/"
    problems: list[str] = []
    pages: dict[str, Page] = {}
    ids: dict[str, set] = {}
    links: list[tuple[str, str]] = []  # (page it is on, absolute URL)
    saved: list[Path] = []
    profile_dir = tempfile.mkdtemp(prefix="site-check-chromium-")
    chrome = start_browser(profile_dir)
    try:
        # From the landing page, following links; and the search page, which the search box opens.
        queue = ["index.html"] + [extra for extra in ("search.html",) if (html / extra).is_file()]
        seen = set(queue)
        while queue:
            path = queue.pop(0)
            chrome.get(root + path)
            mathjax = chrome.execute_async_script(WAIT_FOR_MATHJAX)
            if mathjax.startswith("MathJax failed"):
                problems.append(f"{path}: {mathjax}")
            found = chrome.execute_script(PAGE_SCRIPT)
            for entry in chrome.get_log("browser"):
                if entry["level"] == "SEVERE":
                    problems.append(f"{path}: console error: {entry['message']}")
            page = pages[path] = Page(path, title=found["title"], output_tables=found["output_tables"],
                                      tables=found["tables"], math=found["math"], launch=found["launch"],
                                      announcement=found["announcement"])
            ids[path] = set(found["ids"])
            problems += [f"{path}: loaded from another site (the site must work offline): {url}"
                         for url in found["external"]]
            for image in found["images"]:
                shown = image["complete"] and image["width"] > 0 and image["height"] > 0
                if not shown:
                    problems.append(f"{path}: image not shown (missing or undecodable): {image['src']}")
                elif image["output"]:
                    page.output_images += 1
            if found["math"] and found["math_typeset"] < found["math"]:
                problems.append(f"{path}: {found['math'] - found['math_typeset']} of {found['math']} "
                                "math elements not typeset by MathJax")
            for url in found["links"]:
                links.append((path, url))
                target = _page_path(urldefrag(url)[0], root)
                if target and target.endswith(".html") and target not in seen and (html / target).is_file():
                    seen.add(target)
                    queue.append(target)
            if path in screenshots:
                saved.append(_screenshot(chrome, screenshots[path], scroll_to_plot and found["images"]))
        problems += _broken_links(links, root, html, ids)
    finally:
        chrome.quit()
        server.shutdown()
        server.server_close()
        shutil.rmtree(profile_dir, ignore_errors=True)
    problems += [f"the server answered {status} for {path}" for status, path in failures]
    missing_shots = set(screenshots) - set(pages)
    problems += [f"{page}: not reachable from index.html, no screenshot" for page in sorted(missing_shots)]
    return Report(pages=pages, problems=problems, screenshots=saved)


def _screenshot(chrome, target: Path, has_images) -> Path:
    if has_images:  # show the first plot of a chapter page, not only its header
        chrome.execute_script("const img = document.querySelector('.cell_output img');"
                              "if (img) img.scrollIntoView({block: 'center'});")
    target.parent.mkdir(parents=True, exist_ok=True)
    chrome.save_screenshot(str(target))
    return target


def _broken_links(links, root: str, html: Path, ids: dict[str, set]) -> list[str]:
    """Internal links whose file is missing, or whose #anchor is not on the page it names."""
    problems, checked = [], set()
    for page, url in links:
        address, fragment = urldefrag(url)
        target = _page_path(address, root)
        if target is None or (page, url) in checked:
            continue  # another site (Colab, Binder, GitHub): not reachable offline, not checked here
        checked.add((page, url))
        if not (html / target).is_file():
            problems.append(f"{page}: broken link to {target}")
            continue
        if fragment and target in ids and unquote(fragment) not in ids[target]:
            problems.append(f"{page}: link to {target}#{fragment}: no such anchor on that page")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.site_check", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("html", type=Path, nargs="?", default=Path("build/site/html"))
    parser.add_argument("--screenshots", type=Path, default=None, help="save landing-page.png here")
    args = parser.parse_args(argv)
    shots = {"index.html": args.screenshots / "landing-page.png"} if args.screenshots else None
    report = check_site(args.html, shots)
    landing = report.pages.get("index.html")
    if landing and landing.announcement:
        print(f"banner: {landing.announcement}")
    for page in report.pages.values():
        print(f"{page.path}: {page.output_images} plots, {page.output_tables} output tables, "
              f"{page.tables} tables, {page.math} math")
    for path in report.screenshots:
        print(f"screenshot: {path}")
    print("\n".join(report.problems) or f"no problems on {len(report.pages)} pages")
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
