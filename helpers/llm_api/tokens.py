"""Counting tokens before sending, with OpenAI's tokenizer ``tiktoken`` (Chapter 1, section 3)."""

from __future__ import annotations

import os


def use_offline_encodings() -> str | None:
    """Point tiktoken at the kit's encodings when built, so counting works with no network.

    tiktoken downloads each encoding once into ``TIKTOKEN_CACHE_DIR``; the kit's files are
    byte-identical to those downloads. A ``TIKTOKEN_CACHE_DIR`` already set is respected.
    """
    if os.environ.get("TIKTOKEN_CACHE_DIR"):
        return os.environ["TIKTOKEN_CACHE_DIR"]
    from helpers.kit import AssetMissingError, asset_path

    try:
        folder = str(asset_path("tiktoken-encodings"))
    except AssetMissingError:
        return None  # online machines download the encodings themselves
    os.environ["TIKTOKEN_CACHE_DIR"] = folder
    return folder


def encoding_for(model: str):
    """tiktoken's encoding for an OpenAI model; ``o200k_base`` (GPT-4o onwards) for any other name."""
    import tiktoken

    use_offline_encodings()
    try:
        return tiktoken.encoding_for_model(model)
    except KeyError:
        return tiktoken.get_encoding("o200k_base")


def count_tokens(text: str, model: str) -> int:
    """How many tokens ``text`` is for ``model`` (Chapter 1; counted locally, nothing sent)."""
    return len(encoding_for(model).encode(text))


def count_message_tokens(messages: list[dict], model: str) -> int:
    """Estimated input tokens of a chat request: each message's text plus a few tokens of
    framing per message (role markers) and for priming the reply. An estimate: the server's
    ``usage`` is the exact figure, and what you are billed for."""
    encoding = encoding_for(model)
    per_message, priming = 3, 3
    return priming + sum(per_message + len(encoding.encode(m.get("role", ""))) +
                         len(encoding.encode(m.get("content") or "")) for m in messages)
