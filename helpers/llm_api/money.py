"""Tokens into money, from the maintained price table of ``genai-prices`` (Chapters 1 and 5)."""

from __future__ import annotations

from decimal import Decimal


def has_price(model: str) -> bool:
    """True when genai-prices knows OpenAI's price for ``model``."""
    try:
        price_per_million(model)
        return True
    except Exception:  # LookupError and friends: an unknown model
        return False


def price_per_million(model: str) -> tuple[float, float]:
    """(input, output) US dollars per million tokens for an OpenAI model, from genai-prices."""
    from genai_prices import Usage, calc_price

    price = calc_price(Usage(input_tokens=1_000_000, output_tokens=1_000_000), model_ref=model, provider_id="openai")
    return float(price.input_price), float(price.output_price)


def estimate_cost(model: str, input_tokens: int, output_tokens: int, cached_input_tokens: int = 0,
                  batch: bool = False) -> Decimal:
    """What ``input_tokens`` in and ``output_tokens`` out cost on ``model``, in US dollars
    (Chapters 1 and 5). From the maintained price table of the ``genai-prices`` package, not
    from numbers typed into the notebook, which go stale. Exact decimal arithmetic.

    ``cached_input_tokens`` of the input (counted inside ``input_tokens``) are billed at the cached
    rate: OpenAI caches a prompt's repeated beginning, such as long instructions, on its own.
    ``batch=True`` prices the Batch API (requests sent as one file, answered within 24 hours; OpenAI's
    Batch table lists no cached rate, and genai-prices keeps the standard one). Chapter 1, section 3."""
    from genai_prices import Usage, calc_price

    usage = Usage(input_tokens=input_tokens, output_tokens=output_tokens, cache_read_tokens=cached_input_tokens or None)
    context = {"processing": "batch"} if batch else None
    return calc_price(usage, model_ref=model, provider_id="openai", price_context=context).total_price


def usage_of(response) -> tuple[int, int]:
    """(input tokens, output tokens) from a Responses or Chat Completions result."""
    usage = getattr(response, "usage", None)
    if usage is None:
        return 0, 0
    if hasattr(usage, "input_tokens"):
        return usage.input_tokens, usage.output_tokens
    return usage.prompt_tokens, usage.completion_tokens


def cost_of(response, backend) -> tuple[Decimal | None, Decimal]:
    """(what this call cost, what it would cost on ``backend.price_model``), in dollars, for a
    response and the ``helpers.llm_api.client.Backend`` that answered it.

    The first is the price table's figure on OpenAI, 0 on the local stand-in (you pay in your
    own electricity and hardware), and None on a custom endpoint (its prices are its own). The
    second prices the same token counts at a hosted OpenAI model's rates, for comparison (an
    estimate where another model's tokenizer counted the tokens).
    """
    tokens_in, tokens_out = usage_of(response)
    return backend.cost(tokens_in, tokens_out), estimate_cost(backend.price_model, tokens_in, tokens_out)


def money(amount: Decimal | float | None, digits: int = 6) -> str:
    """``$0.000123``, or "unknown" for a custom endpoint's price (Chapters 1 and 5)."""
    return "unknown (not OpenAI's price table)" if amount is None else f"${amount:.{digits}f}"
