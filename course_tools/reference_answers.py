"""Store a hosted model's answers to Chapter 1's fixed requests: ``make reference-answers``.

Needs a real key (``OPENAI_API_KEY``, a ``.env`` file, ...) and sends each request of
``helpers.llm_api.reference.REFERENCE_REQUESTS`` to OpenAI's API, then writes every answer with
its model, date and token counts to ``data/reference-answers.json`` (commit it). Costs a fraction
of a cent. Refuses a custom ``OPENAI_BASE_URL`` (the file is for hosted answers) unless
``--allow-endpoint`` is given, which the tests use against their local keyed server.

    python -m course_tools.reference_answers [--model gpt-4.1-mini] [--out data/reference-answers.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from helpers.llm_api import api_base_url, is_openai, resolve_api_key, server_name
from helpers.llm_api.reference import REFERENCE_FILE, REFERENCE_REQUESTS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.reference_answers", description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="gpt-4.1-mini")
    parser.add_argument("--out", type=Path, default=REFERENCE_FILE)
    parser.add_argument("--allow-endpoint", action="store_true", help="accept a custom OPENAI_BASE_URL (tests)")
    args = parser.parse_args(argv)

    key, base_url = resolve_api_key(interactive=False), api_base_url()
    if key is None:
        print("No OpenAI key found (OPENAI_API_KEY, a .env file or a Colab secret): stored answers must come "
              "from the hosted model, so nothing was sent and nothing was written.", file=sys.stderr)
        return 1
    if not is_openai(base_url) and not args.allow_endpoint:
        print(f"OPENAI_BASE_URL points at {server_name(base_url)}, not OpenAI: unset it to store hosted answers.",
              file=sys.stderr)
        return 1
    import httpx2
    from openai import OpenAI

    from helpers.llm_api import LocalQuirksTransport

    quirks = None if is_openai(base_url) else httpx2.Client(transport=LocalQuirksTransport())
    client = OpenAI(api_key=key.reveal(), base_url=base_url, http_client=quirks)
    stored = {}
    for name, request in REFERENCE_REQUESTS.items():
        response = client.responses.create(model=args.model, store=False, **request)
        stored[name] = {"request": request, "model": response.model or args.model,
                        "server": "OpenAI" if is_openai(base_url) else server_name(base_url),
                        "date": date.today().isoformat(), "input_tokens": response.usage.input_tokens,
                        "output_tokens": response.usage.output_tokens, "answer": response.output_text}
        print(f"{name}: {response.usage.output_tokens} tokens from {stored[name]['model']}")
    args.out.write_text(json.dumps(stored, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(stored)} answers to {args.out.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
