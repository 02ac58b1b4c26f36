"""Decoding a 10,000-caller waiting_list body: our converter vs the alternatives.

    python benchmarks/bench_decode.py [--rows 10000] [--repeat 15]

Contenders: ``json.loads`` alone (the floor), a hand-written loop into the same attrs
model, the SDK's converter (the lean path users get), the same with orjson (the
``speedups`` extra), the SDK's detailed converter (what runs only to explain a bad body)
and pydantic v2's ``TypeAdapter.validate_json``. All get the same bytes; timestamps are
distinct, so no cache helps.
"""

from __future__ import annotations

import argparse
import json
import statistics
import timeit
from datetime import datetime
from zoneinfo import ZoneInfo

from _common import machine, save

from thulium_async import WaitingCaller
from thulium_async._api import converter as converter_module
from thulium_async._api.converter import converter_for
from thulium_async._api.fastpath import fast_structure, timestamp_reader
from thulium_async._core.wallclock import parse_wall_clock

ZONE = ZoneInfo("Europe/Warsaw")


def body(rows: int) -> bytes:
    return json.dumps(
        [
            {
                "phone_number": f"5{i:08d}",
                "started_at": f"20{i % 30:02d}-0{1 + i % 9}-1{i % 10} "
                f"{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}",
                "customer_id": i if i % 2 else None,
                "customer_label": f"Customer {i}" if i % 3 else None,
            }
            for i in range(rows)
        ]
    ).encode()


def hand_loop(raw: bytes) -> list[WaitingCaller]:
    return [
        WaitingCaller(
            phone_number=row["phone_number"],
            started_at=parse_wall_clock(row["started_at"], ZONE),
            customer_id=row.get("customer_id"),
            customer_label=row.get("customer_label"),
        )
        for row in json.loads(raw)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    raw = body(args.rows)
    detailed = converter_for(ZONE)
    # The path waiting_list takes for a valid body: generated from WaitingCaller.
    structure = fast_structure(list[WaitingCaller], ZONE)
    assert structure is not None

    def fast(raw: bytes) -> object:
        return structure(converter_module.loads(raw))

    def sdk() -> object:
        # A fresh timestamp cache per run: each run parses every timestamp, as a first
        # look at a waiting list would.
        timestamp_reader(ZONE).cache_clear()
        converter_module.loads = json.loads
        return fast(raw)

    contenders = {
        "json.loads only": lambda: json.loads(raw),
        "hand-written loop": lambda: hand_loop(raw),
        "thulium_async": sdk,
        "thulium_async detailed": lambda: detailed.structure(
            json.loads(raw), list[WaitingCaller]
        ),
    }
    try:
        import orjson

        def sdk_orjson() -> object:
            timestamp_reader(ZONE).cache_clear()
            converter_module.loads = orjson.loads
            return fast(raw)

        contenders["thulium_async + orjson (speedups)"] = sdk_orjson
    except ImportError:
        print("orjson not installed: the speedups row is skipped")
    try:
        from pydantic import BaseModel, TypeAdapter

        class Caller(BaseModel):
            phone_number: str
            started_at: datetime
            customer_id: int | None = None
            customer_label: str | None = None

        adapter = TypeAdapter(list[Caller])
        contenders["pydantic v2 validate_json"] = lambda: adapter.validate_json(raw)
    except ImportError:
        print("pydantic not installed: skipped")

    # Interleaved rounds: each round times every contender once, so a noisy moment
    # on the machine hits all of them; ratios are taken within a round.
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for run in contenders.values():
        run()  # warm-up
    for _ in range(args.repeat):
        for name, run in contenders.items():
            samples[name].append(timeit.timeit(run, number=1))
    base_name = "pydantic v2 validate_json"
    print(f"{args.rows} rows; {args.repeat} interleaved rounds; medians")
    print(f"{'contender':36}{'ms':>9}{'us/row':>9}{'vs pydantic':>13}")
    summary = {}
    for name, times in samples.items():
        seconds = statistics.median(times)
        ratio = None
        if base_name in samples:
            ratio = statistics.median(
                t / b for t, b in zip(times, samples[base_name], strict=True)
            )
        summary[name] = {"median_ms": seconds * 1000, "ratio_vs_pydantic": ratio}
        shown = f"{ratio:13.2f}" if ratio is not None else ""
        print(f"{name:36}{seconds * 1000:9.2f}{seconds / args.rows * 1e6:9.2f}{shown}")
    save("decode", {"machine": machine(), "rows": args.rows, "summary": summary})


if __name__ == "__main__":
    main()
