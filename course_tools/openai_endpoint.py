"""An OpenAI-compatible endpoint that checks an API key, for testing Chapter 1's hosted path.

``transformers serve`` speaks OpenAI's API but checks no key, and the hosted path the tests
must run starts with a key: a right one is accepted, a wrong one gets OpenAI's 401. So this
starts ``transformers serve`` pinned to one model and puts a bearer-key check in front of its
app (as vLLM's ``--api-key`` does), in one process::

    python -m course_tools.openai_endpoint --model-dir offline-kit/smollm2-135m-instruct \
        --name HuggingFaceTB/SmolLM2-135M-Instruct --port 8091      # key: $ENDPOINT_API_KEY

Clients then use ``OPENAI_BASE_URL=http://127.0.0.1:8091/v1``, ``OPENAI_API_KEY=<that key>`` and
``model="HuggingFaceTB/SmolLM2-135M-Instruct"``. The model is served under ``--name`` (its
real repo id) by pinning the server to a relative path of that name, a link to the folder,
so no machine path ever appears in a model name or an answer's label.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path


def masked(key: str) -> str:
    """How OpenAI quotes a rejected key in its 401: the start and the last four characters."""
    return key[:3] + "*" * max(4, len(key) - 7) + key[-4:] if len(key) > 8 else "*" * len(key)


class BearerKeyCheck:
    """ASGI wrapper: every ``/v1/...`` request needs ``Authorization: Bearer <key>``; else OpenAI's 401."""

    def __init__(self, app, key: str):
        self.app, self.key = app, key

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/v1/"):
            headers = dict(scope["headers"])
            given = headers.get(b"authorization", b"").decode().removeprefix("Bearer ").strip()
            if given != self.key:
                body = json.dumps({"error": {
                    "message": f"Incorrect API key provided: {masked(given)}. You can find your API key at "
                               "https://platform.openai.com/account/api-keys.",
                    "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}}).encode()
                await send({"type": "http.response.start", "status": 401, "headers": [
                    (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", required=True, type=Path)
    parser.add_argument("--name", required=True, help="the model name clients send (its Hub repo id)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key-env", default="ENDPOINT_API_KEY", help="environment variable holding the key")
    args = parser.parse_args()
    key = os.environ[args.key_env]

    # Serve the folder under its repo id: a link named like the id, in a private working folder.
    workdir = Path(tempfile.mkdtemp(prefix="openai-endpoint-"))
    (workdir / args.name).parent.mkdir(parents=True, exist_ok=True)
    (workdir / args.name).symlink_to(args.model_dir.resolve(), target_is_directory=True)
    os.chdir(workdir)

    import transformers.cli.serving.server as serving

    build_server = serving.build_server
    serving.build_server = lambda *a, **k: BearerKeyCheck(build_server(*a, **k), key)
    from transformers.cli.transformers import main as transformers_main

    sys.argv = ["transformers", "serve", args.name, "--host", "127.0.0.1", "--port", str(args.port),
                "--log-level", "warning"]
    transformers_main()


if __name__ == "__main__":
    main()
