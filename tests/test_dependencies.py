"""Every third-party package our code imports is pinned in a requirement file, so a fresh install has it
instead of getting it by chance through another package's dependencies."""
from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What runs in production needs its packages in requirements.txt; tests, benches and dev scripts may use
# requirements-dev.txt as well (it includes requirements.txt).
RUNTIME = ["server", "notifications", "gunicorn.conf.py"]
DEVELOPMENT = ["scripts", "bench", "tests"]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503


def _pinned(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r"):
            names |= _pinned(path.parent / line[2:].strip())
        elif line:
            names.add(_normalise(re.split(r"[\[=<>~!; ]", line, maxsplit=1)[0]))
    return names


def _files(base: Path, roots: list[str]) -> list[Path]:
    out = []
    for root in roots:
        path = base / root
        out += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return out


def _imported(base: Path, path: Path) -> set[str]:
    """Top-level names of the absolute imports in ``path`` that are neither the standard library nor ours."""
    local = {p.stem for p in base.iterdir()} | {p.stem for p in path.parent.iterdir()}  # bench's `common`
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in local}


def undeclared(roots: list[str], requirements: str, base: Path = ROOT) -> dict[str, str]:
    """``{"file: import": why}`` for each import in ``roots`` whose distribution ``requirements`` lacks."""
    pinned = _pinned(base / requirements)
    dists = packages_distributions()
    problems = {}
    for path in _files(base, roots):
        for name in sorted(_imported(base, path)):
            where = f"{path.relative_to(base)}: import {name}"
            found = [_normalise(d) for d in dists.get(name, ())]
            if not found:
                problems[where] = "no installed distribution provides it"
            elif not set(found) & pinned:
                problems[where] = f"{' or '.join(found)} is not pinned in {requirements}"
    return problems


def test_runtime_imports_are_pinned_in_requirements_txt():
    assert undeclared(RUNTIME, "requirements.txt") == {}


def test_test_and_tool_imports_are_pinned_in_a_requirement_file():
    assert undeclared(DEVELOPMENT, "requirements-dev.txt") == {}


def test_the_check_names_an_import_that_only_comes_with_another_package(tmp_path):
    (tmp_path / "requirements.txt").write_text("flask==3.1.3\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text("import flask\nfrom markupsafe import escape\nfrom . import x\n")
    assert undeclared(["app"], "requirements.txt", tmp_path) == {
        "app/views.py: import markupsafe": "markupsafe is not pinned in requirements.txt"}
