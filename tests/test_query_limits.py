"""Runaway analyst queries stop: a time limit, the first Ctrl-C, and rows streamed, not held."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from crawler.store import Store
from tests.conftest import write_config
from tests.test_hostile_sources import _vm_hwm_kb

ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
MILLION = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 1000000)"
           " SELECT x, 'Innovationscluster ' || x AS name, x * 2 AS twice FROM c")


def dataset(tmp_path: Path) -> Path:
    config = write_config(tmp_path / "cw.toml", [])
    Store(tmp_path / "data.db").close()
    return config


def test_an_endless_query_stops_at_its_time_limit_with_one_line(tmp_path, cli) -> None:
    config = dataset(tmp_path)
    started = time.monotonic()
    result = cli("query", ENDLESS, "--timeout", "1", config=config, timeout=60)
    assert time.monotonic() - started < 20
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        "Error: query stopped after its time limit of 1 s (--timeout SECONDS to change it, 0 for none)"]
    # The limit is per statement run, not a ban: a quick query still answers.
    assert cli("query", "select 1 as one", "--json", "--timeout", "1", config=config).json() == [{"one": 1}]


def test_the_first_ctrl_c_stops_a_query_with_one_line(tmp_path) -> None:
    config = dataset(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWATCH")}
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "query", ENDLESS,
                             "--timeout", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path, env=env)
    time.sleep(3)  # started, and deep in the CTE
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 1
    assert err.strip().splitlines() == ["Error: query interrupted (Ctrl-C); the dataset was not changed"]


def streamed(tmp_path: Path, config: Path, sql: str, fmt: str) -> tuple[Path, float]:
    """Run `query SQL FMT` into a file; return the file and the child's peak RSS in MB (its VmHWM,
    polled: ru_maxrss would count this test process's own RSS at fork time)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWATCH")}
    out_path = tmp_path / f"out{fmt}"
    with open(out_path, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "query", sql, fmt,
                                 "--timeout", "0"], stdout=out, stderr=subprocess.PIPE, cwd=tmp_path, env=env)
        peak_kb = 0
        while proc.poll() is None:
            peak_kb = max(peak_kb, _vm_hwm_kb(proc.pid))
            time.sleep(0.02)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    return out_path, peak_kb / 1024


def test_a_million_rows_are_streamed_not_held(tmp_path) -> None:
    config = dataset(tmp_path)
    out_path, peak_mb = streamed(tmp_path, config, MILLION, "--csv")
    assert 20 < peak_mb < 250, f"{peak_mb:.0f} MB"  # held, the million rows took 826 MB; streamed, about 100 MB
    with open(out_path, encoding="utf-8") as fh:
        assert sum(1 for _ in fh) == 1_000_001
    # JSON is slower to write (about 30 s for a million rows): 300,000 show the same flat memory.
    out_path, peak_mb = streamed(tmp_path, config, MILLION.replace("1000000", "300000"), "--json")
    assert peak_mb < 250, f"{peak_mb:.0f} MB"
    data = json.loads(out_path.read_text(encoding="utf-8"))
    assert len(data) == 300_000 and data[-1] == {"x": 300000, "name": "Innovationscluster 300000", "twice": 600000}


def test_json_and_table_output_are_unchanged_for_small_results(tmp_path, cli) -> None:
    config = dataset(tmp_path)
    sql = "select 1 as a, 'x' as b union all select 2, 'y'"
    assert cli("query", sql, "--json", config=config).out == json.dumps(
        [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}], indent=2) + "\n"
    assert cli("query", "select 1 as a where 0", "--json", config=config).out == "[]\n"
    assert cli("query", sql, config=config).out.splitlines() == ["  a  b", "---  ---", "  1  x", "  2  y"]


def test_search_and_export_have_the_same_limit(tmp_path, cli) -> None:
    config = dataset(tmp_path)
    conn = sqlite3.connect(tmp_path / "data.db")
    # Enough rows (and full-text index entries) that reading them takes many SQLite steps.
    conn.executemany(
        "INSERT INTO announcements (url, title, source, body, first_seen, last_seen) VALUES (?, ?, 's', ?, 'x', 'x')",
        ((f"https://a.example/{n}", f"Mitglied {n}", f"Das {n}. Mitglied im Cluster " * 20) for n in range(20_000)))
    conn.commit()
    conn.close()
    for args in (("search", "Mitglied Cluster", "--limit", "100000"),
                 ("export", "--what", "announcements", "--format", "csv", "-o", "out.csv")):
        result = cli(*args, "--timeout", "0.001", config=config)
        assert result.code == 1, (args, result.err)
        assert result.err.strip().splitlines()[-1].startswith(f"Error: {args[0]} stopped after its time limit"), result.err
        assert "Traceback" not in result.err
    assert not (tmp_path / "out.csv").exists()  # a stopped export leaves no half file
