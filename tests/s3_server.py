"""A local server that speaks the S3 protocol, for the object-storage tests (issue 22, point 4).

No S3 server can be installed from the registries here, so the test run starts ``moto`` in
server mode (``python -m moto.server``) on a free port of 127.0.0.1, as a separate process,
once per session. The platform talks to it only through django-storages, exactly as it talks
to MinIO or Alibaba OSS in production; the tests use boto3 to look into the bucket.

Fixtures:

- ``moto_s3``: the running server (its endpoint URL and a boto3 client);
- ``s3_storages``: a fresh bucket, with ``STORAGES`` switched to it for one test (through the
  ``settings`` fixture, so Django's storage caches are reset before and after).
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass

import pytest
import requests

REGION = "us-east-1"
ACCESS_KEY = "moto-test-access-key"
SECRET_KEY = "moto-test-secret-key"  # moto accepts any credentials; these only sign requests


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class MotoServer:
    endpoint_url: str
    process: subprocess.Popen

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    def connection(self):
        """The django-storages options that point an alias at this server."""
        return {
            "endpoint_url": self.endpoint_url,
            "region_name": REGION,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "addressing_style": "path",
            "signature_version": "s3v4",
        }

    def settings_environment(self, bucket):
        """The environment that makes ``config/settings/storage.py`` choose this bucket (for a
        process started by a test, such as a gunicorn node)."""
        return {
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": self.endpoint_url,
            "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": SECRET_KEY,
            "S3_ADDRESSING_STYLE": "path",
        }


def _wait_until_up(server, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {server.process.returncode}")
        try:
            requests.get(server.endpoint_url + "/moto-api/", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"moto_server did not answer on {server.endpoint_url} within {seconds}s")


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto_server.log"
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
        )
    server = MotoServer(endpoint_url=f"http://127.0.0.1:{port}", process=process)
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class S3Storages:
    server: MotoServer
    bucket: str

    def client(self):
        return self.server.client()

    def keys(self, prefix=""):
        listing = self.client().list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, key):
        return self.client().get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def write(self, key, data):
        """Replace an object's bytes behind the platform's back (what someone with write
        access to the bucket could do); keeps its private ACL."""
        self.client().put_object(Bucket=self.bucket, Key=key, Body=data, ACL="private")


@pytest.fixture
def s3_storages(moto_s3, settings):
    """A new private bucket on the moto server, and every file alias of ``STORAGES`` on it."""
    from config.settings.storage import s3_storages as storages_for

    bucket = f"platform-test-{uuid.uuid4().hex[:12]}"
    moto_s3.client().create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **storages_for(bucket, **moto_s3.connection()),
        "staticfiles": settings.STORAGES["staticfiles"],
    }
    yield S3Storages(server=moto_s3, bucket=bucket)
