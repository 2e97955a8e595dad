"""The S3 backend over real HTTP, against moto's S3 server on a free local port."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import boto3
import pytest
import time_machine
from PIL import Image

from server.uploads import jobs
from server.uploads.models import Upload
from server.uploads.storage import S3_PREFIX, S3Storage, new_key

from . import pictures

API = "/api/v1"
BUCKET = "union-photos"
CREDENTIALS = {"access_key": "test-access-key", "secret_key": "test-secret-key", "region": "us-east-1"}


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server):
    """A fresh bucket per test (moto keeps state for the whole server)."""
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1",
                          aws_access_key_id="test-access-key", aws_secret_access_key="test-secret-key")
    client.create_bucket(Bucket=BUCKET)
    yield client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for obj in page.get("Contents", ()):
            client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def s3_app(app, s3_server, bucket, monkeypatch):
    for name, value in {"STORAGE_S3_ENDPOINT": s3_server, "STORAGE_S3_BUCKET": BUCKET,
                        "STORAGE_S3_ACCESS_KEY": CREDENTIALS["access_key"],
                        "STORAGE_S3_SECRET_KEY": CREDENTIALS["secret_key"],
                        "STORAGE_S3_REGION": CREDENTIALS["region"]}.items():
        monkeypatch.setitem(app.config, name, value)
    return app


def test_put_get_delete_round_trip(s3_server, bucket):
    store = S3Storage(BUCKET, endpoint=s3_server, **CREDENTIALS)
    key = new_key("jpg")
    data = pictures.phone_jpeg()
    store.put(key, data, "image/jpeg")
    head = bucket.head_object(Bucket=BUCKET, Key=S3_PREFIX + key)
    assert head["ContentType"] == "image/jpeg" and head["ContentLength"] == len(data)
    assert store.get(key) == data
    assert list(store.keys_older_than(datetime.now(UTC) + timedelta(minutes=1))) == [key]
    assert list(store.keys_older_than(datetime.now(UTC) - timedelta(minutes=1))) == []
    store.delete(key)
    with pytest.raises(FileNotFoundError):
        store.get(key)
    store.delete(key)  # deleting again is not an error
    with pytest.raises(ValueError):
        store.put("../escape.jpg", data, "image/jpeg")


def test_an_upload_is_stored_in_the_bucket_and_served_from_it(s3_app, client, db, make, auth, bucket, storage_root):
    headers = auth(make.member())
    r = client.post(f"{API}/uploads", data={"file": (io.BytesIO(pictures.phone_jpeg()), "p.jpg")},
                    content_type="multipart/form-data", headers=headers)
    assert r.status_code == 201, r.get_json()
    row = db.session.get(Upload, r.json["id"])
    stored = bucket.get_object(Bucket=BUCKET, Key=S3_PREFIX + row.storage_key)
    data = stored["Body"].read()
    assert stored["ContentType"] == "image/jpeg" and len(data) == row.size
    assert len(Image.open(io.BytesIO(data)).getexif()) == 0
    assert not storage_root.exists()  # nothing in the local folder

    r = client.get(f"{API}/uploads/{row.id}", headers=headers)
    assert r.status_code == 200 and r.data == data and r.mimetype == "image/jpeg"
    assert client.get(f"{API}/uploads/{row.id}", headers=auth(make.member())).status_code == 404


def test_the_job_deletes_orphans_and_sweeps_strays_in_the_bucket_only_under_its_prefix(s3_app, client, db, make,
                                                                                       auth, bucket):
    headers = auth(make.member())
    start = datetime.now(UTC)
    with time_machine.travel(start):
        r = client.post(f"{API}/uploads", data={"file": (io.BytesIO(pictures.png("RGB")), "a.png")},
                        content_type="multipart/form-data", headers=headers)
    orphan_key = db.session.get(Upload, r.json["id"]).storage_key
    stray_key = new_key("jpg")
    bucket.put_object(Bucket=BUCKET, Key=S3_PREFIX + stray_key, Body=b"no row")
    bucket.put_object(Bucket=BUCKET, Key="backups/db.dump", Body=b"someone else's")
    with time_machine.travel(start + timedelta(hours=25)):
        assert jobs.clean_uploads() == (1, 1)
    keys = [o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", ())]
    assert keys == ["backups/db.dump"]
    assert S3_PREFIX + orphan_key not in keys


def test_an_unreachable_store_is_503_and_nothing_is_recorded(app, client, db, make, auth, monkeypatch):
    import socket

    from sqlalchemy import func, select

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setitem(app.config, "STORAGE_S3_BUCKET", BUCKET)
    monkeypatch.setitem(app.config, "STORAGE_S3_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setitem(app.config, "STORAGE_S3_ACCESS_KEY", "k")
    monkeypatch.setitem(app.config, "STORAGE_S3_SECRET_KEY", "s")
    monkeypatch.setitem(app.config, "STORAGE_S3_REGION", "us-east-1")
    r = client.post(f"{API}/uploads", data={"file": (io.BytesIO(pictures.png("RGB")), "a.png")},
                    content_type="multipart/form-data", headers=auth(make.member()))
    assert r.status_code == 503 and r.json["error"]["code"] == "service_unavailable" and r.headers["Retry-After"]
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0
