"""Chapter 1's API plumbing: keys, errors, retries, costs, tokens, cache, sentiment parsing.

No network and no server: the OpenAI client talks to pretend servers (httpx2 MockTransport).
Fake keys here are obviously fake and not shaped like real ones.
"""

from decimal import Decimal

import httpx2
import openai
import pytest

from helpers import llm_api, network
from helpers.llm_api import (ApiKey, FlakyTransport, ReplayTransport, ResponseCache, demo_client,
                             estimate_cost, explain, fake_chat_completion, friendly_errors,
                             parse_sentiment, resolve_api_key, scrub_secrets)

FAKE_KEY = "FAKE-test-key-0123456789-not-real"
NO_COLAB = lambda name: None  # noqa: E731


# ---------------------------------------------------------------- keys

def _no_prompt(_):
    raise AssertionError("must not prompt")


def test_key_from_environment_wins(tmp_path):
    (tmp_path / ".env").write_text("OPENAI_API_KEY=from-dotenv-file-value\n")
    key = resolve_api_key(env={"OPENAI_API_KEY": FAKE_KEY}, dotenv_paths=[tmp_path / ".env"],
                          colab=lambda n: "from-colab", prompt=_no_prompt, interactive=True)
    assert key.reveal() == FAKE_KEY and "environment" in key.source


def test_key_order_dotenv_then_colab_then_prompt(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("OPENAI_API_KEY=from-dotenv-file-value\n")
    key = resolve_api_key(env={}, dotenv_paths=[dotenv], colab=lambda n: "from-colab", prompt=_no_prompt)
    assert key.reveal() == "from-dotenv-file-value" and ".env" in key.source
    key = resolve_api_key(env={}, dotenv_paths=[tmp_path / "missing.env"], colab=lambda n: "from-colab",
                          prompt=_no_prompt)
    assert key.reveal() == "from-colab" and "Colab" in key.source
    key = resolve_api_key(env={}, dotenv_paths=[], colab=NO_COLAB, prompt=lambda p: " typed-value ",
                          interactive=True)
    assert key.reveal() == "typed-value" and "typed" in key.source


def test_no_key_and_no_prompt_when_not_interactive():
    assert resolve_api_key(env={}, dotenv_paths=[], colab=NO_COLAB, prompt=_no_prompt, interactive=False) is None


def test_prompt_that_cannot_read_stdin_means_no_key():
    def papermill_getpass(_):  # what getpass does under papermill: StdinNotImplementedError
        raise NotImplementedError("raw_input was called, but this frontend does not support input requests")
    assert resolve_api_key(env={}, dotenv_paths=[], colab=NO_COLAB, prompt=papermill_getpass,
                           interactive=True) is None


def test_key_never_shows_itself(capsys):
    key = ApiKey(FAKE_KEY, "a test")
    print(key, repr(key), f"{key}", [key], {"k": key})
    out = capsys.readouterr().out
    assert FAKE_KEY not in out and "hidden" in out
    with pytest.raises(TypeError):
        import pickle
        pickle.dumps(key)


def test_scrub_removes_key_shaped_text():
    text = "Incorrect API key provided: sk-proj-abc123********************wxyz. Also " + FAKE_KEY
    clean = scrub_secrets(text, FAKE_KEY)
    assert "sk-proj" not in clean and FAKE_KEY not in clean and "<hidden key>" in clean


# ---------------------------------------------------------------- errors

def _call(transport, max_retries=0):
    client = demo_client(transport, max_retries=max_retries)
    return client.chat.completions.create(model="demo-model", messages=[{"role": "user", "content": "hi"}])


def test_bad_key_message_is_clear_and_hides_the_key(capsys):
    # OpenAI's real 401 quotes part of the key; the message must not.
    transport = ReplayTransport(401, f"Incorrect API key provided: sk-proj-{'x' * 20}1234.", "invalid_api_key")
    with friendly_errors() as failure:
        _call(transport)
    out = capsys.readouterr().out
    assert isinstance(failure.error, openai.AuthenticationError)
    assert "401" in failure.message and "api-keys" in failure.message and "Revoke" in failure.message
    assert "sk-proj" not in out and "Traceback" not in out


def test_unknown_model_message(capsys):
    with friendly_errors(model="gpt-7-ultra") as failure:
        _call(ReplayTransport(404, "The model `gpt-7-ultra` does not exist.", "model_not_found"))
    assert "Unknown model 'gpt-7-ultra' (404)" in failure.message and "models.list" in failure.message


def test_server_down_message():
    from helpers.local_server import free_port
    from openai import OpenAI

    client = OpenAI(base_url=f"http://127.0.0.1:{free_port()}/v1", api_key="unused", max_retries=0)
    with friendly_errors(base_url=str(client.base_url)) as failure:
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert isinstance(failure.error, openai.APIConnectionError)
    assert "Could not connect" in failure.message and "127.0.0.1" in failure.message


def test_timeout_and_quota_messages():
    request = httpx2.Request("POST", "http://x/v1/chat/completions")
    assert "time-out" in explain(openai.APITimeoutError(request=request))
    response = httpx2.Response(429, request=request)
    quota = openai.RateLimitError("quota", response=response,
                                  body={"error": {"message": "You exceeded your current quota.", "code": "insufficient_quota"}})
    assert "credit" in explain(quota)


def test_friendly_errors_lets_other_errors_through():
    with pytest.raises(ZeroDivisionError):
        with friendly_errors():
            1 / 0


# ---------------------------------------------------------------- retries

def test_429_is_retried_then_succeeds():
    flaky = FlakyTransport(failures=2, retry_after_ms=10)
    reply = _call(flaky, max_retries=3)
    assert [status for _, status in flaky.attempts] == [429, 429, 200]
    assert reply.choices[0].message.content == "Hello after retrying!"
    waits = [b - a for (a, _), (b, _) in zip(flaky.attempts, flaky.attempts[1:])]
    assert all(w >= 0.009 for w in waits)  # the client honoured retry-after-ms


def test_429_gives_up_after_max_retries():
    flaky = FlakyTransport(failures=5, retry_after_ms=10)
    with friendly_errors() as failure:
        _call(flaky, max_retries=1)
    assert len(flaky.attempts) == 2 and isinstance(failure.error, openai.RateLimitError)
    assert "429" in failure.message


# ---------------------------------------------------------------- money and tokens

@pytest.mark.parametrize("model, tokens_in, tokens_out, expected", [
    ("gpt-4o-mini", 1_000_000, 0, Decimal("0.15")),
    ("gpt-4o-mini", 1200, 300, Decimal("0.00036")),      # 1200*0.15/1e6 + 300*0.60/1e6
    ("gpt-4.1-mini", 1200, 300, Decimal("0.00096")),     # 1200*0.40/1e6 + 300*1.60/1e6
    ("gpt-5-mini", 10_000, 2_000, Decimal("0.0065")),    # 10000*0.25/1e6 + 2000*2.00/1e6
])
def test_estimate_cost_matches_hand_computed(model, tokens_in, tokens_out, expected):
    assert estimate_cost(model, tokens_in, tokens_out) == expected


def test_cached_input_and_the_batch_api_are_priced_from_the_table():
    # gpt-4.1-mini: $0.40 in, $0.10 cached in, $1.60 out per million; Batch API: $0.20 in, $0.80 out.
    assert estimate_cost("gpt-4.1-mini", 1_000_000, 0, cached_input_tokens=750_000) == Decimal("0.175")
    assert estimate_cost("gpt-4.1-mini", 1_000_000, 1_000_000, batch=True) == Decimal("1.0")
    assert estimate_cost("gpt-4.1-mini", 1_000_000, 1_000_000, batch=True) == estimate_cost(
        "gpt-4.1-mini", 1_000_000, 1_000_000) / 2


def test_cost_of_a_local_answer_is_zero_but_priced_for_the_hosted_model():
    from openai.types.chat import ChatCompletion

    response = ChatCompletion.model_validate(fake_chat_completion("hi"))  # 9 in, 3 out
    backend = llm_api.Backend(client=None, model="local-dir", kind="local", asked_model="gpt-4o-mini", reason="test")
    paid, would = llm_api.cost_of(response, backend)
    assert paid == 0 and would == Decimal("9") * Decimal("0.15") / 10**6 + Decimal("3") * Decimal("0.60") / 10**6


@pytest.mark.kit
def test_count_tokens_offline():
    """o200k_base from the kit's copy of tiktoken's files (no network here)."""
    from helpers.kit import AssetMissingError, asset_path

    try:
        asset_path("tiktoken-encodings")
    except AssetMissingError:
        pytest.skip("the offline kit has no tiktoken-encodings (make kit)")
    assert llm_api.count_tokens("Hello world", "gpt-4.1-mini") == 2
    assert llm_api.count_tokens("Hello world", "some-local-model") == 2  # falls back to o200k_base


# ---------------------------------------------------------------- cache

def test_cache_second_call_is_free_and_identical(tmp_path):
    from openai import OpenAI

    calls = []

    def handle(request):
        calls.append(request)
        return httpx2.Response(200, json=fake_chat_completion(f"answer number {len(calls)}"))

    client = OpenAI(base_url="http://cache-test.invalid/v1", api_key="unused",
                    http_client=httpx2.Client(transport=httpx2.MockTransport(handle)))
    cache = ResponseCache(tmp_path / "cache")
    request = dict(model="m", messages=[{"role": "user", "content": "hi"}], max_completion_tokens=5)
    first, hit1, _ = cache.create(client.chat.completions.create, "test", **request)
    second, hit2, _ = cache.create(client.chat.completions.create, "test", **request)
    assert (hit1, hit2) == (False, True) and len(calls) == 1
    assert second == first and second.choices[0].message.content == "answer number 1"
    other, hit3, _ = cache.create(client.chat.completions.create, "test", **{**request, "max_completion_tokens": 6})
    assert not hit3 and len(calls) == 2  # any change in the request is a different entry
    assert cache.clear() == 2


# ---------------------------------------------------------------- sentiment

@pytest.mark.parametrize("answer, label", [("positive", 1), ("Negative.", 0), ("The review is positive", 1),
                                           ("The movie is", None), ("", None)])
def test_parse_sentiment(answer, label):
    assert parse_sentiment(answer) == label


def test_classify_sentiment_few_shot_sends_examples():
    sent = []

    def handle(request):
        import json
        sent.append(json.loads(request.content))
        return httpx2.Response(200, json=fake_chat_completion("negative"))

    client = demo_client(httpx2.MockTransport(handle))
    results = llm_api.classify_sentiment(client, "m", ["dull"], examples=[("great", 1), ("bad", 0)], progress=False)
    assert results[0]["label"] == 0 and results[0]["input_tokens"] == 9
    roles = [m["role"] for m in sent[0]["messages"]]
    assert roles == ["system", "user", "assistant", "user", "assistant", "user"]


# ---------------------------------------------------------------- which server answers (issue: the online path)

OPENAI = llm_api.OPENAI_API_URL
CUSTOM = "http://127.0.0.1:11434/v1"
up = lambda url: True  # noqa: E731
down = lambda url: False  # noqa: E731


def test_base_url_comes_from_openai_base_url_like_the_client():
    assert llm_api.api_base_url({}) == OPENAI
    assert llm_api.api_base_url({"OPENAI_BASE_URL": CUSTOM + "/"}) == CUSTOM
    assert llm_api.is_openai(OPENAI) and not llm_api.is_openai(CUSTOM)


def test_a_key_and_a_reachable_openai_means_the_hosted_api():
    local, reason = llm_api.choose_backend(ApiKey(FAKE_KEY, "a test"), OPENAI, "auto", up)
    assert not local and "a key was found (a test)" in reason and "api.openai.com is reachable" in reason


def test_no_key_means_the_stand_in_unless_a_custom_endpoint_is_set():
    assert llm_api.choose_backend(None, OPENAI, "auto", up)[0] is True
    local, reason = llm_api.choose_backend(None, CUSTOM, "auto", up)  # Ollama needs no key
    assert not local and "placeholder" in reason and f"OPENAI_BASE_URL={CUSTOM}" in reason


def test_the_reachability_check_probes_the_custom_endpoint_not_openai():
    probed = []
    llm_api.choose_backend(ApiKey(FAKE_KEY, "a test"), CUSTOM, "auto", lambda url: probed.append(url) or True)
    assert probed == [CUSTOM]


def test_an_endpoint_pointing_at_nothing_falls_back_or_fails_clearly():
    local, reason = llm_api.choose_backend(ApiKey(FAKE_KEY, "a test"), CUSTOM, "auto", down)
    assert local and f"OPENAI_BASE_URL={CUSTOM} is not reachable" in reason
    with pytest.raises(RuntimeError, match="USE_LOCAL_SERVER = False, but .*OPENAI_BASE_URL=.* is not reachable"):
        llm_api.choose_backend(ApiKey(FAKE_KEY, "a test"), CUSTOM, False, down)
    with pytest.raises(RuntimeError, match="no OpenAI key was found"):
        llm_api.choose_backend(None, OPENAI, False, up)


def test_the_real_url_reachability_check_uses_the_urls_port():
    import socket

    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        assert network.url_reachable(f"http://127.0.0.1:{port}/v1", timeout=1.0)
    assert not network.url_reachable(f"http://127.0.0.1:{port}/v1", timeout=1.0)


def test_labels_name_the_server_that_answered():
    hosted = llm_api.Backend(None, "gpt-4.1-mini", "openai", "gpt-4.1-mini", "test")
    custom = llm_api.Backend(None, "llama3.2", "custom", "llama3.2", "test", base_url=CUSTOM)
    assert hosted.label == "[OpenAI: gpt-4.1-mini]"
    assert custom.label == "[llama3.2 at 127.0.0.1:11434, from OPENAI_BASE_URL]"
    # A custom endpoint serving a model named like OpenAI's is still not called OpenAI.
    lookalike = llm_api.Backend(None, "gpt-4.1-mini", "custom", "gpt-4.1-mini", "test", base_url=CUSTOM)
    assert "OpenAI" not in lookalike.label and "127.0.0.1:11434" in lookalike.label


def test_prices_apply_only_where_they_are_that_models():
    hosted = llm_api.Backend(None, "gpt-4o-mini", "openai", "gpt-4o-mini", "test")
    assert hosted.cost(1_000_000, 0) == Decimal("0.15") and hosted.price_model == "gpt-4o-mini"
    lookalike = llm_api.Backend(None, "gpt-4o-mini", "custom", "gpt-4o-mini", "test", base_url=CUSTOM)
    assert lookalike.cost(1_000_000, 0) is None and llm_api.money(lookalike.cost(1, 1)).startswith("unknown")
    assert lookalike.price_model == llm_api.REFERENCE_MODEL
    unpriced = llm_api.Backend(None, "my-finetune", "openai", "my-finetune", "test")
    assert unpriced.cost(10, 10) is None and unpriced.price_model == llm_api.REFERENCE_MODEL
    local = llm_api.Backend(None, "some/folder", "local", "gpt-4o-mini", "test")
    assert local.cost(10, 10) == 0 and local.price_model == "gpt-4o-mini"


@pytest.mark.parametrize("listed, said", [
    (["llama3.2", "qwen3"], "it lists: llama3.2, qwen3. If calls fail with 404, set OPENAI_MODEL to one of these."),
    ([], "it lists no model (some servers list only the ones they have loaded)"),  # transformers serve, no model
])
def test_the_banner_says_what_a_custom_server_lists_when_the_model_is_not_there(listed, said, capsys):
    from helpers.llm_api.client import _print_remote_banner

    def handle(request):
        assert request.url.path.endswith("/models")
        return httpx2.Response(200, json={"object": "list", "data": [{"id": m, "object": "model"} for m in listed]})

    client = openai.OpenAI(base_url=CUSTOM, api_key="unused", http_client=httpx2.Client(transport=httpx2.MockTransport(handle)))
    _print_remote_banner(llm_api.Backend(client, "mistral", "custom", "mistral", "test", base_url=CUSTOM))
    out = capsys.readouterr().out
    assert "Note: 127.0.0.1:11434 does not list 'mistral'; " + said in out
    assert "it lists: ." not in out and "nothing" not in out


def test_a_rejected_key_on_a_custom_endpoint_names_that_server():
    error = openai.AuthenticationError("Incorrect API key provided: sk-abc***wxyz",
                                       response=httpx2.Response(401, request=httpx2.Request("GET", CUSTOM)), body=None)
    message = explain(error, CUSTOM)
    assert "The server at 127.0.0.1:11434 rejected the key (401" in message and "sk-abc" not in message
    assert "platform.openai.com/api-keys into" in explain(error, OPENAI)


def test_an_endpoint_that_goes_down_mid_chapter_gives_a_clear_message():
    """A real HTTP server answers once, then stops: the next call says what happened and what to do."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.dumps(fake_chat_completion("Paris.")).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    client = openai.OpenAI(base_url=base_url, api_key="unused", max_retries=1)
    backend = llm_api.Backend(client, "m", "custom", "m", "test", base_url=base_url)
    ask = dict(model="m", messages=[{"role": "user", "content": "Capital of France?"}])
    assert client.chat.completions.create(**ask).choices[0].message.content == "Paris."
    server.shutdown()
    server.server_close()
    with friendly_errors(backend) as failure:
        client.chat.completions.create(**ask)
    assert isinstance(failure.error, openai.APIConnectionError)
    assert f"Could not connect at {base_url}" in failure.message and "Nothing was sent" in failure.message


# ---------------------------------------------------------------- stored reference answers

def test_reference_requests_are_the_ones_chapter_1_sends():
    from helpers.llm_api.reference import REFERENCE_REQUESTS
    from helpers.paths import REPO_ROOT

    chapter = (REPO_ROOT / "notebooks" / "text" / "01_calling_a_hosted_model.py").read_text(encoding="utf-8")
    for name, request in REFERENCE_REQUESTS.items():
        for text in (request["input"], request.get("instructions", "")):
            assert text in chapter, f"{name}: the chapter no longer sends {text!r}"
        assert f'show_reference("{name}"' in chapter


def test_show_reference_labels_a_stored_answer_and_says_when_there_is_none(tmp_path, capsys):
    import json

    from helpers.llm_api.reference import show_reference

    path = tmp_path / "reference-answers.json"
    assert show_reference("creative", path=path) is None
    assert "[no stored example]" in capsys.readouterr().out
    assert show_reference("creative", path=path, quiet=True) is None
    assert capsys.readouterr().out == ""  # quiet: nothing at all
    path.write_text(json.dumps({"creative": {"model": "gpt-4.1-mini-2025-04-14", "date": "2026-11-29",
                                             "input_tokens": 25, "output_tokens": 31, "answer": "The bottle..."}}))
    show_reference("creative", path=path)
    shown = capsys.readouterr().out
    assert "[stored example: gpt-4.1-mini-2025-04-14, 2026-11-29, 25 tokens in, 31 out" in shown
    assert "The bottle..." in shown


def _tool_loop(client, broken: str = ""):
    """Chapter 1b's loop, by hand: ask, run the requested tool, send its result back, ask again."""
    import json

    messages = [{"role": "user", "content": "Where is my order K2-1001?"}]
    reply = client.chat.completions.create(model="demo-model", messages=messages, tools=[])
    message = reply.choices[0].message
    assert reply.choices[0].finish_reason == "tool_calls" and message.content is None
    [call] = message.tool_calls
    result = {"status": "shipped", "order": json.loads(call.function.arguments)["order_id"]}
    if broken != "no request in the history":
        messages.append(message.model_dump(exclude_none=True))
    call_id = "call_made_up" if broken == "wrong id" else call.id
    messages.append({"role": "tool", "tool_call_id": call_id, "content": json.dumps(result)})
    return client.chat.completions.create(model="demo-model", messages=messages, tools=[]).choices[0].message.content


def test_the_pretend_tool_server_asks_in_openais_shape_and_answers_from_the_result():
    from helpers.llm_api import ToolCallTransport, demo_client

    pretend = ToolCallTransport("order_status", {"order_id": "K2-1001"})
    answer = _tool_loop(demo_client(pretend, max_retries=0))
    assert answer.startswith("(pretend server, no model)") and '{"status": "shipped", "order": "K2-1001"}' in answer
    assert [m["role"] for m in pretend.requests[-1]] == ["user", "assistant", "tool"]


@pytest.mark.parametrize("broken, said", [("no request in the history", "must be a response to a preceeding message"),
                                          ("wrong id", "does not answer any tool call")])
def test_the_pretend_tool_server_refuses_a_broken_loop_as_openai_does(broken, said):
    import openai

    from helpers.llm_api import ToolCallTransport, demo_client

    with pytest.raises(openai.BadRequestError, match=said) as error:
        _tool_loop(demo_client(ToolCallTransport("order_status", {"order_id": "K2-1001"}), max_retries=0), broken)
    assert error.value.status_code == 400


def test_the_faq_and_its_keyword_retriever():
    """Chapter 1's knowledge base: every heading a question, and the retriever finds by shared words only."""
    from helpers.llm_api.faq import read_faq, relevant_entries

    faq = read_faq()
    assert len(faq) >= 8 and "How do I descale the K2?" in faq and all(faq.values())
    assert "vinegar" in faq["How do I descale the K2?"] and "\n" not in faq["How do I descale the K2?"]
    assert relevant_entries(faq, "Can I descale with vinegar?", k=1)[0][0] == "How do I descale the K2?"
    assert relevant_entries(faq, "How can I get my money back?") == []  # no word in common: nothing
    assert len(relevant_entries(faq, "kettle kettle", k=3)) <= 3
