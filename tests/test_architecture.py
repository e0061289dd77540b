"""The layering the design card fixes: a pure core, storage that knows nothing of the bot."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imports_of(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("bot/intake", {"telegram", "sqlalchemy", "storage", "alembic", "httpx", "os", "pathlib"}),
        ("storage", {"bot", "telegram", "httpx"}),
    ],
)
def test_layers_do_not_reach_across(package: str, forbidden: set[str]) -> None:
    offenders = {
        path: sorted(names & forbidden)
        for path, names in imports_of(package).items()
        if names & forbidden and not path.endswith("loader.py")
    }
    assert offenders == {}


def test_only_the_loader_of_the_core_touches_files() -> None:
    loader = imports_of("bot/intake")["bot/intake/loader.py"]
    assert "telegram" not in loader
    assert "sqlalchemy" not in loader


# The composition roots and command-line entry points: the only modules of the bot that may build
# storage (the database, keys, sealing) and hand it to the services as their ports. The desk runs
# on a staff device, never on the server: it opens sealed files with storage's age functions.
COMPOSITION_ROOTS = {
    "bot/app.py",
    "bot/cli.py",
    "bot/desk/receipts.py",
    "bot/desk/refer.py",
    "bot/desk/sealed.py",
}


def test_only_the_composition_roots_import_storage() -> None:
    """bot/cases and bot/chat (and the core) depend on ports; storage implements them."""
    offenders = sorted(
        path
        for path, names in imports_of("bot").items()
        if "storage" in names and path not in COMPOSITION_ROOTS
    )
    assert offenders == []


def test_the_composition_roots_are_real_modules() -> None:
    """A root renamed or removed must leave this list, so it cannot grow stale and lax."""
    assert all((ROOT / path).is_file() for path in COMPOSITION_ROOTS)
