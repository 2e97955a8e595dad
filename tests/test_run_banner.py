"""./scripts/run's banner tells where the mini-program must point when the server runs on another PORT."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scripts.miniprogram_hint import CONFIG, configured_api_base, hint

ROOT = Path(__file__).resolve().parent.parent


def test_the_shipped_config_points_at_the_default_port():
    assert configured_api_base(CONFIG.read_text(encoding="utf-8")) == "http://127.0.0.1:5000/api/v1"
    assert "config.js points at http://127.0.0.1:5000/api/v1" in hint("http://127.0.0.1:5000/", CONFIG.read_text())


def test_another_port_says_what_to_set_in_config_js():
    out = subprocess.run([sys.executable, "-m", "scripts.miniprogram_hint", "http://127.0.0.1:5100"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert "set apiBase in miniprogram/config.js" in out and "'http://127.0.0.1:5100/api/v1'" in out
    assert "config.js points at" not in out


def test_a_config_without_api_base_is_named_as_unknown():
    assert "it says '?'" in hint("http://10.0.0.5:8000", "module.exports = {}")


def test_the_run_script_prints_the_hint_for_its_own_address():
    script = (ROOT / "scripts" / "run").read_text()
    assert '\n$(python -m scripts.miniprogram_hint "$PUBLIC_BASE_URL")\n' in script
    assert "PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://127.0.0.1:$PORT}" in script
