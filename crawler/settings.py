"""Scrapy settings for the Báo Biên phòng crawler: polite defaults, pipelines in flow order."""

from archive import __version__, site
from crawler import plan

BOT_NAME = "bienphong"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Who we are: an honest User-Agent naming the project and where to read about it.
USER_AGENT = (
    f"bienphong-archive/{__version__} (archive of record for bienphong.com.vn; "
    "see the project README; non-commercial research)"
)
# robots.txt as RFC 9309 says (crawler/robots.py, in the place of Scrapy's middleware).
ROBOTSTXT_OBEY = True

# Polite by default: one page a second with AutoThrottle; `--delay 0` is for the offline mirror.
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50%, so requests do not tick like a clock
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
# The site's certificate is checked against the system's authorities (or SSL_CERT_FILE's), and
# its host name too: an archive of record takes nothing from a host that may not be the site.
# `--insecure` turns it off.
DOWNLOAD_VERIFY_CERTIFICATES = True
# Outputs of one response processed at once. Scrapy starts this many asyncio tasks for every
# response (default 100), whatever it yields. An article page yields one item and the links
# it found, which take no waiting; the pipelines run on the reactor thread anyway.
CONCURRENT_ITEMS = 2
# Response bytes waiting for the spider and the pipelines before Scrapy stops downloading
# more: a megabyte of pages keeps extraction busy; Scrapy's 5 MB only held more of them in
# memory while extraction caught up (docs/benchmarks.md, profiling).
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_000_000
# Scrapy parses each callback's source to warn of a `return value` in a generator: a check
# for development (ruff and the tests do it here), repeated for every response.
WARN_ON_GENERATOR_RETURN_VALUE = False
DOWNLOAD_MAXSIZE = site.PAGE_MAX_BYTES
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5

RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Seconds: the longest Retry-After we honour; a longer one is capped, not obeyed blindly.
RETRY_AFTER_MAX = 120.0
RETRY_AFTER_DEFAULT = 5.0  # seconds a 429 or 503 without Retry-After pauses the server
# A page still failing after its retries is the crawl's to handle, not an error of the log's: it
# is recorded in the run (`bienphong runs`) and counted in the summary.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control (on by default) listens on a local port for Python code to run in
# the crawl, and leaves a job file with its token in the user's profile: a door into an
# unattended crawl that nobody here uses.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"

# Where the pages really come from: the live site, or another address (the offline mirror)
# that answers for both of the site's hosts. Stored URLs stay canonical either way.
BIENPHONG_BASE_URL = site.CANONICAL_ORIGIN
BIENPHONG_DB = "bienphong.db"
BIENPHONG_SINCE = None  # ISO 8601 datetime: only articles published since
BIENPHONG_MAX_ARTICLES = None
BIENPHONG_SECTIONS: list[str] = []
BIENPHONG_FULL = False  # walk everything again
BIENPHONG_REFETCH = False  # with FULL: fetch archived articles too
BIENPHONG_RECHECK_SINCE = None  # ISO 8601: refetch archived articles published since
# Incremental crawls stop paging a listing after this many archived articles in a row.
BIENPHONG_KNOWN_RUN = plan.KNOWN_RUN_DEFAULT
# No listing is paged past this page, whatever its pages link (an endless listing ends).
BIENPHONG_LISTING_PAGE_CAP = plan.LISTING_PAGE_CAP_DEFAULT
BIENPHONG_LOCK_HELD = False  # set by `bienphong crawl`, which takes the archive's lock itself

# Scrapy's components the crawl has no use for, each one a cost on every request or output:
# the site sends no meta refreshes and asks for no login; links are ours to judge (the
# spider keeps to the site's hosts and dedupes by post id); depth means nothing here.
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
DOWNLOADER_MIDDLEWARES = {
    # Instead of Scrapy's offsite filter, which lets the site's sub-domains through; before
    # robots (100), so no other host's robots.txt is asked for either.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.SiteHostsMiddleware": 50,
    "crawler.middlewares.DiscoveryBoundMiddleware": 60,
    # A stopping crawl sends nothing more (crawler/stopping.py drops what already waits).
    "crawler.middlewares.StoppingMiddleware": 70,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.SiteRobotsMiddleware": 100,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    # After Scrapy's RetryMiddleware (550): a page cut short is retried as a failed answer is.
    "crawler.middlewares.TruncatedPageRetryMiddleware": 560,
    # Above RedirectMiddleware (600): a redirect off the site's hosts, or a loop, is refused.
    "crawler.middlewares.SiteRedirectMiddleware": 650,
    # Nearest the downloader: sees each attempt's connection error before the retries.
    "crawler.middlewares.ReachabilityMiddleware": 950,
}
# Below every middleware, so robots, offsite checks, redirects and storage see the site's URLs.
DOWNLOAD_HANDLERS = {
    "http": "crawler.middlewares.SiteAddressHandler",
    "https": "crawler.middlewares.SiteAddressHandler",
}

EXTENSIONS = {
    # A 429 or 503 holds every request to the server for as long as its Retry-After asks.
    "crawler.middlewares.RetryAfterPause": 500,
    # The first SIGINT, SIGTERM or SIGHUP: no further request is sent.
    "crawler.stopping.PromptStop": 500,
    # The progress line (`bienphong crawl` turns it on; `scrapy crawl` keeps Scrapy's logs).
    "crawler.progress.Progress": 500,
}
BIENPHONG_PROGRESS = False
BIENPHONG_PROMPT_STOP = True
BIENPHONG_MAX_DURATION = 0  # seconds a crawl runs before it pauses (`--max-duration`); 0: no end
BIENPHONG_PROGRESS_INTERVAL = 60.0  # seconds between progress lines off a terminal

# Flow order: extract → store. Both run in the crawl's process, on the reactor thread.
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.store.StorePipeline": 300,
}

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
