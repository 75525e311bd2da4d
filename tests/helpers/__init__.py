"""Helpers the test modules share, one concern a module; fixtures stay in tests/conftest.py.

- `environment`: the suite's environment without proxy variables, for subprocesses too.
- `loopback`: a plain HTTP client for loopback servers (`fetch`, `fetch_body`) and its `Response`.
- `fixtures`: the types of conftest's fixtures (`MakeMirror`, `Fetch`, `CrawledArchive`).
- `records`: the article record's keys, and a hand-made record and raw page to archive.
- `cli`: the `bienphong` command, in process (`invoke`) and installed (`BIENPHONG`); the
  one-line error every command gives.
- `crawl`: the real `bienphong crawl` of a mirror, and what the archive then holds.
- `search`: which articles of the truth hold which words, folded as a reader types them.
- `web`: the reader's site served on a loopback port, and the headers every answer carries.
- `mirror_pages`: reading the mirror's pages with lxml, and checking an article page against
  its truth.
- `goldens`: the recorded pages, and the variants they must cover.

A test module imports these and `tests.mirror`, never another test module.
"""
