"""Who gets what, and how: the subscribers, the email server and the health routing, as the one
typed configuration (crawler.config) holds them, with each channel URL checked by Apprise once.
Every module of the outbox reads its settings from here, so that the digest and health modules
(which the outbox imports) never need to import the outbox."""

from __future__ import annotations

from crawler.config import (  # noqa: F401  # re-exported: the outbox's settings, as before
    DIGESTS,
    EMAIL_CHANNEL,
    EVENT_KINDS,
    LANGUAGES,
    SECURITY,
    Config,
    ConfigError,
    EmailSettings,
    HealthSettings,
    Subscriber,
)
from monitor.alerts.channels import PLACEHOLDER, parse_channel  # noqa: F401  # PLACEHOLDER re-exported

EMAIL = EMAIL_CHANNEL



def check_channel(url: str, what: str) -> str:
    """A channel URL that Apprise can send to, else one line naming it. The configuration has
    already refused what is no URL or carries a password; this asks Apprise itself."""
    # Checked with a stand-in for each secret, which need not be set when the configuration loads.
    if parse_channel(PLACEHOLDER.sub("placeholder", url)) is None:
        scheme = url.split("://", 1)[0]
        raise ConfigError(f"{what}: channel {scheme}://… is not a URL Apprise can send to"
                          " (see https://github.com/caronc/apprise/wiki for the services and their URLs)")
    return url


def _where(config: Config) -> str:
    return str(config.path) if config.path else "built-in defaults"


# Each configuration object is checked once, however many times its channels are asked for.
_CHECKED: set[int] = set()


def _checked(config: Config) -> Config:
    if id(config) not in _CHECKED:
        where = _where(config)
        for sub in config.subscribers:
            for url in sub.channels:
                check_channel(url, f"{where}: subscriber {sub.key}")
        for url in config.health.channels:
            check_channel(url, f"{where}: health")
        _CHECKED.add(id(config))
    return config


def email_settings(config: Config) -> EmailSettings:
    """The [email] section, as the configuration typed it."""
    return config.email


def subscribers(config: Config) -> list[Subscriber]:
    """The subscribers, their channels checked with Apprise (the file is not read again)."""
    return list(_checked(config).subscribers)


def health_settings(config: Config) -> HealthSettings:
    """The [health] section, its channels checked with Apprise."""
    return _checked(config).health


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
