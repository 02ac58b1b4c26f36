"""Run schemathesis against FakeThulium, judged by the document the SDK prints (#28).

Starts a :class:`~thulium_async.testing.FakeThulium` on 127.0.0.1 (a free port, the
vendor samples of ``tests/samples`` as its default answers), writes the document
``python -m thulium_async openapi`` prints to a temporary file, and runs the
``schemathesis run`` CLI against ``http://127.0.0.1:PORT/api`` with the fake's Basic
credentials (given to ``schemathesis.toml`` beside this file through the environment), a few examples per operation (``--max-examples``), so that the run takes
minutes on two cores. Any answer that disagrees with the document fails the run.
Extra arguments go to ``schemathesis run`` (``--max-examples 50``, ``-i agents.get``).

Usage: ``python -m nox -s schemathesis`` (or ``python tests/schemathesis/run.py``).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from thulium_async._api.openapi import openapi_document
from thulium_async._areas import ENDPOINTS
from thulium_async.testing import FakeThulium

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent / "samples"
CONFIG = HERE / "schemathesis.toml"
MAX_EXAMPLES = 60  # per operation: 62 operations, about a minute on one core
# Every check schemathesis has (the answers' status codes, content types, headers and
# bodies against the document, a server error, a valid request refused, an invalid one
# accepted), in the phases that send examples and generated requests; "stateful" is
# left out, since the document declares no links between operations.
ARGUMENTS = [
    "--phases",
    "examples,coverage,fuzzing",
    "--mode",
    "all",
    "--max-examples",
    str(MAX_EXAMPLES),
    "--seed",
    "28",
    # One worker: Python 3.11's ast.parse is not thread-safe ("AST constructor
    # recursion depth mismatch", CPython gh-106905), and hypothesis parses its
    # filters' sources with it.
    "--workers",
    "1",
    "--no-color",
    "--suppress-health-check",
    "all",
]


async def main(extra: list[str]) -> int:
    """Serve the fake and run schemathesis against it; return schemathesis's exit code."""
    beside = Path(sys.executable).parent / "schemathesis"  # this venv's, if any
    executable = str(beside) if beside.exists() else shutil.which("schemathesis")
    if executable is None:
        sys.stderr.write("schemathesis is not installed: use `nox -s schemathesis`\n")
        return 2
    async with FakeThulium(samples=SAMPLES) as fake:
        with tempfile.TemporaryDirectory() as folder:
            document = Path(folder) / "thulium-openapi.json"
            document.write_text(json.dumps(openapi_document(ENDPOINTS)))
            command = [
                executable,
                "--config-file",
                str(CONFIG),
                "run",
                str(document),
                "--url",
                fake.base_url,
                *ARGUMENTS,
                *extra,
            ]
            shown = " ".join(command)
            sys.stdout.write(f"$ {shown}\n")
            sys.stdout.flush()
            started = time.monotonic()
            credentials = {
                "THULIUM_FAKE_USERNAME": fake.username,
                "THULIUM_FAKE_PASSWORD": fake.password,
            }
            process = await asyncio.create_subprocess_exec(
                *command, env={**os.environ, **credentials}, cwd=folder
            )  # in the temporary folder: schemathesis leaves files where it runs
            code = await process.wait()
            sys.stdout.write(
                f"schemathesis exited {code} after {time.monotonic() - started:.0f} s; "
                f"the fake received {len(fake.requests)} requests\n"
            )
            return code


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
