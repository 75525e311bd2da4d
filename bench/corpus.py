"""A synthetic archive with the shape of a real newspaper's, for the search benchmark.

What makes search fast or slow is how many articles a query matches and how long they are, so
the corpus copies those shapes rather than any text:

- **Words** are drawn from a Zipf distribution (weight 1/rank) over a vocabulary of about 12,600
  Vietnamese syllables: the mirror's own syllables, most frequent first (so `và`, `của`,
  `biên`, `giới` lead, as in print), then syllables composed from onsets, rhymes and tones.
- **Articles** run 250 to 900 words in 4 to 12 paragraphs, with a title of 8 to 16 words and a
  sapo of 20 to 40; the site's stock phrases (`Đồn Biên phòng`, `Đảng ủy`, `biên giới`) recur
  in most of them.
- **Names** recur in clusters: each article belongs to one of 4,000 stories (Zipf again), and a
  story has its people (family, middle and given names), a commune and a unit that the article
  names several times. So a name matches a handful to a few hundred articles, a common word
  most of the archive.
- **Authors** (1 or 2 of 300 journalists) and **tags** (0 to 4 of 600) are Zipf-drawn too; the
  issue's `Ngư dân bám biển` is one of the tags.

Everything is seeded: the same N gives the same archive. `QUERIES` lists the benchmark's
queries, from most of the archive to a handful of articles; `queries()` adds the names it
drew, at three levels of how often their story recurs.
"""

from __future__ import annotations

import itertools
import json
import random
import time
import unicodedata
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive import schema
from archive.store import Archive
from archive.vietnamese import words
from tests.mirror.site import SECTIONS, Site

SEED = 16
STORIES = 4_000
FAMILY = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Lò Hà Sùng Vàng"
MIDDLE = "Văn Thị Đức Minh Quốc Hữu Thanh Ngọc Xuân Thu Công Đình Mạnh Kim Bá"
GIVEN = (
    "Tuấn Hùng Hà Lan Thủy Hòa Dũng Cường Hải Sơn Nam Bình Long Quang Trung Hiếu Phúc Khoa "
    "Tâm Hương Mai Linh Huệ Yến Thảo Nga Vinh Toàn Thắng Lợi Hưng Khải Lộc Tú Trang Hạnh Khỏe"
)
ONSETS = [
    "b",
    "c",
    "ch",
    "d",
    "đ",
    "g",
    "gi",
    "h",
    "k",
    "kh",
    "l",
    "m",
    "n",
    "ng",
    "nh",
    "p",
    "ph",
    "qu",
    "r",
    "s",
    "t",
    "th",
    "tr",
    "v",
    "x",
]
RHYMES = [
    "a",
    "ai",
    "ao",
    "au",
    "ay",
    "am",
    "an",
    "ang",
    "anh",
    "ap",
    "at",
    "ac",
    "e",
    "em",
    "en",
    "eng",
    "ep",
    "et",
    "i",
    "ia",
    "im",
    "in",
    "inh",
    "ip",
    "it",
    "ich",
    "o",
    "oa",
    "oai",
    "oan",
    "oang",
    "oanh",
    "oat",
    "oe",
    "oi",
    "om",
    "on",
    "ong",
    "op",
    "ot",
    "oc",
    "ô",
    "ôi",
    "ôm",
    "ôn",
    "ông",
    "ôp",
    "ôt",
    "ôc",
    "ơ",
    "ơi",
    "ơm",
    "ơn",
    "ơp",
    "ơt",
    "u",
    "ua",
    "ui",
    "um",
    "un",
    "ung",
    "up",
    "ut",
    "uc",
    "uy",
    "uyên",
    "uyêt",
    "ư",
    "ưa",
    "ưi",
    "ưng",
    "ưt",
    "ưc",
    "ươi",
    "ươm",
    "ươn",
    "ương",
    "ươp",
    "ươt",
    "ươc",
    "y",
    "yên",
]
TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
STOCK = (
    "Đồn Biên phòng",
    "Đảng ủy",
    "biên giới",
    "Bộ đội Biên phòng",
    "tuần tra",
    "chính quyền địa phương",
    "bà con nhân dân",
)
TAGS_NAMED = ("Ngư dân bám biển", "Biên giới xanh", "Xuân biên phòng ấm lòng dân bản")
# (query, what it is): the four, then rarer ones; names are added by `queries()`.
QUERIES: tuple[tuple[str, str], ...] = (
    ("bien", "the commonest syllable of the site, unaccented"),
    ('"bien gioi"', "the stock phrase"),
    ("don bien phong", "three common words"),
    ("Đảng ủy", "accented, common"),
    ("ma tuy", "two mid-frequency words"),
    ("phòng chống ma túy", "accented, four words"),
    ("tuan tra song phuong", "four words, one of them rare"),
    ("bien*", "a prefix"),
)


@dataclass(frozen=True)
class Story:
    people: tuple[str, ...]
    commune: str
    unit: str


def _syllables(rng: random.Random) -> list[str]:
    """The vocabulary, most frequent first: the mirror's syllables, then composed ones."""
    site = Site(articles=400, seed=1)
    counted: dict[str, int] = {}
    for index in range(site.total):
        record = site.article(index).truth()
        for text in (record["title"], record["sapo"] or "", record["body"]):
            for word in words(text.lower()):
                counted[word.group()] = counted.get(word.group(), 0) + 1
    known = sorted(counted, key=lambda w: (-counted[w], w))
    composed = sorted(
        {
            _compose(onset, rhyme, tone)
            for onset, rhyme, tone in itertools.product(ONSETS, RHYMES, TONES)
        }
        - set(known)
    )
    rng.shuffle(composed)
    return known + composed


def _compose(onset: str, rhyme: str, tone: str) -> str:
    first_vowel = next((i for i, c in enumerate(rhyme) if c in "aăâeêioôơuưy"), 0)
    decomposed = unicodedata.normalize("NFD", rhyme)
    # The tone on the rhyme's first vowel: not always where print puts it, and no matter here.
    index = len(unicodedata.normalize("NFD", rhyme[: first_vowel + 1]))
    return unicodedata.normalize("NFC", onset + decomposed[:index] + tone + decomposed[index:])


class Corpus:
    """The generator: `rows(count)` yields `articles` rows; seeded, so deterministic."""

    def __init__(self, seed: int = SEED) -> None:
        rng = random.Random(seed)
        self.vocabulary = _syllables(rng)
        self.cumulative = list(
            itertools.accumulate(1 / r for r in range(1, len(self.vocabulary) + 1))
        )
        family, middle, given = FAMILY.split(), MIDDLE.split(), GIVEN.split()
        self.stories = [
            Story(
                tuple(
                    f"{rng.choice(family)} {rng.choice(middle)} {rng.choice(given)}"
                    for _ in range(rng.randint(1, 3))
                ),
                f"xã {rng.choice(given)} {rng.choice(given)}",
                f"Đồn Biên phòng {rng.choice(given)} {rng.choice(given)}",
            )
            for _ in range(STORIES)
        ]
        self.story_weights = list(itertools.accumulate(1 / r for r in range(1, STORIES + 1)))
        self.journalists = [
            f"{rng.choice(family)} {rng.choice(given)}"
            if rng.random() < 0.5
            else f"{rng.choice(family)} {rng.choice(middle)} {rng.choice(given)}"
            for _ in range(300)
        ]
        self.tags = list(TAGS_NAMED) + [
            " ".join(
                self.vocabulary[rng.randint(20, 600)] for _ in range(rng.randint(2, 4))
            ).capitalize()
            for _ in range(600 - len(TAGS_NAMED))
        ]
        self.seed = seed

    def _zipf(self, rng: random.Random, cumulative: list[float], count: int) -> list[int]:
        total = cumulative[-1]
        return [bisect(cumulative, rng.random() * total) for _ in range(count)]

    def _sentence(self, rng: random.Random, story: Story) -> str:
        picked = [self.vocabulary[i] for i in self._zipf(rng, self.cumulative, rng.randint(10, 25))]
        if rng.random() < 0.35:
            picked.insert(rng.randrange(len(picked)), rng.choice(STOCK))
        if rng.random() < 0.3:
            picked.insert(
                rng.randrange(len(picked)), rng.choice([*story.people, story.commune, story.unit])
            )
        return " ".join(picked).capitalize() + "."

    def rows(self, count: int) -> Iterator[dict[str, Any]]:
        rng = random.Random(self.seed * 1_000_003 + count)
        start = 1_420_070_400  # 2015-01-01: ten years of articles, oldest first
        span = 3600 * 24 * 3650
        for n in range(count):
            story = self.stories[self._zipf(rng, self.story_weights, 1)[0]]
            title = self._sentence(rng, story).rstrip(".")
            sapo = " ".join(self._sentence(rng, story) for _ in range(2))
            body = "\n\n".join(
                " ".join(self._sentence(rng, story) for _ in range(rng.randint(2, 5)))
                for _ in range(rng.randint(4, 12))
            )
            moment = start + n * (span // count) + rng.randint(0, 3600)
            published = time.strftime("%Y-%m-%dT%H:%M:00+07:00", time.gmtime(moment + 7 * 3600))
            authors = rng.sample(
                self.journalists[:60] if rng.random() < 0.7 else self.journalists,
                rng.choice((1, 1, 2)),
            )
            tags = [
                self.tags[i % len(self.tags)]
                for i in self._zipf(rng, self.story_weights[:600], rng.randint(0, 4))
            ]
            row = {
                "post_id": 100_000 + n,
                "url": f"https://www.bienphong.com.vn/bai-{n}-post{100_000 + n}.html",
                "kind": "article",
                "section": SECTIONS[n * 7919 % len(SECTIONS)].slug,
                "title": title,
                "sapo": sapo,
                "body": body,
                "authors": json.dumps(authors, ensure_ascii=False),
                "source": None,
                "published_at": published,
                "modified_at": None,
                "tags": json.dumps(list(dict.fromkeys(tags)), ensure_ascii=False),
                "images": "[]",
                "video_url": None,
                "word_count": len(body.split()),
                "fetched_at": "2026-01-01T00:00:00+00:00",
                "extractor_version": "bench",
                "first_seen_at": published,
                "updated_at": published,
                "last_seen_at": published,
            }
            yield row | schema.index_columns(row)

    def queries(self) -> list[tuple[str, str]]:
        """QUERIES, then a person, a commune and a unit of stories at three frequencies."""
        named = [
            (f'"{self.stories[rank].people[0]}"', f"a person of story {rank + 1} (Zipf rank)")
            for rank in (9, 299, 2999)
        ]
        named += [
            (f'"{self.stories[29].commune}"', "a commune of story 30"),
            (f'"{self.stories[999].unit}"', "a unit of story 1,000"),
        ]
        return [*QUERIES, *named]


def build(path: Path, count: int, corpus: Corpus | None = None) -> float:
    """A real archive of `count` synthetic articles at `path` (schema, triggers and index as
    `bienphong crawl` leaves them); the seconds taken to write it."""
    began = time.perf_counter()
    corpus = corpus or Corpus()
    Archive(path).close()
    with Archive(path) as archive, archive.db.atomic():
        archive.db.table("articles").insert_all(corpus.rows(count), batch_size=2000)
        schema.gather_words(archive.db)
    return time.perf_counter() - began
