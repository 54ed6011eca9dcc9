"""The background service: `clusterwatch run`.

APScheduler keeps one job per source (its ``every`` interval or ``cron`` expression, with jitter)
in a persistent SQLite job store, so schedules, last runs and missed runs survive restarts;
missed runs are coalesced and a source never runs twice at once. Each crawl runs in a child
process (Scrapy's reactor cannot be restarted in one process, and a hung or memory-hungry spider
must not take the service down) with a time limit. After each crawl, detection and delivery run
for what is new, one at a time.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from crawler.config import Config, load
from crawler.locks import LockHeld, held, service_lock_path
from crawler.sources import Source
from crawler.store import Store, StoreError, now_iso

log = logging.getLogger("clusterwatch")

MEMORY_LIMIT_ENV = "CLUSTERWATCH_CRAWL_MEMORY_MB"
_work_lock = threading.Lock()  # detection and delivery, one at a time
_running: dict[str, subprocess.Popen[str]] = {}
_running_lock = threading.Lock()
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


# --- one crawl in a child process ------------------------------------------------------------


def crawl_in_child(config_path: str | None, database: str, source: str, timeout: float,
                   memory_mb: int = 2048) -> dict[str, Any]:
    """Crawl one source in a child process; return its crawl-run row (never raises).

    The child gets a time limit and an address-space limit, so a hung or memory-hungry spider
    ends as a failed run of its source instead of taking the service down.
    """
    args = [sys.executable, "-m", "monitor", "--db", database]
    if config_path:
        args += ["--config", config_path]
    args += ["crawl", source, "--json"]
    started = time.monotonic()
    # The child sets its own limit (`crawl` reads the variable): a preexec_fn could deadlock
    # a child forked from this threaded process.
    env = {**os.environ, MEMORY_LIMIT_ENV: str(memory_mb)}
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)  # its own group: a terminal's Ctrl-C is ours to pass on
    with _running_lock:
        _running[source] = proc
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(proc)
        return _record_failure(database, source, f"crawl stopped after the time limit of {timeout:.0f} s")
    finally:
        with _running_lock:
            _running.pop(source, None)
    try:
        runs = json.loads(out)
        run = runs[0]
        run["seconds"] = round(time.monotonic() - started, 1)
        return run
    except (json.JSONDecodeError, IndexError, KeyError):
        if _stopping.is_set():  # killed when its grace ran out: the service stopped it, not a fault
            return _record_failure(database, source, "interrupted: the service stopped", status="interrupted")
        last = (err.strip().splitlines() or ["no output"])[-1][:300]
        return _record_failure(database, source, f"crawl process exited with status {proc.returncode}: {last}")


def _stop(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def _record_failure(database: str, source: str, message: str, *, status: str = "failed") -> dict[str, Any]:
    store = Store(database)
    try:
        # A killed child leaves its run 'running'; close it as failed so health sees it.
        store.conn.execute(
            "UPDATE crawl_runs SET status = ?, finished = ?, errors = errors + 1, error_messages = ?"
            " WHERE source = ? AND status = 'running'", (status, now_iso(), json.dumps([message]), source))
        if not store.conn.execute("SELECT changes()").fetchone()[0]:
            run_id = store.start_run(source)
            store.finish_run(run_id, {"errors": 1}, [message], status)
        return dict(store.recent_runs(source, 1)[0])
    finally:
        store.close()


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


def crawl_job(config_path: str | None, database: str, source: str) -> None:
    """A scheduled job (module-level so the persistent job store can name it)."""
    config = load(config_path, db=database)  # once per cycle: an edited file applies to the next one
    settings = config.service
    run = crawl_in_child(config_path, database, source, settings.crawl_timeout, settings.max_crawl_memory_mb)
    log_run(run)
    if _stopping.is_set():
        return  # detection and delivery could outlast the stop; the next start does them
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
    """Every enabled source, then detection, then delivery. 0 when all of it succeeded."""
    settings = config.service
    config_path = str(config.path) if config.path else None
    ok = True
    for source in [s for s in config.sources if s.enabled]:
        run = crawl_in_child(config_path, str(config.database), source.name, settings.crawl_timeout,
                             settings.max_crawl_memory_mb)
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
    """SIGTERM to every running crawl (Scrapy closes its spider, which records the run as
    interrupted), SIGKILL to those still running after ``grace`` seconds."""
    with _running_lock:
        children = list(_running.values())
    for proc in children:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(proc.poll() is None for proc in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    for proc in children:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


def _now() -> Any:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/Berlin"))
