"""`make demo` (`python -m tests.mirror.demo`): the tool tried without the network. The shipped
mirror of bienphong.com.vn is served on a free loopback port, `bienphong crawl` archives it
into `demo.db`, the mirror stops, and the next commands to try are printed."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from .server import Mirror
from .site import Site


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.mirror.demo",
        description="Crawl the offline mirror into an archive, to try the tool offline.",
    )
    parser.add_argument("--db", type=Path, default=Path("demo.db"), help="the archive to make")
    parser.add_argument("--articles", type=int, default=300, help="articles the mirror serves")
    args = parser.parse_args(argv)
    bienphong = Path(sys.executable).with_name("bienphong")
    with Mirror(Site(articles=args.articles, seed=1)) as mirror:
        print(f"demo: the offline mirror of bienphong.com.vn serves at {mirror.base_url}")
        crawl = [str(bienphong), "crawl", "--db", str(args.db), "--base-url", mirror.base_url]
        done = subprocess.run([*crawl, "--delay", "0", "--concurrency", "8"], check=False)
    if done.returncode not in (0, 3):  # 3: it ran, with warnings to read
        print(f"demo: the crawl ended with status {done.returncode}", file=sys.stderr)
        return done.returncode
    print(
        f"demo: the mirror is stopped; {args.db} holds what it served. Try:\n"
        f"  {bienphong} search bien phong --db {args.db}\n"
        f"  {bienphong} show POST_ID --db {args.db}   (a post id the search lists)\n"
        f"  {bienphong} serve --db {args.db}   (then open http://127.0.0.1:8000)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
