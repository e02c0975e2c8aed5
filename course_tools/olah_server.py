"""Run ``olah`` (a self-hosted Hugging Face Hub mirror) with one fix, for the course's tests.

Started by ``course_tools.hub_mirror`` inside olah's own virtual environment (olah's dependency
``fastapi-utils`` pins ``psutil<6``, which the notebooks' Jupyter stack cannot use), as::

    <olah venv>/bin/python course_tools/olah_server.py --config olah.toml --host 127.0.0.1 --port 8090

The fix. In olah 0.5.4's local-mirror mode, asking for a file that a mirrored repository does
not have (``HEAD /<repo>/resolve/main/adapter_config.json``) answers **401 RepoNotFound**, where
the Hub answers **404 EntryNotFound**. ``from_pretrained`` probes such optional files and takes
a 401 as "this repository does not exist", so every model load fails. The cause is in
``server_file_routes.file_head_common``: a file missing from a local mirror falls through to
``resolve_requested_commit(..., missing_commit_response="repo_not_found")``. Rather than patch
olah's internals, this wraps its ASGI app: a 401 RepoNotFound for a repository that *is* in the
mirror becomes the Hub's 404 EntryNotFound. A repository that is not in the mirror still gets
the 401, exactly as on the Hub (that is how a typo'd repo id looks to the libraries).
Only the standard library and olah are imported here: this file runs outside the course's venv.
"""

from __future__ import annotations

import argparse
import os
import tomllib
from pathlib import Path


def mirrored_repos(mirrors_path: Path) -> set[tuple[str, str]]:
    """(repo type, repo id) of every git repository under ``mirrors_path``:
    ``models/distilbert-base-uncased`` and ``datasets/stanfordnlp/imdb`` alike."""
    found = set()
    for repo_type in ("models", "datasets", "spaces"):
        root = mirrors_path / repo_type
        if not root.is_dir():
            continue
        for head in root.rglob("HEAD"):  # a bare repository has HEAD at its top
            repo_dir = head.parent
            if repo_dir.name == ".git":
                repo_dir = repo_dir.parent
            if (repo_dir / "objects").is_dir() or (repo_dir / ".git").is_dir():
                found.add((repo_type, repo_dir.relative_to(root).as_posix()))
    return found


def repo_of(path: str, repos: set[tuple[str, str]]) -> tuple[str, str] | None:
    """The mirrored repository a request path is about, or None.

    ``/<id>/resolve/...`` and ``/api/models/<id>/...`` are models; ``/datasets/<id>/resolve/...``
    and ``/api/datasets/<id>/...`` datasets (the Hub's URL layout)."""
    for repo_type, repo_id in repos:
        prefixes = [f"/api/{repo_type}/{repo_id}/"]
        prefixes.append(f"/{repo_id}/resolve/" if repo_type == "models" else f"/{repo_type}/{repo_id}/resolve/")
        if any(path.startswith(p) for p in prefixes):
            return repo_type, repo_id
    return None


class MissingFileIs404:
    """ASGI wrapper: olah's 401 for a missing file of a mirrored repository becomes the Hub's 404."""

    def __init__(self, app, repos: set[tuple[str, str]]):
        self.app, self.repos = app, repos

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or repo_of(scope["path"], self.repos) is None:
            return await self.app(scope, receive, send)
        rewriting = False

        async def patched_send(message):
            nonlocal rewriting
            if message["type"] == "http.response.start" and message["status"] == 401:
                rewriting = True
                body = b'{"error":"Entry not found"}' if scope["method"] != "HEAD" else b""
                await send({"type": "http.response.start", "status": 404, "headers": [
                    (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                    (b"x-error-code", b"EntryNotFound"), (b"x-error-message", b"Entry not found")]})
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            if rewriting:
                return  # olah's own 401 body is dropped
            await send(message)

        await self.app(scope, receive, patched_send)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    config = tomllib.loads(args.config.read_text())
    # olah reads its config from OLAH_CONFIG when imported (its multi-worker path), so no CLI
    # parsing of its own runs and the app can be wrapped before uvicorn serves it.
    os.environ["OLAH_CONFIG"] = str(args.config)
    os.environ.setdefault("OLAH_LOG_PATH", str(args.config.parent / "logs"))
    import uvicorn
    from olah.server import app

    repos = set()
    for mirrors in config["basic"]["mirrors-path"]:
        repos |= mirrored_repos(Path(mirrors))
    uvicorn.run(MissingFileIs404(app, repos), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
