"""Where a run's partitions live: a local directory, or an fsspec URL (`s3://bucket/prefix`, `gs://…`, `file://…`)
that Dask workers on other machines reach too. Locations are strings; local paths take the native file system.

A URL's file system comes from fsspec with its usual configuration (credentials, and options such as
`FSSPEC_S3_ENDPOINT_URL`, from the environment of each process), so the driver and every worker need the same.
"""

import os
import shutil
from pathlib import Path

import duckdb
import fsspec
from fsspec.implementations.local import LocalFileSystem


def is_url(location: str | Path) -> bool:
    """Whether `location` names a file system by its scheme (`s3://…`), rather than a local path."""
    return "://" in str(location)


def join(location: str | Path, *names: str) -> str:
    """`location` with `names` appended, path segments separated by `/`."""
    if not is_url(location):
        return str(Path(location, *names))
    return "/".join([str(location).rstrip("/"), *names])


def arrow(location: str) -> tuple[str, fsspec.AbstractFileSystem | None]:
    """The path and file system pyarrow reads or writes `location` with (None: pyarrow's own local one)."""
    if not is_url(location):
        return location, None
    fs, path = fsspec.core.url_to_fs(location)
    return (path, None) if isinstance(fs, LocalFileSystem) else (path, fs)


def make_dirs(location: str) -> None:
    """Create the directory `location` (and its parents) if it does not exist."""
    if not is_url(location):
        Path(location).mkdir(parents=True, exist_ok=True)
        return
    fs, path = fsspec.core.url_to_fs(location)
    fs.makedirs(path, exist_ok=True)


def replace(source: str, target: str) -> None:
    """Move `source` to `target`, replacing it (atomically on a local file system; object stores copy)."""
    if not is_url(source):
        os.replace(source, target)
        return
    fs, source_path = fsspec.core.url_to_fs(source)
    fs.mv(source_path, fsspec.core.url_to_fs(target)[1])


def remove_tree(location: str) -> None:
    """Remove the directory `location` with everything in it, and its parent once that is empty (local only); no
    error if it is already gone."""
    if not is_url(location):
        shutil.rmtree(location, ignore_errors=True)
        try:
            Path(location).parent.rmdir()
        except OSError:
            pass
        return
    fs, path = fsspec.core.url_to_fs(location)
    if fs.exists(path):
        fs.rm(path, recursive=True)


def readable(con: duckdb.DuckDBPyConnection, locations: list[str]) -> list[str]:
    """`locations` as DuckDB reads them: local paths as they are, other URLs with their file system registered on
    `con` (DuckDB then reads them through fsspec)."""
    paths = []
    for location in locations:
        path, fs = arrow(location)
        if fs is not None:
            protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
            if not con.filesystem_is_registered(protocol):
                con.register_filesystem(fs)
            path = location
        paths.append(path)
    return paths
