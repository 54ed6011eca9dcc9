"""Progress on a terminal during a crawl; nothing of it in pipes or with --quiet."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from tests.conftest import write_config
from tests.test_gsb_crawl import LISTING


def crawl_on_a_terminal(config, cwd, *extra: str) -> str:
    controller, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWATCH")}
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "crawl", *extra],
                            cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=terminal)
    os.close(terminal)
    chunks = []
    while True:
        try:
            data = os.read(controller, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(controller)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_line_on_a_terminal_only(tmp_path, site_copy, cli) -> None:
    site = site_copy("bmwe")
    (site.root / (LISTING.lstrip("/") + "@gtp=2.headers")).write_text("Content-Type: text/html; charset=UTF-8\nDelay: 2.5\n")
    config = write_config(tmp_path / "cw.toml", [{"name": "bmwe-press", "kind": "gsb", "url": site.url + LISTING}])
    shown = crawl_on_a_terminal(config, tmp_path)
    assert "pages/s" in shown and "bmwe-press" in shown
    quiet = crawl_on_a_terminal(config, tmp_path, "--full", "--quiet")
    assert "pages/s" not in quiet
    piped = cli("crawl", "--full", config=config)
    assert "pages/s" not in piped.err and "pages/s" not in piped.out
