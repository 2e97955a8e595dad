"""Where uploaded files' bytes live: a local folder (the default) or an S3-compatible bucket.

Both backends take keys made by ``new_key`` alone (random hex, never anything a client sent), sharded two
levels deep (``3f/a9/3fa9….jpg``) so no folder grows past a few hundred thousand entries. ``put`` is atomic:
a reader sees the whole file or none (local: a temporary file in the same folder, then ``os.replace``; S3: a
single PUT). ``delete`` of a missing key is not an error, so the orphan job can be repeated after a crash.
``keys_older_than`` lists what the sweep for stray files looks at: only keys of our own layout, so anything
else put under the root (or in the bucket) is never touched.
"""
from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

# "3f/a9/3fa9<28 more hex>.jpg"; also matches the temporary files a killed writer left ("3f/a9/.tmp-…").
KEY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}\.(?:jpg|png|pdf)")
_LEFT_BY_WRITER = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/\.tmp-[A-Za-z0-9_]+")
S3_PREFIX = "uploads/"  # the bucket may hold other things: we list, sweep and write only under this


def new_key(extension: str) -> str:
    """A fresh storage key: random, so neither a file name nor an upload id can be guessed from it."""
    name = secrets.token_hex(16)
    return f"{name[:2]}/{name[2:4]}/{name}.{extension}"


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes:
        """The bytes; FileNotFoundError when there is no such key."""

    def delete(self, key: str) -> None:
        """Remove the key; a missing key is fine."""

    def keys_older_than(self, cutoff: datetime) -> Iterator[str]:
        """Keys of our layout (and a killed writer's leftovers) last written before ``cutoff``."""


class LocalStorage:
    """Files under ``root``, written atomically."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not KEY.fullmatch(key):
            raise ValueError(f"not a storage key: {key!r}")  # a programming error: keys come from new_key
        return self.root / key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())  # the bytes are on disk before the name points at them
            os.chmod(tmp, 0o640)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()

    def keys_older_than(self, cutoff: datetime) -> Iterator[str]:
        limit = cutoff.timestamp()
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if not (re.fullmatch(r"[0-9a-f]{2}", first.name) and first.is_dir() and not first.is_symlink()):
                continue
            for second in sorted(first.iterdir()):
                if not (re.fullmatch(r"[0-9a-f]{2}", second.name) and second.is_dir() and not second.is_symlink()):
                    continue
                for entry in os.scandir(second):
                    key = f"{first.name}/{second.name}/{entry.name}"
                    if not (KEY.fullmatch(key) or _LEFT_BY_WRITER.fullmatch(key)):
                        continue
                    if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < limit:
                        yield key

    def remove_leftover(self, key: str) -> None:
        """Remove a key or a killed writer's temporary file (the sweep's delete)."""
        if _LEFT_BY_WRITER.fullmatch(key):
            with contextlib.suppress(FileNotFoundError):
                (self.root / key).unlink()
        else:
            self.delete(key)


class S3Storage:
    """Objects in an S3-compatible bucket (AWS, MinIO, Aliyun OSS, Tencent COS…), under ``uploads/``."""

    def __init__(self, bucket: str, *, endpoint: str = "", region: str = "", access_key: str = "",
                 secret_key: str = ""):
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint or None,
            region_name=region or None,
            aws_access_key_id=access_key or None,
            aws_secret_access_key=secret_key or None,
            # Path-style addressing works with every S3-compatible store; bounded waits and retries so a
            # store that is down answers the request with an error, not a hung worker.
            config=Config(s3={"addressing_style": "path"}, connect_timeout=5, read_timeout=30,
                          retries={"max_attempts": 3, "mode": "standard"}),
        )

    def _name(self, key: str) -> str:
        if not KEY.fullmatch(key):
            raise ValueError(f"not a storage key: {key!r}")
        return S3_PREFIX + key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"].read()
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(key) from None
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))  # S3 answers 204 for a missing key

    def keys_older_than(self, cutoff: datetime) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=S3_PREFIX)
        for page in pages:
            for obj in page.get("Contents", ()):
                key = obj["Key"][len(S3_PREFIX):]
                if KEY.fullmatch(key) and obj["LastModified"] < cutoff:
                    yield key

    def remove_leftover(self, key: str) -> None:
        self.delete(key)  # a PUT is atomic: S3 leaves no partial object behind


def _settings(app: Flask) -> tuple:
    c = app.config
    return (c.get("STORAGE_ROOT"), c.get("STORAGE_S3_BUCKET"), c.get("STORAGE_S3_ENDPOINT"),
            c.get("STORAGE_S3_REGION"), c.get("STORAGE_S3_ACCESS_KEY"), c.get("STORAGE_S3_SECRET_KEY"))


def build(app: Flask) -> LocalStorage | S3Storage:
    c = app.config
    if c.get("STORAGE_S3_BUCKET"):
        return S3Storage(c["STORAGE_S3_BUCKET"], endpoint=c.get("STORAGE_S3_ENDPOINT", ""),
                         region=c.get("STORAGE_S3_REGION", ""), access_key=c.get("STORAGE_S3_ACCESS_KEY", ""),
                         secret_key=c.get("STORAGE_S3_SECRET_KEY", ""))
    return LocalStorage(c.get("STORAGE_ROOT") or Path(app.instance_path) / "uploads")


def storage() -> LocalStorage | S3Storage:
    """The current app's backend, built once per set of settings (a boto3 client is costly to make, and is
    safe to share between threads)."""
    app = current_app._get_current_object()
    settings = _settings(app)
    cached = app.extensions.get("upload_storage")
    if cached is None or cached[0] != settings:
        cached = (settings, build(app))
        app.extensions["upload_storage"] = cached
    return cached[1]
