"""Errors people can act on: one or two sentences instead of a traceback (Chapter 1's
bonus notebook, 01b_in_production)."""

from __future__ import annotations

from helpers.llm_api.endpoints import BASE_URL_VARIABLE, KEY_VARIABLE, REVOKE_HINT, is_openai, server_name
from helpers.llm_api.keys import scrub_secrets

def explain(error: BaseException, base_url: str | None = None, model: str | None = None) -> str:
    """One or two sentences that say what went wrong and what to do (Chapter 1).

    Never contains a key: OpenAI's own 401 message quotes part of the key, so it is scrubbed.
    """
    import openai

    from helpers.local_server import ServerError

    where = f" at {base_url}" if base_url else ""
    said = scrub_secrets(_server_message(error))
    if isinstance(error, openai.AuthenticationError):
        if base_url and not is_openai(base_url):
            return (f"The server at {server_name(base_url)} rejected the key (401 Unauthorized). Put the key this "
                    f"server expects in {KEY_VARIABLE} (the one it was started with, e.g. vLLM's --api-key, or "
                    f"your provider's), or unset {BASE_URL_VARIABLE} to call OpenAI. " + REVOKE_HINT)
        return ("The API rejected the key (401 Unauthorized): it is mistyped, revoked, or belongs to another "
                f"organisation/project. Copy it again from https://platform.openai.com/api-keys into {KEY_VARIABLE}. "
                + REVOKE_HINT)
    if isinstance(error, openai.PermissionDeniedError):
        return f"The key is valid but not allowed to do this (403): {said} Check the project's model access and region."
    if isinstance(error, openai.NotFoundError):
        name = f" {model!r}" if model else ""
        return (f"Unknown model{name} (404){where}: it does not exist or this key cannot use it. "
                f"Check the spelling; `client.models.list()` lists the models you can use. Server said: {said}")
    if isinstance(error, openai.RateLimitError):
        if "quota" in said.lower():
            return ("Out of credit (429 insufficient_quota): retrying will not help. Add credit or raise the "
                    "limit at https://platform.openai.com/settings/organization/billing.")
        return ("Rate limited (429) even after the client's retries with backoff: slow down (fewer requests "
                "at once), raise max_retries, or ask for a higher rate limit. Server said: " + said)
    if isinstance(error, openai.BadRequestError):
        return f"The server refused the request (400): {said} Fix the request; retrying the same one will not help."
    if isinstance(error, openai.InternalServerError):
        return (f"The server failed ({error.status_code}){where}, even after retries. Usually temporary: try "
                "again in a minute; for OpenAI check https://status.openai.com.")
    if isinstance(error, openai.APITimeoutError):
        return (f"No answer{where} within the time-out, even after retries. Ask for fewer output tokens, "
                "raise `timeout=` on the client, or try again later.")
    if isinstance(error, openai.APIConnectionError):
        return (f"Could not connect{where}: the server is down or not started, the base_url is wrong, or "
                "there is no network (a proxy or firewall?). Nothing was sent and nothing was charged.")
    if isinstance(error, openai.APIStatusError):
        return f"The server answered {error.status_code}{where}: {said}"
    if isinstance(error, openai.OpenAIError):
        return f"{scrub_secrets(str(error))} (set {KEY_VARIABLE}, or use the local server)"
    if isinstance(error, ServerError):
        return f"The local server failed: {error}"
    return f"{type(error).__name__}: {scrub_secrets(str(error))}"


def _server_message(error: BaseException) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else None
        message = message or body.get("detail") or body.get("message")
        if message:
            return str(message).rstrip(".") + "."
    return str(getattr(error, "message", None) or error)


class friendly_errors:
    """``with friendly_errors(backend): ...``: an API error prints one clear message, no traceback.

    The error is kept in ``.error`` and its message in ``.message``, so a cell can check it.
    ``reraise=True`` still raises after printing (where the chapter must stop).
    """

    def __init__(self, backend=None, base_url: str | None = None,
                 model: str | None = None, reraise: bool = False):
        self.base_url = base_url or (str(backend.client.base_url) if backend else None)
        self.model = model or (backend.model if backend else None)
        self.reraise = reraise
        self.error: BaseException | None = None
        self.message: str | None = None

    def __enter__(self) -> "friendly_errors":
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        import openai

        from helpers.local_server import ServerError

        if error is None or not isinstance(error, (openai.OpenAIError, ServerError)):
            return False
        self.error, self.message = error, explain(error, self.base_url, self.model)
        print(f"✗ {type(error).__name__}: {self.message}")
        return not self.reraise
