"""The package's layers import only downward: the layout is the architecture."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "thulium_async"

# What each private subpackage may import from the rest of the package.
ALLOWED: dict[str, set[str]] = {
    "_core": set(),
    "_models": {"_core"},
    "_http": {"_core"},
    "_api": {"_core", "_http", "_models"},
    "_features": {"_core", "_models"},
    "_areas": {"_core", "_models", "_http", "_api", "_features"},
}


def _imported_subpackages(path: Path) -> set[str]:
    """Return the top-level subpackages of thulium_async that *path* imports."""
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package[: len(package) - node.level + 1]
            parts = [*base, *(node.module or "").split(".")]
            parts = [part for part in parts if part]
        else:
            parts = (node.module or "").split(".")
        if parts[:1] != ["thulium_async"]:
            continue
        if len(parts) > 1:
            found.add(parts[1])
        else:
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_the_layers_below_it(layer: str) -> None:
    for path in sorted((PACKAGE / layer).glob("*.py")):
        imported = _imported_subpackages(path) - {layer}
        assert imported <= ALLOWED[layer], (
            f"{path.relative_to(PACKAGE)} imports {sorted(imported - ALLOWED[layer])}"
        )


def test_only_the_cli_and_the_pytest_plugin_import_the_fake() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent.name == "_cli" or path.name in (
            "_pytest_plugin.py",
            "testing.py",
        ):
            continue
        assert "testing" not in _imported_subpackages(path), path


def test_the_cli_uses_only_the_public_api() -> None:
    """``_cli`` is a user of the SDK: it imports what ``__all__`` and the public
    submodules offer, as any program would, and nothing private but itself."""
    import thulium_async

    public_modules = {"testing", "webhooks", "redis_limit"}
    for path in sorted((PACKAGE / "_cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets: list[tuple[str, str | None]] = [
                    (alias.name, None) for alias in node.names
                ]
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if (
                    node.level
                ):  # from .x (thulium_async._cli.x), from .. (thulium_async)
                    base = ["thulium_async", "_cli"][: 3 - node.level]
                    module = ".".join([*base, *([module] if module else [])])
                targets = [(module, alias.name) for alias in node.names]
            else:
                continue
            for module, name in targets:
                parts = module.split(".")
                if parts[0] != "thulium_async" or parts[1:2] == ["_cli"]:
                    continue
                where = f"_cli/{path.name}: {module} {name or ''}"
                if len(parts) > 1:
                    assert parts[1] in public_modules, where
                else:
                    public = {*thulium_async.__all__, *public_modules, "__version__"}
                    assert name in public, where
