"""Running crawls: configured sources in, crawl-run rows out.

Scrapy's reactor runs once per process, so ``crawl`` is meant to be called once per process
(the command line does; the service starts a child process per crawl).
"""

from __future__ import annotations

import importlib
import json
import sqlite3
import uuid
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as default_settings
from crawler.addresses import networks_setting
from crawler.config import Config
from crawler.sources import KINDS, Source
from crawler.spiders.base import SourceSpider
from crawler.store import Store, StoreError, connect_readonly, now_iso, rows


def spider_class(source: Source) -> type[SourceSpider]:
    module_name, _, class_name = KINDS[source.kind].spider.rpartition(".")
    base = getattr(importlib.import_module(module_name), class_name)
    # The source's own max_pages is applied by SourceSpider.update_settings.
    safe = "".join(ch if ch.isalnum() else "_" for ch in source.name)
    return type(f"{class_name}_{safe}", (base,), {"name": source.name, "source": source, "custom_settings": {}})


def settings_for(config: Config, *, log_level: str | None = None, progress: bool = False) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    c = config.crawler
    settings.setdict(
        {
            "USER_AGENT": config.user_agent,
            "DOWNLOAD_DELAY": c["download_delay"],
            "AUTOTHROTTLE_ENABLED": c["autothrottle"],
            "AUTOTHROTTLE_START_DELAY": max(c["download_delay"], 0.1),
            "CONCURRENT_REQUESTS_PER_DOMAIN": c["concurrent_per_domain"],
            "DOWNLOAD_TIMEOUT": c["timeout"],
            "RETRY_TIMES": c["retries"],
            "RETRY_BACKOFF_BASE": c["retry_backoff"],
            "DOWNLOAD_MAXSIZE": c["max_response_bytes"],
            "DOWNLOAD_WARNSIZE": min(c["max_response_bytes"], settings.getint("DOWNLOAD_WARNSIZE")),
            "ROBOTSTXT_OBEY": c["obey_robots"],
            "CLOSESPIDER_PAGECOUNT": c["max_pages"],
            "CLUSTERWATCH_DB": str(config.database),
            "LOG_LEVEL": log_level or c["log_level"],
            "LOG_INSTALL_ROOT_HANDLER": True,
            "CLUSTERWATCH_PROGRESS": progress,
            "CLUSTERWATCH_ALLOW_NETWORKS": networks_setting(c["allow_private_addresses"]),
            "CLUSTERWATCH_MAX_TEXT_CHARS": c["max_text_chars"],
        },
        priority="cmdline",
    )
    return settings


def crawl(config: Config, sources: list[Source], *, full: bool = False,
          log_level: str | None = None, progress: bool = False) -> list[dict[str, Any]]:
    """Crawl the sources once, concurrently; return one crawl-run row per source."""
    batch = uuid.uuid4().hex
    settings = settings_for(config, log_level=log_level, progress=progress)
    # Creating the dataset (and running migrations) before the spiders open keeps them from
    # racing each other to migrate.
    Store(config.database).close()
    process = CrawlerProcess(settings)
    for source in sources:
        process.crawl(spider_class(source), db=str(config.database), batch=batch, full=full)
    process.start()
    try:
        store = Store(config.database)
    except StoreError:
        # The dataset cannot be written any more (full disk): report what the spiders recorded.
        conn = connect_readonly(config.database)
        try:
            return list(rows(conn, "SELECT * FROM crawl_runs WHERE batch = ? ORDER BY id", (batch,)))
        finally:
            conn.close()
    try:
        runs = {r["source"]: r for r in store.runs(batch)}
        for run in runs.values():
            if run["status"] == "running":  # the spider could not record its end (e.g. the disk was full)
                store.conn.execute(
                    "UPDATE crawl_runs SET status = 'failed', finished = ?, errors = errors + 1,"
                    " error_messages = ? WHERE id = ?",
                    (now_iso(), json.dumps(["the crawl could not record its end (see the log)"]), run["id"]))
        for source in sources:
            if source.name not in runs:
                run_id = store.start_run(source.name, batch)
                store.finish_run(run_id, {"errors": 1}, ["the crawl did not start (see the log)"], "failed")
        return store.runs(batch)
    except sqlite3.Error as exc:
        raise StoreError(f"dataset {config.database}: cannot record the crawl's end: {exc}") from None
    finally:
        store.close()
