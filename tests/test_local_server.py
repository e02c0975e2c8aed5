"""Chapter 1's local OpenAI-compatible server: start, health, the quirk fixes, shutdown.

The fast tests use a pretend server. ``test_real_server_*`` really starts ``transformers serve``
on the offline kit's SmolLM2-135M-Instruct once (about 10-20 s on 2 CPU cores); skipped when
the kit has no such model.
"""

import json

import httpx2
import openai
import pytest

from helpers.llm_api import LocalQuirksTransport, connect, friendly_errors
from helpers.local_server import LocalServer, ServerError, free_port
from helpers.kit import AssetMissingError, asset_path


# ---------------------------------------------------------------- fast: the quirk fixes

class _RecordingQuirks(LocalQuirksTransport):
    """The quirk fixes in front of a pretend `transformers serve`."""

    def __init__(self, reply):
        super().__init__()
        self.reply, self.sent = reply, []

    def _upstream(self, request):
        self.sent.append(json.loads(request.read() or b"{}"))
        return self.reply(request)


@pytest.fixture
def quirks(monkeypatch):
    def make(reply):
        transport = _RecordingQuirks(reply)
        monkeypatch.setattr(httpx2.HTTPTransport, "handle_request", lambda self, request: self._upstream(request))
        return transport
    return make


def test_responses_get_stream_false_and_sampling_works(quirks):
    transport = quirks(lambda r: httpx2.Response(400, json={"detail": "stop here"}))
    client = openai.OpenAI(base_url="http://local.test/v1", api_key="unused", max_retries=0,
                           http_client=httpx2.Client(transport=transport))
    with pytest.raises(openai.BadRequestError):
        client.responses.create(model="m", input="hi", temperature=0.8)
    sent = transport.sent[0]
    assert sent["stream"] is False
    assert json.loads(sent["generation_config"]) == {"do_sample": True, "temperature": 0.8, "top_p": 1.0}


def test_wrong_model_becomes_openai_404(quirks):
    detail = "Server is pinned to '/home/someone/course/offline-kit/smollm2'; requested 'gpt-nope'."
    transport = quirks(lambda r: httpx2.Response(400, json={"detail": detail}))
    client = openai.OpenAI(base_url="http://local.test/v1", api_key="unused", max_retries=0,
                           http_client=httpx2.Client(transport=transport))
    with friendly_errors(model="gpt-nope") as failure:
        client.chat.completions.create(model="gpt-nope", messages=[{"role": "user", "content": "hi"}])
    assert isinstance(failure.error, openai.NotFoundError) and "Unknown model 'gpt-nope'" in failure.message
    # the served folder is named, but not where it lives on this machine
    assert "pinned to 'smollm2'" in failure.message and "/home/" not in failure.message


def test_empty_messages_refused_without_calling_the_server(quirks):
    transport = quirks(lambda r: pytest.fail("the server must not be called"))
    client = openai.OpenAI(base_url="http://local.test/v1", api_key="unused", max_retries=2,
                           http_client=httpx2.Client(transport=transport))
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="m", messages=[])


def test_server_that_dies_at_start_says_why(tmp_path):
    server = LocalServer(str(tmp_path / "no-such-model"))
    with pytest.raises(ServerError) as error:
        server.start(timeout=60)
    assert "exited while starting" in str(error.value) or "did not become healthy" in str(error.value)
    assert not server.is_running()


def test_free_port_and_health_of_nothing():
    server = LocalServer("unused", port=free_port())
    assert not server.healthy(timeout=0.2) and not server.is_running()
    server.stop()  # stopping a server that never started is fine


def test_connect_without_key_or_local_refuses_clearly():
    with pytest.raises(RuntimeError, match="no OpenAI key was found"):
        connect("gpt-4.1-mini", "unused", use_local=False, key=None, base_url="https://api.openai.com/v1")


# ---------------------------------------------------------------- slow: the real server, once

@pytest.fixture(scope="module")
def kit_model():
    try:
        return str(asset_path("smollm2-135m-instruct"))
    except AssetMissingError:
        pytest.skip("the offline kit has no smollm2-135m-instruct (make kit)")


def test_real_server_start_health_answer_shutdown(kit_model, capsys):
    backend = connect("gpt-4.1-mini", kit_model, use_local="auto", key=None, start_timeout=120)
    try:
        server = backend.server
        assert server.healthy() and backend.is_local
        assert backend.model == "smollm2-135m-instruct"  # served under its folder's name: no path in any label
        assert "LOCAL STAND-IN" in capsys.readouterr().out
        reply = backend.client.responses.create(model=backend.model, input="What is the capital of France?",
                                                max_output_tokens=12, store=False)
        assert "Paris" in reply.output_text and reply.usage.output_tokens > 0
        chat = backend.client.chat.completions.create(model=backend.model, max_completion_tokens=4,
                                                      messages=[{"role": "user", "content": "Say hi."}])
        assert chat.choices[0].message.content and chat.usage.prompt_tokens > 0
        with friendly_errors(backend, model="gpt-nope") as failure:
            backend.client.chat.completions.create(model="gpt-nope", messages=[{"role": "user", "content": "hi"}])
        assert isinstance(failure.error, openai.NotFoundError)
        # uvicorn's log lines went to the log file, not to our output
        assert "POST /v1" not in capsys.readouterr().out
        assert server.log_path.exists()
    finally:
        backend.close()
    assert not server.is_running() and not server.healthy(timeout=0.5)
