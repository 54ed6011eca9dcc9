"""Configuration: where it is found, what it accepts, and how it says no."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import DEFAULT_FILE, ConfigError, load, load_config
from crawler.sources import parse_duration

FEED = {"name": "press", "kind": "feed", "url": "https://www.bmwe.de/feed.xml"}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLUSTERWATCH_CONFIG", raising=False)
    assert load_config().path is None  # built-in defaults
    local = write(tmp_path / "clusterwatch.toml", 'database = "local.db"\n')
    assert load_config().path == local
    env = write(tmp_path / "env.toml", 'database = "env.db"\n')
    monkeypatch.setenv("CLUSTERWATCH_CONFIG", str(env))
    assert load_config().path == env
    explicit = write(tmp_path / "explicit.toml", 'database = "explicit.db"\n')
    assert load_config(explicit).path == explicit


def test_database_is_relative_to_the_config_file_and_db_overrides(tmp_path: Path) -> None:
    sub = tmp_path / "conf"
    sub.mkdir()
    cfg = write(sub / "cw.toml", 'database = "data/cw.db"\n')
    assert load_config(cfg).database == (sub / "data" / "cw.db").resolve()
    assert load_config(cfg, db=tmp_path / "other.db").database == tmp_path / "other.db"


def test_built_in_defaults_configure_the_real_sources() -> None:
    config = load_config(DEFAULT_FILE)
    hosts = {u.split("/")[2] for s in config.sources for u in s.urls}
    assert {"www.bmwe.de", "www.clusterplattform.de"} <= hosts
    kinds = {s.kind for s in config.sources}
    assert {"feed", "gsb", "article"} <= kinds
    press = config.source("bmwe-press")
    assert {"bmwe.de", "bmwk.de", "bmwi.de"} <= set(press.allowed_domains)


@pytest.mark.parametrize(("toml", "message"), [
    ('[[sources]]\nname = "x"\nkind = "rss"\nurl = "https://a.de/"\n',
     "unknown kind 'rss'; valid kinds: article, feed, gsb"),
    ('[[sources]]\nname = "x"\nkind = "feed"\nurl = "https://a.de/"\nevery_ = "1h"\n',
     "unknown key 'every_' for kind 'feed'; valid keys: aggregator, allowed_domains, archive_prefixes, cron, "),
    ('[[sources]]\nname = "x"\nkind = "feed"\nurl = "https://a.de/"\nfollow = "x"\n',
     "unknown key 'follow' for kind 'feed'"),
    ('[[sources]]\nname = "x"\nkind = "feed"\nurl = "https://a.de/"\nevery = "often"\n',
     "'often' is not a duration; use a number and a unit: 90s, 30m, 6h, 1d, 1w"),
    ('[[sources]]\nname = "x"\nkind = "feed"\n', "url or start_urls is required"),
    ('[[sources]]\nname = "x"\nkind = "feed"\nurl = "ftp://a.de/"\n', "bad URL 'ftp://a.de/'"),
    ('[[sources]]\nname = "x"\nkind = "feed"\nurl = "https://a.de/"\nenabled = "yes"\n',
     "enabled has the wrong type (str)"),
    ('[[sources]]\nname = "x"\nkind = "gsb"\nurl = "https://a.de/"\nselectors = {teaser = "div"}\n',
     "unknown selector 'teaser'; valid selectors: article_content"),
    ('[[sources]]\nname = "a"\nkind = "feed"\nurl = "https://a.de/"\n[[sources]]\nname = "a"\nkind = "feed"\nurl = "https://b.de/"\n',
     "the name 'a' is used twice"),
    ('[crawler]\nspeed = 3\n', "unknown key crawler.speed; valid keys: allow_private_addresses, autothrottle, concurrent_per_domain"),
    ('databse = "x.db"\n', "unknown key 'databse'; valid top-level keys: archive, crawler, database, email"),
    ('[email]\nhots = "smtp.example.org"\n', "unknown key email.hots; valid keys: host, port"),
    ('database = [\n', "not valid TOML"),
    # The defaults' allowed_domains left in place with the URL pointing at a local copy: Scrapy fetched
    # the start page and silently dropped every link and robots.txt as off-site.
    ('[[sources]]\nname = "x"\nkind = "gsb"\nurl = "http://127.0.0.1:8000/liste.html"\n'
     'allowed_domains = ["bmwe.de", "bmwk.de"]\n',
     "source 'x': start URL http://127.0.0.1:8000/liste.html is outside allowed_domains (bmwe.de, bmwk.de);"
     " add '127.0.0.1' to allowed_domains"),
    ('[[sources]]\nname = "x"\nkind = "feed"\nurl = "https://a.de/"\nevery = "0s"\n',
     "source 'x': every = '0s' is below the floor of 1s"),
    ('[[sources]]\nname = "x"\nkind = "feed"\nurl = "https://a.de/"\nevery = "0.5s"\n', "below the floor of 1s"),
])
def test_bad_configuration_is_refused_with_the_valid_choices(tmp_path: Path, toml: str, message: str) -> None:
    cfg = write(tmp_path / "cw.toml", toml)
    with pytest.raises(ConfigError) as info:
        load(cfg)
    assert message in str(info.value)
    assert str(cfg) in str(info.value)  # names the file


def test_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("30m", 1800), ("6h", 21600), ("1d", 86400),
                                               ("1.5h", 5400), (" 2 W ", 1209600)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_allowed_domains_default_to_the_source_hosts(tmp_path: Path) -> None:
    cfg = write(tmp_path / "cw.toml", '[[sources]]\nname = "x"\nkind = "article"\n'
                'start_urls = ["https://www.bmwe.de/a", "https://WWW.clusterplattform.de/b"]\n')
    assert load(cfg).sources[0].allowed_domains == ["www.bmwe.de", "www.clusterplattform.de"]
