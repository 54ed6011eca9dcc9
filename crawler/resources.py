"""Files the product ships (the ``clusterwatch_data`` package: ``data/`` in the repository).

They are found through importlib.resources, so an installed wheel finds them as well as a checkout.
A file that is missing (a broken or partial installation) raises ``MissingDataError`` with the
name of the file and what to do, never a bare ``FileNotFoundError`` far from its cause.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from crawler.errors import ClusterwatchError

DATA_PACKAGE = "clusterwatch_data"


class MissingDataError(ClusterwatchError, RuntimeError):
    """A file that ships with clusterwatch is not where the installation should have put it."""


def bundled(name: str) -> Path:
    """Where a bundled file should be, without checking that it is there (for module constants:
    a broken installation is reported when the file is used, with ``data_file``'s message)."""
    try:
        return data_dir() / name
    except MissingDataError:
        return Path(DATA_PACKAGE) / name


def data_dir() -> Path:
    """The folder of the bundled files on the file system (pip installs packages unpacked)."""
    try:
        root = resources.files(DATA_PACKAGE)
    except ModuleNotFoundError:
        raise MissingDataError(
            f"the bundled files (package {DATA_PACKAGE}) are not installed: reinstall clusterwatch "
            "(pip install --force-reinstall clusterwatch)"
        ) from None
    if not isinstance(root, Path):  # a zip import: the snapshot must be served from real files
        raise MissingDataError(f"the bundled files are not on the file system ({root}): install clusterwatch unzipped")
    return root


def data_file(name: str) -> Path:
    """A bundled file or folder by its name under ``data/``; raises MissingDataError if absent."""
    path = data_dir() / name
    if not path.exists():
        raise MissingDataError(
            f"{path}: a file that ships with clusterwatch is missing; reinstall clusterwatch "
            "(pip install --force-reinstall clusterwatch)"
        )
    return path
