"""``python -m course_tools.kit build|status``: the kit's command line (``make kit``)."""

from __future__ import annotations

import argparse
import os
import sys

from course_tools.kit import __doc__ as KIT_DOC
from course_tools.kit.build import build, print_status, write_expected
from course_tools.kit.downloads import KitError
from course_tools.kit.registry import ASSETS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.kit", description=KIT_DOC.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="build missing assets (all, or the names given)")
    build_cmd.add_argument("names", nargs="*", metavar="NAME", help=f"any of: {', '.join(ASSETS)}")
    build_cmd.add_argument("--force", action="store_true", help="rebuild even if already built")
    build_cmd.add_argument("--if-offline", action="store_true",
                           help="do nothing when the Hub is reachable and HF_HUB_OFFLINE is not set")
    commands.add_parser("status", help="show what is built, sizes and where")
    commands.add_parser("expected", help="maintainers: record the built kit's sha256s as the expected ones")
    args = parser.parse_args(argv)
    if args.command == "status":
        print_status()
        return 0
    if args.command == "expected":
        print(f"[kit] wrote {write_expected()}: commit it")
        return 0
    offline_asked = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")
    if args.if_offline and not offline_asked:
        from helpers.network import hub_reachable
        if hub_reachable():
            print("[kit] the Hugging Face Hub is reachable: the course uses it, no offline kit needed.")
            return 0
    try:
        build(args.names or None, force=args.force)
    except KitError as error:
        print(f"[kit] error: {error}", file=sys.stderr)
        return 1
    if not args.names:  # the whole kit (make kit): the table; one asset (a chapter's): its "done" line says it
        print_status()
    return 0


if __name__ == "__main__":
    sys.exit(main())
