"""Running crawls: configured sources in, crawl-run rows out.

Scrapy's reactor runs once per process, so ``crawl`` is meant to be called once per process
(the command line does; the service starts a child process per crawl).
"""

from __future__ import annotations

import importlib
import json
import os
import sqlite3
import uuid
from contextlib import ExitStack
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as default_settings
from crawler.config import Config, scrapy_settings
from crawler.locks import LockHeld, crawl_lock_path, held
from crawler.pipelines import run_aborted
from crawler.sources import KINDS, Source
from crawler.spiders.base import SourceSpider
from crawler.store import RUN_COUNTS, Store, StoreError, connect_readonly, now_iso, rows


class _Process(CrawlerProcess):
    """Scrapy's process, saying what a Ctrl-C does, and recording every run before a second
    Ctrl-C stops the reactor (which would otherwise end without closing the spiders)."""

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        # os.write: a signal handler must not use a stream the interrupted code may be writing to.
        os.write(2, b"stopping (Ctrl-C again to abort)\n")
        super()._signal_shutdown(signum, frame)

    def _signal_kill(self, signum: int, frame: Any) -> None:
        from twisted.internet import reactor

        reactor.callFromThread(self._record_aborted)  # before the reactor stops: calls run in order
        super()._signal_kill(signum, frame)

    def _record_aborted(self) -> None:
        # Each crawler's store pipeline records its run as interrupted (crawler.pipelines).
        for crawler in self.crawlers:
            crawler.signals.send_catch_log(signal=run_aborted, how="aborted by a second Ctrl-C")


def spider_class(source: Source) -> type[SourceSpider]:
    module_name, _, class_name = KINDS[source.kind].spider.rpartition(".")
    base = getattr(importlib.import_module(module_name), class_name)
    # The source's own max_pages is applied by SourceSpider.update_settings.
    safe = "".join(ch if ch.isalnum() else "_" for ch in source.name)
    return type(f"{class_name}_{safe}", (base,), {"name": source.name, "source": source, "custom_settings": {}})


def config_settings(config: Config) -> dict[str, Any]:
    """The Scrapy settings the configuration's [crawler] section and sources stand for; the same
    for `clusterwatch crawl` and `scrapy crawl NAME` (``crawler.spiderloader``)."""
    return {
        **scrapy_settings(config.crawler),
        "CLUSTERWATCH_DB": str(config.database),
        "CLUSTERWATCH_AGGREGATORS": [s.name for s in config.sources if s.aggregator],
    }


def settings_for(config: Config, *, log_level: str | None = None, progress: bool = False) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.setdict(
        {
            **config_settings(config),
            "LOG_LEVEL": log_level or config.crawler.log_level,
            "LOG_INSTALL_ROOT_HANDLER": True,
            "CLUSTERWATCH_PROGRESS": progress,
            # The spiders are handed to the process as classes made from this configuration; the
            # project's loader (crawler.spiderloader, for `scrapy crawl NAME`) would read the
            # configuration file a second time, and search for it on its own.
            "SPIDER_LOADER_CLASS": "scrapy.spiderloader.SpiderLoader",
        },
        priority="cmdline",
    )
    return settings


def crawl(config: Config, sources: list[Source], *, full: bool = False,
          log_level: str | None = None, progress: bool = False) -> list[dict[str, Any]]:
    """Crawl the sources once, concurrently; return one crawl-run row per source.

    A source another process is crawling (the service, a second `crawl`) is skipped, with a row
    saying so that is not stored: two crawls of one source would fetch everything twice.
    """
    batch = uuid.uuid4().hex
    settings = settings_for(config, log_level=log_level, progress=progress)
    # Creating the dataset (and running migrations) before the spiders open keeps them from
    # racing each other to migrate.
    Store(config.database).close()
    with ExitStack() as locks:
        skipped = []
        for source in sources:
            try:
                locks.enter_context(held(crawl_lock_path(config.database, source.name)))
            except LockHeld as exc:
                skipped.append(skipped_run(source.name, batch, exc.pid))
        mine = [s for s in sources if s.name not in {r["source"] for r in skipped}]
        if mine:
            process = _Process(settings)
            for source in mine:
                process.crawl(spider_class(source), db=str(config.database), batch=batch, full=full)
            process.start()
    return _recorded_runs(config, mine, batch) + skipped


def skipped_run(source: str, batch: str, pid: str) -> dict[str, Any]:
    """The row shown for a source left alone because another process is crawling it."""
    message = f"skipped: another crawl of {source} is running (process {pid})"
    return {"id": None, "batch": batch, "source": source, "started": now_iso(), "finished": now_iso(),
            "status": "skipped", **dict.fromkeys(RUN_COUNTS, 0), "error_messages": json.dumps([message])}


def _recorded_runs(config: Config, sources: list[Source], batch: str) -> list[dict[str, Any]]:
    if not sources:
        return []
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
