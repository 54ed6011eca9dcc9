"""Scrapy settings for clusterwatch.

Politeness is the default here: robots.txt obeyed, one request at a time per domain, AutoThrottle,
a named User-Agent. ``crawler.runner.settings_for`` applies the configuration file on top.
"""

BOT_NAME = "clusterwatch"
SPIDER_MODULES: list[str] = []
# Spiders come from the configured sources, one per [[sources]] table: `scrapy list` shows them.
SPIDER_LOADER_CLASS = "crawler.spiderloader.SourceSpiderLoader"

USER_AGENT = "clusterwatch/0.1 (+https://github.com/clusterwatch/clusterwatch)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 2.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 1.0  # seconds before the first retry, doubling each time
RETRY_BACKOFF_MAX = 60.0
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
HTTPCACHE_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    # The choke point every request passes (crawler.netpolicy): before RobotsTxtMiddleware (100),
    # so a request to another host or port is refused before anything is asked of that host.
    "crawler.netpolicy.RequestPolicy": 50,
    # Retries wait 1, 2, 4 ... s (RETRY_BACKOFF_*) instead of asking a struggling server at once.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "crawler.middlewares.RetryDelayMiddleware": 10,
    # Next to the downloader, after robots.txt is settled: one request at a time per site across
    # all the spiders of a process (Scrapy's per-domain slot is per spider).
    "crawler.hostgate.HostGate": 960,
}

# Next to the spider (after Referer 700, UrlLength 800, Depth 900 in output order), so a request
# beyond the page budget is dropped before the others spend time on it.
SPIDER_MIDDLEWARES = {"crawler.spiders.base.PageBudget": 950}

ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 300}
EXTENSIONS = {"crawler.progress.Progress": 500}
CLUSTERWATCH_PROGRESS = False

# Names resolving to loopback, private, link-local, multicast or reserved addresses are refused
# when the connection is made; "all" or a list of networks opts in (crawler.allow_private_addresses).
TWISTED_DNS_RESOLVER = "crawler.netpolicy.GuardedResolver"
CLUSTERWATCH_ALLOW_NETWORKS: list[str] = []
# A text longer than this is cut (crawler.max_text_chars), the cut recorded with the run.
CLUSTERWATCH_MAX_TEXT_CHARS = 2_000_000

LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
