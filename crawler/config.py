"""The configuration file (TOML): where it is found, and the crawl side of its schema.

Sections the crawler does not own (email, subscribers, milestones, ...) are handed on untouched in
``Config.extra``; ``monitor.config`` validates them. That keeps the arrow one way: the crawler
never needs to know about alerts.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.addresses import parse_networks
from crawler.resources import MissingDataError, bundled, data_file
from crawler.sources import Source, SourceConfigError, parse_sources

ENV_VAR = "CLUSTERWATCH_CONFIG"
LOCAL_FILE = "clusterwatch.toml"
DEFAULT_FILE = bundled("clusterwatch.toml")
DEFAULT_DATABASE = "clusterwatch.db"

CRAWLER_KEYS: dict[str, type | tuple[type, ...]] = {
    "user_agent": str,
    "contact": str,
    "download_delay": (int, float),
    "concurrent_per_domain": int,
    "autothrottle": bool,
    "timeout": (int, float),
    "retries": int,
    "retry_backoff": (int, float),
    "max_response_bytes": int,
    "obey_robots": bool,
    "max_pages": int,
    "log_level": str,
    "allow_private_addresses": (bool, list),
    "max_text_chars": int,
}
CRAWLER_DEFAULTS: dict[str, Any] = {
    "user_agent": "clusterwatch/0.1 (+https://github.com/clusterwatch/clusterwatch)",
    "contact": "",
    "download_delay": 2.0,
    "concurrent_per_domain": 1,
    "autothrottle": True,
    "timeout": 30,
    "retries": 3,
    "retry_backoff": 1.0,
    "max_response_bytes": 20 * 1024 * 1024,
    "obey_robots": True,
    "max_pages": 20_000,
    "log_level": "WARNING",
    # Off: a source, or a link a third party wrote, cannot point the crawler at the machine's own
    # or its network's services. true (or a list of networks) opts in, e.g. for sites on loopback.
    "allow_private_addresses": False,
    "max_text_chars": 2_000_000,
}
OWN_TOP_LEVEL = ("database", "crawler", "sources")


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and how to fix it."""


@dataclass
class Config:
    path: Path | None  # None: the built-in defaults
    database: Path
    sources: list[Source]
    crawler: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        names = ", ".join(s.name for s in self.sources) or "(none)"
        raise ConfigError(f"no source named {name!r}; configured sources: {names}")

    @property
    def user_agent(self) -> str:
        ua = self.crawler["user_agent"]
        contact = self.crawler.get("contact")
        return f"{ua} contact: {contact}" if contact and contact not in ua else ua


def find_config_file(explicit: str | Path | None = None) -> Path | None:
    """--config, else $CLUSTERWATCH_CONFIG, else ./clusterwatch.toml, else None (built-in defaults)."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist")
        return path
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env)
        if not path.is_file():
            raise ConfigError(f"${ENV_VAR} points to {path}, which does not exist")
        return path
    local = Path.cwd() / LOCAL_FILE
    return local if local.is_file() else None


def load_config(explicit: str | Path | None = None, *, db: str | Path | None = None) -> Config:
    path = find_config_file(explicit)
    try:
        source_path = path or data_file("clusterwatch.toml")
    except MissingDataError as exc:
        raise ConfigError(str(exc)) from None
    try:
        raw = tomllib.loads(source_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source_path}: not valid TOML: {exc}") from None
    except RecursionError:
        # tomllib recurses once per level of nesting: 1,000 '[' in a 2 KB file are enough.
        raise ConfigError(f"{source_path}: not valid TOML: arrays or tables nested too deeply") from None
    except OSError as exc:
        raise ConfigError(f"{source_path}: cannot read: {exc}") from None
    return config_from_dict(raw, path=path, db=db)


def config_from_dict(raw: dict[str, Any], *, path: Path | None, db: str | Path | None = None) -> Config:
    where = str(path) if path else f"built-in defaults ({DEFAULT_FILE})"
    crawler = dict(CRAWLER_DEFAULTS)
    section = raw.get("crawler", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{where}: [crawler] must be a table")
    for key, value in section.items():
        if key not in CRAWLER_KEYS:
            raise ConfigError(
                f"{where}: unknown key crawler.{key}; valid keys: {', '.join(sorted(CRAWLER_KEYS))}"
            )
        expected = CRAWLER_KEYS[key]
        takes_bool = expected is bool or (isinstance(expected, tuple) and bool in expected)
        if not isinstance(value, expected) or (isinstance(value, bool) and not takes_bool):
            raise ConfigError(f"{where}: crawler.{key} has the wrong type ({type(value).__name__})")
        crawler[key] = value
    try:
        parse_networks(crawler["allow_private_addresses"])
    except ValueError as exc:
        raise ConfigError(f"{where}: crawler.allow_private_addresses: {exc}") from None
    try:
        sources = parse_sources(raw.get("sources", []))
    except SourceConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    if db is not None:
        database = Path(db)
    else:
        value = raw.get("database", DEFAULT_DATABASE)
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where}: database must be a file path")
        # Relative to the config file's folder; the built-in defaults write to the working
        # directory, never into the installed package.
        base = path.resolve().parent if path else Path.cwd()
        database = (base / os.path.expanduser(value)).resolve()
    extra = {k: v for k, v in raw.items() if k not in OWN_TOP_LEVEL}
    return Config(path=path, database=database, sources=sources, crawler=crawler, extra=extra)
