"""Recording downloads: the SDK's ``recordings.download`` against a plain aiohttp loop.

    python benchmarks/bench_recordings.py [--files 1000] [--size 524288] [--concurrency 4]

FakeThulium runs in a separate process on 127.0.0.1 with *files* recordings of *size*
bytes. Each contender downloads all of them, *concurrency* at a time, streaming each
to a temporary file in a fresh folder and renaming it when complete: the plain loop
with ``aiohttp`` alone (``iter_chunked(64 KiB)``, no retries, no checks), the SDK with
``client.recordings.download`` (rate limit, slots, retries, SHA-256 of every byte).
They alternate for *rounds* rounds; the best throughput of each is reported, with the
process's resident memory after the first 10 % of the files and at the end (flat
memory: the two are about equal, whatever the number of files).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from thulium_async import ThuliumClient

SERVER = """
import asyncio, json, sys
from thulium_async.testing import FakeThulium

async def main(files, size):
    async with FakeThulium(max_recorded_requests=100) as fake:
        names = [fake.add_recording(size=size)["filename"] for _ in range(files)]
        print(json.dumps({"url": fake.base_url, "user": fake.username,
                          "password": fake.password, "names": names}), flush=True)
        await asyncio.Event().wait()

asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
"""


def rss_mb() -> float:
    """This process's resident memory now, in MB (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


async def plain(server: dict, folder: Path, concurrency: int) -> list[float]:
    """Download every file with aiohttp alone; return RSS samples."""
    samples: list[float] = []
    gate = asyncio.Semaphore(concurrency)
    auth = aiohttp.BasicAuth(server["user"], server["password"])
    url = server["url"] + "/recordings/download"
    tenth = max(1, len(server["names"]) // 10)
    async with aiohttp.ClientSession(auth=auth) as session:

        async def one(number: int, name: str) -> None:
            async with gate:
                target = folder / f"{number}.mp3"
                partial = folder / f".{number}.mp3.part"
                async with session.get(url, params={"filename": name}) as response:
                    response.raise_for_status()
                    with partial.open("wb") as file:
                        async for chunk in response.content.iter_chunked(65536):
                            file.write(chunk)
                os.replace(partial, target)
                if number == tenth:
                    samples.append(rss_mb())

        await asyncio.gather(*(one(n, name) for n, name in enumerate(server["names"])))
    samples.append(rss_mb())
    return samples


async def sdk(server: dict, folder: Path, concurrency: int) -> list[float]:
    """Download every file with ``client.recordings.download``; return RSS samples."""
    samples: list[float] = []
    gate = asyncio.Semaphore(concurrency)
    tenth = max(1, len(server["names"]) // 10)
    async with ThuliumClient(
        server["url"], server["user"], server["password"]
    ) as client:

        async def one(number: int, name: str) -> None:
            async with gate:
                await client.recordings.download(name, folder / f"{number}.mp3")
                if number == tenth:
                    samples.append(rss_mb())

        await asyncio.gather(*(one(n, name) for n, name in enumerate(server["names"])))
    samples.append(rss_mb())
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--size", type=int, default=512 * 1024)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(options.files), str(options.size)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        server = json.loads(process.stdout.readline())
        best: dict[str, float] = {}
        memory: dict[str, list[float]] = {}
        total = options.files * options.size
        for _ in range(options.rounds):
            for name, contender in (("aiohttp loop", plain), ("SDK download", sdk)):
                with tempfile.TemporaryDirectory() as folder:
                    started = time.perf_counter()
                    samples = asyncio.run(
                        contender(server, Path(folder), options.concurrency)
                    )
                    elapsed = time.perf_counter() - started
                    written = sum(p.stat().st_size for p in Path(folder).iterdir())
                    assert written == total, (name, written, total)
                rate = total / elapsed / 1e6
                best[name] = max(best.get(name, 0.0), rate)
                memory[name] = samples
                print(
                    f"{name:13} {options.files} files x {options.size} B: "
                    f"{elapsed:6.2f} s, {rate:7.1f} MB/s; RSS after 10 %: "
                    f"{samples[0]:.1f} MB, at the end: {samples[-1]:.1f} MB",
                    flush=True,
                )
        share = best["SDK download"] / best["aiohttp loop"]
        print(
            f"best: aiohttp loop {best['aiohttp loop']:.1f} MB/s, SDK "
            f"{best['SDK download']:.1f} MB/s: {share:.0%} of the plain loop"
        )
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
