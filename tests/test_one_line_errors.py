"""One line, never a traceback: hostile configuration files, a dataset path that names a folder
or a file that is not SQLite, a Maildir that cannot be created; and a huge configuration loads fast."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from crawler.config import ConfigError, load_config
from crawler.items import AnnouncementItem
from crawler.store import Store
from tests.conftest import SHARED, write_config

COMMANDS = [("crawl",), ("query", "select 1"), ("search", "Mitglied"), ("export",), ("milestones",), ("detect",),
            ("alerts",), ("backup", "copy.db"), ("sources",)]


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_deeply_nested_toml_is_one_line(tmp_path, cli) -> None:
    config = tmp_path / "deep.toml"
    config.write_text("a = " + "[" * 1000 + "]" * 1000 + "\n")  # 2 KB
    assert config.stat().st_size < 2100
    result = cli("sources", config=config)
    assert result.code == 1
    assert one_line(result.err) == f"Error: {config}: not valid TOML: arrays or tables nested too deeply"
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_config(config)


@pytest.mark.parametrize("kind", ["folder", "text"])
def test_a_dataset_that_is_a_folder_or_not_sqlite_is_one_line_in_every_command(tmp_path, cli, kind: str) -> None:
    database = tmp_path / "data.db"
    if kind == "folder":
        database.mkdir()
        expected = f"dataset {database} is a folder; 'database' (or --db) must name a file"
    else:
        database.write_text("Dies ist keine Datenbank, sondern ein Text.\n" * 20)
        expected = f"{database}"
    config = write_config(tmp_path / "cw.toml", [{"name": "x", "kind": "feed", "url": "http://127.0.0.1:9/f.xml"}],
                          extra='\n[email]\nmaildir = "mail"\n')
    for args in COMMANDS:
        result = cli(*args, config=config)
        assert result.code == 1, (args, result.err)
        line = one_line(result.err)
        assert expected in line, (args, line)
        if kind == "text":
            assert "not a database" in line, (args, line)
    assert not (tmp_path / "copy.db").exists()


SEED_FILE = SHARED / "seeds" / "000_0337014357feef00.txt"


@pytest.mark.skipif(not SEED_FILE.exists(), reason="../shared/seeds is not beside this checkout")
def test_a_maildir_that_cannot_be_created_is_one_line(tmp_path, cli) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    config = write_config(tmp_path / "cw.toml", [], extra=(
        f'\n[email]\nmaildir = "{blocker}/mail"\nsender = "cw@example.org"\n\n[[subscribers]]\nemail = "a@example.org"\n'))
    store = Store(tmp_path / "data.db")
    store.ingest(AnnouncementItem(url="https://aggregator.example/?p=2871", source="aggregator",
                                  title="Das 100. Mitglied bei go-cluster", body=SEED_FILE.read_text(encoding="utf-8"),
                                  published="2014-11-17", published_evidence="test"))
    store.close()
    assert cli("detect", config=config).code == 0
    result = cli("notify", config=config)
    assert result.code == 1
    assert one_line(result.err) == (f"alert 1 to a@example.org: cannot create Maildir {blocker}/mail: Not a directory"
                                    " (will retry)")
    assert result.out.strip() == "sent 0, failed 1, rejected 0"


def test_fifty_thousand_sources_load_in_seconds_not_minutes(tmp_path: Path) -> None:
    config = tmp_path / "many.toml"
    config.write_text("".join(f'[[sources]]\nname = "s{n}"\nkind = "feed"\nurl = "https://site{n}.example/feed.xml"\n\n'
                              for n in range(50_000)), encoding="utf-8")
    started = time.perf_counter()
    loaded = load_config(config)
    elapsed = time.perf_counter() - started
    assert len(loaded.sources) == 50_000
    assert elapsed < 8, f"{elapsed:.1f} s"  # about 1-2 s; the quadratic name check took 75 s
    config.write_text(config.read_text() + '[[sources]]\nname = "s7"\nkind = "feed"\nurl = "https://x.example/"\n')
    with pytest.raises(ConfigError, match="source #50001: the name 's7' is used twice"):
        load_config(config)
