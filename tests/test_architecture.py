"""The house rules import-linter cannot check: top-level modules, package docstrings, file size,
and the layout documented in README.md and docs/architecture.md matching the tree."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
PACKAGES = sorted(CONTRACTS["root_packages"])
TOP_MODULES = ("app", "models")  # not packages, so import-linter cannot see them
MAX_LINES = 400


def package_files() -> list[Path]:
    """Every Python file of the project's packages (not tests, not migrations)."""
    return sorted(f for p in PACKAGES for f in (ROOT / p).rglob("*.py"))


def imported_tops(path: Path) -> set[str]:
    """The first component of every absolute import in ``path``, at any depth."""
    tops: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            tops.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            tops.add(node.module.split(".")[0])
    return tops


def test_every_directory_with_code_is_a_package_the_contracts_know() -> None:
    on_disk = {
        d.name
        for d in ROOT.iterdir()
        if (d / "__init__.py").exists() and d.name not in {"tests", "migrations", "devservices"}
    }
    assert on_disk == set(PACKAGES)


def test_no_package_imports_the_composition_root() -> None:
    # The demo and the benchmarks build whole apps, as a deployment would. ops/recovery.py is the
    # second composition root (the key-restore app, `flask --app ops.recovery`, named in every key
    # backup): it loads the model list to know every sealed table. Nothing else may.
    composition = {"demo", "benchmarks"}
    offenders = [
        str(path)
        for f in package_files()
        if (path := f.relative_to(ROOT)).parts[0] not in composition
        and str(path) != "ops/recovery.py"
        and imported_tops(f) & set(TOP_MODULES)
    ]
    assert offenders == []


def test_every_package_says_what_it_holds() -> None:
    missing = [
        str(init.relative_to(ROOT))
        for p in PACKAGES
        for init in (ROOT / p).rglob("__init__.py")
        if not ast.get_docstring(ast.parse(init.read_text()))
    ]
    assert missing == []


def test_no_file_grows_past_the_limit() -> None:
    files = [
        *package_files(),
        *(ROOT / f"{m}.py" for m in TOP_MODULES),
        *(ROOT / "tests").rglob("*.py"),
    ]
    lines = {str(f.relative_to(ROOT)): len(f.read_text().splitlines()) for f in files}
    assert {f: n for f, n in lines.items() if n > MAX_LINES} == {}


def test_readme_layout_lists_every_package() -> None:
    readme = (ROOT / "README.md").read_text().split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = {
        name.strip("`").rstrip("/").removesuffix(".py")
        for line in readme.splitlines()
        if line.startswith("| `")
        for name in line.split("|")[1].replace(",", " ").split()
    }
    assert set(PACKAGES) | set(TOP_MODULES) <= rows
    assert {r for r in rows if (ROOT / r).is_dir() or (ROOT / f"{r}.py").exists()} == rows


def test_architecture_doc_names_every_layered_package_in_the_contract_order() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text()
    table = doc.split("## The layers", 1)[1].split("\n## ", 1)[0]
    named = list(dict.fromkeys(re.findall(r"`([a-z_]+)/`", table)))
    layers = next(c for c in CONTRACTS["contracts"] if c["type"] == "layers")["layers"]
    in_contract = [p.strip() for layer in layers for p in re.split(r"[|:]", layer)]
    # The table reads top to bottom as the contract does.
    assert [p for p in named if p in in_contract] == in_contract
