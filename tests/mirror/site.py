"""The mirror's model of bienphong.com.vn: which articles exist, what each one says, and its truth.

Everything is a pure function of (seed, index) so the mirror serves 100,000 articles without
holding them: an article is built when it is asked for. Only compact per-section and per-tag
index arrays are kept, built on first use. Article index order is publication order.
"""

from __future__ import annotations

import bisect
import hashlib
import random
import re
import unicodedata
from array import array
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from functools import cached_property, lru_cache
from typing import Any

from .corpus import Pools, pools

SITE_TZ = timezone(timedelta(hours=7))
# Day 0 of the mirror's clock; `day K` publishes on the K days after it.
EPOCH = datetime(2026, 11, 1, 6, 0, tzinfo=SITE_TZ)
SPAN = timedelta(days=3600)  # the oldest article is about ten years old
WWW = "https://www.bienphong.com.vn"
BARE = "https://bienphong.com.vn"
FILES = "https://files.bienphong.com.vn"
MASK = (1 << 64) - 1

# Post ids: the oldest 40% are scattered below 450000 (not in publication order, as on the real
# site); newer ones rise with publication, with gaps.
OLD_ID_BASE, OLD_ID_RANGE = 200_000, 250_000
OLD_ID_MULT = 104_729  # coprime with OLD_ID_RANGE, so the scatter is a bijection
NEW_ID_BASE = 450_001


@dataclass(frozen=True)
class Section:
    name: str
    slug: str
    legacy_id: int
    page_form: str  # "query" (?page=N) or "trang" (/trang-N.html)
    pager: str  # "relnext", "xemthem" or "numbers"
    page_size: int


_SECTION_ROWS = (
    ("Chính trị", "chinh-tri", 1),
    ("Theo gương Bác", "theo-guong-bac", 5),
    ("Quân sự - Quốc phòng", "quan-su-quoc-phong", 6),
    ("Pháp luật", "phap-luat", 8),
    ("Kinh tế", "kinh-te", 12),
    ("Xã hội", "xa-hoi", 13),
    ("Văn hóa", "van-hoa", 15),
    ("Phóng sự", "phong-su", 16),
    ("Quốc tế", "quoc-te", 19),
    ("Chủ quyền biên giới, biển, đảo Việt Nam", "chu-quyen-bien-gioi-bien-dao-viet-nam", 26),
    ("Biên phòng toàn dân", "bien-phong-toan-dan", 51),
    ("Thể thao", "the-thao", 68),
    ("Phóng sự ảnh", "phong-su-anh", 69),
    ("Video", "video", 70),
)
SECTIONS: tuple[Section, ...] = tuple(
    Section(
        name,
        slug,
        legacy,
        ("query", "trang")[k % 2],
        ("relnext", "xemthem", "numbers")[k % 3],
        (15, 16, 18, 20)[k % 4],
    )
    for k, (name, slug, legacy) in enumerate(_SECTION_ROWS)
)
SECTION_BY_SLUG = {s.slug: s for s in SECTIONS}
# Video and photo sections are rarer than text sections.
_SECTION_WEIGHTS = tuple(3 if s.slug in ("video", "phong-su-anh") else 7 for s in SECTIONS)
_SECTION_CUTS = tuple(sum(_SECTION_WEIGHTS[: k + 1]) for k in range(len(SECTIONS)))

DATE_FORMATS = ("weekday-pipe", "plain", "time-first", "weekday-dash-gmt")
BYLINE_FORMS = (
    "one",
    "two-dash",
    "two-comma",
    "bai-va-anh",
    "tin-anh",
    "nhom-pv",
    "ctv",
    "ttxvn",
    "nguon",
    "none",
)
BYLINE_STYLES = ("right-strong", "bold", "plain", "author-class")
DATELINES = ("Biên phòng - ", "Biên phòng – ", "Biên phòng -", "")
CAPTION_MARKUPS = ("figure", "table", "p-img")
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def mix(*parts: int) -> int:
    """A stable 64-bit hash of integers (splitmix64 steps), cheap enough to call per article."""
    x = 0x9E3779B97F4A7C15
    for part in parts:
        x = (x ^ (part & MASK)) & MASK
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
        x ^= x >> 31
    return x


def text_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


@lru_cache(maxsize=1 << 16)
def slugify(text: str) -> str:
    """The site's slug rule: lower-case, diacritics removed, đ→d, punctuation dropped, `-` joins."""
    text = text.lower().replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return "-".join(re.findall(r"[a-z0-9]+", text))


# Two tone placements in print for oa, oe and uy ending a word: the old style marks the first
# vowel (hòa, khỏe, thủy, as the corpus writes), the new style the second (hoà, khoẻ, thuỷ).
# The site prints both; the mirror prints a third of its articles (`Site.new_placement`) in the
# new style, case kept. Not after q: in quý the mark has one place.
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_OLD_GLIDE = re.compile(r"(?<![qQ])([òóỏõọÒÓỎÕỌ][aAeE]|[ùúủũụÙÚỦŨỤ][yY])(?![^\W_])")


def new_placement(text: str) -> str:
    """`text` with every old-style marked glide ending a word in the new style: Hòa → Hoà."""

    def moved(found: re.Match[str]) -> str:
        first, second = unicodedata.normalize("NFD", found[1][0]), found[1][1]
        tone = next(c for c in first if c in _TONE_MARKS)
        return unicodedata.normalize("NFC", first.replace(tone, "") + second + tone)

    return _OLD_GLIDE.sub(moved, unicodedata.normalize("NFC", text))


@dataclass(frozen=True)
class Tag:
    name: str
    tag_id: int

    @property
    def path(self) -> str:
        return f"/tag/{slugify(self.name)}-{self.tag_id}.html"


@lru_cache(maxsize=1)
def all_tags() -> tuple[Tag, ...]:
    return tuple(Tag(name, 1213 + k * 1571) for k, name in enumerate(pools().tags))


@dataclass(frozen=True)
class Image:
    url: str  # absolute, as the truth states it
    src: str  # as the page writes it (may be relative)
    caption: str | None
    credit: str | None
    markup: str  # one of CAPTION_MARKUPS
    alt_is_caption: bool


@dataclass(frozen=True)
class Block:
    """One piece of the body in page order. `text` is what the truth holds (None: not body text)."""

    kind: str  # "p", "intertitle", "empty", "image", "footnote-note"
    html: str
    text: str | None
    image: Image | None = None


@dataclass(frozen=True)
class Byline:
    form: str
    line: str | None  # the byline as the page prints it
    authors: tuple[str, ...]
    source: str | None
    style: str


class Addressed:
    """Where an article lives, from its kind, slug and post id (pages and links alike)."""

    post_id: int
    kind: str
    slug: str

    @property
    def prefix(self) -> str:
        return {"video": "/videos", "photo": "/tin-anh"}.get(self.kind, "")

    @property
    def path(self) -> str:
        return f"{self.prefix}/{self.slug}-post{self.post_id}.html"

    @property
    def url(self) -> str:
        return WWW + self.path


@dataclass(frozen=True)
class Article(Addressed):
    """Everything the mirror knows of one article: what its page shows and how."""

    index: int
    post_id: int
    kind: str  # "article", "video", "photo"
    section: Section
    slug: str
    title: str
    sapo: str
    blocks: tuple[Block, ...]
    byline: Byline
    tags: tuple[Tag, ...]
    slides: tuple[Image, ...]
    published: datetime
    modified: datetime | None
    video_url: str | None
    advertorial: bool
    # presentation
    # "A", "B", "C" (unknown to the crawler's rules), "video", "photo"; only when a Site is
    # told so: "D" (dates written by script: drift) or "X" (markup drawn per article)
    template: str
    date_format: str
    dateline: str
    extra_classes: bool
    og: bool
    jsonld: bool
    jsonld_author_org: bool
    canonical_link: bool
    breadcrumb: bool
    bare_redirects: bool
    old_slug: str | None
    share_widget: bool
    syndication_line: bool
    decomposed: bool  # served as NFD text, as some Vietnamese CMSes do
    related: tuple[int, ...] = field(default=())

    @property
    def images(self) -> tuple[Image, ...]:
        if self.kind == "photo":
            return self.slides
        return tuple(b.image for b in self.blocks if b.image is not None)

    @property
    def body(self) -> str:
        return "\n\n".join(b.text for b in self.blocks if b.text)

    def truth(self) -> dict[str, Any]:
        """The article record of `shared/article-record.md`, from the generator's own inputs.

        `fetched_at` and `extractor_version` belong to a crawl, not to the site, so they are absent.
        """
        return {
            "post_id": self.post_id,
            "url": self.url,
            "kind": self.kind,
            "section": self.section.slug,
            "title": self.title,
            "sapo": self.sapo,
            "body": self.body,
            "authors": list(self.byline.authors),
            "source": self.byline.source,
            "published_at": self.published.isoformat(),
            "modified_at": self.modified.isoformat() if self.modified else None,
            "tags": [t.name for t in self.tags],
            "images": [
                {"url": i.url, "caption": i.caption, "credit": i.credit} for i in self.images
            ],
            "video_url": self.video_url,
            "word_count": len(self.body.split()),
        }


@dataclass(frozen=True)
class Headline(Addressed):
    """What a link to an article needs, drawn without building the whole article."""

    post_id: int
    kind: str
    slug: str
    title: str


@dataclass(frozen=True)
class Teaser(Headline):
    """What a listing entry or a feed item shows of an article: far smaller than the article."""

    dateline: str
    sapo: str
    published: datetime
    thumb: Image | None


@dataclass(frozen=True)
class Edit:
    day: int
    what: str  # "title" or "paragraph"


class Site:
    """The site at a given day: `articles` base articles plus `new_per_day` for each day since."""

    def __init__(
        self,
        articles: int = 2000,
        seed: int = 1,
        day: int = 0,
        new_per_day: int = 10,
        edits_per_day: int = 3,
        sitemaps: bool = True,
        template: str | None = None,
        weighty: bool = True,
        redesign_day: int | None = None,
    ) -> None:
        if not 1 <= articles <= 150_000:
            raise ValueError("articles must be between 1 and 150000")
        self.base_count = articles
        self.seed = seed
        self.new_per_day = new_per_day
        self.edits_per_day = edits_per_day
        self.sitemaps = sitemaps
        self.template = template
        # Article pages at a real page's weight (`weight.py`), or the article and the site's
        # header alone (`--weight light`: a quick look at a page's markup).
        self.weighty = weighty
        # From this day on, every page is served in a new design: another style sheet, icons,
        # menus, footer and scripts around the same article (a dictionary of the old pages'
        # markup no longer fits them).
        self.redesign_day = redesign_day
        self.old_count = min(int(articles * 0.4), OLD_ID_RANGE)
        self._old_mult_inverse = pow(OLD_ID_MULT, -1, OLD_ID_RANGE)
        self.day = 0
        self.set_day(day)

    # -- time -------------------------------------------------------------------------------

    @property
    def design(self) -> str:
        """The seed of the markup around the article today (`weight.py`)."""
        redesigned = self.redesign_day is not None and self.day >= self.redesign_day
        return f"{self.seed}:redesigned" if redesigned else str(self.seed)

    def set_day(self, day: int) -> None:
        """Move the site to `day`: new articles on top, some earlier ones edited."""
        if day < 0:
            raise ValueError("day must be >= 0")
        self.day = day
        self.total = self.base_count + day * self.new_per_day
        self.now = EPOCH + timedelta(days=day, hours=2, minutes=13)
        self.edits = self._edits_until(day)
        for name in ("_sections_index", "_tags_index"):
            self.__dict__.pop(name, None)
        self._article.cache_clear()
        self._teaser.cache_clear()

    def _edits_until(self, day: int) -> dict[int, tuple[Edit, ...]]:
        edits: dict[int, list[Edit]] = {}
        for d in range(1, day + 1):
            rng = random.Random(f"edits:{self.seed}:{d}")
            existing = self.base_count + (d - 1) * self.new_per_day
            for index in rng.sample(range(existing), min(self.edits_per_day, existing)):
                edits.setdefault(index, []).append(Edit(d, rng.choice(("title", "paragraph"))))
        return {index: tuple(found) for index, found in edits.items()}

    def published(self, index: int) -> datetime:
        if index < self.base_count:
            age = SPAN * ((self.base_count - index) / self.base_count) ** 2
            moment = EPOCH - age
        else:
            day, slot = divmod(index - self.base_count, self.new_per_day)
            moment = (
                EPOCH
                + timedelta(days=day)
                + timedelta(days=1) * (slot + 1) / (self.new_per_day + 1)
            )
        return moment.replace(second=0, microsecond=0)

    # -- identity ---------------------------------------------------------------------------

    def post_id(self, index: int) -> int:
        if index < self.old_count:
            return OLD_ID_BASE + (OLD_ID_MULT * index + self.seed) % OLD_ID_RANGE
        return NEW_ID_BASE + 3 * (index - self.old_count) + mix(self.seed, index) % 3

    def index_of(self, post_id: int) -> int | None:
        """The article index behind a post id, or None when the site has no such article."""
        if OLD_ID_BASE <= post_id < OLD_ID_BASE + OLD_ID_RANGE:
            index = ((post_id - OLD_ID_BASE - self.seed) * self._old_mult_inverse) % OLD_ID_RANGE
        elif post_id >= NEW_ID_BASE:
            index = self.old_count + (post_id - NEW_ID_BASE) // 3
        else:
            return None
        if index < self.total and self.post_id(index) == post_id:
            return index
        return None

    def section_of(self, index: int) -> Section:
        roll = mix(self.seed, index, 1) % _SECTION_CUTS[-1]
        return SECTIONS[bisect.bisect_right(_SECTION_CUTS, roll)]

    def is_advertorial(self, index: int) -> bool:
        return self.section_of(index).slug == "kinh-te" and mix(self.seed, index, 2) % 8 == 0

    def tags_of(self, index: int) -> tuple[Tag, ...]:
        tags = all_tags()
        count = 2 + mix(self.seed, index, 3) % 2
        picks = dict.fromkeys(tags[mix(self.seed, index, 4, k) % len(tags)] for k in range(count))
        return tuple(picks)

    # -- indexes for listings ---------------------------------------------------------------

    @cached_property
    def _sections_index(self) -> dict[str, array[int]]:
        found: dict[str, array[int]] = {s.slug: array("i") for s in SECTIONS}
        for index in range(self.total):
            found[self.section_of(index).slug].append(index)
        return found

    @cached_property
    def _tags_index(self) -> dict[int, array[int]]:
        found: dict[int, list[int]] = {t.tag_id: [] for t in all_tags()}
        for index in range(self.total):
            for tag in self.tags_of(index):
                found[tag.tag_id].append(index)
        # Tag pages mix years and are not sorted by date.
        return {
            tag_id: array("i", sorted(ids, key=lambda i: mix(self.seed, i, tag_id)))
            for tag_id, ids in found.items()
        }

    def section_page(self, section: str, page: int) -> list[int]:
        size = SECTION_BY_SLUG[section].page_size
        ids = self._sections_index[section]
        end = len(ids) - (page - 1) * size
        return [ids[i] for i in range(end - 1, max(end - size, 0) - 1, -1)] if end > 0 else []

    def section_pages(self, section: str) -> int:
        size = SECTION_BY_SLUG[section].page_size
        return max(1, -(-len(self._sections_index[section]) // size))

    def tag_page(self, tag_id: int, page: int, size: int = 20) -> list[int]:
        ids = self._tags_index.get(tag_id, array("i"))
        return list(ids[(page - 1) * size : page * size])

    def tag_pages(self, tag_id: int, size: int = 20) -> int:
        return max(1, -(-len(self._tags_index.get(tag_id, array("i"))) // size))

    def latest(self, count: int, section: str | None = None) -> list[int]:
        if section is None:
            return list(range(self.total - 1, max(self.total - count, 0) - 1, -1))
        ids = self._sections_index[section]
        return [ids[i] for i in range(len(ids) - 1, max(len(ids) - count, 0) - 1, -1)]

    def month_range(self, year: int, month: int) -> range:
        """Indexes published in one calendar month (site time)."""
        start = datetime(year, month, 1, tzinfo=SITE_TZ)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=SITE_TZ)
        indexes = range(self.total)
        return range(
            bisect.bisect_left(indexes, start, key=self.published),
            bisect.bisect_left(indexes, end, key=self.published),
        )

    def months(self) -> list[tuple[int, int]]:
        first, last = self.published(0), self.published(self.total - 1)
        months, year, month = [], first.year, first.month
        while (year, month) <= (last.year, last.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    # -- articles ---------------------------------------------------------------------------

    def article(self, index: int) -> Article:
        return self._article(index)

    def article_by_id(self, post_id: int) -> Article | None:
        index = self.index_of(post_id)
        return None if index is None else self._article(index)

    def headline(self, index: int) -> Headline:
        """Title and URL of an article, cheaply: the title is the first draw of its stream."""
        if index in self.edits:
            a = self._article(index)
            return Headline(a.post_id, a.kind, a.slug, a.title)
        post_id = self.post_id(index)
        rng = random.Random(f"article:{self.seed}:{post_id}")
        title = first_title(rng, self.is_advertorial(index), pools())
        if self.new_placement(post_id):
            title = new_placement(title)
        return Headline(post_id, kind_of(self.section_of(index)), slugify(title), title)

    def teaser(self, index: int) -> Teaser:
        return self._teaser(index)

    @lru_cache(maxsize=1 << 15)  # noqa: B019 - as `_article`; about 1 kB each
    def _teaser(self, index: int) -> Teaser:
        a = self._article(index)
        thumb = a.images[0] if a.images else None
        return Teaser(a.post_id, a.kind, a.slug, a.title, a.dateline, a.sapo, a.published, thumb)

    def lastmod(self, index: int) -> datetime:
        """When an article last changed: its last correction, or its publication."""
        edits = self.edits.get(index)
        return edit_time(edits[-1].day) if edits else self.published(index)

    def truth(self) -> Any:
        """Every article's record, oldest first, one at a time."""
        for index in range(self.total):
            yield self._article(index).truth()

    @lru_cache(maxsize=4096)  # noqa: B019 - the Site lives as long as the server
    def _article(self, index: int) -> Article:
        article = ArticleBuilder(self, index).build()
        for edit in self.edits.get(index, ()):
            article = apply_edit(article, edit, self.seed)
        return respelled(article) if self.new_placement(article.post_id) else article

    def new_placement(self, post_id: int) -> bool:
        """Whether the article prints tones in the new placement (a third of them)."""
        return mix(self.seed, post_id, 0x70A) % 3 == 0


def respelled(article: Article) -> Article:
    """The article as printed in the new tone placement: its text, captions and byline (the
    site's tags keep theirs)."""

    def image(found: Image | None) -> Image | None:
        if found is None:
            return None
        caption = None if found.caption is None else new_placement(found.caption)
        credit = None if found.credit is None else new_placement(found.credit)
        return replace(found, caption=caption, credit=credit)

    blocks = tuple(
        replace(
            block,
            html=new_placement(block.html),
            text=None if block.text is None else new_placement(block.text),
            image=image(block.image),
        )
        for block in article.blocks
    )
    byline = article.byline
    return replace(
        article,
        title=new_placement(article.title),
        sapo=new_placement(article.sapo),
        blocks=blocks,
        slides=tuple(i for i in map(image, article.slides) if i is not None),
        byline=replace(
            byline,
            line=None if byline.line is None else new_placement(byline.line),
            authors=tuple(map(new_placement, byline.authors)),
            source=None if byline.source is None else new_placement(byline.source),
        ),
    )


def apply_edit(article: Article, edit: Edit, seed: int) -> Article:
    """A correction published on `edit.day`: a new title, or a sentence added to a paragraph."""
    rng = random.Random(f"edit:{seed}:{article.post_id}:{edit.day}")
    modified = edit_time(edit.day)
    if edit.what == "title":
        return replace(article, title=make_title(rng, pools()), modified=modified)
    blocks = list(article.blocks)
    for k, block in enumerate(blocks):
        if block.kind == "p" and block.text:
            extra = rng.choice(pools().sentences)
            html = block.html.removesuffix("</p>") + f" {extra}</p>"  # inside the paragraph
            blocks[k] = replace(block, html=html, text=f"{block.text} {extra}")
            break
    return replace(article, blocks=tuple(blocks), modified=modified)


def edit_time(day: int) -> datetime:
    """When a correction published on `day` is stamped."""
    return (EPOCH + timedelta(days=day - 1, hours=12)).replace(second=0, microsecond=0)


def kind_of(section: Section) -> str:
    return {"video": "video", "phong-su-anh": "photo"}.get(section.slug, "article")


def first_title(rng: random.Random, advertorial: bool, p: Pools) -> str:
    """The first draw of an article's stream: its title as published."""
    return rng.choice(p.advertorial_titles) if advertorial else make_title(rng, p)


def make_title(rng: random.Random, p: Pools) -> str:
    if rng.random() < 0.2:
        return rng.choice(p.titles)
    words = rng.choice(p.sentences).split(",")[0].split()
    start = rng.randrange(0, max(1, len(words) - 8))
    title = " ".join(words[start : start + rng.randint(6, 12)]).strip(" .;:…")
    return title[0].upper() + title[1:]


class ArticleBuilder:
    """Draws one article's content and presentation from its own random stream."""

    def __init__(self, site: Site, index: int) -> None:
        self.site = site
        self.index = index
        self.post_id = site.post_id(index)
        self.rng = random.Random(f"article:{site.seed}:{self.post_id}")
        self.pools = pools()
        self.published = site.published(index)

    def build(self) -> Article:
        site, rng, index = self.site, self.rng, self.index
        section = site.section_of(index)
        kind = kind_of(section)
        advertorial = site.is_advertorial(index)
        title = first_title(rng, advertorial, self.pools)
        template = (
            {"video": "video", "photo": "photo"}.get(kind) or site.template or rng.choice("AAABBBC")
        )
        byline = self.byline(kind, advertorial)
        blocks = self.blocks(byline, advertorial) if kind == "article" else ()
        return Article(
            index=index,
            post_id=self.post_id,
            kind=kind,
            section=section,
            slug=slugify(title),
            title=title,
            sapo=self.sapo(advertorial),
            blocks=blocks,
            byline=byline,
            tags=site.tags_of(index),
            slides=self.slides() if kind == "photo" else (),
            published=self.published,
            modified=None,
            video_url=self.video_url() if kind == "video" else None,
            advertorial=advertorial,
            template=template,
            date_format=rng.choice(DATE_FORMATS),
            dateline="" if advertorial else rng.choice(DATELINES),
            extra_classes=rng.random() < 0.3,
            og=rng.random() < 0.5,
            jsonld=rng.random() < 0.5,
            jsonld_author_org=rng.random() < 0.5,
            canonical_link=rng.random() < 0.6,
            breadcrumb=rng.random() < 0.8,
            bare_redirects=rng.random() < 0.5,
            old_slug=slugify(make_title(rng, self.pools)) if rng.random() < 0.15 else None,
            share_widget=rng.random() < 0.7,
            syndication_line=rng.random() < 0.1,
            decomposed=rng.random() < 0.05,
            related=tuple(
                sorted({rng.randrange(0, index) for _ in range(rng.randint(2, 5))}, reverse=True)
            )
            if index > 0
            else (),
        )

    def sapo(self, advertorial: bool) -> str:
        if advertorial:
            return " ".join(self.rng.sample(self.pools.advertorial_leads, 2))
        return " ".join(self.rng.sample(self.pools.sentences, self.rng.randint(1, 2)))

    def name(self) -> str:
        return self.rng.choice(self.pools.names)

    def byline(self, kind: str, advertorial: bool) -> Byline:
        rng = self.rng
        form = "none" if advertorial or kind != "article" else rng.choice(BYLINE_FORMS)
        style = rng.choice(BYLINE_STYLES)
        a, b = rng.sample(self.pools.names, 2)
        line, authors, source = {
            "one": (a, (a,), None),
            "two-dash": (f"{a} - {b}", (a, b), None),
            "two-comma": (f"{a}, {b}", (a, b), None),
            "bai-va-anh": (f"Bài và ảnh: {a}", (a,), None),
            "tin-anh": (f"Tin, ảnh: {a}", (a,), None),
            "nhom-pv": ("Nhóm PV", ("Nhóm PV",), None),
            "ctv": ("CTV", ("CTV",), None),
            "ttxvn": ("Theo TTXVN", (), "TTXVN"),
            "nguon": ("Nguồn: TTXVN", (), "TTXVN"),
            "none": (None, (), None),
        }[form]
        return Byline(form, line, authors, source, style)

    def image(self, slot: int, markup: str, writer: Byline) -> Image:
        rng, when = self.rng, self.published
        stem = slugify(rng.choice(self.pools.captions))[:40] or "anh"
        name = f"{when:%I%M}{rng.randint(1000, 9999)}{when:%p}".lower()
        if when.year < 2022 and rng.random() < 0.5:
            src = f"/images/media//730/{when.year}/{when.month}/{when.day}/{name}_{stem}{slot}.jpg"
            url = WWW + src
        else:
            day_path = f"{when.year}/{when.month}/{when.day}"
            url = f"{FILES}//bbpmedia/media/730/{day_path}/{name}_{stem}{slot}.jpg"
            src = url
        if markup == "p-img":
            return Image(url, src, None, None, markup, False)
        caption = rng.choice(self.pools.captions)
        roll = rng.random()
        if writer.form in ("bai-va-anh", "tin-anh"):
            credit: str | None = None  # the writer took the pictures; captions name nobody
        elif roll < 0.6:
            credit = self.name()
        elif roll < 0.75:
            credit = rng.choice(("CTV", "Tư liệu"))
        else:
            credit = None
        return Image(url, src, caption, credit, markup, rng.random() < 0.4)

    def paragraph(self, footnote: int | None = None) -> Block:
        text = " ".join(self.rng.sample(self.pools.sentences, self.rng.randint(1, 3)))
        if footnote is None:
            return Block("p", f"<p>{text}</p>", text)
        quote = "“cách mệnh chưa đến nơi”"
        return Block(
            "p",
            f"<p>{text} Người từng viết {quote}<sup>{footnote}</sup>.</p>",
            f"{text} Người từng viết {quote}{footnote}.",
        )

    def blocks(self, byline: Byline, advertorial: bool) -> tuple[Block, ...]:
        rng = self.rng
        if advertorial:
            sentences = self.pools.advertorial_sentences
            return tuple(Block("p", f"<p>{s}</p>", s) for s in rng.sample(sentences, 4))
        count = rng.randint(3, 10)
        footnotes = 2 if rng.random() < 0.1 else 0
        markup = rng.choice(CAPTION_MARKUPS)
        blocks: list[Block] = []
        image_slots = set(rng.sample(range(count), min(count, rng.randint(0, 3))))
        for k in range(count):
            if count >= 6 and k in (2, 5) and rng.random() < 0.7:
                title = rng.choice(self.pools.intertitles)
                blocks.append(Block("intertitle", f"<p><strong>{title}</strong></p>", title))
            if k in image_slots:
                image = self.image(k, markup, byline)
                blocks.append(Block("image", "", None, image))
            blocks.append(self.paragraph(k + 1 if k < footnotes else None))
            if rng.random() < 0.1:
                blocks.append(Block("empty", "<p>&nbsp;</p>", None))
        if footnotes:
            note = "1, 2. Trích tư liệu Hồ Chí Minh: Toàn tập."
            blocks.append(Block("footnote-note", f"<p><em>{note}</em></p>", note))
        return tuple(blocks)

    def slides(self) -> tuple[Image, ...]:
        return tuple(
            self.image(k, "slide", Byline("none", None, (), None, "plain"))
            for k in range(self.rng.randint(3, 6))
        )

    def video_url(self) -> str:
        when = self.published
        return (
            f"{FILES}//bbpmedia/media/video/{when.year}/{when.month}/{when.day}/"
            f"{self.post_id}_{self.rng.randint(100000, 999999)}.mp4"
        )
