"""Chapter 1's API plumbing: keys, errors, retries, costs, tokens, cache, sentiment parsing.

No network and no server: the OpenAI client talks to pretend servers (httpx2 MockTransport).
Fake keys here are obviously fake and not shaped like real ones.
"""

from decimal import Decimal

import httpx2
import openai
import pytest

from helpers import llm_api
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


def test_cost_of_a_local_answer_is_zero_but_priced_for_the_hosted_model():
    from openai.types.chat import ChatCompletion

    response = ChatCompletion.model_validate(fake_chat_completion("hi"))  # 9 in, 3 out
    backend = llm_api.Backend(client=None, model="local-dir", kind="local", asked_model="gpt-4o-mini", reason="test")
    paid, would = llm_api.cost_of(response, backend)
    assert paid == 0 and would == Decimal("9") * Decimal("0.15") / 10**6 + Decimal("3") * Decimal("0.60") / 10**6


def test_count_tokens_offline():
    # o200k_base, from the kit's copy when offline
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
