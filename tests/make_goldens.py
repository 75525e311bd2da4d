"""Record one mirror page per template and variant into tests/data/pages/, with golden JSON.

    .venv/bin/python -m tests.make_goldens

Each page is fetched over HTTP from an in-process mirror and stored as NAME.html.gz, with
NAME.meta.json (canonical url, fetched_at, template, the variants it covers) and
NAME.golden.json written from the mirror's truth, never from the extractor's output. Re-run it
when a variant is added (to VARIANTS in tests/helpers/goldens.py) or EXTRACTOR_VERSION changes;
never edit the files by hand.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC
from typing import Any

from pipelines.extraction import EXTRACTOR_VERSION
from tests.helpers.goldens import ARTICLES, DAY, PAGES, SEED, VARIANTS, recorded_site
from tests.helpers.loopback import fetch_body
from tests.mirror import Article, Mirror, Site


def pick(site: Site) -> dict[str, tuple[Article, list[str]]]:
    """Few pages covering every variant: a page already chosen is reused when it fits.

    Keyed by page name (the first variant it was chosen for), with every variant it covers."""
    usable = [site.article(i) for i in range(site.total)]
    pages: dict[str, tuple[Article, list[str]]] = {}
    for variant, rule in VARIANTS.items():
        reuse = next((name for name, (a, _) in pages.items() if rule(a)), None)
        if reuse is not None:
            pages[reuse][1].append(variant)
            continue
        found = next((a for a in usable if rule(a)), None)
        if found is None:
            raise SystemExit(f"no mirror article for variant {variant!r}: widen the site")
        pages[variant] = (found, [variant])
    return pages


def record(mirror: Mirror, name: str, article: Article, variants: list[str]) -> None:
    fetched_at = mirror.site.now.astimezone(UTC).isoformat()
    meta = {
        "url": article.url,
        "fetched_at": fetched_at,
        "template": article.template,
        "variants": variants,
        "extractor_version": EXTRACTOR_VERSION,
        "site": {"articles": ARTICLES, "seed": SEED, "day": DAY},
    }
    golden: dict[str, Any] = {
        **article.truth(),
        "fetched_at": fetched_at,
        "extractor_version": EXTRACTOR_VERSION,
    }
    html = fetch_body(mirror.base_url, article.path)
    (PAGES / f"{name}.html.gz").write_bytes(gzip.compress(html, mtime=0))
    for suffix, data in (("meta", meta), ("golden", golden)):
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        (PAGES / f"{name}.{suffix}.json").write_text(text, encoding="utf-8")


def main() -> None:
    PAGES.mkdir(parents=True, exist_ok=True)
    for stale in PAGES.glob("*.*"):
        stale.unlink()
    with Mirror(recorded_site(), log_requests=False) as mirror:
        for name, (article, variants) in pick(mirror.site).items():
            record(mirror, name, article, variants)
            print(f"{name}: post {article.post_id} ({article.template}): {', '.join(variants)}")


if __name__ == "__main__":
    main()
