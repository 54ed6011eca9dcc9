"""The background service: `clusterwatch run`.

APScheduler keeps one job per source (its ``every`` interval or ``cron`` expression, with jitter)
in a persistent SQLite job store, so schedules, last runs and missed runs survive restarts;
missed runs are coalesced and a source never runs twice at once. A crawl is a job handed to a
long-lived worker process (crawler.worker) that runs many spiders in one reactor, with a time
limit per crawl; a hung or memory-hungry worker is replaced without taking the service down
(a process per crawl cost 1.2 s of CPU, almost all start-up). After each crawl, detection and delivery run
for what is new, one at a time.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from typing import Any

from crawler.config import Config, ServiceSettings, load
from crawler.locks import LockHeld, held, service_lock_path
from crawler.sources import Source
from crawler.store import Store, StoreError

log = logging.getLogger("clusterwatch")

MEMORY_LIMIT_ENV = "CLUSTERWATCH_CRAWL_MEMORY_MB"
_work_lock = threading.Lock()  # detection and delivery, one at a time
_pool: Any = None  # the service's crawl workers (crawler.worker.WorkerPool), made at the first crawl
_pool_lock = threading.Lock()
QUIET_AFTER_CRAWL = 60.0
_last_after = float("-inf")
_stopping = threading.Event()  # SIGTERM or Ctrl-C: finish nothing new
# After SIGTERM a crawl gets this long to record its run before it is killed: the service must
# stop within 10 s (systemd's and a container runtime's patience), even while a crawl waits on a
# server that takes its full timeout to answer.
STOP_GRACE = 4.0


# --- logging ------------------------------------------------------------------------------------


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname.lower(),
                "message": record.getMessage()}
        data.update(getattr(record, "fields", {}))
        return json.dumps(data, ensure_ascii=False)


def setup_logging(fmt: str, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    log.setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


# --- crawls, handed to long-lived workers ---------------------------------------------------------


def make_pool(config: Config, settings: ServiceSettings) -> Any:
    """The workers that run this service's crawls (crawler.worker): started once, not per crawl."""
    from crawler.worker import WorkerPool

    return WorkerPool(str(config.path) if config.path else None, config.database, size=settings.crawl_workers,
                      max_crawls=settings.worker_max_crawls, max_memory_mb=settings.worker_max_memory_mb,
                      memory_limit_mb=settings.max_crawl_memory_mb)


def _get_pool(config: Config, settings: ServiceSettings) -> Any:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = make_pool(config, settings)
        return _pool


# --- the cycle ---------------------------------------------------------------------------------


def log_run(run: dict[str, Any]) -> None:
    messages = run.get("error_messages")
    if isinstance(messages, str):
        messages = json.loads(messages)
    first_error = next((m for m in messages or [] if not m.startswith("warning:")), "")
    fields = {k: run.get(k) for k in ("source", "status", "pages", "new", "updated", "duplicates", "errors",
                                      "seconds")}
    fields["error"] = first_error
    level = logging.INFO if run.get("status") == "ok" else logging.WARNING
    log.log(level, "crawl %(source)s: %(status)s pages=%(pages)s new=%(new)s updated=%(updated)s "
            "duplicates=%(duplicates)s errors=%(errors)s%(tail)s",
            {**fields, "tail": f" ({first_error})" if first_error else ""}, extra={"fields": fields})


def after_crawl(config: Config) -> bool:
    """Detection, admin health notices and delivery for what is new; True when delivery succeeded."""
    from monitor.alerts.outbox import deliver
    from monitor.cycle import run_detection

    with _work_lock:
        stats = run_detection(config)
        if stats["new_events"]:
            log.info("detect: %d new event(s), %d milestone(s)", stats["new_events"], stats["milestones"],
                     extra={"fields": stats})
        health_notices(config)
        report = deliver(config, due_only=True)
        if report.sent or not report.ok:
            log.log(logging.INFO if report.ok else logging.WARNING,
                    "notify: sent=%d failed=%d rejected=%d", report.sent, report.failed, report.rejected,
                    extra={"fields": {"sent": report.sent, "failed": report.failed, "rejected": report.rejected}})
        for message in report.messages:
            log.warning("notify: %s", message)
        return report.ok


def health_notices(config: Config) -> None:
    from monitor.alerts.health import queue_health_notices

    queue_health_notices(config)


_config_cache: dict[tuple[str | None, str], tuple[Any, Config]] = {}
_config_cache_lock = threading.Lock()


def _file_state(config_path: str | None) -> Any:
    if config_path is None:
        return None  # the built-in defaults do not change while the service runs
    try:
        st = os.stat(config_path)
    except OSError:
        return object()  # never equal: load() reports the problem
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def cycle_config(config_path: str | None, database: str) -> Config:
    """The configuration for one crawl cycle: read again only when the file changed.

    An edited file applies to the next cycle, as before; an unchanged one is not parsed again
    for every poll (with 3,000 sources a parse took 160 ms of CPU, more than the poll itself).
    """
    key = (config_path, database)
    state = _file_state(config_path)
    with _config_cache_lock:
        cached = _config_cache.get(key)
    if cached is not None and (config_path is None or cached[0] == state):
        return cached[1]
    config = load(config_path, db=database)
    with _config_cache_lock:
        _config_cache[key] = (state, config)
    return config


def crawl_job(config_path: str | None, database: str, source: str) -> None:
    """A scheduled job (module-level so the persistent job store can name it)."""
    config = cycle_config(config_path, database)  # an edited file applies to the next cycle
    settings = config.service
    if _stopping.is_set():
        return
    run = _get_pool(config, settings).crawl(source, settings.crawl_timeout)
    log_run(run)
    if _stopping.is_set():
        return  # detection and delivery could outlast the stop; the next start does them
    global _last_after
    quiet = run.get("status") == "ok" and not run.get("new") and not run.get("updated")
    if quiet and time.monotonic() - _last_after < QUIET_AFTER_CRAWL:
        # An unchanged feed (a 304) brought nothing to detect; due deliveries and health notices
        # wait at most QUIET_AFTER_CRAWL. Running them after every poll serialised the polls
        # (one at a time, 0.5 s each: under 2 polls a second).
        return
    _last_after = time.monotonic()
    try:
        after_crawl(config)
    except Exception as exc:  # the schedule must go on; the next cycle retries
        log.error("after crawl of %s: %s: %s", source, type(exc).__name__, exc)


def digest_job(config_path: str | None, database: str) -> None:
    from monitor.alerts.digest import queue_digests

    config = load(config_path, db=database)
    with _work_lock:
        queued = queue_digests(config)
    if queued:
        log.info("digest: %d queued", queued)
    after_crawl(config)


def run_once(config: Config) -> int:
    """Every enabled source at once, each within its own time limit, then detection, then
    delivery. 0 when all of it succeeded.

    The crawls run side by side in the worker(s), so the run takes about as long as its slowest
    source, not the sum of all; two sources on one site still take turns (crawler.hostgate).
    """
    settings = config.service
    Store(config.database).close()  # a dataset that cannot be written is reported here, in one line
    pool = make_pool(config, settings)
    try:
        jobs = [pool.submit(s.name, settings.crawl_timeout) for s in config.sources if s.enabled]
        runs = [job.result() for job in jobs]
    finally:
        # Every run is recorded by now; a spider still closing (waiting on a server past its
        # time limit) has nothing left to record.
        pool.close(1.0)
    ok = True
    for run in runs:  # the per-source summary, in the configuration's order
        log_run(run)
        # A source the service is crawling right now was skipped, and said so: not a failure.
        ok = ok and run.get("status") in ("ok", "skipped")
    delivered = after_crawl(config)
    return 0 if ok and delivered else 1


def _trigger(source: Source) -> Any:
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    if source.cron:
        return CronTrigger.from_crontab(source.cron, timezone="Europe/Berlin")
    return IntervalTrigger(seconds=source.every, jitter=int(source.jitter) or None, timezone="Europe/Berlin")


class ServiceRunning(StoreError):
    pass


def serve(config: Config) -> int:
    """Run until SIGTERM or SIGINT; returns the exit status.

    One service per dataset: a second would crawl every source again on its own schedule (each
    crawl appeared twice in crawl_runs), so it is refused, naming the first one's process.
    """
    Store(config.database).close()  # migrations run on start; a missing folder is reported here
    from monitor.detection import check_models

    check_models()  # and a broken installation, before the first poll
    try:
        with held(service_lock_path(config.database)):
            return _serve(config)
    except LockHeld as exc:
        raise ServiceRunning(f"another 'clusterwatch run' (process {exc.pid}) already serves {config.database};"
                             " stop it first, or give this one another --db") from None


def _serve(config: Config) -> int:
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    settings = config.service
    settings.jobs_db.parent.mkdir(parents=True, exist_ok=True)
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{settings.jobs_db}")},
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 24 * 3600},
        timezone="Europe/Berlin",
    )
    config_path = str(config.path) if config.path else None
    database = str(config.database)
    scheduler.start(paused=True)
    wanted = set()
    for source in config.sources:
        if not source.enabled:
            continue
        job_id = f"crawl:{source.name}"
        wanted.add(job_id)
        existing = scheduler.get_job(job_id)
        trigger = _trigger(source)
        if existing is None or str(existing.trigger) != str(trigger):
            # A new source runs right away; a re-timed one keeps its pending run, if any.
            first = existing.next_run_time if existing is not None and existing.next_run_time else _now()
            scheduler.add_job(crawl_job, trigger, args=[config_path, database, source.name], id=job_id,
                              name=f"crawl {source.name}", replace_existing=True, next_run_time=first)
    hour, minute = settings.digest_time.split(":")
    scheduler.add_job(digest_job, CronTrigger(hour=int(hour), minute=int(minute), timezone="Europe/Berlin"),
                      args=[config_path, database], id="digests", name="digests", replace_existing=True)
    wanted.add("digests")
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            job.remove()  # a source removed from the configuration
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        log.info("received %s: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info("clusterwatch service started: %d source(s), dataset %s, jobs %s",
             len(wanted) - 1, config.database, settings.jobs_db)
    scheduler.resume()
    while not stop.wait(1.0):
        pass
    _stopping.set()
    scheduler.pause()
    _stop_children(STOP_GRACE)
    scheduler.shutdown(wait=True)
    log.info("clusterwatch service stopped")
    return 0


def _stop_children(grace: float) -> None:
    """Stop the workers: their running crawls close as interrupted (recorded by the spiders),
    a worker still running after ``grace`` seconds is killed and its crawls recorded so."""
    with _pool_lock:
        pool = _pool
    if pool is not None:
        pool.close(grace)


def _now() -> Any:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/Berlin"))
