"""The product's bundled files: the default configuration, Datasette's metadata and the offline
snapshot. Installed as the package ``clusterwatch_data`` (see ``pyproject.toml``) and read through
``crawler.resources`` with importlib.resources, never by a path relative to the source tree."""
