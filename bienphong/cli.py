"""The `bienphong` command: the group every command belongs to (`bienphong.commands`).

Errors are one line on stderr, `bienphong: error: ...`, never a traceback; the exit statuses
are `bienphong.errors`'. Scrapy loads only for `crawl`, the extractor only for `extract` and
`reextract`, Starlette and uvicorn only for `serve`.
"""

from __future__ import annotations

import click

from archive import __version__
from bienphong.commands import crawl, read, sets
from bienphong.errors import BienphongGroup


@click.group(name="bienphong", cls=BienphongGroup)
@click.version_option(__version__, prog_name="bienphong")
def cli() -> None:
    """The archive of record for bienphong.com.vn (Báo Biên phòng).

    Crawl the site into one SQLite file, then show, search and export what it holds.
    Errors are one line on stderr, "bienphong: error: ...".

    \b
    Exit status:
      0  done
      1  the command could not run: a missing, unreadable or newer archive, a bad
         date or section, an unwritable output, an unknown article, a saved page
         that cannot be read
      2  a usage error, or a malformed search query; for extract, a page whose
         address is unknown (no canonical link, og:url or shortlink to an
         article on the site, and no --url)
      3  a crawl finished, but needs a look: a drift warning, or failed pages
         over 5% of those it fetched; or robots.txt let it take nothing (refused);
         runs --check for a last crawl that is not fine
     75  another crawl or reextract holds the archive: try again later
    130  a crawl stopped at once by a second signal
    128+N  stopped by signal N before it was done (130 SIGINT, 143 SIGTERM,
         129 SIGHUP); a crawl stops so only before it began, else it stops
         gracefully and exits as it ends

    \b
    Example:
      bienphong crawl --since 7d
      bienphong show 532158
    """


for command in (
    crawl.crawl,
    read.show,
    read.extract,
    sets.export,
    read.runs,
    read.stats,
    read.sections,
    sets.search,
    read.history,
    crawl.reextract,
    sets.serve,
    read.backup,
):
    cli.add_command(command)
