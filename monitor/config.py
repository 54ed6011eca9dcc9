"""The whole configuration: the crawler's part (database, crawler, sources) plus the sections
the monitor owns (email, subscribers, milestones, service). Unknown sections are refused here,
with the list of the valid ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crawler.config import OWN_TOP_LEVEL, Config, ConfigError, load_config

# Each section the monitor owns, with the keys it accepts (None: a free-form table).
MONITOR_SECTIONS: dict[str, tuple[str, ...] | None] = {
    "email": ("host", "port", "security", "username", "password_env", "sender", "maildir", "admin",
              "timeout", "unsubscribe"),
    "subscribers": ("email", "programmes", "events", "digest", "keywords", "language", "name"),
    "milestones": None,  # programme name -> {every = N} or a list of thresholds
    "service": ("log_format", "crawl_timeout", "digest_time", "jobs_db", "max_crawl_memory_mb", "crawl_workers",
                "worker_max_crawls", "worker_max_memory_mb"),
    "archive": ("cdx_url", "wayback_url", "commoncrawl_index_url", "commoncrawl_data_url", "search_per_minute",
                "fetch_per_minute", "timeout", "retries", "backoff", "max_backoff", "page_size", "max_captures"),
}


def load(explicit: str | Path | None = None, *, db: str | Path | None = None) -> Config:
    config = load_config(explicit, db=db)
    check_sections(config)
    return config


def check_sections(config: Config) -> None:
    where = str(config.path) if config.path else "built-in defaults"
    valid = sorted((*OWN_TOP_LEVEL, *MONITOR_SECTIONS))
    for key, value in config.extra.items():
        if key not in MONITOR_SECTIONS:
            raise ConfigError(f"{where}: unknown key {key!r}; valid top-level keys: {', '.join(valid)}")
        allowed = MONITOR_SECTIONS[key]
        if allowed is None:
            continue
        tables: list[Any] = value if isinstance(value, list) else [value]
        for table in tables:
            if not isinstance(table, dict):
                raise ConfigError(f"{where}: {key} must be a table")
            for sub in table:
                if sub not in allowed:
                    raise ConfigError(
                        f"{where}: unknown key {key}.{sub}; valid keys: {', '.join(allowed)}"
                    )
