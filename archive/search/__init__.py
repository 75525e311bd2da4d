"""Search the archive the way a Vietnamese reader types.

The index (schema version 10; 13 stores the copies once) holds each of title, sapo, body and
tags three times in one FTS5 table, `articles_fts`: spelled (`title_spelled`, ...: diacritics
kept, every oa, oe and uy ending a word in the new tone placement), folded (`title_folded`,
...: no diacritics, đ as d) and spelled in the old placement (`title_spelled_old`, ..., for
the tools that send a query as typed: sqlite-utils, Datasette). A word typed without
diacritics searches the folded copies, one typed with them the spelled copies, respelled in
the new placement; nothing is expanded at run time. Beside the index, narrow tables
(`article_facts`, the authors, the tags) hold what a search filters, counts and orders by, and
`index_words` the index's words (see archive.schema).

One module a job; a change goes where its job is:

- `query`: the query language. Tokenizer, parser, the limits of a query (MAX_QUERY_*,
  MIN_PREFIX_CHARS), `Query` and its FTS5 expression, the `Matcher`s that mark found words,
  `QueryError`.
- `selection`: the one selection of articles, `Filters` (query, dates, sections, authors, tags,
  post ids, the runs that wrote them) as SQL; the author and tag name matching and the SQL
  functions it registers; `records`, the selected records streamed (export, re-extraction);
  `latest_written`, those the archive wrote last (a search's feed).
- `date_order`: the planner of a page newest or oldest first, reading the index along post ids.
- `ranking`: a page of results (`page`: bm25, or date order), its `Hit`s, `count`, and
  `search` (the page with its count, read beside it on a second connection).
- `summaries`: the total and the facets (`summary`, `facets`), and `results`, the web page's
  page with its summary.
- `snippets`: `highlight`, `snippet`, `plain`.
- `upkeep`: the index's status, check and rebuilding (`bienphong stats`).

Every statement is run through `Archive` (`Archive.read`, ...), whose one error mapping makes
an sqlite3 error an `ArchiveError`.
"""

from archive.search.query import (
    MAX_QUERY_CHARS,
    MAX_QUERY_DEPTH,
    MAX_QUERY_PREFIXES,
    MAX_QUERY_TERMS,
    MAX_QUERY_WORDS,
    MIN_PREFIX_CHARS,
    Matcher,
    Operation,
    Query,
    QueryError,
    Term,
    parse,
)
from archive.search.ranking import (
    MAX_LIMIT,
    MAX_OFFSET,
    SORTS,
    WEIGHTS,
    Hit,
    Page,
    count,
    page,
    search,
)
from archive.search.selection import (
    MAX_AUTHOR_CHARS,
    MAX_AUTHORS,
    Filters,
    latest_written,
    records,
)
from archive.search.snippets import highlight, plain, snippet
from archive.search.summaries import Facets, Summary, facets, results, summary
from archive.search.upkeep import check_index, index_status, rebuild_index

__all__ = [
    "MAX_AUTHORS",
    "MAX_AUTHOR_CHARS",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_DEPTH",
    "MAX_QUERY_PREFIXES",
    "MAX_QUERY_TERMS",
    "MAX_QUERY_WORDS",
    "MIN_PREFIX_CHARS",
    "SORTS",
    "WEIGHTS",
    "Facets",
    "Filters",
    "Hit",
    "Matcher",
    "Operation",
    "Page",
    "Query",
    "QueryError",
    "Summary",
    "Term",
    "check_index",
    "count",
    "facets",
    "highlight",
    "index_status",
    "latest_written",
    "page",
    "parse",
    "plain",
    "rebuild_index",
    "records",
    "results",
    "search",
    "snippet",
    "summary",
]
