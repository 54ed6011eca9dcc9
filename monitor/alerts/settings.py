"""Who gets what, and how: the subscribers, the email server, the health routing, read from the
configuration. Every other module of the outbox reads its settings from here, so that the digest
and health modules (which the outbox imports) never need to import the outbox."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.config import Config, ConfigError

EVENT_KINDS = ("milestone", "new_member")
DIGESTS = ("off", "daily", "weekly")
LANGUAGES = ("de", "en")
SECURITY = ("none", "starttls", "ssl")
EMAIL = "email"  # the channel of a subscriber's `email` address: the [email] server or Maildir

# ${NAME}: a secret taken from the environment when the message is sent, never stored.
PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# user:password@ written into the URL itself: refused, as email.password is.
_LITERAL_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@?#]*:([^/@?#]+)@", re.I)


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
        return ((EMAIL,) if self.email else ()) + self.channels

    def wants(self, kind: str, milestone: bool, programme: str | None, sources: frozenset[str] | None = None) -> bool:
        wanted = ("milestone" in self.events and milestone) or ("new_member" in self.events and kind == "new_member")
        if not wanted:
            return False
        if self.sources and sources is not None and not (sources & set(self.sources)):
            return False
        if not self.programmes:
            return True
        return programme is not None and programme.casefold() in {p.casefold() for p in self.programmes}


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
class HealthSettings:
    """Where health notices go and what counts as quiet breakage (`[health]`)."""

    channels: tuple[str, ...] = ()
    email: bool = True  # also to email.admin
    low_ratio: float = 0.25  # items of a run below this share of the recent median: quiet
    min_runs: int = 5  # ok runs needed before a median means anything
    silence_factor: float = 4.0  # no new item for this many times the usual gap: quiet

    def routes(self, admin: str | None) -> tuple[str, ...]:
        return ((EMAIL,) if self.email and admin else ()) + self.channels


def _where(config: Config) -> str:
    return str(config.path) if config.path else "built-in defaults"


def email_settings(config: Config) -> EmailSettings:
    raw = dict(config.extra.get("email") or {})
    where = _where(config)
    base = config.path.resolve().parent if config.path else Path.cwd()
    settings = EmailSettings(maildir=base / "mail", config_file=str(config.path or "clusterwatch.toml"))
    if "security" in raw and raw["security"] not in SECURITY:
        raise ConfigError(f"{where}: email.security must be one of {', '.join(SECURITY)}")
    if "password" in raw:
        raise ConfigError(f"{where}: put the password in an environment variable and name it in email.password_env")
    for key in ("host", "security", "username", "password_env", "sender", "admin", "unsubscribe"):
        if key in raw:
            setattr(settings, key, str(raw[key]))
    if "port" in raw:
        settings.port = int(raw["port"])
    if "timeout" in raw:
        settings.timeout = float(raw["timeout"])
    if "maildir" in raw:
        settings.maildir = (base / os.path.expanduser(str(raw["maildir"]))).resolve()
    if not settings.port:
        settings.port = {"ssl": 465, "starttls": 587}.get(settings.security, 25)
    return settings


def check_channel(url: Any, what: str) -> str:
    """A channel URL as configured, refused with one line when Apprise cannot read it or when it
    carries a password in plain text. Secrets belong in ${VAR} placeholders."""
    if not isinstance(url, str) or "://" not in url:
        raise ConfigError(f"{what}: a channel must be an Apprise URL such as \"json://host/path\", not {url!r}")
    if _LITERAL_PASSWORD.match(url) and not PLACEHOLDER.fullmatch(_LITERAL_PASSWORD.match(url).group(1)):  # type: ignore[union-attr]
        scheme = url.split("://", 1)[0]
        raise ConfigError(f"{what}: channel {scheme}://… has a password in the URL; put it in an environment"
                          " variable and write ${NAME} in its place")
    from monitor.alerts.channels import parse_channel

    # Checked with a stand-in for each secret, which need not be set when the configuration loads.
    if parse_channel(PLACEHOLDER.sub("placeholder", url)) is None:
        scheme = url.split("://", 1)[0]
        raise ConfigError(f"{what}: channel {scheme}://… is not a URL Apprise can send to"
                          " (see https://github.com/caronc/apprise/wiki for the services and their URLs)")
    return url


def _strings(raw: dict[str, Any], key: str, what: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{what}: {key} must be a list of strings")
    return tuple(value)


def subscribers(config: Config) -> list[Subscriber]:
    where = _where(config)
    out = []
    keys: set[str] = set()
    for n, raw in enumerate(config.extra.get("subscribers") or [], 1):
        email = raw.get("email")
        channels = raw.get("channels")
        if email is None and channels:
            if not isinstance(raw.get("name"), str) or not raw["name"].strip():
                raise ConfigError(f"{where}: subscriber #{n}: a subscriber without email needs a name")
        elif not isinstance(email, str) or "@" not in email or any(c in email for c in "\r\n<>,; "):
            raise ConfigError(f"{where}: subscriber #{n}: email must be one address, e.g. analyst@example.org"
                              " (or give channels and a name instead)")
        who = email or raw["name"]
        what = f"{where}: subscriber {who}"
        events = tuple(raw.get("events", ["milestone"]))
        bad = [e for e in events if e not in EVENT_KINDS]
        if bad:
            raise ConfigError(f"{where}: subscriber {who}: unknown events {bad}; valid: {', '.join(EVENT_KINDS)}")
        digest = raw.get("digest", "off")
        if digest not in DIGESTS:
            raise ConfigError(f"{where}: subscriber {who}: digest must be one of {', '.join(DIGESTS)}")
        language = raw.get("language", "de")
        if language not in LANGUAGES:
            raise ConfigError(f"{where}: subscriber {who}: language must be one of {', '.join(LANGUAGES)}")
        sub = Subscriber(email=email, programmes=tuple(raw.get("programmes", [])), events=events,
                         digest=digest, keywords=tuple(raw.get("keywords", [])), language=language,
                         name=raw.get("name"),
                         channels=tuple(check_channel(c, what) for c in _strings(raw, "channels", what)),
                         sources=_strings(raw, "sources", what))
        if sub.key in keys:
            raise ConfigError(f"{what}: listed twice")
        keys.add(sub.key)
        out.append(sub)
    return out


def health_settings(config: Config) -> HealthSettings:
    raw = dict(config.extra.get("health") or {})
    what = f"{_where(config)}: health"
    email = raw.get("email", True)
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
    return HealthSettings(channels=tuple(check_channel(c, what) for c in _strings(raw, "channels", what)),
                          email=email, **numbers)


def unsubscribe_url(settings: EmailSettings, email: str) -> str | None:
    """The List-Unsubscribe target: the configured URL, else a mail to the admin, else none."""
    if settings.unsubscribe:
        return settings.unsubscribe
    if settings.admin:
        return f"mailto:{settings.admin}?subject=unsubscribe%20{email}"
    return None


def unsubscribe_text(settings: EmailSettings, email: str, language: str = "de") -> str:
    """The footer's way out, in the subscriber's language, naming something that works."""
    if settings.unsubscribe:
        return settings.unsubscribe
    if settings.admin:
        if language == "de":
            return f"E-Mail an {settings.admin} mit dem Betreff „unsubscribe {email}“"
        return f"email {settings.admin} with the subject \"unsubscribe {email}\""
    if language == "de":
        return f'den Eintrag [[subscribers]] mit email = "{email}" aus {settings.config_file} entfernen'
    return f'remove the [[subscribers]] entry with email = "{email}" from {settings.config_file}'
