"""Long-lived crawl workers: many crawls in one reactor, handed over as jobs.

A fresh process per crawl cost about 1.2 s of CPU and 142 MB for one small feed, almost all of it
start-up, which capped one machine at about 1.6 polls a second. A worker is a process that starts
once and runs each crawl it is given as one more spider in its reactor (as `clusterwatch crawl`
does for several sources at once).

The parent (``WorkerPool``, used by the service and the demo) and a worker talk through a
``multiprocessing`` pipe: ("crawl", job, source, time limit, full) one way, ("done", job, memory)
back. What a crawl did is read from the dataset, where the spider records it in ``crawl_runs``
under the job's id as its batch; nothing a child prints is parsed.

Isolation stays what a process per crawl gave:
- a per-crawl time limit: the worker closes the spider (recorded as failed, with what it stored);
- a worker is retired after ``max_crawls`` crawls or when its memory passes ``max_memory_mb``,
  once its running crawls have ended, and a new one takes its place;
- a worker that does not end a crawl within its time limit plus a grace (a hung reactor) is
  killed; its running crawls are recorded as failed and handed once more to a new worker;
- the same source never runs twice at once: the pool refuses a second job for a source it runs,
  and each crawl holds the source's lock file (another process crawling it is told so).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import multiprocessing
import os
import sqlite3
import threading
import time
import uuid
import weakref
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from crawler.pipelines import run_timed_out
from crawler.store import RUN_COUNTS, Store, StoreError, now_iso

# A crawl the worker did not end this long after its time limit means the worker itself is stuck.
HANG_GRACE = 30.0
_CTX = multiprocessing.get_context("spawn")  # the service is threaded: no fork


def rss_mb() -> float:
    """This process's resident memory now (not its peak: a worker that freed memory is fine)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # not Linux: the peak is the best there is
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the worker process --------------------------------------------------------------------------


def worker_main(conn: Connection, config_path: str | None, database: str, log_level: str,
                memory_limit_mb: int) -> None:
    """A worker's whole life: a reactor, a CrawlerRunner, crawls started as they arrive.

    The parent stops it through the pipe: a terminal's Ctrl-C or a SIGTERM sent to the whole
    group is the parent's to act on. A worker that cannot start says why in one line and exits;
    the pool records its crawls as failed.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _die_with_parent()
    # One BLAS thread: a worker computes small signatures, and OpenBLAS's per-thread buffers
    # under an address-space limit made numpy's import spin instead of fail.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        _serve_jobs(conn, config_path, database, log_level, memory_limit_mb)
    except BaseException as exc:  # noqa: BLE001 - the process ends here either way
        os.write(2, f"clusterwatch crawl worker: {type(exc).__name__}: {exc}\n".encode()[:500])
        os._exit(1)


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when the process that started it dies, however it died."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass  # elsewhere: a closed pipe still ends the worker (read() below)


def _serve_jobs(conn: Connection, config_path: str | None, database: str, log_level: str,
                memory_limit_mb: int) -> None:
    if memory_limit_mb:
        import resource

        # A backstop only: the pool retires a worker at its (lower) memory ceiling first.
        limit = memory_limit_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from scrapy.utils.log import configure_logging
    from scrapy.utils.reactor import install_reactor

    from crawler import fingerprint

    # What every crawl needs is loaded now, under the limit: a worker that cannot hold it fails
    # at its start, rather than losing the items of a crawl that first computes a signature.
    fingerprint.signature(["wort"] * fingerprint.MIN_WORDS_NEAR)

    from crawler import settings as default_settings

    install_reactor(default_settings.TWISTED_REACTOR)
    from scrapy.crawler import CrawlerRunner
    from twisted.internet import reactor as _reactor

    from crawler.config import load_config
    from crawler.locks import LockHeld, crawl_lock_path, held
    from crawler.runner import settings_for, spider_class

    reactor: Any = _reactor  # the installed one; its interfaces are not what mypy sees
    config = load_config(config_path, db=database)
    settings = settings_for(config, log_level=log_level)
    configure_logging(settings)  # LOG_INSTALL_ROOT_HANDLER is set by settings_for
    runner = CrawlerRunner(settings)
    Store(config.database).close()  # migrations before any spider opens
    send_lock = threading.Lock()

    def send(message: tuple) -> None:
        with send_lock:
            with contextlib.suppress(OSError, EOFError):
                conn.send(message)

    def start(job: str, name: str, limit: float, full: bool) -> None:
        locks = contextlib.ExitStack()
        try:
            source = config.source(name)
            locks.enter_context(held(crawl_lock_path(config.database, name)))
        except LockHeld as exc:
            locks.close()
            send(("skipped", job, exc.pid))  # not stored: the other process's run is the record
            return
        except Exception as exc:  # an unknown source, an unreadable lock: the job fails, the worker goes on
            locks.close()
            record_failure(str(config.database), name, job, f"crawl did not start: {exc}")
            send(("done", job, rss_mb()))
            return
        crawler = runner.create_crawler(spider_class(source))
        answered: list[bool] = []

        def answer() -> None:
            if not answered:
                answered.append(True)
                send(("done", job, rss_mb()))

        def time_is_up() -> None:
            spider: Any = crawler.spider
            if spider is None or crawler.engine is None:
                return
            message = f"crawl stopped after the time limit of {limit:.0f} s"
            # Recorded now, not when the spider has closed: closing waits for the requests in
            # flight, which a hanging server answers only at the download timeout.
            crawler.signals.send_catch_log(signal=run_timed_out, message=message)
            crawler.engine.close_spider(spider, "time_limit").addErrback(lambda _: None)
            answer()

        timer = reactor.callLater(limit, time_is_up)

        def finished(result: Any) -> Any:
            if timer.active():
                timer.cancel()
            locks.close()  # only now may the source be crawled again
            answer()
            return None  # a spider's failure is in its run; the reactor goes on

        deferred = runner.crawl(crawler, db=str(config.database), batch=job, full=full)
        deferred.addBoth(finished)

    def read() -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):  # the parent is gone: nothing more will come
                # If the reactor is not running (or stuck), nothing would ever stop this process.
                threading.Timer(15, os._exit, args=(0,)).start()
                message = ("exit",)
            if message[0] == "crawl":
                reactor.callFromThread(start, *message[1:])
            elif message[0] == "exit":
                reactor.callFromThread(stop)
                return

    def stop() -> None:
        # Running spiders close as "shutdown": their runs are recorded as interrupted.
        runner.stop().addBoth(lambda _: reactor.stop())

    threading.Thread(target=read, daemon=True, name="jobs").start()
    send(("ready", os.getpid()))
    reactor.run(installSignalHandlers=False)


# --- recording what a worker could not ------------------------------------------------------------


def record_failure(database: str, source: str, job: str, message: str, *, status: str = "failed") -> None:
    """Close the job's run as failed (a killed worker leaves it 'running'), or write one."""
    store = Store(database)
    try:
        store.conn.execute(
            "UPDATE crawl_runs SET status = ?, finished = ?, errors = errors + 1,"
            " error_messages = json_insert(error_messages, '$[#]', ?) WHERE batch = ? AND status = 'running'",
            (status, now_iso(), message, job))
        if not store.conn.execute("SELECT changes()").fetchone()[0] and not store.runs(job):
            run_id = store.start_run(source, job)
            store.finish_run(run_id, {"errors": 1}, [message], status)
    finally:
        store.close()


# --- the parent's side -----------------------------------------------------------------------------


@dataclass
class _Job:
    id: str
    source: str
    limit: float
    full: bool
    future: Future[dict[str, Any]]
    started: float = 0.0
    attempts: int = 0


@dataclass
class _Worker:
    process: Any
    conn: Connection
    jobs: dict[str, _Job] = field(default_factory=dict)
    crawls: int = 0
    memory_mb: float = 0.0
    retiring: bool = False


# Every pool not closed yet. Workers ignore SIGTERM (the service stops them through the pipe), so
# multiprocessing's own exit handler, which terminates daemonic children and then joins them, would
# wait for them forever: a process that exits without closing its pool would never end.
_OPEN_POOLS: weakref.WeakSet[WorkerPool] = weakref.WeakSet()


@atexit.register  # registered after multiprocessing's handler, so it runs before it
def _kill_leftover_workers() -> None:
    for pool in list(_OPEN_POOLS):
        for w in list(pool.workers):
            with contextlib.suppress(Exception):
                if w.process.is_alive():
                    w.process.kill()
                    w.process.join(5)


class WorkerPool:
    """Hands crawls to ``size`` long-lived workers; ``crawl`` returns the run's row (never raises)."""

    def __init__(self, config_path: str | None, database: str | Path, *, size: int = 1, max_crawls: int = 500,
                 max_memory_mb: int = 1024, memory_limit_mb: int = 0, log_level: str = "CRITICAL",
                 hang_grace: float = HANG_GRACE):
        self.config_path = config_path
        self.database = str(database)
        self.size = size
        self.max_crawls = max_crawls
        self.max_memory_mb = max_memory_mb
        self.memory_limit_mb = memory_limit_mb
        self.log_level = log_level
        self.hang_grace = hang_grace
        self.workers: list[_Worker] = []
        self.lock = threading.RLock()
        self.running_sources: set[str] = set()
        self.closed = False
        self.started_workers = 0
        self._watch = threading.Thread(target=self._watchdog, daemon=True, name="worker-watchdog")
        self._watch.start()
        _OPEN_POOLS.add(self)

    # --- public -------------------------------------------------------------------------------

    def submit(self, source: str, limit: float, *, full: bool = False) -> Future[dict[str, Any]]:
        future: Future[dict[str, Any]] = Future()
        job = _Job(uuid.uuid4().hex, source, limit, full, future)
        with self.lock:
            if self.closed:  # stopping: no new worker may be started for it
                future.set_result(_skipped_row(source, job.id, "interrupted: the service stopped",
                                               status="interrupted"))
                return future
            if source in self.running_sources:
                # Never twice at once: the running crawl will see whatever this one would have.
                future.set_result(_skipped_row(source, job.id, "skipped: a crawl of this source is running"))
                return future
            self.running_sources.add(source)
            self._dispatch(job)
        return future

    def crawl(self, source: str, limit: float, *, full: bool = False) -> dict[str, Any]:
        return self.submit(source, limit, full=full).result()

    def close(self, grace: float = 10.0) -> None:
        """Ask every worker to end (running crawls are closed as interrupted); kill what remains."""
        with self.lock:
            self.closed = True
            workers = list(self.workers)
        for w in workers:
            with contextlib.suppress(OSError, ValueError):
                w.conn.send(("exit",))
        deadline = time.monotonic() + grace
        for w in workers:
            w.process.join(max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            self._worker_gone(w, "interrupted: the service stopped", retry=False, status="interrupted")

    # --- workers ------------------------------------------------------------------------------

    def _start_worker(self) -> _Worker:
        parent, child = _CTX.Pipe()
        process = _CTX.Process(target=worker_main, name="clusterwatch-worker", daemon=True,
                               args=(child, self.config_path, self.database, self.log_level, self.memory_limit_mb))
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self.workers.append(worker)
        self.started_workers += 1
        threading.Thread(target=self._listen, args=(worker,), daemon=True, name="worker-listener").start()
        return worker

    def _dispatch(self, job: _Job) -> None:
        with self.lock:
            candidates = [w for w in self.workers if not w.retiring and w.process.is_alive()]
            if len(candidates) < self.size:
                worker = self._start_worker()
            else:
                worker = min(candidates, key=lambda w: len(w.jobs))
            job.started = time.monotonic()
            job.attempts += 1
            worker.jobs[job.id] = job
            worker.crawls += 1
            if worker.crawls >= self.max_crawls:
                worker.retiring = True  # takes no more jobs; ends when its crawls have
            try:
                worker.conn.send(("crawl", job.id, job.source, job.limit, job.full))
            except (OSError, ValueError):
                pass  # the listener sees the worker gone and handles its jobs

    def _listen(self, worker: _Worker) -> None:
        while True:
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                break
            if message[0] == "skipped":
                _, job_id, pid = message
                with self.lock:
                    job = worker.jobs.pop(job_id, None)
                if job is not None:
                    self._finish(job, _skipped_row(
                        job.source, job.id, f"skipped: another crawl of {job.source} is running (process {pid})"))
            elif message[0] == "done":
                _, job_id, memory = message
                with self.lock:
                    worker.memory_mb = memory
                    if memory > self.max_memory_mb:
                        worker.retiring = True
                    job = worker.jobs.pop(job_id, None)
                    if worker.retiring and not worker.jobs:
                        with contextlib.suppress(OSError, ValueError):
                            worker.conn.send(("exit",))
                if job is not None:
                    self._finish(job)
        worker.process.join(5)
        self._worker_gone(worker, f"crawl process exited with status {worker.process.exitcode}"
                                  " (the crawl worker; see the log)")

    def _worker_gone(self, worker: _Worker, message: str, *, retry: bool = True, status: str = "failed") -> None:
        with self.lock:
            if worker in self.workers:
                self.workers.remove(worker)
            orphans = list(worker.jobs.values())
            worker.jobs.clear()
        for job in orphans:
            try:
                record_failure(self.database, job.source, job.id, message, status=status)
            except (StoreError, sqlite3.Error) as exc:  # the dataset itself is the problem: say so in the row
                message = f"{message}; the run could not be recorded: {exc}"
            if retry and job.attempts < 2 and not self.closed:
                # Once more, in a fresh worker, under a new id: the failed run stays on record.
                with self.lock:
                    retried = _Job(uuid.uuid4().hex, job.source, job.limit, job.full, job.future,
                                   attempts=job.attempts)
                    self._dispatch(retried)
            else:
                self._finish(job, message=message)

    def _finish(self, job: _Job, row: dict[str, Any] | None = None, message: str = "") -> None:
        try:
            row = row or _run_row(self.database, job.id, job.source)
        except (StoreError, sqlite3.Error) as exc:
            row = _skipped_row(job.source, job.id, f"{message or 'the crawl ended'}; its run cannot be read: {exc}",
                               status="failed")
        row["seconds"] = round(time.monotonic() - job.started, 1)
        with self.lock:
            self.running_sources.discard(job.source)
        if not job.future.done():
            job.future.set_result(row)

    def _watchdog(self) -> None:
        """Kill a worker whose crawl outlived its time limit by ``hang_grace``: its reactor is stuck."""
        while not self.closed:
            time.sleep(0.5)
            now = time.monotonic()
            with self.lock:
                hung = [w for w in self.workers
                        if any(now - j.started > j.limit + self.hang_grace for j in w.jobs.values())]
            for w in hung:
                with contextlib.suppress(Exception):
                    w.process.kill()
                # The listener sees the pipe close and records, retries or finishes the worker's jobs.


def _run_row(database: str, job: str, source: str) -> dict[str, Any]:
    store = Store(database)
    try:
        runs = store.runs(job)
    finally:
        store.close()
    if runs:
        return runs[-1]
    return _skipped_row(source, job, "the crawl left no record (see the log)", status="failed")


def _skipped_row(source: str, job: str, message: str, *, status: str = "skipped") -> dict[str, Any]:
    return {"id": None, "batch": job, "source": source, "started": now_iso(), "finished": now_iso(),
            "status": status, **dict.fromkeys(RUN_COUNTS, 0), "error_messages": json.dumps([message])}
