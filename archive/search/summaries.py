"""The summary beside a page of results: how many articles match, and the facets (counts by
section, author, tag and month) that the web page shows, in one statement over the narrow
tables; for a query that matches most of the archive, counted from the articles it misses
(`matches_most`). `results` is the web page's page of results with its summary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from typing import NamedTuple

from archive import schema
from archive.dates import carried
from archive.search.query import Query
from archive.search.ranking import Page, check_sort, page, with_second_reader
from archive.search.selection import Filters, add_filter_functions
from archive.store import Archive

Facets = dict[str, list[tuple[str, int]]]


class Summary(NamedTuple):
    """How many articles match, and counts of them by section, author, tag and month."""

    total: int
    facets: Facets


# What a summary counts, each over `{rows}` (the selected articles' post_id, section and
# published_at): cells of section and month together (a few thousand, summed by
# `_summary_of_counts`), and the author and tag facets, each one join of the rows.
_COUNTS_OF_ROWS = {
    "cell": "SELECT 'cell', section, substr(published_at, 1, 7), count(*) FROM {rows}"
    " GROUP BY 2, 3",
    "author": f"SELECT 'author', m.name, NULL, count(*) FROM {{rows}}"
    f" CROSS JOIN {schema.AUTHORS_TABLE} m USING (post_id) GROUP BY 2",
    "tag": f"SELECT 'tag', m.tag, NULL, count(*) FROM {{rows}}"
    f" CROSS JOIN {schema.TAGS_TABLE} m USING (post_id) GROUP BY 2",
}
# The same over the whole archive, from the narrow tables alone.
_ARCHIVE_TOTALS = {
    "cell": _COUNTS_OF_ROWS["cell"].format(rows=schema.FACTS_TABLE),
    "author": f"SELECT 'author', name, NULL, count(*) FROM {schema.AUTHORS_TABLE} GROUP BY 2",
    "tag": f"SELECT 'tag', tag, NULL, count(*) FROM {schema.TAGS_TABLE} GROUP BY 2",
}
# A query that matches more than this share of the newest SAMPLE articles has its summary
# counted from the articles it misses: the archive's totals less theirs. Counted from its
# matches, a word in nearly every article joins nearly every article to the facts, the
# authors and the tags.
COUNT_MISSES_PAST = 0.5
SAMPLE = 1_000


def summary(
    archive: Archive, filters: Filters, size: int = 12, named: Collection[str] = ("author", "tag")
) -> Summary:
    """The total and the facets: counts of the matching articles by section, author, tag and
    month (YYYY-MM), `size` of each, largest first (months newest first); author and tag only
    when `named` asks for them. One statement over the narrow tables: the matches are found
    once, and counted by section and month together; or, for a query that matches most of
    the archive, the articles it misses (see COUNT_MISSES_PAST)."""
    add_filter_functions(archive)
    kinds = ["cell", *named]
    query = filters.query
    if query is not None and filters.only_query and matches_most(archive, query):
        return _summary_of_counts(archive.read(_counting_misses(kinds), [query.fts]), size)
    selected, params = filters.narrow()
    sql = f"WITH matched AS MATERIALIZED ({selected}) " + " UNION ALL ".join(
        f"SELECT *, 1 FROM ({_COUNTS_OF_ROWS[kind].format(rows='matched')})" for kind in kinds
    )
    return _summary_of_counts(archive.read(sql, params), size)


def _counting_misses(kinds: list[str]) -> str:
    """The statement that counts `kinds` as the archive's totals less those of the articles a
    query (its one parameter) misses."""
    fts, facts = schema.FTS_TABLE, schema.FACTS_TABLE
    # Both sides in post id order, so SQLite merges them; LIMIT keeps the ORDER BY, which a
    # sub-select otherwise drops.
    missed = (
        f"SELECT f.post_id, f.section, f.published_at FROM (SELECT post_id FROM {facts}"
        f" EXCEPT SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY 1 LIMIT -1) x"
        f" CROSS JOIN {facts} f ON f.post_id = x.post_id"
    )
    counted = [(_ARCHIVE_TOTALS[kind], 1) for kind in kinds]
    counted += [(_COUNTS_OF_ROWS[kind].format(rows="missed"), -1) for kind in kinds]
    return f"WITH missed AS MATERIALIZED ({missed}) " + " UNION ALL ".join(
        f"SELECT *, {sign} FROM ({counting})" for counting, sign in counted
    )


def matches_most(archive: Archive, query: Query) -> bool:
    """Whether `query` matches more than COUNT_MISSES_PAST of the newest SAMPLE articles (a
    read of the end of its doclists)."""
    fts, facts = schema.FTS_TABLE, schema.FACTS_TABLE
    sampled, matched = archive.read_one(
        f"WITH newest AS (SELECT post_id FROM {facts} ORDER BY post_id DESC LIMIT ?)"
        f" SELECT (SELECT count(*) FROM newest), (SELECT count(*) FROM {fts}"
        f" WHERE {fts} MATCH ? AND rowid >= (SELECT min(post_id) FROM newest))",
        [SAMPLE, query.fts],
    ) or (0, 0)
    return bool(matched) and matched > COUNT_MISSES_PAST * sampled


def _summary_of_counts(
    rows: Iterable[tuple[str, str | None, str | None, int, int]], size: int
) -> Summary:
    """The summary of counts by (kind, key, month), each added or taken away (its sign)."""
    cells: Counter[tuple[str | None, str | None]] = Counter()
    names: dict[str, Counter[str]] = {"author": Counter(), "tag": Counter()}
    for kind, key, month, number, sign in rows:
        if kind == "cell":
            cells[key, month] += sign * number
        elif key is not None:
            names[kind][key] += sign * number
    sections: Counter[str] = Counter()
    months: Counter[str] = Counter()
    for (section, month), number in cells.items():
        if section is not None:
            sections[section] += number
        if month is not None and carried(f"{month}-01", None):  # never month 9999-12
            months[month] += number
    found: Facets = {
        "section": _largest(sections, size),
        "author": _largest(names["author"], size),
        "tag": _largest(names["tag"], size),
        "month": sorted(((m, n) for m, n in months.items() if n > 0), reverse=True)[:size],
    }
    return Summary(sum(cells.values()), found)


def _largest(counts: Counter[str], size: int) -> list[tuple[str, int]]:
    """The `size` largest counts, ties by name; none of zero (all an author's articles
    missed)."""
    largest = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(name, number) for name, number in largest if number > 0][:size]


def facets(
    archive: Archive, filters: Filters, size: int = 12, named: Collection[str] = ("author", "tag")
) -> Facets:
    """The facets of `summary`."""
    return summary(archive, filters, size, named).facets


def results(
    archive: Archive,
    filters: Filters,
    *,
    limit: int = 20,
    offset: int = 0,
    sort: str = "relevance",
    size: int = 12,
) -> tuple[Page, Facets]:
    """The web page's results: one page, the total and the facets, the summary read beside
    the page (see `with_second_reader`)."""
    check_sort(sort)
    hits, (total, found) = with_second_reader(
        archive,
        lambda: page(archive, filters, limit=limit, offset=offset, sort=sort),
        lambda second: summary(second, filters, size),
    )
    return Page(hits, total), found
