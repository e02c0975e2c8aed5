"""Machinery for building and testing the course. Learners never need to read or import it.

- ``tools.hub_mirror``: a local Hugging Face Hub (``olah``) serving the offline kit under the
  real repo ids, so the tests can run the chapters' online path through ``HF_ENDPOINT``;
- ``tools.olah_server``: the launcher for that server (runs in its own small environment);
- ``tools.openai_endpoint``: ``transformers serve`` behind an API key, so the tests can run
  Chapter 1's "key found, endpoint reachable" path through ``OPENAI_BASE_URL``.
"""
