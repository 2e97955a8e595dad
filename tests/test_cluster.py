"""The multi-host proof's short form (scripts/cluster --short, docs/cluster.md): two app hosts and a database
host in network namespaces, one app host unplugged and killed mid-delivery, PostgreSQL restarted under load.

It starts its own PostgreSQL, Redis and fake providers, so it runs once, in the SQLite pass of
./scripts/test, and in one xdist group (`--dist loadgroup`): it needs the machine's cores for itself more
than any other test does.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from scripts import cluster_lib

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.xdist_group("cluster"),
    pytest.mark.skipif(bool(cluster_lib.available()), reason=f"cluster proof: {cluster_lib.available()}"),
    pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                       reason="the cluster proof runs its own PostgreSQL; the SQLite pass runs it once"),
]


def test_two_app_hosts_survive_an_unplugged_host_and_a_database_restart():
    run = subprocess.run([str(ROOT / "scripts" / "cluster"), "--short", "--timeout", "280"], cwd=ROOT,
                         capture_output=True, text=True, timeout=320)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-6000:]
    assert "cluster proof: PASSED" in run.stdout
    assert "FAIL " not in run.stdout
    # The run counted real traffic, on both channels and both kinds of request.
    assert re.search(r"push: planned [1-9]\d*", run.stdout) and re.search(r"sms: planned [1-9]\d*", run.stdout)
    assert re.search(r"checkin 20[01]: [1-9]", run.stdout) and re.search(r"signup 20[01]: [1-9]", run.stdout)
    # Nothing of the run is left on the machine: its namespaces and its subnet are gone.
    tag = re.search(r"namespaces (uhc\d+)-\*", run.stdout).group(1)
    subnet = re.search(r"hosts on (10\.77\.\d+)\.0/24", run.stdout).group(1)
    assert tag not in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    links = "".join(subprocess.run(["ip", "-o", kind], capture_output=True, text=True).stdout
                    for kind in ("link", "addr"))
    assert f"{subnet}." not in links and tag not in links
