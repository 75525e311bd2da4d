"""The crawl's own signals, beside Scrapy's (`scrapy.signals`): what a pipeline tells the
spider. Sent with `crawler.signals.send_catch_log(signal=..., **arguments)`; a component that
wants one connects to it in its `from_crawler`, as Scrapy's extensions do with Scrapy's. (The
crawl's own stats are `pipelines.stats`'.)"""

listing_exhausted = object()
"""An article older than --since came through this listing, which lists newest first: its
later pages hold older articles still. Sent by the extract pipeline with `listing` (the
listing's key, as `crawler.discovery.listing_key` gives it: `/kinh-te/`)."""
