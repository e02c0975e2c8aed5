# The course as a website: Sphinx + MyST-NB + the Jupyter Book theme (sphinx-book-theme).
# `make site` (course_tools/site.py) stages the executed notebooks and index.md next to each other
# in build/site/src/ and runs sphinx-build with this folder as its configuration (-c site).
# Nothing is executed here: every output on the site is the one stored in the executed notebook.
from course_tools import links

project = "Transformers, four ways"
author = "the course's authors"
copyright = "the course's authors, Apache-2.0"

extensions = [
    "myst_nb",                 # reads .ipynb (with their stored outputs) and MyST Markdown
    "sphinx-mathjax-offline",  # MathJax 3 served from the site itself: no CDN at page-load time
]

# The stored outputs, never a kernel: the notebooks were run by `make course` (or `make test`).
nb_execution_mode = "off"
# Progress-bar widgets are dropped by course_tools/site.py (they are blank without a kernel);
# no widget JavaScript either, since it would be fetched from a CDN.
nb_ipywidgets_js = {}
# A cell's stderr (warnings, progress text) is part of what a learner sees when running it.
nb_output_stderr = "show"
nb_merge_streams = True

# MyST: $...$ math, but not in prices like "$0.4/$1.6 per million": no digit may touch a closing $.
myst_enable_extensions = ["dollarmath", "colon_fence", "attrs_inline", "attrs_block"]
myst_dmath_allow_digits = False
myst_dmath_allow_space = False
myst_heading_anchors = 3

exclude_patterns = ["README.md", "_*.md"]  # included into index.md, not pages of their own
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_title = project
html_favicon = "_static/favicon.svg"
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = True  # the executed .ipynb, downloadable from each page

html_theme = "sphinx_book_theme"
# Light or dark as the reader's system prefers. Without it the theme's script logs an error
# ("Got invalid theme mode") on a reader's first visit, which the browser check counts.
html_context = {"default_mode": "auto"}
# The chapter pages' Colab and Binder buttons are the theme's launch buttons (the rocket in the
# header). The theme builds them from repository_url, repository_branch and path_to_docs plus the
# page's name: the chapters are staged at the top of the sources under their own file names, so
# 04_gpt_from_scratch.ipynb's page links notebooks/04_gpt_from_scratch.ipynb on GitHub, the same
# address as course_tools.links.colab_url/binder_url (tests/test_site.py checks they agree).
# course_tools/site.py adds "announcement" (sphinx-build -D html_theme_options.announcement=...):
# the banner at the top of every page saying which run the site shows.
html_theme_options = {
    "repository_url": links.clone_url(),
    "repository_branch": links.REF,
    "path_to_docs": "notebooks",
    "launch_buttons": {"colab_url": links.COLAB, "binderhub_url": links.BINDERHUB,
                       "notebook_interface": "jupyterlab"},
    "use_repository_button": True,
    "use_download_button": True,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
