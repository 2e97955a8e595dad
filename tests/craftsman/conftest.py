from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def storage_root(app, tmp_path, monkeypatch):
    """Each test's photos in a folder of its own (the local backend)."""
    root = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "STORAGE_ROOT", str(root))
    return root
