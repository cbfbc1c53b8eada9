"""Every import of the project's own modules, read from the source (top level and inside
functions alike): (importing module, imported module, line)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("campaigns", "contenttranslation", "coordinators", "events", "eyos", "opendata", "outcomes",
        "partnerfeeds", "series")
SKIP_PARTS = {"migrations", "tests", "management"}


def modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if SKIP_PARTS & set(relative.parts[:-1]):
                continue
            parts = list(relative.with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            yield ".".join(parts), path, is_package


def _absolute(module, is_package, node):
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports():
    own = set(APPS)
    for module, path, is_package in modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(module, is_package, node)
                # `from . import views` imports the module views; `from .x import name` the module x.
                targets = [f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base
                           for alias in node.names]
            else:
                continue
            for target in targets:
                if target.split(".")[0] in own:
                    yield module, target, node.lineno


def _is_module(name):
    path = ROOT / Path(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()
