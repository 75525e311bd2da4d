"""Fault modes the mirror can play: `--faults 503:0.05,429:0.02,slow:0.01,broken:486718,...`.

Rates (`503`, `429`, `slow`, `truncate`, `reset`) are probabilities per request, drawn from the
seed, the path and how often the path was asked before, and only on a path's first two
attempts: a transient fault is transient, so a crawler that retries gets every page. A page
`truncate` cuts short is cut about in half, a byte further at each attempt, as `cut` cuts.
Targets (`broken`, `huge`, `charset`, `cp1258`: the page in windows-1258, tones as combining
marks, declared only by the HTTP header, `utf16-meta`: UTF-8 with one stray byte in a comment,
its `<meta>` declaring UTF-16 and the header no charset, `bom`: UTF-16 with its byte order mark
while the header and the `<meta>` say UTF-8, `loop`, `offsite`, `moved`: a 301 to the next article,
another post id, and the canonical-link traps `canonical-other`, `canonical-script`,
`canonical-offsite`) name post ids and hold on every attempt.

Settings: `retry-after:SECONDS` (default 1); `slow-seconds:SECONDS` (default 5);
`cut:PATH+PATH`: those paths (a listing page, a feed, a sitemap) always come cut short behind
an honest Content-Length, about in half, a byte further at each attempt (where a connection
that dies in transit dies varies);
`comment-after:PATH+PATH`, `spaced-end:PATH+PATH`, `unclosed:PATH+PATH`: those pages are whole
but do not end as most do: 2 KB of comment after `</html>`, `</html >`, or no `</body>` and
`</html>` at all (the same bytes at every attempt);
`endless:SLUG+SLUG`: those sections' listings go on past their last page for ever, each page
repeating the last one's articles and linking the next; `cycling:SLUG+SLUG`: the same, but the
pages past the last list the last CYCLE_PAGES pages' articles again in turn (a loop of six);
`crowded:PATH+PATH`: those listing pages also name CROWDED_LINKS article links after their
own (the site's articles in turn from one the path picks, in the shortest form the site
answers, about 7.5 MB a page);
`sitemap-chain:1`: the sitemap index also names a sitemap index that names the next, for ever;
`offsite-links:1`: robots.txt, sitemaps, feeds and every HTML page also name the site's
sub-domains and another host (sitemaps, articles, tags, sections), links a crawl must not
follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .site import MASK, mix, text_hash

RATES = ("503", "429", "slow", "truncate", "reset")
# A page that names another article, a script or another host as its canonical link.
CANONICAL_TRAPS = ("canonical-other", "canonical-script", "canonical-offsite")
TARGETS = (
    "broken",
    "huge",
    "charset",
    "cp1258",
    "utf16-meta",
    "bom",
    "loop",
    "offsite",
    "moved",
    *CANONICAL_TRAPS,
)
TRANSIENT_ATTEMPTS = 2
CROWDED_LINKS = 220_000  # links a `crowded` page names: a hostile page's, under 8 MB
CYCLE_PAGES = 6  # pages a `cycling` listing loops over: more than a crawl's recent memory was
# Faults that name paths or section slugs, and switches, by the attribute that holds them.
NAMED = {"cut": "cut", "endless": "endless", "cycling": "cycling", "crowded": "crowded"}
SWITCHES = {"sitemap-chain": "sitemap_chain", "offsite-links": "offsite_links"}
# Whole pages that end otherwise than with `</html>` (by path).
ENDINGS = ("comment-after", "spaced-end", "unclosed")


@dataclass
class Faults:
    rates: dict[str, float] = field(default_factory=dict)
    targets: dict[str, set[int]] = field(default_factory=lambda: {t: set() for t in TARGETS})
    retry_after: int = 1
    slow_seconds: float = 5.0
    offsite_links: bool = False
    endless: set[str] = field(default_factory=set)  # section slugs whose listing never ends
    sitemap_chain: bool = False  # an endless chain of sitemap indexes
    cycling: set[str] = field(default_factory=set)  # the same, looping over CYCLE_PAGES pages
    cut: set[str] = field(default_factory=set)  # paths always cut short
    crowded: set[str] = field(default_factory=set)  # listing paths naming CROWDED_LINKS links
    endings: dict[str, str] = field(default_factory=dict)  # path → how its whole page ends

    @classmethod
    def parse(cls, spec: str | None) -> Faults:
        faults = cls()
        for part in filter(None, (p.strip() for p in (spec or "").split(","))):
            name, sep, value = part.partition(":")
            if not sep:
                raise ValueError(f"fault {part!r} needs a value: NAME:VALUE")
            try:
                faults._set(name, value)
            except ValueError as error:
                raise ValueError(f"bad fault {part!r}: {error}") from None
        if sum(faults.rates.values()) > 1:
            raise ValueError("fault rates add up to more than 1")
        return faults

    def _set(self, name: str, value: str) -> None:
        """Take one NAME:VALUE of the spec; ValueError for an unknown name or a bad value."""
        if name in RATES:
            self.rates[name] = float(value)
        elif name in TARGETS:
            self.targets[name].update(int(v) for v in value.split("+"))
        elif name == "retry-after":
            self.retry_after = int(value)
        elif name == "slow-seconds":
            self.slow_seconds = float(value)
        elif name in ENDINGS:
            self.endings.update(dict.fromkeys(value.split("+"), name))
        elif name in NAMED:  # paths, or section slugs
            getattr(self, NAMED[name]).update(value.split("+"))
        elif name in SWITCHES:
            setattr(self, SWITCHES[name], value == "1")
        else:
            raise ValueError(f"unknown fault {name!r}")

    def transient(self, seed: int, path: str, attempt: int) -> str | None:
        """The transient fault this request meets, if any."""
        if attempt >= TRANSIENT_ATTEMPTS or not self.rates:
            return None
        roll = mix(seed, text_hash(path), attempt) / MASK
        for name in RATES:
            roll -= self.rates.get(name, 0.0)
            if roll < 0:
                return name
        return None

    def cycle_of(self, slug: str) -> int:
        """How many pages the section's listing loops over past its last (0: it ends)."""
        return CYCLE_PAGES if slug in self.cycling else 1 if slug in self.endless else 0

    def target(self, post_id: int) -> str | None:
        for name in TARGETS:
            if post_id in self.targets[name]:
                return name
        return None
