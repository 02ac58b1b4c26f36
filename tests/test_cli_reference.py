"""docs/reference/cli.md lists every command and option that --help shows."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from thulium_async._cli.main import build_parser

REFERENCE = (Path(__file__).parent.parent / "docs" / "reference" / "cli.md").read_text()


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(
        a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
    )
    return dict(action.choices)


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_option_of_every_command_is_in_the_reference(name):
    section = REFERENCE.split(f"$ thulium-async {name} --help", 1)
    assert len(section) == 2, f"no --help block for {name}"
    text = section[1].split("```", 1)[0]
    for action in subcommands()[name]._actions:
        for flag in action.option_strings:
            assert flag in text, f"{name} {flag}"
        if not action.option_strings:
            assert str(action.metavar or action.dest) in text, f"{name} {action.dest}"
        default = action.default
        shown = not (
            default is None or default is False or default is argparse.SUPPRESS
        )
        if shown and action.help:
            assert f"(default: {action.default}" in " ".join(text.split()), (
                f"{name} {action.dest}"
            )
