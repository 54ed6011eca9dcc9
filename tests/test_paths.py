"""Paths are paths: a dataset path with '#' or '?', symlinked lock files, and Maildir entries that
are not regular message files (a FIFO, a symlink to /dev/zero)."""

from __future__ import annotations

import os
import sqlite3
import threading
from email.message import EmailMessage
from pathlib import Path

import pytest

from crawler.store import Store, StoreError, sqlite_uri
from monitor.alerts.transport import DeliveryError, MaildirTransport
from tests.conftest import write_config
from tests.test_feed_crawl import make_site


def test_sqlite_uri_keeps_every_character_in_the_path(tmp_path: Path) -> None:
    path = tmp_path / "a#b?c=d&e%20f" / "x.db"
    uri = sqlite_uri(path)
    assert "#" not in uri and uri.count("?") == 1 and uri.endswith("?mode=ro")
    path.parent.mkdir()
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    conn = sqlite3.connect(uri, uri=True)
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]
    conn.close()


def test_backup_of_a_dataset_whose_path_has_hash_and_question_mark(tmp_path, site_copy, cli) -> None:
    site = site_copy()
    make_site(site)
    folder = tmp_path / "data#1?x=2"
    folder.mkdir()  # a dataset's folder is never created for it (the everyday-path issue)
    config = write_config(tmp_path / "cw.toml", [{"name": "press", "kind": "feed", "url": site.url + "/feed.xml"}],
                          database="data#1?x=2/set#a?b.db")
    assert cli("crawl", config=config).code == 0
    before = set(tmp_path.iterdir())
    target = tmp_path / "backup#1?.db"
    result = cli("backup", str(target), config=config)
    assert result.code == 0, result.err
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("SELECT count(*) FROM announcements").fetchone() == (3,)
    finally:
        conn.close()
    assert set(tmp_path.iterdir()) - before == {target}  # no stray file beside it
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "set#a?b.db", "set#a?b.db.crawl-press.lock", "set#a?b.db.migrate.lock"]  # the dataset and its locks only


def test_a_symlinked_lock_file_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    (tmp_path / "data.db.migrate.lock").symlink_to(victim)
    with pytest.raises(StoreError, match=r"data.db.migrate.lock is a symbolic link; not followed"):
        Store(tmp_path / "data.db")
    assert not victim.exists()

    box = tmp_path / "mail"
    box.mkdir()
    (box / ".clusterwatch-delivery.lock").symlink_to(victim)
    with pytest.raises(DeliveryError, match="is a symbolic link"):
        MaildirTransport(box).send(_message("<1@example.org>"))
    assert not victim.exists()


def test_a_symlinked_delivery_lock_ends_notify_with_one_line(tmp_path, cli) -> None:
    config = write_config(tmp_path / "cw.toml", [], extra='\n[email]\nmaildir = "mail"\n')
    Store(tmp_path / "data.db").close()
    (tmp_path / "data.db.deliver.lock").symlink_to(tmp_path / "victim")
    result = cli("notify", config=config)
    assert result.code != 0
    assert "Traceback" not in result.err
    assert "data.db.deliver.lock is a symbolic link" in result.err
    assert not (tmp_path / "victim").exists()


def _message(message_id: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "cw@example.org"
    msg["To"] = "ana@example.org"
    msg["Subject"] = "test"
    msg["Message-ID"] = message_id
    msg.set_content("hello")
    return msg


def test_a_maildir_scan_opens_only_regular_files_and_reads_only_headers(tmp_path: Path) -> None:
    box = tmp_path / "mail"
    first = MaildirTransport(box)
    assert first.send(_message("<1@example.org>")).startswith("maildir: delivered")
    os.mkfifo(box / "new" / "1700000000.fifo.host")  # a FIFO blocks whoever opens it for reading
    (box / "new" / "1700000001.zero.host").symlink_to("/dev/zero")  # endless
    (box / "cur" / "1700000002.secret.host:2,S").symlink_to(tmp_path / "elsewhere")
    # A huge message: only its header block may be read.
    (box / "cur" / "1700000003.big.host:2,S").write_bytes(b"Message-ID: <big@example.org>\n\n" + b"x" * 20_000_000)
    results: list[str] = []
    worker = threading.Thread(target=lambda: results.extend(
        [MaildirTransport(box).send(_message("<1@example.org>")),
         MaildirTransport(box).send(_message("<big@example.org>")),
         MaildirTransport(box).send(_message("<2@example.org>"))]), daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), "the scan blocked on the FIFO or read /dev/zero"
    assert results[0] == f"maildir: <1@example.org> already present as {results[0].rsplit(' ', 1)[1]}"
    assert results[1].startswith("maildir: <big@example.org> already present")
    assert results[2].startswith("maildir: delivered")
