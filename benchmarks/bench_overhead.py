"""The SDK's own CPU per call, with the network taken away.

    python benchmarks/bench_overhead.py [--calls 20000] [--repeat 7]

The client's aiohttp session is replaced by a stub that answers at once, so what is
timed is exactly what the SDK adds on top of aiohttp: validation, the transport's
bookkeeping, the retry decision, decoding and structuring. It is far steadier than the
end-to-end benchmark on a busy machine, so it is the one to watch when changing the hot
path. Compare it with raw aiohttp's CPU per request from ``bench_http.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from _common import machine, save
from multidict import CIMultiDict, CIMultiDictProxy
from server import WAITING_BODY

from thulium_async import ThuliumClient


class _Answer:
    status = 200

    def __init__(self, body: bytes) -> None:
        self._body = body
        self.content_length = len(body)
        self.headers = CIMultiDictProxy(CIMultiDict({"Content-Length": str(len(body))}))

    async def read(self) -> bytes:
        return self._body

    async def __aenter__(self) -> _Answer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        pass


class _InstantSession:
    closed = False

    def request(self, method: str, url: object, **kwargs: object) -> _Answer:
        return _Answer(WAITING_BODY if method == "GET" else b"")

    async def close(self) -> None:
        pass


async def measure(calls: int, repeat: int) -> dict[str, float]:
    results = {}
    async with ThuliumClient("https://acme.thulium.com/api", "u", "p") as client:
        client._sessions._session = _InstantSession()  # type: ignore[assignment]
        client._sessions._loop = asyncio.get_running_loop()
        jobs = {
            "waiting_list (3 callers)": lambda: client.queues.waiting_list(2),
            "schedule_call": lambda: client.queues.schedule_call(2, "500333222"),
        }
        for name, job in jobs.items():
            samples = []
            for _ in range(repeat):
                started = time.process_time()
                for _ in range(calls):
                    await job()
                samples.append((time.process_time() - started) / calls * 1e6)
            results[name] = min(samples)
            print(
                f"{name:26} {min(samples):6.2f} us of SDK CPU per call (best of {repeat})"
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    results = asyncio.run(measure(args.calls, args.repeat))
    save("overhead", {"machine": machine(), "us_per_call": results})
    print(json.dumps(results))


if __name__ == "__main__":
    main()
