"""Small differences between ``transformers serve`` and OpenAI, fixed in one place (Chapter 1).

Not needed to learn the API: it lets every cell be written exactly as for OpenAI.
"""

from __future__ import annotations

import json
import re

import httpx2


class LocalQuirksTransport(httpx2.HTTPTransport):
    """An HTTP transport that makes ``transformers serve`` (5.24) answer like OpenAI does (Chapter 1).

    Used for the local stand-in and for any custom endpoint (``OPENAI_BASE_URL``), never for
    OpenAI itself. Every change is one that OpenAI-compatible servers accept or ignore (Ollama
    and vLLM ignore a field they do not know). Handed to the client as
    ``OpenAI(http_client=httpx2.Client(transport=...))``, it fixes these differences once, so that
    every cell can be written exactly as for the real API:

    - ``/v1/responses`` streams unless the request says ``"stream": false``, and the OpenAI
      client leaves ``stream`` out for a normal call: we add ``"stream": false``;
    - a request for a model other than the served one gets a 400 ``{"detail": ...}``; OpenAI
      answers 404 ``{"error": {...}}`` (``NotFoundError``): we rewrite it to that;
    - an empty ``messages`` list makes the server fail with a 500, which the client retries
      for nothing: we refuse it at once with a 400, as OpenAI does.
    """

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        body = None
        if request.method == "POST" and request.headers.get("content-type", "").startswith("application/json"):
            try:
                body = json.loads(request.read() or b"{}")
            except ValueError:
                body = None
        if isinstance(body, dict):
            path = request.url.path
            if path.endswith("/chat/completions") and not body.get("messages"):
                return _openai_error(400, "'messages' must be a non-empty list.", "invalid_request_error", request)
            changed = False
            if path.endswith("/responses") and "stream" not in body:
                body["stream"] = False
                changed = True
            if _wants_sampling(body) and "generation_config" not in body:
                # The server applies temperature/top_p on top of the model's own generation
                # config, which for SmolLM2 says "greedy": the knobs would change nothing.
                # A generation_config that turns sampling on makes them work as with OpenAI.
                body["generation_config"] = json.dumps({
                    "do_sample": True, "temperature": float(body.get("temperature", 1.0)),
                    "top_p": float(body.get("top_p", 1.0))})
                changed = True
            if changed:
                headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
                request = httpx2.Request(request.method, request.url, headers=headers,
                                         content=json.dumps(body).encode(), extensions=request.extensions)
        response = super().handle_request(request)
        if response.status_code in (400, 404, 422):
            response.read()
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = None
            if isinstance(detail, str) and "requested" in detail and "pinned" in detail.lower():
                # The server names the folder it serves by its full path on this machine: keep only
                # the folder's name, which is all a reader needs (and no one's home folder leaks).
                detail = re.sub(r"/(?:[^/\s'\"]+/)+([^/\s'\"]+)", r"\1", detail)
                return _openai_error(404, f"The model does not exist on this server. {detail}", "model_not_found", request)
            if detail is not None and "error" not in response.json():
                return _openai_error(response.status_code, str(detail), "invalid_request_error", request)
        return response


def _wants_sampling(body: dict) -> bool:
    """True when a request asks for sampling (a temperature above 0); OpenAI samples then."""
    temperature = body.get("temperature")
    return temperature is not None and float(temperature) > 0


def _openai_error(status: int, message: str, code: str, request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(status, json={"error": {"message": message, "type": "invalid_request_error",
                                                   "param": None, "code": code}}, request=request)
