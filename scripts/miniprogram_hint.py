"""The mini-program line of ./scripts/run's banner: where miniprogram/config.js points, and, when that is
not the API this run serves (another PORT), exactly what to change. config.js is left as it is: it is a
tracked file that a developer edits for their own device (a LAN address for a phone, say).

    python -m scripts.miniprogram_hint http://127.0.0.1:5100
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

CONFIG = Path(__file__).resolve().parent.parent / "miniprogram" / "config.js"


def configured_api_base(config_text: str) -> str | None:
    m = re.search(r"""^\s*apiBase\s*:\s*['"]([^'"]+)['"]""", config_text, re.MULTILINE)
    return m.group(1) if m else None


def hint(public_base_url: str, config_text: str) -> str:
    wanted = public_base_url.rstrip("/") + "/api/v1"
    current = configured_api_base(config_text)
    if current is not None and current.rstrip("/") == wanted:
        return f"  Mini-program    open miniprogram/ in WeChat DevTools; config.js points at {wanted}"
    return ("  Mini-program    open miniprogram/ in WeChat DevTools, but first set apiBase in miniprogram/config.js\n"
            f"                  to '{wanted}' (it says '{current or '?'}', which is not this server)")


if __name__ == "__main__":
    print(hint(sys.argv[1], CONFIG.read_text(encoding="utf-8")))
