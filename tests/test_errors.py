"""One error family: every exception whose message is for the user derives from
ClusterwatchError, which the command line turns into one line in one place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.archive import ArchiveError
from crawler.config import ConfigError, MilestoneConfigError
from crawler.errors import ClusterwatchError
from crawler.resources import MissingDataError
from crawler.store import BadItem, DatasetMissing, DatasetNotWritable, StoreError, sqlite_code
from monitor.alerts.outbox import NoSuchAlert
from monitor.cli import cli
from monitor.demo import DemoError
from monitor.export import ExportError
from monitor.querylimit import QueryStopped
from monitor.service import ServiceRunning


@pytest.mark.parametrize("error", [ConfigError, MilestoneConfigError, StoreError, DatasetMissing, DatasetNotWritable,
                                   BadItem, MissingDataError, ArchiveError, ExportError, DemoError, NoSuchAlert,
                                   QueryStopped, ServiceRunning])
def test_every_user_facing_error_is_a_clusterwatch_error(error: type[Exception]) -> None:
    assert issubclass(error, ClusterwatchError)


def test_an_unknown_alert_is_not_a_configuration_error() -> None:
    assert not issubclass(NoSuchAlert, ConfigError)


def test_the_command_group_turns_any_clusterwatch_error_into_one_line(tmp_path: Path) -> None:
    @cli.command("raise-for-test", hidden=True)
    def raising() -> None:
        raise ExportError("the export cannot be made: because")

    try:
        result = CliRunner().invoke(cli, ["raise-for-test"])
    finally:
        cli.commands.pop("raise-for-test")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == ["Error: the export cannot be made: because"]


def test_sqlite_errors_are_told_apart_by_their_code(tmp_path: Path) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("PRAGMA query_only = 1")
    with pytest.raises(sqlite3.Error) as readonly:
        conn.execute("CREATE TABLE t (x)")
    assert sqlite_code(readonly.value) == sqlite3.SQLITE_READONLY
    first = sqlite3.connect(tmp_path / "x.db", timeout=0)
    first.execute("CREATE TABLE t (x)")
    first.execute("BEGIN IMMEDIATE")
    second = sqlite3.connect(tmp_path / "x.db", timeout=0)
    with pytest.raises(sqlite3.Error) as busy:
        second.execute("INSERT INTO t VALUES (1)")
    assert sqlite_code(busy.value) == sqlite3.SQLITE_BUSY
    assert sqlite_code(ValueError("not from SQLite")) == 0
