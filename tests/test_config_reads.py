"""The configuration is read once per command and once per service cycle.

The reads are counted for real: an audit hook (PEP 578) sees every ``open`` of the configuration
file, in the command's own process; the service cycle is run in this process, as the scheduler
runs it, and its parses are counted as well. Before the configuration was typed, one service cycle
parsed the subscribers three times; a crawl read the file twice (the Scrapy spider loader read it
again, from wherever it found one).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import crawler.config
from monitor import service
from tests.conftest import write_config
from tests.test_feed_crawl import ITEMS, make_site, rss
from tests.test_service import MILESTONE_ITEM

# Runs the command line with an audit hook that counts the opens of $CW_COUNT_PATH, and of any
# other file named *.toml, and writes both counts to $CW_COUNT_OUT when the process exits.
COUNTING_MAIN = """
import atexit, os, sys
target = os.path.realpath(os.environ["CW_COUNT_PATH"])
reads = [0, 0]
def hook(event, args):
    if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.realpath(os.fsdecode(args[0]))
        if path == target:
            reads[0] += 1
        elif path.endswith(".toml") and "site-packages" not in path:
            reads[1] += 1
sys.addaudithook(hook)
atexit.register(lambda: open(os.environ["CW_COUNT_OUT"], "w").write(f"{reads[0]} {reads[1]}"))
from monitor.cli import main
sys.argv[0] = "clusterwatch"
main()
"""


@pytest.fixture
def configured(tmp_path: Path, site_copy: Any) -> Path:
    site = site_copy()
    make_site(site)
    (site.root / "feed.xml").write_text(rss([MILESTONE_ITEM, *ITEMS]), encoding="utf-8")
    extra = ('\n[email]\nmaildir = "mail"\nsender = "cw@example.org"\nadmin = "admin@example.org"\n'
             '\n[[subscribers]]\nemail = "ana@example.org"\ndigest = "daily"\n'
             '\n[milestones]\ndefault = 50\n\n[service]\ncrawl_timeout = "2m"\n')
    return write_config(tmp_path / "cw.toml", [{"name": "press", "kind": "feed", "url": site.url + "/feed.xml"}],
                        extra=extra)


def reads_of(config: Path, *args: str) -> tuple[tuple[int, int], subprocess.CompletedProcess[str]]:
    """(opens of the configuration file, opens of any other TOML file), and the finished command."""
    out = config.parent / "reads.txt"
    out.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWATCH")}
    env.update(CW_COUNT_PATH=str(config), CW_COUNT_OUT=str(out))
    # --config, the way a user names it; the working directory has a clusterwatch.toml of its
    # own, so a second, independent search for "the" configuration would be seen reading it.
    decoy = config.parent / "cwd"
    decoy.mkdir(exist_ok=True)
    (decoy / "clusterwatch.toml").write_text('database = "decoy.db"\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", COUNTING_MAIN, "--config", str(config), *args],
                          capture_output=True, text=True, cwd=decoy, env=env, timeout=180)
    mine, others = out.read_text().split()
    return (int(mine), int(others)), proc


@pytest.mark.parametrize("command", [
    ("crawl", "--json"), ("sources", "--json"), ("detect",), ("milestones", "--json"), ("notify",),
    ("alerts", "--json"), ("export", "--what", "announcements"), ("timeline", "go-cluster", "--json"),
    ("search", "Mitglied"), ("run", "--once"),
])
def test_each_command_reads_the_configuration_once(configured: Path, command: tuple[str, ...]) -> None:
    if command[0] != "crawl":
        _, proc = reads_of(configured, "crawl")
        assert proc.returncode == 0, proc.stderr
        if command[0] in ("milestones", "timeline", "alerts", "export"):
            _, proc = reads_of(configured, "detect")
    reads, proc = reads_of(configured, *command)
    assert proc.returncode == 0, proc.stderr
    assert reads == (1, 0), command  # the file given, once; no other configuration file


@pytest.fixture
def counted(configured: Path) -> Iterator[dict[str, int]]:
    """Opens of the configuration file and parses of it, in this process, while the fixture lasts."""
    target = os.path.realpath(configured)
    counts = {"reads": 0, "parses": 0}
    active = [True]

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if active[0] and event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)) \
                and os.path.realpath(os.fsdecode(args[0])) == target:
            counts["reads"] += 1

    sys.addaudithook(hook)  # cannot be removed: it goes quiet when the test ends
    parse = crawler.config.config_from_dict

    def counting_parse(*args: Any, **kwargs: Any) -> crawler.config.Config:
        counts["parses"] += 1
        return parse(*args, **kwargs)

    crawler.config.config_from_dict = counting_parse  # type: ignore[assignment]
    try:
        yield counts
    finally:
        active[0] = False
        crawler.config.config_from_dict = parse  # type: ignore[assignment]


def test_a_service_cycle_reads_the_configuration_once(configured: Path, counted: dict[str, int]) -> None:
    database = str(crawler.config.load(configured).database)
    counted.update(reads=0, parses=0)
    # What the scheduler runs per source: a crawl (in a child process), detection, health
    # notices, delivery; then the daily digest job.
    service.crawl_job(str(configured), database, "press")
    assert counted == {"reads": 1, "parses": 1}
    assert list((configured.parent / "mail" / "new").iterdir()), "the cycle sent no alert"
    counted.update(reads=0, parses=0)
    service.digest_job(str(configured), database)
    assert counted == {"reads": 1, "parses": 1}


def test_the_service_parses_an_unchanged_configuration_once(configured: Path, counted: dict[str, int]) -> None:
    """A service cycle per poll: with 3,000 sources a parse cost more than the poll itself."""
    database = str(crawler.config.load(configured).database)
    counted.update(reads=0, parses=0)
    first = service.cycle_config(str(configured), database)
    second = service.cycle_config(str(configured), database)
    assert second is first
    assert counted == {"reads": 1, "parses": 1}
    # An edited file applies to the next cycle (its size changes; an edit keeping the size changes
    # the modification time).
    configured.write_text(configured.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    counted.update(reads=0, parses=0)
    third = service.cycle_config(str(configured), database)
    assert third is not first
    assert counted == {"reads": 1, "parses": 1}
    assert service.cycle_config(str(configured), database) is third
