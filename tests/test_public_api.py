"""The public API is declared in one place, and stays that way."""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import types
from pathlib import Path

import thulium_async
from thulium_async import testing


def test_all_is_sorted_and_complete():
    public = {
        name
        for name, obj in vars(thulium_async).items()
        # Submodules and pytest's assertion-rewriting helpers are not API.
        if name.isidentifier()
        and not name.startswith("_")
        and not isinstance(obj, types.ModuleType)
    }
    public -= {"annotations", "Any"}  # imports for the module's own use
    assert thulium_async.__all__ == sorted(thulium_async.__all__)
    assert set(thulium_async.__all__) == public


def test_every_exported_name_exists():
    for name in thulium_async.__all__:
        assert getattr(thulium_async, name) is not None


def test_error_tree():
    errors = thulium_async
    for name in thulium_async.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, errors.ThuliumError), name
    assert issubclass(errors.InvalidInputError, ValueError)
    assert issubclass(errors.APITimeoutError, errors.APIConnectionError)
    for name in (
        "BadRequestError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "UnprocessableEntityError",
        "RateLimitError",
        "ServerError",
    ):
        assert issubclass(getattr(errors, name), errors.APIStatusError)


def test_version_matches_installed_metadata():
    assert thulium_async.__version__ == importlib.metadata.version("thulium-async")


def test_testing_submodule_is_public_but_not_reexported():
    assert sorted(testing.__all__) == testing.__all__
    assert "FakeThulium" not in thulium_async.__all__


def test_package_ships_py_typed():
    assert importlib.resources.files("thulium_async").joinpath("py.typed").is_file()


def test_every_public_name_is_in_the_api_reference():
    import thulium_async.testing

    reference = (Path(__file__).parent.parent / "docs/reference/api.md").read_text()
    for name in thulium_async.__all__:
        assert f"thulium_async.{name}" in reference, name
    for name in thulium_async.testing.__all__:
        assert f"thulium_async.testing.{name}" in reference, name
    import thulium_async.webhooks

    for name in thulium_async.webhooks.__all__:
        assert f"thulium_async.webhooks.{name}" in reference, name


def _autoclass_members(reference: str, target: str) -> set[str] | None:
    """Return the members ``.. autoclass:: target`` lists; None for all of them."""
    block = reference.split(f".. autoclass:: {target}\n", 1)[1].split("\n\n", 1)[0]
    assert ":members:" in block, f"{target} documents no members"
    listed = block.split(":members:", 1)[1].split("\n", 1)[0].strip()
    return {name.strip() for name in listed.split(",")} if listed else None


def test_every_namespace_and_its_methods_are_in_the_api_reference():
    """The client's namespaces (from the one registry) and all their public methods."""
    from thulium_async._api.namespace import Namespace
    from thulium_async._areas import NAMESPACES

    reference = (Path(__file__).parent.parent / "docs/reference/api.md").read_text()
    client_members = _autoclass_members(reference, "thulium_async.ThuliumClient")
    client = thulium_async.ThuliumClient("https://acme.thulium.com/api", "u", "p")
    for attribute, cls in NAMESPACES:
        assert client_members is None or attribute in client_members, attribute
        assert isinstance(getattr(client, attribute), cls)
        assert issubclass(cls, Namespace)
        members = _autoclass_members(reference, f"{cls.__module__}.{cls.__name__}")
        if members is not None:
            public = {name for name in vars(cls) if not name.startswith("_")}
            assert public <= members, attribute
        assert reference.count(f".. autoclass:: {cls.__module__}.{cls.__name__}") == 1


def test_package_code_cites_no_file_users_do_not_have():
    package = Path(thulium_async.__file__).parent
    for source in package.rglob("*.py"):
        text = source.read_text()
        for marker in ("shared/", "DESIGN.md", "research/peers"):
            assert marker not in text, f"{source.name} cites {marker}"
