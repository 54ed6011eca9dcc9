"""Shared fixtures: replica sites served on 127.0.0.1 (one server per site, started once per
session), copies of sites that a test may change, and a runner for the real command line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.mockserver import SiteServer

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "data" / "snapshot"
TEST_SITES = ROOT / "tests" / "sites"
SHARED = ROOT.parent / "shared"

# Fast and still polite enough for loopback: no delay, no retries to wait for.
TEST_CRAWLER = {
    "download_delay": 0,
    "autothrottle": False,
    "retries": 0,
    "timeout": 10,
    "concurrent_per_domain": 4,
    # The replica sites are on loopback, which the crawler refuses unless told (crawler.netpolicy).
    "allow_private_addresses": True,
}


def _site_dirs() -> dict[str, Path]:
    dirs = {}
    for parent in (SNAPSHOT, TEST_SITES):
        if parent.is_dir():
            for d in sorted(parent.iterdir()):
                if d.is_dir():
                    dirs[d.name] = d
    return dirs


@pytest.fixture(scope="session")
def sites() -> Iterator[dict[str, SiteServer]]:
    """Every replica site, read-only, served for the whole session: name -> server."""
    servers = {name: SiteServer(path).start() for name, path in _site_dirs().items()}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def site_copy(tmp_path: Path) -> Iterator[Callable[[str], SiteServer]]:
    """A private, writable copy of a replica site (or an empty site), served for one test."""
    started: list[SiteServer] = []

    def make(name: str | None = None) -> SiteServer:
        target = tmp_path / "sites" / (name or f"site{len(started)}")
        if name:
            shutil.copytree(_site_dirs()[name], target)
        else:
            target.mkdir(parents=True)
        server = SiteServer(target).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def write_config(path: Path, sources: list[dict], *, crawler: dict | None = None,
                 extra: str = "", database: str = "data.db") -> Path:
    lines = [f"database = {toml_value(database)}", "", "[crawler]"]
    for k, v in {**TEST_CRAWLER, **(crawler or {})}.items():
        lines.append(f"{k} = {toml_value(v)}")
    for source in sources:
        lines += ["", "[[sources]]"] + [f"{k} = {toml_value(v)}" for k, v in source.items()]
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., Result]:
    """Run the installed command line for real, in a child process (Scrapy's reactor runs once
    per process), with the test's config."""

    def run(*args: str, config: Path | None = None, input: str | None = None,
            timeout: float = 120, env: dict[str, str] | None = None) -> Result:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWATCH")}
        if config is not None:
            environ["CLUSTERWATCH_CONFIG"] = str(config)
        environ.update(env or {})
        proc = subprocess.run(
            [sys.executable, "-m", "monitor", *args], capture_output=True, text=True,
            cwd=tmp_path, env=environ, input=input, timeout=timeout,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


def shared_corpus() -> Path | None:
    path = SHARED / "corpora" / "feedparser"
    return path if path.is_dir() else None
