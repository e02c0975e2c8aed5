"""How the course is built, tested and published. Learners never need to read or import it.

- ``course_tools.kit``: builds the offline kit of real stand-ins from PyPI packages (``make kit``);
  chapters only ask where an asset is, through ``helpers.kit``;
- ``course_tools.harness``: runs the notebooks (``make course``, ``make test``) and cleans them;
- ``course_tools.links``: the course's address and ref, and the Colab/Binder buttons and first cells built from them;
- ``course_tools.release``: ``make release``, a tagged version whose notebooks install that tag's helpers;
- ``course_tools.readme_table``: copies the table Chapter 5 wrote (``helpers.yardstick``) into docs/results.md;
- ``course_tools.hub_mirror`` and ``course_tools.olah_server``: a local Hugging Face Hub (``olah``)
  serving the kit under the real repo ids, so the tests run the chapters' online path through
  ``HF_ENDPOINT``;
- ``course_tools.torch_install``: the torch build for this machine (``make setup``), standard library only;
- ``course_tools.lockfile`` and ``course_tools.pip_check``: reading the locks; Binder's ``pip check``
  of the course's packages;
- ``course_tools.openai_endpoint``: ``transformers serve`` behind an API key, so the tests run
  Chapter 1's "key found, endpoint reachable" path through ``OPENAI_BASE_URL``.
"""
