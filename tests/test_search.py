"""Search: the matching rules on the mirror-crawled archive, ranking, filters, the query
language, the index kept in step with every write, the migration, and the ecosystem's view.

Expected post ids come from the mirror's truth (`site.truth()`), with a fold written here
independently of archive.vietnamese, never from the search's own output.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from archive import schema
from archive.search import (
    Filters,
    Query,
    QueryError,
    check_index,
    date_order,
    facets,
    highlight,
    index_status,
    page,
    parse,
    records,
    results,
    search,
    summaries,
    summary,
)
from archive.search.query import FOLDED, SPELLED
from archive.site import SITE_TZ
from archive.store import Archive
from archive.vietnamese import one_placement, reads_as_written
from tests.helpers.cli import invoke
from tests.helpers.fixtures import CrawledArchive
from tests.helpers.loopback import fetch
from tests.helpers.records import make_page, make_record, record_row
from tests.helpers.search import Truth, folded, ids, plain_fold, text_words, where
from tests.helpers.web import serving
from tests.mirror.site import new_placement


@pytest.fixture(scope="module")
def truth(crawled_archive: CrawledArchive) -> Truth:
    return list(crawled_archive.site.truth())


@pytest.fixture(scope="module")
def archive(crawled_archive: CrawledArchive) -> Iterator[Archive]:
    with Archive(crawled_archive.db, readonly=True) as opened:
        yield opened


# A word typed without diacritics matches every accented form, đ included


def test_unaccented_words_match_every_accented_form(archive: Archive, truth: Truth) -> None:
    expected = where(truth, lambda w: {"don", "bien", "phong"} <= folded(w))
    assert 200 < len(expected)  # the mirror writes "Đồn Biên phòng" in most articles
    assert expected == ids(archive, "don bien phong")


def test_d_matches_the_crossed_d(archive: Archive, truth: Truth) -> None:
    expected = where(truth, lambda w: {"dang", "uy", "bdbp"} <= folded(w))
    exact = where(truth, lambda w: {"đảng", "ủy", "bđbp"} <= w)
    assert exact and set(exact) <= set(expected)
    assert expected == ids(archive, "dang uy bdbp")
    assert expected == ids(archive, "DANG UY BDBP")


# A word typed with diacritics matches that spelling only, in any case


def test_an_accented_word_matches_that_spelling_only(archive: Archive, truth: Truth) -> None:
    expected = where(truth, lambda w: "đảng" in w)
    others = where(truth, lambda w: "đảng" not in w and "dang" in folded(w))
    assert others  # dạng, dâng, đáng: what an accent-blind search would wrongly return
    assert expected == ids(archive, "Đảng")
    assert expected == ids(archive, "đẢNG")


def test_dao_unaccented_and_accented(archive: Archive, truth: Truth) -> None:
    island = where(truth, lambda w: "đảo" in w)
    way = where(truth, lambda w: "đạo" in w)
    any_form = where(truth, lambda w: "dao" in folded(w))
    assert set(island) != set(way)
    assert island == ids(archive, "đảo")
    assert way == ids(archive, "đạo")
    assert any_form == ids(archive, "dao")


def test_the_issue_examples_on_a_hand_made_archive(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        for post_id, title in (
            (1, "Giữ vững biên giới"),
            (2, "Biển đảo quê hương"),
            (3, "Đảng ủy BĐBP tỉnh họp"),
            (4, "Người dân đang thu hoạch lúa"),
            (5, "Đồn Biên phòng Bản Lầu"),
        ):
            archive.save_article(
                make_record(post_id=post_id, title=title, sapo=None), make_page(), None
            )
        assert [2] == ids(archive, "biển")
        assert [1, 5] == ids(archive, "biên")
        assert [1, 2, 5] == ids(archive, "bien")
        assert [3] == ids(archive, "Đảng")
        assert [4] == ids(archive, "đang")
        assert [3, 4] == ids(archive, "dang")
        assert [5] == ids(archive, "don bien phong")
        assert [3] == ids(archive, "dang uy bdbp")


@pytest.mark.parametrize(
    ("text", "spelled"),
    [
        ("hòa", "hoà"),
        ("hoà", "hoà"),
        ("Thủy", "thuỷ"),
        ("khoẻ", "khoẻ"),
        ("khỏe", "khoẻ"),
        ("ĐẢNG ỦY", "đảng uỷ"),
        ("Hòa Bình, Thủy_sản", "hoà bình, thuỷ_sản"),  # `_` ends a word, as in the index
        ("quý", "quý"),  # the u of qu belongs to the consonant
        ("hoàn", "hoàn"),  # a final consonant: one placement in both styles
        ("thủy3", "thủy3"),  # not the end of a word
        ("khuya", "khuya"),
        ("thuở", "thuở"),
        ("hoa", "hoa"),
        ("ho\u0300a", "hoà"),  # decomposed
    ],
)
def test_one_placement(text: str, spelled: str) -> None:
    assert spelled == one_placement(text)


@pytest.mark.parametrize(
    ("text", "as_written"),
    [
        ("Đảng ủy đồn Biên phòng", True),  # the site's old placement
        ("Ủy ban nhân dân tỉnh Khánh Hòa", True),  # Ủy opening a name
        ("quý hoàn thành", True),  # no glide ending a word (q's u is the consonant's)
        ("Đảng uỷ", False),  # the new placement: its old-style copy differs
        ("KHÁNH HÒA", False),  # a case form SQL's replacements do not reach
        ("Ho\u0300a", False),  # not NFC
    ],
)
def test_a_text_serves_as_its_own_old_style_copy_only_where_sql_respells_it(
    text: str, as_written: bool
) -> None:
    assert as_written == reads_as_written(text)


def test_the_derived_spelled_copies_are_the_text_in_one_placement(
    archive: Archive, truth: Truth
) -> None:
    # The new-style copies are SQLite's replace() of the old-style ones: on every article of
    # the mirror (both placements printed) they equal the text respelled in Python (case
    # aside, which the index ignores).
    fields = ", ".join(f"{name}_spelled" for name in ("title", "sapo", "body"))
    derived = {
        row[0]: tuple(None if copy is None else copy.lower() for copy in row[1:])
        for row in archive.db.execute(f"SELECT post_id, {fields} FROM articles").fetchall()
    }
    assert len(truth) == len(derived)
    for record in truth:
        texts = (record["title"], record["sapo"], record["body"])
        assert (
            tuple(None if t is None else one_placement(t) for t in texts)
            == derived[record["post_id"]]
        )


def test_both_tone_placements_are_one_spelling(tmp_path: Path) -> None:
    # Old style marks the first vowel of oa, oe, uy (hòa, khỏe, thủy), new style the second.
    with Archive(tmp_path / "a.db") as archive:
        for post_id, title, author in (
            (1, "Giao lưu văn hóa biên giới", "Thanh Thủy"),
            (2, "Xây dựng nền văn hoá mới", "Thanh Thuỷ"),
            (3, "Khám sức khỏe cho bà con", "Thu Hà"),
            (4, "Chăm lo sức khoẻ người dân", "Thu Hà"),
            (5, "Quý trọng hòa bình", "Thu Hà"),
        ):
            record = make_record(post_id=post_id, title=title, sapo=None, authors=[author])
            archive.save_article(record, make_page(), None)
        assert [1, 2] == ids(archive, "văn hoá")
        assert [1, 2] == ids(archive, "văn hóa")
        assert [2] == ids(archive, '"nền văn hóa"')
        assert [1, 2] == ids(archive, "hoá*")
        assert [3, 4] == ids(archive, "khỏe")
        assert [3, 4] == ids(archive, '"sức khoẻ"')
        assert [5] == ids(archive, "hoà")  # a grave accent, not an acute: another word
        assert [5] == ids(archive, "quý")
        assert [1, 2] == ids(archive, authors=("thanh thuỷ",))
        assert [1, 2] == ids(archive, authors=("Thanh Thủy",))
    query = parse("văn hoá")
    assert query is not None
    marked = highlight("Giao lưu văn hóa biên giới", query.matchers)
    assert ["văn", "hóa"] == [text for text, found in marked if found]


# NFC on both sides


def test_decomposed_input_matches(archive: Archive, truth: Truth) -> None:
    # In either tone placement: the mirror prints both.
    expected = where(truth, lambda w: "đảng" in w and bool({"ủy", "uỷ"} & w))
    assert expected == ids(archive, unicodedata.normalize("NFD", "Đảng ủy"))


def test_an_article_served_decomposed_is_found_by_composed_words(
    archive: Archive, crawled_archive: CrawledArchive
) -> None:
    site = crawled_archive.site
    served_nfd = [site.article(i) for i in range(site.total) if site.article(i).decomposed]
    article = served_nfd[0]
    query = f'"{unicodedata.normalize("NFC", article.title)}"'
    assert article.post_id in ids(archive, query)


# Phrases, prefixes, AND / OR / NOT


def test_a_phrase_matches_its_words_in_order(archive: Archive, truth: Truth) -> None:
    literal = sorted(
        r["post_id"]
        for r in truth
        if any(
            "tuần tra song phương" in (text or "").lower()
            for text in (r["title"], r["sapo"], r["body"], *r["tags"])
        )
    )
    assert literal == ids(archive, '"tuần tra song phương"')
    loose = where(truth, lambda w: {"song", "phuong"} <= folded(w))
    assert literal != loose
    assert loose == ids(archive, "song phuong")


def test_prefixes(archive: Archive, truth: Truth) -> None:
    assert where(truth, lambda w: any(plain_fold(x).startswith("chuy") for x in w)) == ids(
        archive, "chuy*"
    )
    assert where(truth, lambda w: any(x.startswith("chuyể") for x in w)) == ids(archive, "chuyể*")


def test_and_or_not(archive: Archive, truth: Truth) -> None:
    island, way = set(where(truth, lambda w: "đảo" in w)), set(where(truth, lambda w: "đạo" in w))
    any_dao = set(where(truth, lambda w: "dao" in folded(w)))
    assert sorted(island | way) == ids(archive, "đảo OR đạo")
    assert sorted(island & way) == ids(archive, "đảo AND đạo")
    assert sorted(island & way) == ids(archive, "đảo đạo")
    assert sorted(any_dao - island) == ids(archive, "dao NOT đảo")
    assert sorted((island | way) - (island & way)) == ids(archive, "(đảo OR đạo) NOT (đảo đạo)")


@pytest.mark.parametrize(
    "lenient, strict",
    [('"tuần tra song', '"tuần tra song"'), ("(đảo OR đạo", "(đảo OR đạo)"), ("đảo)", "đảo")],
)
def test_open_quotes_and_brackets_are_closed(archive: Archive, lenient: str, strict: str) -> None:
    assert ids(archive, strict) == ids(archive, lenient)


@pytest.mark.parametrize(
    "query, message",
    [
        ("bien AND", "the query ends with an operator: add a term after it"),
        ("NOT bien", "NOT needs a term before it, as in 'bien phong NOT hai quan'"),
        ("bien OR OR dao", "OR needs a term on each side, as in 'bien OR dao'"),
        ("()", "nothing to search for in '()': type some words"),
        ("*** -", "nothing to search for in '*** -': type some words"),
        ("x" * 501, "the query is 501 characters long; at most 500 are searched"),
        (
            " ".join(f"w{n}" for n in range(13)),
            "the query has 13 terms; at most 12 are searched"
            " (a term repeated side by side counts once)",
        ),
        (
            "bien" + " NOT bien" * 40,  # NOT keeps each repeat: a term, then what it excludes
            "the query has 41 terms; at most 12 are searched"
            " (a term repeated side by side counts once)",
        ),
        (
            " ".join('"' + " ".join(f"{w}{n}" for n in range(17)) + '"' for w in "xy"),
            "the query has 34 words; at most 32 are searched",
        ),
        ("bi* da* ca* th* ng*", "the query has 5 prefixes (word*); at most 4"),
        ("b* OR dao", "the prefix b* is too short: give at least 2 letters before *"),
        ("(" * 9 + "bien" + ")" * 9, "the query nests parentheses more than 8 deep"),
        ("(" * 400 + "bien", "the query nests parentheses more than 8 deep"),
    ],
)
def test_malformed_queries_raise_query_error(query: str, message: str) -> None:
    with pytest.raises(QueryError) as raised:
        parse(query)
    assert message == str(raised.value)


def test_repeated_terms_count_once() -> None:
    once = parse("bien")
    assert once is not None
    for repeated in ("bien " * 100, "bien bien OR bien", "(bien) AND bien AND (bien)"):
        query = parse(repeated)
        assert query is not None
        assert once.fts == query.fts
        assert once.matchers == query.matchers


def test_a_query_is_spelled_once_never_expanded(tmp_path: Path) -> None:
    # 26 words with two tone placements each would be 2 ** 26 spellings; the index holds one.
    phrase = " ".join(["hòa"] * 26)
    query = parse(f'"{phrase}"')
    assert query is not None
    spelled = " ".join(["hoà"] * 26)
    spelled_columns = "{title_spelled sapo_spelled body_spelled tags_spelled}"
    assert f'{spelled_columns}: "{spelled}"' == query.fts
    # Typed half with marks: the folded phrase, and each accented word as spelled.
    mixed = parse('"tuần tra song phương" khỏe*')
    assert mixed is not None
    folded_columns = "{title_folded sapo_folded body_folded tags_folded}"
    assert (
        f'(({folded_columns}: "tuan tra song phuong"'
        f' AND {spelled_columns}: "tuần"'
        f' AND {spelled_columns}: "phương")'
        f' AND {spelled_columns}: "khoẻ"*)'
    ) == mixed.fts
    with Archive(tmp_path / "a.db") as archive:
        body = " ".join(["Hòa"] * 26)  # the other placement, capitalised
        archive.save_article(make_record(post_id=1, body=body), make_page(), None)
        archive.save_article(make_record(post_id=2, body=" ".join(["hoa"] * 26)), make_page(), None)
        archive.save_article(make_record(post_id=3, body=" ".join(["Hoà"] * 25)), make_page(), None)
        assert [1] == ids(archive, f'"{phrase}"')
        assert [1, 3] == ids(archive, '"hoà hòa hoà hòa"')


def test_an_author_filter_matches_any_part_of_a_name_however_long(tmp_path: Path) -> None:
    name = " ".join(["Hòa"] * 18)  # 2 ** 18 spellings, once "too many SQL variables"
    with Archive(tmp_path / "a.db") as archive:
        for post_id, authors in (
            (1, [name]),
            (2, ["Hòa"]),
            (3, ["Phạm Thu Thủy"]),
            (4, ["Nguyễn Thúy", "Lê Văn Thu"]),
        ):
            archive.save_article(make_record(post_id=post_id, authors=authors), make_page(), None)
        assert [1] == ids(archive, authors=(" ".join(["HOÀ"] * 18),))
        assert [1] == ids(archive, authors=(" ".join(["hoa"] * 18),))
        assert [1, 2] == ids(archive, authors=("hoà",))  # a part of name 1, the whole of 2
        # Any part, as whole words in a row, with or without diacritics, either placement.
        assert [3] == ids(archive, authors=("Thủy",))
        assert [3] == ids(archive, authors=("thuỷ",))
        assert [3, 4] == ids(archive, authors=("thuy",))  # Thủy and Thúy alike, unaccented
        assert [3] == ids(archive, authors=("Thu Thủy",))
        assert [3, 4] == ids(archive, authors=("Thu",))  # Phạm Thu Thủy, Lê Văn Thu
        assert [] == ids(archive, authors=("Thủy Thu",))  # not in that order
        assert [] == ids(archive, authors=("Th",))  # whole words, not prefixes
        assert [1, 3] == ids(archive, authors=("Thủy", "Hòa Hòa Hòa"))  # either name
        assert [1, 2, 3] == ids(archive, authors=("Thủy", "Hòa"))
    with pytest.raises(QueryError, match=r"^21 authors given; at most 20 are searched at once$"):
        Filters.of(authors=tuple(f"Tác giả {n}" for n in range(21)))
    with pytest.raises(QueryError, match=r"^an author name of 101 characters; at most 100$"):
        Filters.of(authors=("a" * 101,))


def test_an_archive_of_schema_4_gains_the_narrow_tables_that_tags_and_authors_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v4.db"
    with sqlite3.connect(path) as conn:
        database = Database(conn)
        schema.migrate_to(database, 4)
        times = dict.fromkeys(schema.ARTICLE_TIMES, "2025-03-01")
        for post_id, tags, authors in (
            (1, ["Ngư dân bám biển"], ["Thu Hà"]),
            (2, ["Ngư dân bám biển", "Biên giới xanh"], ["Phạm Thu Thủy"]),
            (3, [], ["Thu Hà"]),
        ):
            record = make_record(post_id=post_id, tags=tags, authors=authors)
            row = record_row(record)
            database.table("articles").insert(
                row | schema.folded_columns(row, schema.TEXT_FIELDS) | times
            )
    conn.close()

    with Archive(path) as archive:
        assert schema.SCHEMA_VERSION == archive.db.execute("PRAGMA user_version").fetchone()[0]
        assert [1, 2] == ids(archive, tags=("ngu dan bam bien",))
        # The tags are in the full-text index too: the issue's "a search for it finds none".
        assert [1, 2] == ids(archive, '"Ngư dân bám biển"')
        assert [2] == ids(archive, '"bien gioi xanh"')
        assert [2] == ids(archive, tags=("Biên giới xanh",))
        assert [] == ids(archive, tags=("Ngư dân",))  # a tag is matched whole
        assert [2] == ids(archive, authors=("Thủy",))
        found = facets(archive, Filters.of())
        assert [("Ngư dân bám biển", 2), ("Biên giới xanh", 1)] == found["tag"]
        assert [("Thu Hà", 2), ("Phạm Thu Thủy", 1)] == found["author"]


def test_filters_refuse_a_malformed_query_or_date_before_any_read() -> None:
    with pytest.raises(QueryError, match="the query ends with an operator"):
        Filters.of("bien AND")
    with pytest.raises(QueryError, match="invalid since '2024-13-01'"):
        Filters.of(since="2024-13-01")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    with Archive(tmp_path_factory.mktemp("tiny") / "t.db") as archive:
        archive.save_article(make_record(), make_page(), None)
        yield archive


PIECES = ["bien", "đảo", "Đ", '"', "(", ")", "*", "AND", "OR", "NOT", " ", "-", ":", "^", "{", "}"]
PIECES += ["\u0301", "_", "NEAR", "'", "\\", "\x00", "+", "\n"]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(PIECES)).map("".join) | st.text())
def test_any_text_is_searched_or_refused_with_query_error(tiny: Archive, text: str) -> None:
    try:
        found = search(tiny, Filters.of(text), limit=5)
    except QueryError as error:
        assert "\n" not in str(error)
    else:
        assert found.total in (0, 1)


# Ranking


def test_title_ranks_above_sapo_above_body_and_ties_go_newest_first(tmp_path: Path) -> None:
    body = "Mùa đông trên cao nguyên đá, sương mù phủ kín các bản làng biên giới."
    records = [
        make_record(post_id=1, title="Tuyết rơi ở Sa Pa", sapo="Lạnh.", body=body),
        make_record(post_id=2, title="Trời lạnh ở Sa Pa", sapo="Tuyết rơi.", body=body),
        make_record(post_id=3, title="Trời lạnh ở Sa Pa", sapo="Lạnh.", body=body + " Tuyết."),
        make_record(
            post_id=4,
            title="Tuyết rơi ở Sa Pa",
            sapo="Lạnh.",
            body=body,
            published_at="2025-03-01T08:00:00+07:00",
        ),
    ]
    records += [make_record(post_id=10 + n, title=f"Tin số {n}", body=body) for n in range(20)]
    with Archive(tmp_path / "a.db") as archive:
        for record in records:
            archive.save_article(record, make_page(), None)
        for query in ("tuyet", "tuyết"):
            hits = search(archive, Filters.of(query)).hits
            assert [4, 1, 2, 3] == [hit.post_id for hit in hits]


# Filters, with and without a query


def test_filters_without_a_query(archive: Archive, truth: Truth) -> None:
    expected = sorted(
        r["post_id"]
        for r in truth
        if r["section"] == "kinh-te" and "2026-01-01" <= r["published_at"] < "2026-07-01"
    )
    assert expected == ids(archive, since="2026-01-01", until="2026-07-01", sections=("kinh-te",))


def test_filters_with_a_query(archive: Archive, truth: Truth) -> None:
    expected = sorted(
        r["post_id"]
        for r in truth
        if r["section"] in ("kinh-te", "xa-hoi")
        and r["published_at"] >= "2024-01-01"
        and "dao" in folded(set(text_words(r)))
    )
    assert expected == ids(archive, "dao", since="2024-01-01", sections=("kinh-te", "xa-hoi"))


def test_authors_match_with_or_without_diacritics(archive: Archive, truth: Truth) -> None:
    expected = sorted(r["post_id"] for r in truth if "Ngọc Tú" in r["authors"])
    assert expected
    assert expected == ids(archive, authors=("Ngọc Tú",))
    assert expected == ids(archive, authors=("ngoc tu",))
    assert [] == ids(archive, authors=("Ngọc Tư",))


def test_records_streams_full_records_in_published_order(archive: Archive, truth: Truth) -> None:
    chosen = [r["post_id"] for r in truth[::7]]
    selected = records(archive, Filters.of(ids=set(chosen), until="2030-01-01T00:00:00+07:00"))
    assert isinstance(selected, Iterator)
    found = list(selected)
    assert [archive.get_article(r["post_id"]) for r in found] == found
    order = sorted(truth[::7], key=lambda r: (r["published_at"], r["post_id"]))
    assert [r["post_id"] for r in order] == [r["post_id"] for r in found]


def test_until_is_exclusive_and_dates_mean_site_midnight(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        archive.save_article(
            make_record(post_id=1, published_at="2025-02-14T00:00:00+07:00"), make_page(), None
        )
        archive.save_article(
            make_record(post_id=2, published_at="2025-02-13T23:59:00+07:00"), make_page(), None
        )
        assert [2] == ids(archive, until="2025-02-14")
        assert [1] == ids(archive, since="2025-02-14")
        assert [1] == ids(archive, since="2025-02-13T17:00:00+00:00")  # the same moment in UTC


def test_a_readers_days_are_whole_days_on_the_sites_clock() -> None:
    # `--until 2025-02-14` includes the whole of the 14th: the bound is the next midnight.
    days = Filters.for_days("", date(2025, 2, 1), datetime(2025, 2, 14, tzinfo=SITE_TZ))
    assert (datetime(2025, 2, 1, tzinfo=SITE_TZ), datetime(2025, 2, 15, tzinfo=SITE_TZ)) == (
        days.since,
        days.until,
    )
    assert Filters() == Filters.for_days()


# The command line


def test_cli_json_output(crawled_archive: CrawledArchive, truth: Truth) -> None:
    result = invoke("search", "đảo", "--json", "--limit", "500", "--db", str(crawled_archive.db))
    assert 0 == result.exit_code
    hits = json.loads(result.stdout)
    assert ["post_id", "url", "title", "published_at", "section", "authors", "snippet", "rank"] == (
        list(hits[0])
    )
    assert where(truth, lambda w: "đảo" in w) == sorted(hit["post_id"] for hit in hits)
    assert all("**đảo**" in hit["snippet"].lower() or "đảo" in hit["title"].lower() for hit in hits)
    ranks = [hit["rank"] for hit in hits]
    assert sorted(ranks) == ranks


def test_cli_text_output_marks_the_words_as_written(crawled_archive: CrawledArchive) -> None:
    result = invoke("search", "dang", "uy", "bdbp", "--limit", "3", "--db", str(crawled_archive.db))
    assert 0 == result.exit_code
    # As each article writes it: "Đảng ủy" or "Đảng uỷ".
    assert re.search(r"\*\*Đảng\*\* \*\*(ủy|uỷ)\*\* \*\*BĐBP\*\*", result.stdout)
    assert result.stdout.rstrip().endswith("articles; more with --offset 3")


def test_cli_filters_alone(crawled_archive: CrawledArchive, truth: Truth) -> None:
    args = ["--section", "quoc-te", "--since", "2026-01-01", "--until", "2026-06-30"]
    result = invoke("search", *args, "--json", "--limit", "100", "--db", str(crawled_archive.db))
    expected = sorted(
        (r["published_at"], r["post_id"])
        for r in truth
        if r["section"] == "quoc-te" and "2026-01-01" <= r["published_at"] < "2026-07-01"
    )
    assert [post_id for _, post_id in reversed(expected)] == [
        hit["post_id"] for hit in json.loads(result.stdout)
    ]


def test_cli_sorts_by_date_and_filters_by_tag(
    crawled_archive: CrawledArchive, truth: Truth
) -> None:
    db = str(crawled_archive.db)
    matching = sorted(
        (r["published_at"], r["post_id"]) for r in truth if "dao" in folded(set(text_words(r)))
    )
    for sort, expected in (("oldest", matching), ("newest", matching[::-1])):
        result = invoke("search", "dao", "--sort", sort, "--json", "--limit", "1000", "--db", db)
        assert [post_id for _, post_id in expected] == [
            hit["post_id"] for hit in json.loads(result.stdout)
        ]
    tag = Counter(tag for r in truth for tag in r["tags"]).most_common(1)[0][0]
    tagged = sorted((r["published_at"], r["post_id"]) for r in truth if tag in r["tags"])
    result = invoke("search", "--tag", plain_fold(tag), "--json", "--limit", "1000", "--db", db)
    assert [post_id for _, post_id in reversed(tagged)] == [
        hit["post_id"] for hit in json.loads(result.stdout)
    ]
    refused = invoke("search", "dao", "--sort", "random", "--db", db)
    assert 2 == refused.exit_code


def test_cli_malformed_query_is_one_line_with_status_2(crawled_archive: CrawledArchive) -> None:
    result = invoke("search", "bien AND", "--db", str(crawled_archive.db))
    assert (2, "bienphong: error: the query ends with an operator: add a term after it\n") == (
        result.exit_code,
        result.stderr,
    )
    assert "" == result.stdout


# The index stays in step with every write


def test_the_index_follows_inserts_and_updates(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Archive(db) as archive:
        archive.save_article(make_record(title="Mưa lũ ở Hà Giang"), make_page(), None)
        assert [532158] == ids(archive, "lu")
        archive.save_article(make_record(title="Nắng hạn ở Hà Giang"), make_page(), None)
        assert [] == ids(archive, "lu")
        assert [532158] == ids(archive, "nang han")
        assert 1 == len(archive.versions(532158))
        archive.save_article(make_record(post_id=7, title="Lũ quét"), make_page(), None)
        assert [7] == ids(archive, "lũ")
        assert {"articles": 2, "indexed": 2, "missing": 0, "unfolded": 0, "complete": True} == (
            index_status(archive)
        )
    result = invoke("stats", "--db", str(db))
    assert "search index  2 of 2 articles (complete)" in result.stdout.splitlines()


def test_stats_finds_a_gap_in_the_index_and_rebuild_fills_it(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Archive(db) as archive:
        archive.save_article(make_record(title="Mưa lũ"), make_page(), None)
        archive.save_article(make_record(post_id=2, title="Lũ quét"), make_page(), None)
        row = archive.db.execute(
            "SELECT title_spelled, sapo_spelled, body_spelled, title_folded, sapo_folded,"
            " body_folded FROM articles WHERE post_id = 2"
        ).fetchone()
        archive.db.execute(
            "INSERT INTO articles_fts (articles_fts, rowid, title_spelled, sapo_spelled,"
            " body_spelled, title_folded, sapo_folded, body_folded)"
            " VALUES ('delete', 2, ?, ?, ?, ?, ?, ?)",
            row,
        )
        archive.db.execute("UPDATE articles SET sapo_folded = NULL WHERE post_id = 532158")
        # The words date order spells prefixes out into, damaged: two lost, none pending.
        archive.db.execute("DELETE FROM index_words WHERE word IN ('mưa', 'mua')")
        archive.db.execute("DELETE FROM index_words_pending")
        # And one no article holds, which must be gone once the words are read again.
        archive.db.execute("INSERT INTO index_words (word) VALUES ('muối')")
        archive.db.conn.commit()
        assert [532158] == ids(archive, "lu")
    with Archive(db, readonly=True) as archive:
        assert [
            "search index: 1 articles missing from it (bienphong stats --rebuild-index)",
            "search index: 1 articles without their spelled or folded copies"
            " (bienphong stats --rebuild-index)",
            "search index: 2 of its words missing from index_words, so date order can miss a"
            " prefix's articles (bienphong stats --rebuild-index)",
        ] == check_index(archive)[:3]
    figures = json.loads(invoke("stats", "--json", "--db", str(db)).stdout)
    assert {"articles": 2, "indexed": 1, "missing": 1, "unfolded": 1, "complete": False} == (
        figures["search_index"]
    )
    result = invoke("stats", "--rebuild-index", "--db", str(db))
    assert "bienphong: search index rebuilt (1 articles' copies rewritten)\n" == result.stderr
    assert "search index  2 of 2 articles (complete)" in result.stdout.splitlines()
    with Archive(db, readonly=True) as archive:
        assert [2, 532158] == ids(archive, "lu")
        assert [] == check_index(archive)
        assert [532158] == [hit.post_id for hit in page(archive, Filters.of("mu*"), sort="newest")]
        held = "SELECT word FROM index_words WHERE word IN ('mưa', 'mua', 'muối') ORDER BY word"
        assert [("mua",), ("mưa",)] == archive.db.execute(held).fetchall()


def test_an_archive_from_before_the_index_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        database = Database(conn)
        schema.migrate_to(database, 2)
        for post_id, title in (
            (1, "Đồn Biên phòng Bản Lầu"),
            (2, "Biển đảo quê hương"),
            (3, "Giữ vững hòa bình"),  # the old tone placement
        ):
            record = make_record(post_id=post_id, title=title, sapo=None)
            row = record_row(record)
            times = dict.fromkeys(schema.ARTICLE_TIMES, "2025-01-01T00:00:00+00:00")
            database.table("articles").insert(row | times)
    conn.close()
    with Archive(path) as archive:
        assert schema.SCHEMA_VERSION == archive.db.execute("PRAGMA user_version").fetchone()[0]
        assert [1] == ids(archive, "don bien phong")
        assert [2] == ids(archive, "biển")
        assert [1, 2] == ids(archive, "bien")
        assert [3] == ids(archive, "hoà bình")
        assert True is index_status(archive)["complete"]
        # Either tone placement finds it in sqlite-utils as in the search.
        table = Database(archive.db.conn).table("articles")
        assert [3] == [row["post_id"] for row in table.search("hoà", columns=["post_id"])]
        assert [3] == [row["post_id"] for row in table.search("hòa", columns=["post_id"])]
        assert [3] == ids(archive, "hòa bình")


# The ecosystem: sqlite-utils and Datasette find the same words


@pytest.fixture(scope="module")
def copied(crawled_archive: CrawledArchive, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkpointed copy (one file, no WAL) that outside tools may open as they like."""
    target = tmp_path_factory.mktemp("eco") / "bienphong.db"
    with sqlite3.connect(f"{crawled_archive.db.resolve().as_uri()}?mode=ro", uri=True) as src:
        with sqlite3.connect(target) as dst:
            src.backup(dst)
        dst.close()
    src.close()
    return target


# The mirror writes "Đảng ủy" in both placements: typed in either, it is the same word.
TYPED = [("dao", ()), ("đảo", ("đảo",)), ("bdbp", ()), ("uỷ", ("ủy", "uỷ")), ("ủy", ("ủy", "uỷ"))]


def typed_in(word: str, forms: tuple[str, ...], found: set[str]) -> bool:
    """Whether a text of the words `found` holds `word` typed: one of its written `forms`, or
    any form once folded."""
    return bool(found & set(forms)) if forms else word in folded(found)


@pytest.mark.parametrize("word, forms", TYPED)
def test_sqlite_utils_search_finds_accented_and_unaccented_words(
    copied: Path, truth: Truth, word: str, forms: tuple[str, ...]
) -> None:
    expected = where(truth, lambda w: typed_in(word, forms, w))
    assert expected
    command = [str(Path(sys.executable).with_name("sqlite-utils")), "search", str(copied)]
    result = subprocess.run(
        [*command, "articles", word, "-c", "post_id"],
        capture_output=True,
        check=True,
        text=True,
    )
    assert expected == sorted(row["post_id"] for row in json.loads(result.stdout))
    table = Database(copied).table("articles")
    assert "articles_fts" == table.detect_fts()
    assert expected == sorted(row["post_id"] for row in table.search(word, columns=["post_id"]))


@pytest.mark.parametrize("word, forms", TYPED)
def test_datasette_full_text_search_finds_them_too(
    copied: Path, truth: Truth, word: str, forms: tuple[str, ...]
) -> None:
    from datasette.app import Datasette

    async def found() -> list[int]:
        datasette = Datasette([str(copied)])
        params = {"_search": word, "_shape": "array", "_col": "post_id", "_size": "max"}
        response = await datasette.client.get("/bienphong/articles.json", params=params)
        assert 200 == response.status_code
        return sorted(row["post_id"] for row in response.json())

    expected = where(truth, lambda w: typed_in(word, forms, w))
    assert expected
    assert expected == asyncio.run(found())


# Both tone placements: the mirror prints a third of its articles in the new one (hoà, uỷ) and
# the rest in the old one (hòa, ủy), as the site does. The expected articles are those whose
# field holds the word or phrase in either placement, compared through the mirror's own
# respelling (`new_placement`).


def placements(truth: Truth) -> list[tuple[str, str]]:
    """Each word the truth prints in both placements, as (old, new), and for the commonest a
    two-word phrase it begins, in both placements."""
    printed = {w for r in truth for w in text_words(r)}
    pairs = sorted({(w, new_placement(w)) for w in printed if new_placement(w) != w})
    both = [(old, new) for old, new in pairs if new in printed]
    common = Counter(
        (first, second)
        for r in truth
        for first, second in pairwise(text_words({**r, "tags": []}))
        if new_placement(first) != first
    )
    (first, second), _ = common.most_common(1)[0]
    phrase = f"{first} {second}"
    return [*both, (phrase, new_placement(phrase))]


def printed_in_either(truth: Truth, typed: str) -> list[int]:
    """The articles with a field (title, sapo, body, a tag) holding `typed` in either placement."""
    wanted = new_placement(typed).split()

    def holds(text: str | None) -> bool:
        found = [new_placement(w) for w in text_words({**EMPTY_FIELDS, "body": text or ""})]
        return any(found[k : k + len(wanted)] == wanted for k in range(len(found)))

    return sorted(
        r["post_id"]
        for r in truth
        if any(holds(text) for text in (r["title"], r["sapo"], r["body"], *r["tags"]))
    )


EMPTY_FIELDS: dict[str, Any] = {"title": "", "sapo": "", "body": "", "tags": []}


def printing(truth: Truth, word: str) -> list[int]:
    """The articles that print `word` as it is spelled."""
    return where(truth, lambda w: word in w)


def test_every_tone_placement_finds_the_same_articles_in_every_tool(
    crawled_archive: CrawledArchive, copied: Path, truth: Truth
) -> None:
    from datasette.app import Datasette

    datasette = Datasette([str(copied)])

    async def in_datasette(typed: str) -> list[int]:
        # Raw mode: a phrase as FTS5 reads one (Datasette's default ANDs the words).
        params = {"_search": f'"{typed}"', "_searchmode": "raw", "_shape": "array"}
        params |= {"_col": "post_id", "_size": "max"}
        response = await datasette.client.get("/bienphong/articles.json", params=params)
        assert 200 == response.status_code
        return sorted(row["post_id"] for row in response.json())

    def in_sqlite_utils(typed: str) -> list[int]:
        command = [str(Path(sys.executable).with_name("sqlite-utils")), "search", str(copied)]
        quoted = f'"{typed}"'  # a phrase, as FTS5 reads one
        result = subprocess.run(
            [*command, "articles", quoted, "-c", "post_id"], capture_output=True, text=True
        )
        assert 0 == result.returncode, result.stderr
        return sorted(row["post_id"] for row in json.loads(result.stdout))

    def in_bienphong(typed: str) -> list[int]:
        db = str(crawled_archive.db)
        result = invoke("search", f'"{typed}"', "--json", "--limit", "1000", "--db", db)
        assert 0 == result.exit_code, result.output
        return sorted(hit["post_id"] for hit in json.loads(result.stdout))

    def on_the_web(base_url: str, typed: str) -> list[int]:
        answer = fetch(base_url, "/export.jsonl?" + urlencode({"q": f'"{typed}"'}))
        assert 200 == answer.status
        return sorted(json.loads(line)["post_id"] for line in answer.text.splitlines())

    pairs = placements(truth)
    assert {"hòa", "ủy"} <= {old for old, _ in pairs}
    with serving(copied) as base_url:
        for old, new in pairs:
            expected = printed_in_either(truth, old)
            if " " not in old:  # printed both ways: neither spelling alone finds them all
                printing_old, printing_new = printing(truth, old), printing(truth, new)
                assert printing_old and printing_new
                assert sorted({*printing_old, *printing_new}) == expected
            for typed in (old, new, old.upper(), new.capitalize()):
                assert expected == in_bienphong(typed), typed
                assert expected == on_the_web(base_url, typed), typed
                assert expected == in_sqlite_utils(typed), typed
                assert expected == asyncio.run(in_datasette(typed)), typed


# How date order reads a prefix: spelled out into the index's words, or left to FTS5 (as
# past MAX_SPELLED_OUT words, or while articles written around the store are pending).
PREFIX_READ = {"spelled out": date_order.MAX_SPELLED_OUT, "left to FTS5": 0}


@pytest.mark.parametrize("spelled_out", PREFIX_READ.values(), ids=PREFIX_READ.keys())
@pytest.mark.parametrize("deepest", [0, date_order.DEEPEST])
def test_date_order_reads_the_index_along_post_ids_or_sorts_every_match(
    archive: Archive,
    truth: Truth,
    monkeypatch: pytest.MonkeyPatch,
    deepest: int,
    spelled_out: int,
) -> None:
    # A common word fills the page from the first post ids read, a rare one is read to its
    # end; a section filter narrows both; with DEEPEST 0 every query sorts every match.
    monkeypatch.setattr(date_order, "DEEPEST", deepest)
    monkeypatch.setattr(date_order, "MAX_SPELLED_OUT", spelled_out)
    frequency = Counter(w for r in truth for w in folded(set(text_words(r))))
    rare = min(word for word, n in frequency.items() if 4 <= n <= 8 and word.isalpha())
    for query, section in (("dao", None), (rare, None), ("bien", "quoc-te"), ("bie*", None)):
        matching = sorted(
            (r["published_at"], r["post_id"])
            for r in truth
            if any(
                word == query or (query.endswith("*") and word.startswith(query[:-1]))
                for word in folded(set(text_words(r)))
            )
            and section in (None, r["section"])
        )
        assert matching
        filters = Filters.of(query, sections=(section,) if section else ())
        for sort, expected in (("oldest", matching), ("newest", matching[::-1])):
            for limit, offset in ((3, 0), (10, 0), (10, 10), (10, 20), (100, 0)):
                found = page(archive, filters, limit=limit, offset=offset, sort=sort)
                assert [post_id for _, post_id in expected[offset : offset + limit]] == [
                    hit.post_id for hit in found
                ], (query, sort, limit, offset)


# A prefix is looked up another way (FTS5 gathers it whole at each evaluation).
WORDS_AND_PREFIX = ["po hen", "po he*"]


@pytest.mark.parametrize("spelled_out", PREFIX_READ.values(), ids=PREFIX_READ.keys())
@pytest.mark.parametrize("query", WORDS_AND_PREFIX)
def test_date_order_finds_articles_whose_date_is_out_of_step_with_their_post_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, query: str, spelled_out: int
) -> None:
    monkeypatch.setattr(date_order, "MAX_SPELLED_OUT", spelled_out)
    # Articles 1..40 a day apart from 2 January, but for six filed late or early; every
    # third, and 20 and 37, are about Pò Hèn. Each page, in each order, with and without a
    # date window, is the one the dates give. Their post ids are two or so to a block of
    # post ids (schema.BLOCK_SIZE), so the blocks decide which are read.
    spread = schema.BLOCK_SIZE // 2 + 1
    days = {n * spread: n for n in range(1, 41)} | {
        n * spread: day for n, day in ((3, 38), (37, 2), (20, 40), (21, 1), (6, 28), (33, 25))
    }
    about = {post_id for post_id in days if post_id // spread % 3 == 0}
    about |= {20 * spread, 37 * spread}
    dated = {post_id: date(2025, 1, 1) + timedelta(days=day) for post_id, day in days.items()}
    with Archive(tmp_path / "a.db") as archive:
        for post_id in days:
            record = make_record(
                post_id=post_id, title="Cột mốc Pò Hèn" if post_id in about else "Khác"
            )
            published_at = f"{dated[post_id].isoformat()}T08:00:00+07:00"
            archive.save_article(record | {"published_at": published_at}, make_page(), None)
        matching = [post_id for _, post_id in sorted((dated[i], i) for i in about)]
        out_of_step = [n * spread for n in (21, 37)], [n * spread for n in (3, 39, 20)]
        assert out_of_step == (matching[:2], matching[-3:])
        for first, last in ((None, None), (date(2025, 1, 10), date(2025, 1, 30))):
            within = [
                post_id
                for post_id in matching
                if first is None or last is None or first <= dated[post_id] <= last
            ]
            filters = Filters.for_days(query, first, last)
            for sort, expected in (("oldest", within), ("newest", within[::-1])):
                for limit, offset in ((1, 0), (2, 0), (3, 1), (5, 5), (30, 0)):
                    found = page(archive, filters, limit=limit, offset=offset, sort=sort)
                    assert expected[offset : offset + limit] == [hit.post_id for hit in found], (
                        first,
                        sort,
                        limit,
                        offset,
                    )


@pytest.mark.parametrize("spelled_out", PREFIX_READ.values(), ids=PREFIX_READ.keys())
@pytest.mark.parametrize("query", WORDS_AND_PREFIX)
def test_date_order_puts_undated_articles_last_newest_first_and_first_oldest_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, query: str, spelled_out: int
) -> None:
    monkeypatch.setattr(date_order, "MAX_SPELLED_OUT", spelled_out)
    with Archive(tmp_path / "a.db") as archive:
        for post_id, published_at in (
            (1, "2025-01-01T08:00:00+07:00"),
            (2, None),
            (3, "2025-03-01T08:00:00+07:00"),
            (4, "2025-02-01T08:00:00+07:00"),
            (5, "2025-03-01T08:00:00+07:00"),  # the same moment as 3: the higher id first
            (6, "2025-04-01T08:00:00+07:00"),
        ):
            record = make_record(post_id=post_id, title="Cột mốc Pò Hèn")
            archive.save_article(record | {"published_at": published_at}, make_page(), None)
        archive.save_article(make_record(post_id=7, title="Khác"), make_page(), None)
        newest = page(archive, Filters.of(query), limit=1, sort="newest")
        assert [6] == [hit.post_id for hit in newest]
        everything = page(archive, Filters.of(query), limit=10, sort="newest")
        assert [6, 5, 3, 4, 1, 2] == [hit.post_id for hit in everything]
        oldest = page(archive, Filters.of(query), limit=10, sort="oldest")
        assert [2, 1, 4, 3, 5, 6] == [hit.post_id for hit in oldest]


def index_words(archive: Archive) -> list[str]:
    """The words FTS5's index holds, read off it."""
    fts = schema.FTS_TABLE
    archive.db.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocabulary USING fts5vocab(main, {fts}, row)"
    )
    return [row[0] for row in archive.db.execute("SELECT term FROM temp.vocabulary")]


def query_of(typed: str) -> Query:
    query = parse(typed)
    assert query is not None
    return query


def expression_for(archive: Archive, typed: str) -> date_order.DateOrderExpression:
    return date_order.spell_out_prefixes(archive, query_of(typed))


def test_date_order_spells_a_prefix_out_into_the_words_of_the_index(
    archive: Archive, truth: Truth
) -> None:
    # Every word FTS5 holds was gathered as the crawl wrote each article, and a prefix is
    # spelled out into the words of the mirror's articles that begin with it.
    gathered = {row[0] for row in archive.db.execute(f"SELECT word FROM {schema.WORDS_TABLE}")}
    held = set(index_words(archive))
    assert "bien" in held and held <= gathered
    assert (
        0 == archive.db.execute(f"SELECT count(*) FROM {schema.PENDING_WORDS_TABLE}").fetchone()[0]
    )
    beginning = sorted(
        {w for r in truth for w in folded(set(text_words(r))) if w.startswith("bie")}
    )
    assert "bien" in beginning and len(beginning) > 1
    spelled = " OR ".join(f'"{word}"' for word in beginning)
    expected = date_order.DateOrderExpression(f"{FOLDED}: ({spelled})", False)
    assert expected == expression_for(archive, "bie*")
    accented = expression_for(archive, '"đồn biên phò"*')
    assert accented == date_order.DateOrderExpression(f'{SPELLED}: ("đồn biên phòng")', False)


def test_articles_written_around_the_store_leave_prefixes_to_fts5_until_it_gathers_them(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.db"
    with Archive(path) as archive:
        archive.save_article(make_record(post_id=1, title="Cột mốc Pò Hèn"), make_page(), None)
    # Another tool writes an article, the triggers index it, and its words are pending.
    record = make_record(post_id=2, title="Pò Hẻo")
    row = record_row(record)
    times = dict.fromkeys(schema.ARTICLE_TIMES, "2025-01-01T00:00:00+00:00")
    with sqlite3.connect(path) as conn:
        Database(conn).table("articles").insert(row | schema.index_columns(row) | times)
    conn.close()
    typed = '"po he"*'
    filters = Filters.of(typed)
    with Archive(path) as archive:
        assert "heo" not in {w for (w,) in archive.db.execute("SELECT word FROM index_words")}
        assert expression_for(archive, typed) == date_order.DateOrderExpression(
            f'{FOLDED}: "po he"*', True
        )
        assert [2, 1] == [hit.post_id for hit in page(archive, filters, sort="newest")]
        # The store's next write gathers them.
        archive.save_article(make_record(post_id=3, title="Khác"), make_page(), None)
        words = {w for (w,) in archive.db.execute("SELECT word FROM index_words")}
        assert {"hen", "heo", "khac"} <= words
        assert expression_for(archive, typed) == date_order.DateOrderExpression(
            f'{FOLDED}: ("po hen" OR "po heo")', False
        )
        assert [2, 1] == [hit.post_id for hit in page(archive, filters, sort="newest")]


def test_an_archive_of_schema_6_gains_the_words_of_its_index(tmp_path: Path) -> None:
    path = tmp_path / "v6.db"
    with sqlite3.connect(path) as conn:
        database = Database(conn)
        schema.migrate_to(database, 6)
        times = dict.fromkeys(schema.ARTICLE_TIMES, "2025-03-01")
        for post_id, title in ((1, "Giữ vững hòa bình"), (2, "Biển đảo")):
            record = make_record(post_id=post_id, title=title, sapo=None, body="Đồn Biên phòng")
            row = record_row(record)
            # The copies schema 6 stored.
            copies = schema.spelled_columns(row) | schema.folded_columns(row)
            database.table("articles").insert(row | copies | times)
    conn.close()
    with Archive(path) as archive:
        words = [w for (w,) in archive.db.execute("SELECT word FROM index_words ORDER BY word")]
        assert sorted(index_words(archive)) == words
        assert {"hoà", "hoa", "biển", "bien", "đồn", "don"} <= set(words)
        pending = archive.db.execute("SELECT count(*) FROM index_words_pending").fetchone()
        assert (0,) == pending
        for query, expected in (("bie*", [2, 1]), ("hoa*", [1]), ("biể*", [2])):
            found = page(archive, Filters.of(query), sort="newest")
            assert expected == [hit.post_id for hit in found], query


@pytest.mark.parametrize("query", ['"đồn biên phòng"', "bie*"])
def test_filtered_selections_read_the_index_first_and_look_up_each_match(
    archive: Archive, query: str
) -> None:
    # Led the other way, SQLite read every article of the section and asked the index about
    # each: 5 s for a rare phrase on 200,000 articles, minutes for a prefix (bench hostile).
    sql, params = Filters.of(query, sections=("quoc-te",)).narrow()
    plan = [row[3] for row in archive.db.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
    assert plan[0].startswith("SCAN articles_fts VIRTUAL TABLE")
    assert "SEARCH f USING INTEGER PRIMARY KEY (rowid=?)" == plan[1]


# A summary counts the matches, or for a query that matches most of the archive the
# articles it misses (the archive's totals less theirs): each way forced for every query.
COUNTED_FROM = {"matches": 1.0, "misses": 0.0}


@pytest.mark.parametrize("past", COUNTED_FROM.values(), ids=COUNTED_FROM.keys())
@pytest.mark.parametrize("common", [False, True], ids=["dao", "most common word"])
def test_results_give_the_page_the_total_and_every_facet_from_one_summary(
    archive: Archive, truth: Truth, monkeypatch: pytest.MonkeyPatch, past: float, common: bool
) -> None:
    monkeypatch.setattr(summaries, "COUNT_MISSES_PAST", past)
    frequency = Counter(w for r in truth for w in folded(set(text_words(r))))
    word = "dao"
    if common:  # the most common word that some articles miss
        word = max((w for w, n in frequency.items() if n < len(truth)), key=lambda w: frequency[w])
        assert frequency[word] > len(truth) * 0.6
    matching = [r for r in truth if word in folded(set(text_words(r)))]
    assert 20 < len(matching) < len(truth)
    filters = Filters.of(word)
    found, by = results(archive, filters, limit=5, size=3)
    assert len(matching) == found.total == search(archive, filters).total
    assert 5 == len(found.hits)
    assert [hit.post_id for hit in found.hits] == [
        hit.post_id for hit in search(archive, filters, limit=5).hits
    ]

    def largest(counted: Counter[str]) -> list[tuple[str, int]]:
        return sorted(counted.items(), key=lambda item: (-item[1], item[0]))[:3]

    assert largest(Counter(r["section"] for r in matching)) == by["section"]
    assert largest(Counter(a for r in matching for a in r["authors"])) == by["author"]
    assert largest(Counter(t for r in matching for t in r["tags"])) == by["tag"]
    months = Counter(r["published_at"][:7] for r in matching)
    assert sorted(months.items(), reverse=True)[:3] == by["month"]
    assert (0, {"section": [], "author": [], "tag": [], "month": []}) == summary(
        archive, Filters.of("khongcotrongkho")
    )


def test_a_query_that_matches_most_of_the_newest_articles_is_counted_from_its_misses(
    archive: Archive, truth: Truth
) -> None:
    newest = sorted(truth, key=lambda r: r["post_id"])[-summaries.SAMPLE :]
    frequency = Counter(w for r in newest for w in folded(set(text_words(r))))
    common = max(frequency, key=lambda w: frequency[w])
    quarter = min(frequency, key=lambda w: (abs(frequency[w] - len(newest) / 4), w))
    for word, most in ((quarter, False), (common, True)):
        assert most == (frequency[word] > summaries.COUNT_MISSES_PAST * len(newest))
        assert most == summaries.matches_most(archive, query_of(word)), word
