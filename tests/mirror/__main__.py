"""`python -m tests.mirror --port 0 --articles N --seed S [...]` serves the mirror and prints its
base URL on the first line; `python -m tests.mirror truth --articles N --seed S` prints every
article's truth as JSON Lines."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys

from .faults import Faults
from .server import Mirror
from .site import Site


def _parser(truth: bool) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.mirror" + (" truth" if truth else ""),
        description="Print every article's truth as JSON Lines."
        if truth
        else "Serve an offline bienphong.com.vn on a loopback port.",
    )
    parser.add_argument("--articles", type=int, default=2000, help="articles at day 0")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--day", type=int, default=0, help="days the site has moved on")
    parser.add_argument("--new-per-day", type=int, default=10)
    parser.add_argument("--edits-per-day", type=int, default=3)
    parser.add_argument(
        "--template",
        choices=("A", "B", "C", "D", "X"),
        help="serve every article in one: D hides dates behind script, X draws markup per article",
    )
    parser.add_argument(
        "--weight",
        choices=("light", "real"),
        default="real",
        help="article pages as heavy as real ones (style, scripts, menus, lists), or alone",
    )
    parser.add_argument(
        "--redesign-day", type=int, help="from this day on, pages come in a new design"
    )
    if not truth:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
        parser.add_argument("--sitemaps", choices=("on", "off"), default="on")
        parser.add_argument("--faults", default="", help="e.g. 503:0.05,429:0.02,broken:450001")
        parser.add_argument(
            "--log-requests",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="keep the request log that /__mirror/hits answers",
        )
    return parser


def site_from(args: argparse.Namespace) -> Site:
    return Site(
        articles=args.articles,
        seed=args.seed,
        day=args.day,
        new_per_day=args.new_per_day,
        edits_per_day=args.edits_per_day,
        sitemaps=getattr(args, "sitemaps", "on") == "on",
        template=args.template,
        weighty=args.weight == "real",
        redesign_day=args.redesign_day,
    )


def main(argv: list[str]) -> int:
    truth = argv[:1] == ["truth"]
    args = _parser(truth).parse_args(argv[1:] if truth else argv)
    try:
        site = site_from(args)
        faults = Faults() if truth else Faults.parse(args.faults)
    except ValueError as error:
        print(f"mirror: {error}", file=sys.stderr)
        return 2
    if truth:
        try:
            for record in site.truth():
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        except BrokenPipeError:  # `| head` had enough: stop quietly, as head expects
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if not args.host.startswith("127.") and args.host not in ("localhost", "::1"):
        print("mirror: serves on loopback only", file=sys.stderr)
        return 2
    mirror = Mirror(site, faults, args.host, args.port, log_requests=args.log_requests)
    print(mirror.base_url, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        mirror.server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
