"""The `clusterwatch` command line: a thin layer over library functions.

Library code raises ``ClusterwatchError`` (``crawler/errors.py``) and its subclasses; the command
group (``Commands.invoke``) is the one place that turns them into one-line messages that say how to
fix the problem, and a non-zero exit status. A traceback reaching a user is a bug. Every command
is defined here, ``export``, ``browse`` and ``backfill`` included: ``monitor/export.py`` and
``monitor/backfill.py`` hold the library code they call, and import nothing from this module.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import click
from tabulate import tabulate

from crawler.config import Config, load
from crawler.errors import ClusterwatchError
from crawler.store import connect_readonly, require_dataset, sqlite_code, sqlite_uri
from monitor.export import FORMATS, WHATS
from monitor.querylimit import query_limit, timeout_option


class State:
    def __init__(self, config_path: str | None, db: str | None):
        self.config_path = config_path
        self.db = db
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:  # read once per command, on first use
            self._config = load(self.config_path, db=self.db)
        return self._config

    @property
    def existing(self) -> Config:
        """The configuration, for a command that reads the dataset: it must exist already."""
        require_dataset(self.config.database)
        return self.config


def _set_state(attr: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None:
            setattr(ctx.find_object(State), attr, value)
        return value

    return callback


def dataset_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--config and --db also after the command name, where users tend to type them."""
    func = click.option("--db", type=click.Path(dir_okay=False), expose_value=False,
                        callback=_set_state("db"), help="Dataset file; overrides 'database'.")(func)
    return click.option("--config", type=click.Path(dir_okay=False), expose_value=False,
                        callback=_set_state("config_path"), help="Configuration file.")(func)


class Commands(click.Group):
    """The command group, and the one place where a ``ClusterwatchError`` from any command
    becomes click's one-line "Error: ..." with exit status 1 (sqlite-utils' pattern)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClusterwatchError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clusterwatch")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="CLUSTERWATCH_CONFIG",
              help="Configuration file (default: $CLUSTERWATCH_CONFIG, ./clusterwatch.toml, built-in).")
@click.option("--db", type=click.Path(dir_okay=False), help="Dataset file; overrides 'database'.")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, db: str | None) -> None:
    """Watch German cluster-policy sites for membership milestones.

    \b
    Example:
        clusterwatch demo                  # the whole product, offline, on the bundled snapshot
        clusterwatch crawl                 # crawl every enabled source once
        clusterwatch detect && clusterwatch notify
        clusterwatch milestones --programme go-cluster
        clusterwatch run                   # as a service
    """
    ctx.obj = State(config_path, db)


@cli.command()
@click.argument("names", nargs=-1)
@click.option("--full", is_flag=True, help="Fetch known articles again (ignore the incremental state).")
@click.option("--json", "as_json", is_flag=True, help="Print the crawl runs as JSON.")
@click.option("-v", "--verbose", count=True, help="Show Scrapy's log (-v: INFO, -vv: DEBUG).")
@click.option("-q", "--quiet", is_flag=True, help="No progress line, even on a terminal.")
@dataset_options
@click.pass_obj
def crawl(state: State, names: tuple[str, ...], full: bool, as_json: bool, verbose: int, quiet: bool) -> None:
    """Crawl the enabled sources (or the NAMES given) once.

    Prints per source: pages fetched, new, updated and duplicate announcements, errors.
    Exits 1 when a source failed.

    \b
    Example:
        clusterwatch crawl bmwe-press-feed
    """
    from crawler.runner import crawl as run_crawl

    limit_memory_from_env()
    config = state.config
    sources = [config.source(n) for n in names] if names else [s for s in config.sources if s.enabled]
    if not sources:
        raise click.ClickException("no enabled sources: add [[sources]] to the configuration")
    level = {0: "CRITICAL", 1: "INFO"}.get(verbose, "DEBUG")
    progress = sys.stderr.isatty() and not quiet and not verbose
    runs = run_crawl(config, sources, full=full, log_level=level, progress=progress)
    if as_json:
        click.echo(json.dumps([_run_json(r) for r in runs], ensure_ascii=False, indent=2))
    else:
        click.echo(tabulate(
            [[r["source"], r["status"], r["pages"], r["new"], r["updated"], r["duplicates"], r["errors"]]
             for r in runs],
            headers=["source", "status", "pages", "new", "updated", "duplicates", "errors"],
        ))
        for r in runs:
            for message in json.loads(r["error_messages"]):
                click.echo(f"  {r['source']}: {message}", err=True)
        click.echo(f"dataset: {config.database}")
    if any(r["status"] == "interrupted" for r in runs):
        sys.exit(130)  # as for any program stopped by Ctrl-C
    if any(r["status"] == "failed" for r in runs):
        sys.exit(1)


def limit_memory_from_env() -> None:
    """The service starts each crawl with an address-space limit, passed in the environment."""
    import os
    import resource

    from monitor.service import MEMORY_LIMIT_ENV

    value = os.environ.get(MEMORY_LIMIT_ENV)
    if value and value.isdigit():
        limit = int(value) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _run_json(run: dict[str, Any]) -> dict[str, Any]:
    out = dict(run)
    out["error_messages"] = json.loads(run["error_messages"])
    return out


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@dataset_options
@click.pass_obj
def sources(state: State, as_json: bool) -> None:
    """List the configured sources with their last run and health.

    \b
    Example:
        clusterwatch sources --json
    """
    from crawler.health import source_health
    from crawler.store import rows

    config = state.config
    recent: dict[str, list[dict[str, Any]]] = {}
    if config.database.exists():
        conn = connect_readonly(config.database)
        for s in config.sources:
            recent[s.name] = list(rows(conn,
                "SELECT * FROM crawl_runs WHERE source = ? AND status != 'running' ORDER BY id DESC LIMIT 10",
                (s.name,)))
        conn.close()
    out = []
    for s in config.sources:
        runs = recent.get(s.name, [])
        health, reason = source_health(runs)
        last = runs[0] if runs else None
        out.append({
            **s.to_dict(), "health": health, "health_reason": reason,
            "last_run": _run_json(last) if last else None,
        })
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    click.echo(tabulate(
        [[o["name"], o["kind"], "yes" if o["enabled"] else "no",
          o["last_run"]["finished"] if o["last_run"] else "-",
          o["last_run"]["new"] if o["last_run"] else "-", o["health"]]
         for o in out],
        headers=["name", "kind", "enabled", "last run", "new", "health"],
    ))
    # Each reason whole, on its own line: it is what tells the analyst how to fix the source, and
    # a URL cut or wrapped inside a table cell cannot be copied.
    for o in out:
        if o["health_reason"] and o["health_reason"] != "no crawl yet":
            click.echo(f"  {o['name']}: {o['health']}: {o['health_reason']}")


@cli.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", default=20, show_default=True, help="At most this many results.")
@timeout_option
@dataset_options
@click.pass_obj
def search(state: State, query: str, as_json: bool, limit: int, timeout: float) -> None:
    """Search titles and texts of the stored announcements, with snippets.

    Every word must occur; words match inside German compounds ("Mitglied" finds
    "Mitgliedsunternehmen").

    \b
    Example:
        clusterwatch search "go-cluster Mitglied" --limit 5
    """
    from crawler.search import MIN_TERM
    from crawler.search import search as run_search

    conn = connect_readonly(state.config.database)
    short = [word for word in query.split() if len(word) < MIN_TERM]
    if short:
        # The trigram index cannot match them; say so rather than return fewer results unexplained.
        words = ", ".join(repr(w) for w in short)
        how = ("searched by a slower scan of every text instead" if len(short) == len(query.split())
               else "left out of the search")
        click.echo(f"note: {words} {'is' if len(short) == 1 else 'are'} shorter than {MIN_TERM} characters,"
                   f" which the full-text index cannot match: {how}", err=True)
    try:
        with query_limit(conn, timeout, "search"):
            results = run_search(conn, query, limit=limit)
    finally:
        conn.close()
    if as_json:
        click.echo(json.dumps(results, ensure_ascii=False, indent=2))
        return
    if not results:
        click.echo("no matches", err=True)
    for r in results:
        click.echo(f"{r['published'][:10] if r['published'] else 'unknown':<10}  {r['title'] or '(untitled)'}")
        click.echo(f"    {r['url']}  ({r['source']}, seen at {r['sightings']} address(es))")
        click.echo(f"    {' '.join((r['snippet'] or '').split())}")


@cli.command()
@click.argument("sql")
@click.option("--json", "fmt", flag_value="json", help="Print a JSON array of row objects.")
@click.option("--csv", "fmt", flag_value="csv", help="Print CSV with a header row.")
@timeout_option
@dataset_options
@click.pass_obj
def query(state: State, sql: str, fmt: str | None, timeout: float) -> None:
    """Run read-only SQL against the dataset.

    The dataset is opened read-only: statements that write, ATTACH or load extensions are refused.
    Rows are printed as they come; the query stops at its time limit or at the first Ctrl-C.

    \b
    Example:
        clusterwatch query "select source, count(*) from announcements group by source" --json
    """
    conn = connect_readonly(state.config.database)
    try:
        with query_limit(conn, timeout) as limit:
            cur = conn.execute(sql)
            names = [d[0] for d in cur.description or ()]
            _print_rows(fmt, names, (tuple(r) for r in limit.rows(cur)))
    except sqlite3.Error as exc:
        message = str(exc)
        # A write refused by the read-only connection (query_only) or by its authorizer.
        if sqlite_code(exc) in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_AUTH):
            raise click.ClickException(
                f"refused: 'clusterwatch query' is read-only ({message}); the dataset was not changed"
            ) from None
        raise click.ClickException(f"SQL error: {message}") from None
    finally:
        conn.close()


TABLE_PAGE = 1000  # rows per table: a table must be measured before it is printed


def _print_rows(fmt: str | None, names: list[str], data: Iterator[tuple[Any, ...]]) -> None:
    """Print rows as they come, never holding them all (a million rows took 826 MB)."""
    out = sys.stdout
    if fmt == "json":
        # The same text as json.dumps(list_of_rows, indent=2), one row at a time.
        first = True
        for row in data:
            text = json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False, indent=2, default=_json_default)
            out.write(("[\n" if first else ",\n") + "  " + text.replace("\n", "\n  "))
            first = False
        out.write("[]\n" if first else "\n]\n")
    elif fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(names)
        writer.writerows(data)
    else:
        page = list(islice(data, TABLE_PAGE))
        out.write(tabulate(page, headers=names) + "\n")  # the header even without rows
        while page := list(islice(data, TABLE_PAGE)):
            out.write(tabulate(page, headers=names) + "\n")


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON line per input.")
def extract(paths: tuple[str, ...], as_json: bool) -> None:
    """Run the membership detector on documents (text or HTML files; - reads standard input).

    \b
    Example:
        clusterwatch extract release.html --json
        curl -s URL | clusterwatch extract -
    """
    from monitor.detection import detect, html_to_text

    for path in paths:
        try:
            raw = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None
        is_html = path.lower().endswith((".html", ".htm")) or raw.lstrip()[:1] == "<"
        text = html_to_text(raw) if is_html else raw
        events = [_event_json(e) for e in detect(text)]
        if as_json:
            click.echo(json.dumps({"path": path, "events": events}, ensure_ascii=False))
            continue
        click.echo(f"{path}: {len(events)} event(s)")
        for e in events:
            click.echo(f"  {e['kind']:<15} {e['programme'] or '?'}  {e['number'] if e['number'] is not None else ''}"
                       f"  {e['member'] or ''}{' (' + e['place'] + ')' if e['place'] else ''}")
            click.echo(f"      {e['evidence']}  [{e['rule']}]")


def _event_json(event: Any) -> dict[str, Any]:
    d = event.to_dict()
    # `why`: the frame, which words filled which role, and how whose membership it is was decided
    # (or why it could not be: then `programme` is null and the event is never alerted).
    return {k: d.get(k) for k in ("kind", "programme", "programme_name", "number", "member", "place", "evidence",
                                  "rule", "why")}


@cli.command()
@click.option("--all", "all_again", is_flag=True, help="Analyse every announcement again (after the rules improved).")
@dataset_options
@click.pass_obj
def detect(state: State, all_again: bool) -> None:
    """Find membership events in the announcements not analysed yet, and store them.

    \b
    Example:
        clusterwatch detect && clusterwatch milestones
    """
    from monitor.cycle import run_detection

    stats = run_detection(state.existing, all_again=all_again)
    click.echo(f"analysed {stats['announcements']} announcement(s): {stats['events']} event(s), "
               f"{stats['new_events']} new, {stats['milestones']} new milestone(s)")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--programme", help="Only this programme or network.")
@dataset_options
@click.pass_obj
def milestones(state: State, as_json: bool, programme: str | None) -> None:
    """List membership events (milestone: true marks the alert-worthy ones).

    \b
    Example:
        clusterwatch milestones --programme go-cluster --json
    """
    from monitor.events import list_events
    from monitor.labels import event_label

    conn = connect_readonly(state.config.database)
    try:
        events = [_public_event(e) for e in list_events(conn, programme=programme)]
    except sqlite3.OperationalError as exc:
        raise click.ClickException(f"no events yet ({exc}): run 'clusterwatch detect' first") from None
    finally:
        conn.close()
    if as_json:
        click.echo(json.dumps(events, ensure_ascii=False, indent=2))
        return
    if not events:
        click.echo("no events", err=True)
    for e in events:
        mark = "*" if e["milestone"] else " "
        who = f"  {e['member']}" + (f" ({e['place']})" if e["place"] else "") if e["member"] else ""
        click.echo(f"{mark} {e['published'] or '????-??-??'}  {e['programme'] or '?'}: "
                   f"{event_label(e['kind'], e['number'])}{who}")
        for url in e["sources"]:
            click.echo(f"      {url}")


def _closest(name: str, known: list[str]) -> str:
    import difflib

    by_fold = {k.casefold(): k for k in known}
    close = [by_fold[c] for c in difflib.get_close_matches(name.casefold(), list(by_fold), n=3, cutoff=0.5)]
    if close:
        return f"closest known: {', '.join(close)}"
    return f"known: {', '.join(sorted(known))}" if known else "none known yet: run 'clusterwatch detect' first"


def writable_target(path: str | Path) -> Path:
    """An output file's path, refused in one line when its folder is missing (never created:
    a typo in a path should not leave a folder tree behind)."""
    target = Path(path)
    if not target.parent.is_dir():
        raise click.ClickException(f"cannot write {target}: the folder {target.parent} does not exist")
    return target


def _public_event(e: dict[str, Any]) -> dict[str, Any]:
    keys = ("kind", "programme", "number", "member", "place", "published", "sources", "evidence", "milestone")
    return {k: e[k] for k in keys}


@cli.command()
@click.argument("programme")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--plot", type=click.Path(dir_okay=False), help="Write a PNG chart of the member numbers.")
@dataset_options
@click.pass_obj
def timeline(state: State, programme: str, as_json: bool, plot: str | None) -> None:
    """Show a programme's member numbers over time, from ordinals and counts.

    \b
    Example:
        clusterwatch timeline go-cluster --json
    """
    from monitor.events import timeline as load_timeline

    if plot:
        writable_target(plot)
    conn = connect_readonly(state.config.database)
    try:
        points = load_timeline(conn, programme)
        known = [r[0] for r in conn.execute("SELECT DISTINCT programme FROM events WHERE programme IS NOT NULL")]
    except sqlite3.OperationalError as exc:
        raise click.ClickException(f"no events yet ({exc}): run 'clusterwatch detect' first") from None
    finally:
        conn.close()
    if programme.casefold() not in {k.casefold() for k in known}:
        raise click.ClickException(f"no programme {programme!r} in the dataset; {_closest(programme, known)}")
    if plot:
        from monitor.chart import timeline_png

        Path(plot).write_bytes(timeline_png(programme, points))
        click.echo(f"chart written to {plot}", err=True)
    if as_json:
        click.echo(json.dumps(points, ensure_ascii=False, indent=2))
        return
    if not points:
        click.echo(f"no member numbers known for {programme!r}", err=True)
    for p in points:
        click.echo(f"{p['date'] or '????-??-??'}  {p['number']:>6}  {'*' if p['milestone'] else ' '} "
                   f"{p['kind']:<15} {p['source'] or ''}")


@cli.command()
@dataset_options
@click.pass_obj
def notify(state: State) -> None:
    """Deliver pending alerts, due digests and source-health notices: by SMTP (or into the
    Maildir when no host is set) and to each subscriber's Apprise channels.

    Exits 1 when any delivery failed; failed messages are retried with backoff on the next run.

    \b
    Example:
        clusterwatch notify
    """
    from monitor.alerts.digest import queue_digests
    from monitor.alerts.health import queue_health_notices
    from monitor.alerts.outbox import deliver

    config = state.existing
    queue_digests(config)
    queue_health_notices(config)
    report = deliver(config)
    for message in report.messages:
        click.echo(message, err=True)
    click.echo(f"sent {report.sent}, failed {report.failed}, rejected {report.rejected}")
    if not report.ok:
        sys.exit(1)


@cli.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@dataset_options
@click.pass_context
def alerts(ctx: click.Context, as_json: bool) -> None:
    """List the outbox (alerts, digests, health notices) with each message's delivery state.

    \b
    Example:
        clusterwatch alerts --json
        clusterwatch alerts retry 3
    """
    if ctx.invoked_subcommand is not None:
        return
    from monitor.alerts.outbox import list_alerts

    state = ctx.find_object(State)
    assert state is not None
    listed = list_alerts(state.existing)
    if as_json:
        click.echo(json.dumps(listed, ensure_ascii=False, indent=2))
        return
    click.echo(tabulate([[a["id"], a["subscriber"], a["channel"].split("://", 1)[0], a["message"], a["state"],
                          a["attempts"], a["programme"], a["number"], (a["last_error"] or "")[:50]] for a in listed],
                        headers=["id", "subscriber", "channel", "message", "state", "attempts", "programme", "number",
                                 "last error"]))


@alerts.command("retry")
@click.argument("alert_id", type=int)
@dataset_options
@click.pass_obj
def alerts_retry(state: State, alert_id: int) -> None:
    """Queue alert ALERT_ID for delivery again (after fixing an address or the server).

    \b
    Example:
        clusterwatch alerts retry 3 && clusterwatch notify
    """
    from monitor.alerts.outbox import retry_alert

    retry_alert(state.existing, alert_id)
    click.echo(f"alert {alert_id} queued; run 'clusterwatch notify' to deliver it")


@cli.command()
@click.option("--once", is_flag=True, help="One full cycle (every enabled source, detection, delivery), then exit.")
@click.option("--log-format", type=click.Choice(["text", "json"]), help="Log lines as text or JSON (default: text).")
@dataset_options
@click.pass_obj
def run(state: State, once: bool, log_format: str | None) -> None:
    """Run clusterwatch as a service: crawl each source on its schedule, detect, deliver.

    Stops cleanly on SIGTERM or Ctrl-C; the schedule resumes on the next start. With --once,
    the exit status tells whether every source and every delivery succeeded.

    \b
    Example:
        clusterwatch run --log-format json
        clusterwatch run --once
    """
    from monitor.service import run_once, serve, setup_logging

    config = state.config
    setup_logging(log_format or config.service.log_format)
    sys.exit(run_once(config) if once else serve(config))


@cli.command()
@click.argument("target", type=click.Path(dir_okay=False))
@dataset_options
@click.pass_obj
def backup(state: State, target: str) -> None:
    """Copy the dataset to TARGET with SQLite's online backup (safe while the service runs).

    \b
    Example:
        clusterwatch backup /var/backups/clusterwatch-$(date +%F).db
    """
    database = require_dataset(state.config.database)
    writable_target(target)
    source = connect_readonly(database)  # a missing, folder or non-SQLite dataset: one line
    try:
        dest = sqlite3.connect(sqlite_uri(target, "rwc"), uri=True)
        try:
            source.backup(dest)
        finally:
            dest.close()
    except sqlite3.Error as exc:
        raise click.ClickException(f"backup to {target} failed: {exc}") from None
    finally:
        source.close()
    click.echo(f"dataset {database} backed up to {target}")


@cli.command()
@click.option("--dir", "folder", type=click.Path(file_okay=False), default="clusterwatch-demo", show_default=True,
              help="Folder for the demo's configuration, dataset and Maildir.")
def demo(folder: str) -> None:
    """Run the whole product offline on the bundled snapshot: crawl, detect, email.

    Serves the snapshot of the ministry, the Cluster Platform and an aggregator on loopback,
    crawls it, finds the membership milestones and delivers the alerts into a local Maildir.
    The dataset stays in the folder for you to explore.

    \b
    Example:
        clusterwatch demo && clusterwatch --config clusterwatch-demo/clusterwatch.toml milestones
    """
    from monitor.demo import describe, run_demo

    result = run_demo(Path(folder), echo=lambda line: click.echo(line, err=True))
    describe(result, echo=click.echo)


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(type(value).__name__)


def main() -> None:
    try:
        cli(prog_name="clusterwatch")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


@cli.command("export")
@click.option("--what", type=click.Choice(WHATS), default="milestones", show_default=True,
              help="Export the stored announcements or the membership milestones.")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="Output format (default: from the -o file's extension, else json).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file (replaced only once the export is complete); default: standard output.")
@click.option("--since", metavar="DATE", help="Only rows published on or after DATE (YYYY-MM-DD).")
@click.option("--programme", help="Only this programme or network (announcements: those about it).")
@click.option("--feed-url", metavar="URL", help="Atom: the address the feed will be published at (rel=self).")
@timeout_option
@dataset_options
@click.pass_obj
def export_command(state: State, what: str, fmt: str | None, output: str | None, since: str | None,
                   programme: str | None, feed_url: str | None, timeout: float) -> None:
    """Export announcements or milestones as CSV, JSON or an Atom feed.

    Rows are streamed, so large exports need little memory. The Atom feed of milestones can be
    published anywhere a feed reader can subscribe to it.

    \b
    Example:
        clusterwatch export --what milestones --format atom -o milestones.atom
        clusterwatch export --what announcements --format csv --since 2024-01-01 --programme go-cluster
    """
    from monitor.export import ExportError, export_to, format_for, since_day

    fmt = fmt or format_for(output)
    if output:
        writable_target(output)
    try:
        since_day(since)  # a bad date fails before anything is written
    except ExportError as exc:
        raise click.BadParameter(str(exc).removeprefix("--since "), param_hint="--since") from None
    conn = connect_readonly(state.config.database)
    try:
        with query_limit(conn, timeout, "export"):
            count = export_to(conn, what, fmt, output, since, programme, feed_url)
    except sqlite3.OperationalError as exc:
        raise click.ClickException(f"cannot read the dataset ({exc}): is it a clusterwatch dataset?") from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {output or 'standard output'}: {exc.strerror or exc}") from None
    finally:
        conn.close()
    click.echo(f"{count} {what if count != 1 else what[:-1]} written" + (f" to {output}" if output else ""),
               err=True)


@cli.command("browse")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True,
              help="Port to serve on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 makes the dataset reachable from other machines.")
@dataset_options
@click.pass_obj
def browse_command(state: State, port: int, host: str) -> None:
    """Browse and query the dataset in the web browser with Datasette (read-only).

    Shows every table with descriptions, and canned queries: latest milestones, a programme's
    timeline, announcements per source and month, full-text search, source health.
    Needs the `web` extra. Stop it with Ctrl-C.

    \b
    Example:
        clusterwatch browse --port 8001    # then open http://127.0.0.1:8001/
    """
    import signal
    import subprocess
    import tempfile

    from crawler.resources import data_file
    from monitor import export

    if not export.datasette_available():
        raise click.ClickException(
            "browse needs Datasette, which is not installed: pip install 'clusterwatch[web]' "
            "(in a checkout: pip install -e '.[web]')"
        )
    data_file(export.METADATA.name)  # a broken installation says which file is missing
    database = state.config.database
    connect_readonly(database).close()  # a missing dataset is reported here, in our words
    with tempfile.TemporaryDirectory(prefix="clusterwatch-browse-") as folder:
        metadata = Path(folder) / "metadata.json"
        metadata.write_text(json.dumps(export.browse_metadata(database), ensure_ascii=False), encoding="utf-8")
        where = f" on http://{host}:{port}/{database.stem}" if port else ""
        click.echo(f"Datasette{where} for {database} (Ctrl-C to stop)", err=True)
        proc = subprocess.Popen(export.datasette_command(database, metadata, host, port))
        # Ctrl-C reaches Datasette directly (same process group); a SIGTERM to us (a service
        # manager, a test) is passed on, so Datasette never outlives this command.
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: proc.terminate())
        try:
            code = proc.wait()
        except KeyboardInterrupt:
            code = proc.wait()
        finally:
            signal.signal(signal.SIGTERM, previous)
            if proc.poll() is None:
                proc.terminate()
                proc.wait()
    if code not in (0, -signal.SIGINT, -signal.SIGTERM):
        raise click.ClickException(f"Datasette stopped with exit status {code}")


@cli.command("backfill")
@click.argument("names", nargs=-1)
@click.option("--from", "start", metavar="YYYY[-MM[-DD]]", help="Only captures from this date on.")
@click.option("--to", "end", metavar="YYYY[-MM[-DD]]", help="Only captures up to this date (the whole period).")
@click.option("--archive", type=click.Choice(["wayback", "commoncrawl"]), default="wayback", show_default=True,
              help="Which web archive to read.")
@click.option("--dry-run", is_flag=True, help="List what would be fetched, and how long it would take; fetch nothing.")
@click.option("--limit", type=click.IntRange(min=0), help="Captures to fetch in this run at most"
              " (default: archive.max_captures, 500); the next run continues.")
@click.option("--retry-failed", is_flag=True, help="Fetch captures that failed in earlier runs again.")
@click.option("--redetect", is_flag=True, help="Fetch nothing; find the events in every archived text again"
              " (after 'clusterwatch detect --all', which reads only current texts).")
@click.option("--json", "as_json", is_flag=True, help="Print the per-source report as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress line, even on a terminal.")
@dataset_options
@click.pass_obj
def backfill_command(state: State, names: tuple[str, ...], start: str | None, end: str | None, archive: str,
                     dry_run: bool, limit: int | None, retry_failed: bool, redetect: bool, as_json: bool,
                     quiet: bool) -> None:
    """Rebuild the sources' history from a web archive (the Wayback Machine).

    Looks the sources' pages up in the archive's index, fetches each distinct capture in its
    original form and stores it as a live crawl would, marked with where it came from; then
    finds the membership events in it. Never emails: it is history. Interrupted, the next run
    continues where it stopped; captures already stored are never fetched again.

    \b
    Example:
        clusterwatch backfill go-cluster-programme --from 2012 --dry-run
        clusterwatch backfill && clusterwatch timeline go-cluster
    """
    from monitor.backfill import Backfill, duration

    config = state.config
    sources = [config.source(n) for n in names] if names else [s for s in config.sources if s.enabled]
    if not sources:
        raise click.ClickException("no enabled sources: add [[sources]] to the configuration")
    show = sys.stderr.isatty() and not quiet and not as_json

    def progress(line: str) -> None:
        click.echo(f"\r\033[K{line}", err=True, nl=False)

    try:
        job = Backfill(config, sources, archive=archive, start=start, end=end, limit=limit,
                       retry_failed=retry_failed, progress=progress if show else None)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if redetect:
        stats = job.redetect()
        click.echo(f"analysed {stats['texts']} archived text(s): {stats['events']} event(s); no alerts")
        return
    reports = job.dry_run() if dry_run else job.run()
    if show:
        click.echo("", err=True)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2))
    elif dry_run:
        per_minute = job.settings.limits.fetch_per_minute or 60.0
        for r in reports:
            click.echo(f"{r.source}: {r.listed} distinct capture(s) listed, {r.known} handled before, "
                       f"{r.left} to fetch")
        todo = sum(r.left for r in reports)
        click.echo(f"dry run: {todo} capture(s) to fetch, about {duration(todo * 60 / per_minute)} at "
                   f"{per_minute:g} per minute; nothing was fetched or stored")
        for r in reports:
            for message in r.errors:
                click.echo(f"  {r.source}: {message}", err=True)
    else:
        from tabulate import tabulate

        click.echo(tabulate(
            [[r.source, r.listed, r.known, r.fetched, r.stored, r.updated + r.history, r.duplicates + r.unchanged,
              r.skipped, r.failed, r.left, r.events] for r in reports],
            headers=["source", "listed", "known", "fetched", "new", "revisions", "duplicates", "skipped", "failed",
                     "left", "events"]))
        for r in reports:
            for message in r.errors:
                click.echo(f"  {r.source}: {message}", err=True)
        if any(r.left for r in reports):
            click.echo("the run's capture limit was reached: run 'clusterwatch backfill' again to continue", err=True)
        if any(r.failed for r in reports):
            click.echo("some captures failed: 'clusterwatch backfill --retry-failed' tries them again", err=True)
        click.echo(f"dataset: {config.database}")
    # A source whose index could not be read at all failed; retried requests are only warnings.
    if any(not (r.fetched or r.known or r.left) and any(not e.startswith("warning:") for e in r.errors)
           for r in reports):
        sys.exit(1)
