"""The `clusterwatch` command line: a thin layer over library functions.

Library code raises named exceptions; ``main`` turns them into one-line messages that say how to
fix the problem, and a non-zero exit status. A traceback reaching a user is a bug.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click
from tabulate import tabulate

from crawler.config import Config, ConfigError
from crawler.store import StoreError, connect_readonly

USER_ERRORS: tuple[type[Exception], ...] = (ConfigError, StoreError)


class State:
    def __init__(self, config_path: str | None, db: str | None):
        self.config_path = config_path
        self.db = db
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            from monitor.config import load

            self._config = load(self.config_path, db=self.db)
        return self._config


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


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except USER_ERRORS as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clusterwatch")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="CLUSTERWATCH_CONFIG",
              help="Configuration file (default: $CLUSTERWATCH_CONFIG, ./clusterwatch.toml, built-in).")
@click.option("--db", type=click.Path(dir_okay=False), help="Dataset file; overrides 'database'.")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, db: str | None) -> None:
    """Watch German cluster-policy sites for membership milestones.

    \b
    Example:
        clusterwatch crawl                 # crawl every enabled source once
        clusterwatch search "go-cluster"   # full-text search of what was stored
    """
    ctx.obj = State(config_path, db)


@cli.command()
@click.argument("names", nargs=-1)
@click.option("--full", is_flag=True, help="Fetch known articles again (ignore the incremental state).")
@click.option("--json", "as_json", is_flag=True, help="Print the crawl runs as JSON.")
@click.option("-v", "--verbose", count=True, help="Show Scrapy's log (-v: INFO, -vv: DEBUG).")
@dataset_options
@click.pass_obj
@user_errors
def crawl(state: State, names: tuple[str, ...], full: bool, as_json: bool, verbose: int) -> None:
    """Crawl the enabled sources (or the NAMES given) once.

    Prints per source: pages fetched, new, updated and duplicate announcements, errors.
    Exits 1 when a source failed.

    \b
    Example:
        clusterwatch crawl bmwe-press-feed
    """
    from crawler.runner import crawl as run_crawl

    config = state.config
    sources = [config.source(n) for n in names] if names else [s for s in config.sources if s.enabled]
    if not sources:
        raise click.ClickException("no enabled sources: add [[sources]] to the configuration")
    level = {0: "CRITICAL", 1: "INFO"}.get(verbose, "DEBUG")
    runs = run_crawl(config, sources, full=full, log_level=level)
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
    if any(r["status"] == "failed" for r in runs):
        sys.exit(1)


def _run_json(run: dict[str, Any]) -> dict[str, Any]:
    out = dict(run)
    out["error_messages"] = json.loads(run["error_messages"])
    return out


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@dataset_options
@click.pass_obj
@user_errors
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
          o["last_run"]["new"] if o["last_run"] else "-", o["health"], o["health_reason"][:60]]
         for o in out],
        headers=["name", "kind", "enabled", "last run", "new", "health", ""],
    ))


@cli.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", default=20, show_default=True, help="At most this many results.")
@dataset_options
@click.pass_obj
@user_errors
def search(state: State, query: str, as_json: bool, limit: int) -> None:
    """Search titles and texts of the stored announcements, with snippets.

    Every word must occur; words match inside German compounds ("Mitglied" finds
    "Mitgliedsunternehmen").

    \b
    Example:
        clusterwatch search "go-cluster Mitglied" --limit 5
    """
    from crawler.search import search as run_search

    conn = connect_readonly(state.config.database)
    try:
        results = run_search(conn, query, limit=limit)
    finally:
        conn.close()
    if as_json:
        click.echo(json.dumps(results, ensure_ascii=False, indent=2))
        return
    if not results:
        click.echo("no matches", err=True)
    for r in results:
        click.echo(f"{(r['published'] or 'date unknown')[:10]}  {r['title'] or '(untitled)'}")
        click.echo(f"    {r['url']}  ({r['source']}, seen at {r['sightings']} address(es))")
        click.echo(f"    {' '.join((r['snippet'] or '').split())}")


@cli.command()
@click.argument("sql")
@click.option("--json", "fmt", flag_value="json", help="Print a JSON array of row objects.")
@click.option("--csv", "fmt", flag_value="csv", help="Print CSV with a header row.")
@dataset_options
@click.pass_obj
@user_errors
def query(state: State, sql: str, fmt: str | None) -> None:
    """Run read-only SQL against the dataset.

    The dataset is opened read-only: statements that write, ATTACH or load extensions are refused.

    \b
    Example:
        clusterwatch query "select source, count(*) from announcements group by source" --json
    """
    conn = connect_readonly(state.config.database)
    try:
        cur = conn.execute(sql)
        names = [d[0] for d in cur.description or ()]
        data = [tuple(r) for r in cur.fetchall()]
    except sqlite3.Error as exc:
        message = str(exc)
        if "readonly" in message or "not authorized" in message or "query_only" in message:
            raise click.ClickException(
                f"refused: 'clusterwatch query' is read-only ({message}); the dataset was not changed"
            ) from None
        raise click.ClickException(f"SQL error: {message}") from None
    finally:
        conn.close()
    if fmt == "json":
        click.echo(json.dumps([dict(zip(names, r, strict=True)) for r in data], ensure_ascii=False,
                              indent=2, default=_json_default))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(names)
        writer.writerows(data)
    else:
        click.echo(tabulate(data, headers=names))


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


__all__ = ["cli", "main", "Path"]
