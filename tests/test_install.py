"""What a user of an installed clusterwatch meets when the environment is not what it should be:
one line that says what to install or reinstall, never a traceback. (The wheel itself is built,
installed with a new venv's own pip and run from outside the checkout by .ci/run.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler import resources
from crawler.config import ConfigError, load_config


def _cli(args: list[str], prelude: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    code = f"import sys\n{prelude}\nfrom monitor.cli import main\nsys.argv = ['clusterwatch', *{args!r}]\nmain()\n"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=60)


def test_bundled_files_come_from_the_installed_package() -> None:
    root = resources.data_dir()
    assert (root / "clusterwatch.toml").is_file()
    assert (root / "metadata.yml").is_file()
    assert (root / "snapshot" / "bmwe").is_dir()
    # The package has its own name: an installed clusterwatch claims no top-level "data".
    assert resources.DATA_PACKAGE == "clusterwatch_data"


def test_defaults_load_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLUSTERWATCH_CONFIG", raising=False)
    config = load_config()
    assert config.path is None and config.sources


def test_missing_bundled_files_say_to_reinstall(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLUSTERWATCH_CONFIG", raising=False)
    monkeypatch.setattr(resources, "DATA_PACKAGE", "clusterwatch_data_absent")
    with pytest.raises(ConfigError, match="reinstall clusterwatch"):
        load_config()


def test_browse_without_datasette_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "clusterwatch.toml").write_text('database = "cw.db"\n', encoding="utf-8")
    proc = _cli(["--config", str(tmp_path / "clusterwatch.toml"), "browse"],
                "sys.modules['datasette'] = None  # as if it were not installed", tmp_path)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "clusterwatch[web]" in lines[0] and "Traceback" not in proc.stderr


def test_demo_without_its_snapshot_is_one_line(tmp_path: Path) -> None:
    prelude = "import monitor.demo, pathlib\nmonitor.demo.SNAPSHOT = pathlib.Path('clusterwatch_data/snapshot')"
    proc = _cli(["demo", "--dir", str(tmp_path / "demo")], prelude, tmp_path)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "reinstall clusterwatch" in lines[0], proc.stderr
