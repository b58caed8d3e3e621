"""Loop stalls of Motor 4's big operations with the interpreter's default gc and with
``gc.freeze()`` after the application built its data (doc/bridge.rst, "How CPU-heavy
operations share the loop").

What is left of a Motor 4 loop stall is mostly full garbage collection passes over the
application's heap (bench/results/report.md, "Loop stalls"). This measures how much of it
an application takes back with one call of its own. It runs the ``stalls`` workload
(stalls.py) with each setting in turn, alternating within each round, in one process per
framework.

    python bench/gc_freeze.py [--rounds 5] [--uri URI]   # writes results/gc_freeze.md
"""

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import stalls  # noqa: E402


async def one_framework(uri, framework, rounds):
    """{(operation, frozen): [(stall, longest gc pass, time), ...]} in ms."""
    if framework == "tornado":
        from motor.motor_tornado import MotorClient as Client
        from motor.motor_tornado import MotorGridFSBucket as Bucket
    else:
        from motor.motor_asyncio import AsyncIOMotorClient as Client
        from motor.motor_asyncio import AsyncIOMotorGridFSBucket as Bucket
    client = Client(uri)
    results = {}
    for r in range(rounds):
        for frozen in (False, True) if r % 2 else (True, False):
            # One timed pass each (run() warms up first), so the settings alternate.
            figures = await stalls.run(client[stalls.DB], Bucket, False, 1, freeze=frozen)
            for op in stalls.OPERATIONS:
                results.setdefault((op, frozen), []).append(
                    tuple(figures[prefix + op] for prefix in ("stall_", "gc_", "time_"))
                )
    client.close()
    return results


def table(per_framework, rounds):
    lines = [
        f"# Loop stalls with the default gc and with gc.freeze(), Motor 4 (median of {rounds})",
        "",
        "Worst gap of a 1 ms ticker during the operation, ms (longest garbage collection "
        "pass during it; the operation's time), for the operations of the `stalls` "
        "workload. `gc.freeze()` is called after the application built its data and "
        "before the operation.",
        "",
        "| operation | framework | default gc | gc.freeze() |",
        "|---|---|---|---|",
    ]
    for op in stalls.OPERATIONS:
        for framework, results in per_framework.items():
            cells = []
            for frozen in (False, True):
                rows = results[(op, frozen)]
                stall, gc_pass, took = (statistics.median(x[i] for x in rows) for i in range(3))
                cells.append(f"{stall:.0f} (gc {gc_pass:.0f}; {took:.0f} ms)")
            lines.append(f"| {op} | {framework} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--uri", help="use this MongoDB instead of starting a mongod")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "gc_freeze.md")
    args = parser.parse_args()
    from test.mongod import Standalone

    server = None if args.uri else Standalone().start()
    try:
        uri = args.uri or server.uri
        per_framework = {
            fw: asyncio.run(one_framework(uri, fw, args.rounds)) for fw in ("tornado", "asyncio")
        }
    finally:
        if server:
            server.stop()
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE
    ).stdout.strip()
    text = table(per_framework, args.rounds) + (
        f"\nRun {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} at {commit}, "
        f"load average {load} at the end.\n"
    )
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
