"""Client instructions per request, counted by valgrind: raw aiohttp vs the SDK.

    python benchmarks/bench_instructions.py [--requests 300 1300] [--concurrency 100 10]
                                            [--endpoints waiting_list ...]
                                            [--also-sdk-from DIR ...]

Wall-clock and CPU-time figures swing with whatever else a shared machine runs; an
instruction count does not. Each contender runs twice under ``valgrind
--tool=callgrind`` against the benchmark server (a separate, unvalgrinded process), with
two request counts; the difference divided by the difference in requests is the cost
of one request, start-up and imports cancelled out. Instructions are not seconds (a
cache miss costs more than an add), but two clients doing the same I/O through the
same aiohttp compare fairly, and the count repeats to within a fraction of a percent.

The count of one client repeats to within a few hundred instructions in one server
process, but moves by up to 0.5 % from one server process to the next (how the
answers reach the client changes how often its loop wakes). So a change is judged by
contenders counted against the same server: ``--also-sdk-from DIR`` adds the SDK of
another source tree (``git worktree add /tmp/before <rev>``) as a contender of its own.

Needs valgrind (Debian: ``apt-get install valgrind``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import HERE, machine, save, server_process

TOTAL = re.compile(rb"^(?:summary|totals):\s+(\d+)", re.MULTILINE)


def client_main(contender: str, url: str, endpoint: str, requests: int, c: int) -> None:
    from bench_http import run_raw, run_sdk

    runner = {"raw aiohttp": run_raw, "sdk": run_sdk}[contender]
    asyncio.run(runner(url, endpoint, requests, c))


def count(
    contender: str,
    url: str,
    endpoint: str,
    requests: int,
    c: int,
    source: str | None = None,
) -> int:
    """Run one client under callgrind; return the instructions it executed.

    *source*: a source tree whose ``thulium_async`` the client imports instead.
    """
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [source, os.environ.get("PYTHONPATH")])
        )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                "--dump-line=no",
                "--compress-strings=no",
                sys.executable,
                str(Path(__file__).resolve()),
                "--client",
                contender,
                url,
                endpoint,
                str(requests),
                str(c),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=HERE,
            env=env,
        )
        match = TOTAL.search(out.read_bytes())
        if match is None:
            raise RuntimeError("no instruction total in the callgrind output")
        return int(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, nargs=2, default=[300, 1300])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[100, 10])
    parser.add_argument(
        "--endpoints",
        nargs="+",
        default=["waiting_list", "schedule_call", "schedule_call_at"],
        choices=["waiting_list", "schedule_call", "schedule_call_at"],
    )
    parser.add_argument(
        "--also-sdk-from",
        nargs="+",
        default=[],
        metavar="DIR",
        help="source trees whose SDK to count too, against the same server",
    )
    parser.add_argument("--client", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        contender, url, endpoint, requests, c = args.client
        client_main(contender, url, endpoint, int(requests), int(c))
        return
    if shutil.which("valgrind") is None:
        print(
            "SKIPPED bench_instructions: valgrind is not installed (apt-get install valgrind)"
        )
        return
    low, high = args.requests
    summary: dict[str, dict[str, float]] = {}
    print(f"client instructions per request ({high} - {low} requests, callgrind)")
    with server_process() as url:
        for endpoint in args.endpoints:
            for c in args.concurrency:
                key = f"{endpoint} c={c}"
                row = {}
                contenders = [
                    ("raw aiohttp", "raw aiohttp", None),
                    ("sdk", "sdk", None),
                ]
                contenders += [(f"sdk from {d}", "sdk", d) for d in args.also_sdk_from]
                for name, contender, source in contenders:
                    small = count(contender, url, endpoint, low, c, source)
                    large = count(contender, url, endpoint, high, c, source)
                    row[name] = (large - small) / (high - low)
                row["sdk_vs_raw"] = row["sdk"] / row["raw aiohttp"]
                summary[key] = row
                others = "".join(
                    f"  {d}: {row[f'sdk from {d}']:9.0f}" for d in args.also_sdk_from
                )
                print(
                    f"{key:24} raw {row['raw aiohttp']:9.0f}  sdk {row['sdk']:9.0f}  "
                    f"ratio {row['sdk_vs_raw']:.3f}{others}",
                    flush=True,
                )
    save(
        "instructions",
        {"machine": machine(), "requests": [low, high], "summary": summary},
    )


if __name__ == "__main__":
    main()
