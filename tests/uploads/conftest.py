from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def storage_root(app, tmp_path, monkeypatch):
    """Each test's files in a folder of its own (the local backend, unless a test configures S3)."""
    root = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "STORAGE_ROOT", str(root))
    return root
