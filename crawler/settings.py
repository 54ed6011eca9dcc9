"""Scrapy settings for clusterwatch.

Politeness is the default: robots.txt obeyed, one request at a time per domain, AutoThrottle, a
named User-Agent. What the [crawler] section can change (delay, timeouts, retries, sizes, robots,
the User-Agent, the address policy) is not written here but generated from the configuration's
one table of defaults (``crawler.config.scrapy_settings``); ``crawler.runner.settings_for``
applies the configuration file on top.
"""

from crawler.config import CrawlerSettings, scrapy_settings

BOT_NAME = "clusterwatch"
SPIDER_MODULES: list[str] = []
# Spiders come from the configured sources, one per [[sources]] table: `scrapy list` shows them.
SPIDER_LOADER_CLASS = "crawler.spiderloader.SourceSpiderLoader"

CONCURRENT_REQUESTS = 16
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_MAX = 60.0
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
HTTPCACHE_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    # The choke point every request passes (crawler.netpolicy's rules): before RobotsTxtMiddleware (100),
    # so a request to another host or port is refused before anything is asked of that host.
    "crawler.middlewares.RequestPolicy": 50,
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
SPIDER_MIDDLEWARES = {"crawler.middlewares.PageBudget": 950}

ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 300}
EXTENSIONS = {"crawler.progress.Progress": 500}
CLUSTERWATCH_PROGRESS = False

# Names resolving to loopback, private, link-local, multicast or reserved addresses are refused
# when the connection is made; "all" or a list of networks opts in (crawler.allow_private_addresses,
# CLUSTERWATCH_ALLOW_NETWORKS below).
TWISTED_DNS_RESOLVER = "crawler.netpolicy.GuardedResolver"

LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

# USER_AGENT, DOWNLOAD_DELAY, AUTOTHROTTLE_ENABLED/START_DELAY, CONCURRENT_REQUESTS_PER_DOMAIN,
# DOWNLOAD_TIMEOUT, RETRY_TIMES, RETRY_BACKOFF_BASE (seconds before the first retry, doubling each
# time), DOWNLOAD_MAXSIZE/WARNSIZE, ROBOTSTXT_OBEY, CLOSESPIDER_PAGECOUNT, CLUSTERWATCH_MAX_TEXT_CHARS
# (a longer text is cut, the cut recorded with the run), CLUSTERWATCH_ALLOW_NETWORKS.
globals().update(scrapy_settings(CrawlerSettings()))
