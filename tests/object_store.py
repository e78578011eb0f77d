"""An S3 endpoint on this machine (moto's server) for tests of partitions kept in object storage."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import fsspec
import fsspec.config

@contextmanager
def s3_bucket() -> Iterator[str]:
    """A new, empty bucket on a local S3 server, as `s3://NAME`. This process reaches it through fsspec's settings,
    and processes started meanwhile (Dask workers) through the environment (FSSPEC_S3_ENDPOINT_URL). moto keeps its
    buckets per process, whichever server made them, so each bucket gets a name of its own."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
           "FSSPEC_S3_ENDPOINT_URL": f"http://{host}:{port}"}
    saved_env = {name: os.environ.get(name) for name in env}
    saved_conf = fsspec.config.conf.get("s3")
    os.environ.update(env)
    fsspec.config.conf["s3"] = {"endpoint_url": env["FSSPEC_S3_ENDPOINT_URL"]}
    bucket = f"audience-partitions-{uuid.uuid4().hex[:12]}"
    try:
        fsspec.filesystem("s3", skip_instance_cache=True).mkdir(bucket)
        yield f"s3://{bucket}"
    finally:
        for name, value in saved_env.items():
            os.environ.pop(name, None) if value is None else os.environ.__setitem__(name, value)
        fsspec.config.conf.pop("s3", None) if saved_conf is None else fsspec.config.conf.__setitem__("s3", saved_conf)
        server.stop()


def listing(location: str) -> list[str]:
    """Every object under `location`."""
    fs, path = fsspec.core.url_to_fs(location)
    fs.invalidate_cache()
    return fs.find(path)
