"""The configuration file (TOML), read and checked once: ``load()`` returns one typed ``Config``.

Every section is here, the crawler's (``database``, ``[crawler]``, ``[[sources]]``) and the
monitor's (``[email]``, ``[[subscribers]]``, ``[milestones]``, ``[service]``, ``[archive]``), with
one table of defaults (``DEFAULTS``) and one table of accepted keys (``SECTION_KEYS``). Nothing
else parses the file: the crawler, the detector, the outbox and the service receive the typed
sections. The module holds data and checks only, so ``crawler/`` still imports nothing from
``monitor/``. The Scrapy settings the ``[crawler]`` section stands for are generated here
(``scrapy_settings``), and ``crawler/settings.py`` takes the defaults' settings from it.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.addresses import networks_setting, parse_networks
from crawler.errors import ClusterwatchError
from crawler.resources import MissingDataError, bundled, data_file
from crawler.sources import Source, SourceConfigError, parse_duration, parse_sources

ENV_VAR = "CLUSTERWATCH_CONFIG"
LOCAL_FILE = "clusterwatch.toml"
DEFAULT_FILE = bundled("clusterwatch.toml")

# --- the one table of defaults -------------------------------------------------------------------
# A key missing from the file takes its value here; nothing else in the code base restates these.
DEFAULTS: dict[str, Any] = {
    "database": "clusterwatch.db",
    "crawler": {
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
        # Off: a source, or a link a third party wrote, cannot point the crawler at the machine's
        # own or its network's services. true (or a list of networks) opts in, e.g. for loopback.
        "allow_private_addresses": False,
        "max_text_chars": 2_000_000,
    },
    "email": {
        "host": "",  # none: a Maildir
        "port": 0,  # 0: the security's usual port (465, 587, 25)
        "security": "none",
        "username": None,
        "password_env": None,
        "sender": "clusterwatch <clusterwatch@localhost>",
        "maildir": "mail",  # relative to the configuration file's folder
        "admin": None,
        "timeout": 30.0,
        "unsubscribe": "",
    },
    "subscribers": {  # each [[subscribers]] table
        "programmes": [],
        "events": ["milestone"],
        "digest": "off",
        "keywords": [],
        "language": "de",
        "name": None,
        "channels": [],  # Apprise URLs beside or instead of email; secrets as ${VAR}
        "sources": [],  # only news from these sources (none: every source)
    },
    "health": {  # where notices of broken and quiet sources go, and what counts as quiet
        "channels": [],
        "email": True,  # also to email.admin
        "low_ratio": 0.25,  # a run's items below this share of the recent median: quiet
        "min_runs": 5,  # ok runs needed before a median means anything
        "silence_factor": 4.0,  # no new item for this many times the usual gap: quiet
    },
    "milestones": {"default": 50},
    "service": {
        "log_format": "text",
        "crawl_timeout": "30m",
        "digest_time": "07:00",
        "jobs_db": None,  # none: beside the dataset, <database>.jobs.db
        "max_crawl_memory_mb": 2048,  # the address-space limit of each crawl worker
        # Long-lived crawl workers (crawler.worker): how many, and when one is replaced by a new one.
        "crawl_workers": 1,
        "worker_max_crawls": 500,
        "worker_max_memory_mb": 1024,
    },
}

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
CRAWLER_DEFAULTS: dict[str, Any] = DEFAULTS["crawler"]
OWN_TOP_LEVEL = ("database", "crawler", "sources")
# Each section the monitor reads, with the keys it accepts (None: a free-form table).
MONITOR_SECTIONS: dict[str, tuple[str, ...] | None] = {
    "email": ("host", "port", "security", "username", "password_env", "sender", "maildir", "admin",
              "timeout", "unsubscribe"),
    "subscribers": ("email", "programmes", "events", "digest", "keywords", "language", "name", "channels",
                    "sources"),
    "health": ("channels", "email", "low_ratio", "min_runs", "silence_factor"),
    "milestones": None,  # programme name -> {every = N} or a list of thresholds
    "service": ("log_format", "crawl_timeout", "digest_time", "jobs_db", "max_crawl_memory_mb", "crawl_workers",
                "worker_max_crawls", "worker_max_memory_mb"),
    "archive": ("cdx_url", "wayback_url", "commoncrawl_index_url", "commoncrawl_data_url", "search_per_minute",
                "fetch_per_minute", "timeout", "retries", "backoff", "max_backoff", "page_size", "max_captures"),
}
EVENT_KINDS = ("milestone", "new_member")
DIGESTS = ("off", "daily", "weekly")
LANGUAGES = ("de", "en")
SECURITY = ("none", "starttls", "ssl")
LOG_FORMATS = ("text", "json")
EMAIL_CHANNEL = "email"  # the route of a subscriber's `email` address: the [email] server or Maildir
# user:password@ written into a channel URL itself: refused, as email.password is.
_LITERAL_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@?#]*:([^/@?#]+)@", re.I)
# ${NAME}: a secret taken from the environment when a message is sent, never stored.
PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Scrapy warns about a response above this size (never more than the configured maximum).
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024


class ConfigError(ClusterwatchError):
    """The configuration cannot be used; the message says where and how to fix it."""


class MilestoneConfigError(ConfigError):
    """[milestones] cannot be used (raised without the file's name; ``load`` adds it)."""


# --- the typed sections ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CrawlerSettings:
    user_agent: str = CRAWLER_DEFAULTS["user_agent"]
    contact: str = CRAWLER_DEFAULTS["contact"]
    download_delay: float = CRAWLER_DEFAULTS["download_delay"]
    concurrent_per_domain: int = CRAWLER_DEFAULTS["concurrent_per_domain"]
    autothrottle: bool = CRAWLER_DEFAULTS["autothrottle"]
    timeout: float = CRAWLER_DEFAULTS["timeout"]
    retries: int = CRAWLER_DEFAULTS["retries"]
    retry_backoff: float = CRAWLER_DEFAULTS["retry_backoff"]
    max_response_bytes: int = CRAWLER_DEFAULTS["max_response_bytes"]
    obey_robots: bool = CRAWLER_DEFAULTS["obey_robots"]
    max_pages: int = CRAWLER_DEFAULTS["max_pages"]
    log_level: str = CRAWLER_DEFAULTS["log_level"]
    allow_private_addresses: bool | list[str] = CRAWLER_DEFAULTS["allow_private_addresses"]
    max_text_chars: int = CRAWLER_DEFAULTS["max_text_chars"]

    @property
    def full_user_agent(self) -> str:
        """The User-Agent with the contact, unless the agent names it already."""
        ua, contact = self.user_agent, self.contact
        return f"{ua} contact: {contact}" if contact and contact not in ua else ua


@dataclass(frozen=True)
class Subscriber:
    email: str | None
    programmes: tuple[str, ...] = ()
    events: tuple[str, ...] = ("milestone",)
    digest: str = "off"
    keywords: tuple[str, ...] = ()
    language: str = "de"
    name: str | None = None
    channels: tuple[str, ...] = ()  # Apprise URLs as configured (secrets as ${VAR})
    sources: tuple[str, ...] = ()  # only news from these sources (empty: every source)

    @property
    def key(self) -> str:
        """How the outbox names this subscriber: the address, else the name."""
        return self.email or self.name or "?"

    @property
    def routes(self) -> tuple[str, ...]:
        """Every channel this subscriber receives on: `email` first when an address is given."""
        return ((EMAIL_CHANNEL,) if self.email else ()) + self.channels

    def wants(self, kind: str, milestone: bool, programme: str | None, sources: frozenset[str] | None = None) -> bool:
        wanted = ("milestone" in self.events and milestone) or ("new_member" in self.events and kind == "new_member")
        if not wanted:
            return False
        if self.sources and sources is not None and not (sources & set(self.sources)):
            return False
        if not self.programmes:
            return True
        return programme is not None and programme.casefold() in {p.casefold() for p in self.programmes}


@dataclass(frozen=True)
class HealthSettings:
    """Where health notices go and what counts as quiet breakage (`[health]`)."""

    channels: tuple[str, ...] = ()
    email: bool = DEFAULTS["health"]["email"]
    low_ratio: float = DEFAULTS["health"]["low_ratio"]
    min_runs: int = DEFAULTS["health"]["min_runs"]
    silence_factor: float = DEFAULTS["health"]["silence_factor"]

    def routes(self, admin: str | None) -> tuple[str, ...]:
        return ((EMAIL_CHANNEL,) if self.email and admin else ()) + self.channels


@dataclass
class EmailSettings:
    host: str = ""
    port: int = 0
    security: str = "none"
    username: str | None = None
    password_env: str | None = None
    sender: str = "clusterwatch <clusterwatch@localhost>"
    maildir: Path = field(default_factory=lambda: Path("mail"))
    admin: str | None = None
    timeout: float = 30.0
    unsubscribe: str = ""
    config_file: str = "clusterwatch.toml"  # named in the footer: where a subscriber's entry is removed

    @property
    def domain(self) -> str:
        return self.sender.rsplit("@", 1)[-1].strip(" >") or "clusterwatch.local"


@dataclass(frozen=True)
class MilestoneRule:
    """Which member numbers count as milestones: every multiple of ``every`` (default 50), or an
    explicit list per programme. Configured under ``[milestones]``::

        [milestones]
        default = 50            # every multiple of 50
        "go-cluster" = 25       # this programme: every multiple of 25
        "Allianz Industrie 4.0" = [100, 250, 500, 1000]
    """

    default: int = DEFAULTS["milestones"]["default"]
    programmes: tuple[tuple[str, int | tuple[int, ...]], ...] = ()

    @classmethod
    def from_config(cls, section: Any) -> MilestoneRule:
        if not section:
            return cls()
        if not isinstance(section, dict):
            raise MilestoneConfigError("[milestones] must be a table")
        default = section.get("default", DEFAULTS["milestones"]["default"])
        if not isinstance(default, int) or isinstance(default, bool) or default <= 0:
            raise MilestoneConfigError("milestones.default must be a positive whole number")
        programmes: list[tuple[str, int | tuple[int, ...]]] = []
        for name, value in section.items():
            if name == "default":
                continue
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                programmes.append((name.casefold(), value))
            elif isinstance(value, list) and value and all(isinstance(v, int) and v > 0 for v in value):
                programmes.append((name.casefold(), tuple(sorted(value))))
            else:
                raise MilestoneConfigError(
                    f"milestones.{name!r} must be a positive whole number (every N) or a list of numbers"
                )
        return cls(default, tuple(programmes))

    def crossed(self, programme: str | None, previous: int, number: int) -> int | None:
        """The highest threshold in (previous, number], or None."""
        if number <= previous:
            return None
        setting: int | tuple[int, ...] = self.default
        for name, value in self.programmes:
            if programme and name == programme.casefold():
                setting = value
        if isinstance(setting, int):
            top = number - number % setting
            return top if top > previous and top > 0 else None
        hits = [t for t in setting if previous < t <= number]
        return hits[-1] if hits else None


@dataclass(frozen=True)
class ServiceSettings:
    crawl_timeout: float
    digest_time: str
    jobs_db: Path
    log_format: str
    max_crawl_memory_mb: int = DEFAULTS["service"]["max_crawl_memory_mb"]
    crawl_workers: int = DEFAULTS["service"]["crawl_workers"]
    worker_max_crawls: int = DEFAULTS["service"]["worker_max_crawls"]
    worker_max_memory_mb: int = DEFAULTS["service"]["worker_max_memory_mb"]


@dataclass(frozen=True)
class Config:
    path: Path | None  # None: the built-in defaults
    database: Path
    sources: list[Source]
    crawler: CrawlerSettings
    email: EmailSettings
    subscribers: tuple[Subscriber, ...]
    milestones: MilestoneRule
    service: ServiceSettings
    health: HealthSettings = field(default_factory=HealthSettings)
    # [archive] is checked for its keys here and read by `clusterwatch backfill` (monitor.backfill).
    archive: dict[str, Any] = field(default_factory=dict)

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        names = ", ".join(s.name for s in self.sources) or "(none)"
        raise ConfigError(f"no source named {name!r}; configured sources: {names}")

    @property
    def user_agent(self) -> str:
        return self.crawler.full_user_agent


# --- finding and reading the file ------------------------------------------------------------------


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


def load(explicit: str | Path | None = None, *, db: str | Path | None = None) -> Config:
    """The configuration: found, read and checked, every section typed. Call it once per command
    (or service cycle) and hand the result on; nothing else reads the file."""
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


# The old name, kept for scripts that import it.
load_config = load


def config_from_dict(raw: dict[str, Any], *, path: Path | None, db: str | Path | None = None) -> Config:
    where = str(path) if path else f"built-in defaults ({DEFAULT_FILE})"
    # The monitor's sections have always been named without the defaults' file in messages.
    monitor_where = str(path) if path else "built-in defaults"
    _check_sections(raw, monitor_where)
    crawler = _crawler(raw.get("crawler", {}), where)
    try:
        sources = parse_sources(raw.get("sources", []))
    except SourceConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    if db is not None:
        database = Path(db)
    else:
        value = raw.get("database", DEFAULTS["database"])
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where}: database must be a file path")
        # Relative to the config file's folder; the built-in defaults write to the working
        # directory, never into the installed package.
        base = path.resolve().parent if path else Path.cwd()
        database = (base / os.path.expanduser(value)).resolve()
    try:
        milestones = MilestoneRule.from_config(raw.get("milestones"))
    except MilestoneConfigError as exc:
        raise ConfigError(f"{monitor_where}: {exc}") from None
    return Config(
        path=path, database=database, sources=sources, crawler=crawler,
        email=_email(raw.get("email") or {}, path, monitor_where),
        subscribers=_subscribers(raw.get("subscribers") or [], monitor_where),
        milestones=milestones,
        service=_service(raw.get("service") or {}, database, monitor_where),
        health=_health(raw.get("health") or {}, monitor_where),
        archive=dict(raw.get("archive") or {}),
    )


def _check_sections(raw: dict[str, Any], where: str) -> None:
    valid = sorted((*OWN_TOP_LEVEL, *MONITOR_SECTIONS))
    for key, value in raw.items():
        if key in OWN_TOP_LEVEL:
            continue
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
                    raise ConfigError(f"{where}: unknown key {key}.{sub}; valid keys: {', '.join(allowed)}")


def _crawler(section: Any, where: str) -> CrawlerSettings:
    values = dict(CRAWLER_DEFAULTS)
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
        values[key] = value
    try:
        parse_networks(values["allow_private_addresses"])
    except ValueError as exc:
        raise ConfigError(f"{where}: crawler.allow_private_addresses: {exc}") from None
    return CrawlerSettings(**values)


def _email(raw: dict[str, Any], path: Path | None, where: str) -> EmailSettings:
    base = path.resolve().parent if path else Path.cwd()
    defaults = DEFAULTS["email"]
    settings = EmailSettings(maildir=base / defaults["maildir"], config_file=str(path or "clusterwatch.toml"))
    if "security" in raw and raw["security"] not in SECURITY:
        raise ConfigError(f"{where}: email.security must be one of {', '.join(SECURITY)}")
    if "password" in raw:
        raise ConfigError(f"{where}: put the password in an environment variable and name it in email.password_env")
    for key in ("host", "security", "username", "password_env", "sender", "admin", "unsubscribe"):
        if key in raw:
            setattr(settings, key, str(raw[key]))
    try:
        if "port" in raw:
            settings.port = int(raw["port"])
        if "timeout" in raw:
            settings.timeout = float(raw["timeout"])
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: email.port and email.timeout must be numbers") from None
    if "maildir" in raw:
        settings.maildir = (base / os.path.expanduser(str(raw["maildir"]))).resolve()
    if not settings.port:
        settings.port = {"ssl": 465, "starttls": 587}.get(settings.security, 25)
    return settings


def _strings(raw: dict[str, Any], key: str, what: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{what}: {key} must be a list of strings")
    return tuple(value)


def _channels(raw: dict[str, Any], what: str) -> tuple[str, ...]:
    """Channel URLs, each refused with one line when it is no URL or carries a password in plain
    text (secrets belong in ${NAME}); whether Apprise can send to it is checked where alerts go
    (monitor.alerts.settings), which knows the channels."""
    out = []
    for url in _strings(raw, "channels", what):
        if "://" not in url:
            raise ConfigError(f"{what}: a channel must be an Apprise URL such as \"json://host/path\", not {url!r}")
        literal = _LITERAL_PASSWORD.match(url)
        if literal and not PLACEHOLDER.fullmatch(literal.group(1)):
            scheme = url.split("://", 1)[0]
            raise ConfigError(f"{what}: channel {scheme}://… has a password in the URL; put it in an environment"
                              " variable and write ${NAME} in its place")
        out.append(url)
    return tuple(out)


def _subscribers(tables: Any, where: str) -> tuple[Subscriber, ...]:
    defaults = DEFAULTS["subscribers"]
    out: list[Subscriber] = []
    keys: set[str] = set()
    for n, raw in enumerate(tables, 1):
        email = raw.get("email")
        if email is None and raw.get("channels"):
            if not isinstance(raw.get("name"), str) or not raw["name"].strip():
                raise ConfigError(f"{where}: subscriber #{n}: a subscriber without email needs a name")
        elif not isinstance(email, str) or "@" not in email or any(c in email for c in "\r\n<>,; "):
            raise ConfigError(f"{where}: subscriber #{n}: email must be one address, e.g. analyst@example.org"
                              " (or give channels and a name instead)")
        who = email or raw["name"]
        what = f"{where}: subscriber {who}"
        events = tuple(raw.get("events", defaults["events"]))
        bad = [e for e in events if e not in EVENT_KINDS]
        if bad:
            raise ConfigError(f"{where}: subscriber {who}: unknown events {bad}; valid: {', '.join(EVENT_KINDS)}")
        digest = raw.get("digest", defaults["digest"])
        if digest not in DIGESTS:
            raise ConfigError(f"{where}: subscriber {who}: digest must be one of {', '.join(DIGESTS)}")
        language = raw.get("language", defaults["language"])
        if language not in LANGUAGES:
            raise ConfigError(f"{where}: subscriber {who}: language must be one of {', '.join(LANGUAGES)}")
        sub = Subscriber(email=email, programmes=tuple(raw.get("programmes", defaults["programmes"])),
                         events=events, digest=digest, keywords=tuple(raw.get("keywords", defaults["keywords"])),
                         language=language, name=raw.get("name", defaults["name"]),
                         channels=_channels(raw, what), sources=_strings(raw, "sources", what))
        if sub.key in keys:
            raise ConfigError(f"{what}: listed twice")
        keys.add(sub.key)
        out.append(sub)
    return tuple(out)


def _health(raw: dict[str, Any], where: str) -> HealthSettings:
    what = f"{where}: health"
    email = raw.get("email", DEFAULTS["health"]["email"])
    if not isinstance(email, bool):
        raise ConfigError(f"{what}.email must be true or false")
    numbers: dict[str, Any] = {}
    for key, kind, low in (("low_ratio", float, 0.0), ("min_runs", int, 2), ("silence_factor", float, 1.0)):
        if key in raw:
            value = raw[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and
                                                                                  not isinstance(value, int)):
                raise ConfigError(f"{what}.{key} must be a number")
            if value < low or (key == "low_ratio" and value >= 1):
                bounds = "0 < x < 1" if key == "low_ratio" else f">= {low}"
                raise ConfigError(f"{what}.{key} is out of range ({bounds})")
            numbers[key] = kind(value)
    return HealthSettings(channels=_channels(raw, what), email=email, **numbers)


def _service(raw: dict[str, Any], database: Path, where: str) -> ServiceSettings:
    values = {**DEFAULTS["service"], **raw}
    try:
        timeout = parse_duration(values["crawl_timeout"])
    except ValueError as exc:
        raise ConfigError(f"{where}: service.crawl_timeout: {exc}") from None
    digest_time = str(values["digest_time"])
    try:
        hour, minute = (int(x) for x in digest_time.split(":"))
        assert 0 <= hour < 24 and 0 <= minute < 60
    except (ValueError, AssertionError):
        raise ConfigError(f"{where}: service.digest_time must be HH:MM, e.g. 07:00") from None
    jobs = values["jobs_db"]
    jobs_db = Path(jobs) if jobs else database.with_suffix(".jobs.db")
    if values["log_format"] not in LOG_FORMATS:
        raise ConfigError(f"{where}: service.log_format must be text or json")
    memory = values["max_crawl_memory_mb"]
    if not isinstance(memory, int) or memory < 256:
        raise ConfigError(f"{where}: service.max_crawl_memory_mb must be a whole number >= 256")
    workers = {}
    for key, low in (("crawl_workers", 1), ("worker_max_crawls", 1), ("worker_max_memory_mb", 128)):
        value = values[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise ConfigError(f"{where}: service.{key} must be a whole number >= {low}")
        workers[key] = value
    return ServiceSettings(timeout, digest_time, jobs_db, values["log_format"], memory, **workers)


# --- the Scrapy settings the [crawler] section stands for -----------------------------------------


def scrapy_settings(crawler: CrawlerSettings) -> dict[str, Any]:
    """The Scrapy settings of a [crawler] section; ``crawler/settings.py`` holds those of the
    defaults (``scrapy_settings(CrawlerSettings())``), so each default is written once."""
    return {
        "USER_AGENT": crawler.full_user_agent,
        "DOWNLOAD_DELAY": crawler.download_delay,
        "AUTOTHROTTLE_ENABLED": crawler.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(crawler.download_delay, 0.1),
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawler.concurrent_per_domain,
        "DOWNLOAD_TIMEOUT": crawler.timeout,
        "RETRY_TIMES": crawler.retries,
        "RETRY_BACKOFF_BASE": crawler.retry_backoff,
        "DOWNLOAD_MAXSIZE": crawler.max_response_bytes,
        "DOWNLOAD_WARNSIZE": min(crawler.max_response_bytes, DOWNLOAD_WARNSIZE),
        "ROBOTSTXT_OBEY": crawler.obey_robots,
        "CLOSESPIDER_PAGECOUNT": crawler.max_pages,
        "CLUSTERWATCH_MAX_TEXT_CHARS": crawler.max_text_chars,
        "CLUSTERWATCH_ALLOW_NETWORKS": networks_setting(crawler.allow_private_addresses),
    }

