"""Benchmark this Motor against Motor 3.7.1, PyMongo's AsyncMongoClient and PyMongo.

    python bench/run.py                 # full comparison; writes bench/results/
    python bench/run.py --quick         # one small round, to check that everything runs
    python bench/run.py --rounds 3 --workloads find_one_seq,http --impls motor4-tornado,motor3-tornado

Starts one local mongod (test/mongod.py), loads the data set, then for each round and
workload runs every implementation in turn (A B C D ..., A B C D ...), each in a fresh
process (bench/workloads.py). Motor 3.7.1 runs from its own virtual environment, made
once under --cache-dir. Writes results.json, report.md and chart.png to --out.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import workloads  # noqa: E402

MOTOR3 = "3.7.1"
# implementation -> (environment, workloads.py family)
IMPLS = {
    "motor4-tornado": ("repo", "motor-tornado"),
    "motor4-asyncio": ("repo", "motor-asyncio"),
    "motor3-tornado": ("motor3", "motor-tornado"),
    "motor3-asyncio": ("motor3", "motor-asyncio"),
    "pymongo-async": ("repo", "pymongo-async"),
    "pymongo-sync": ("repo", "pymongo-sync"),
    # With --baseline REF: Motor 4 as it was at commit REF, for before/after comparisons
    "base-tornado": ("base", "motor-tornado"),
    "base-asyncio": ("base", "motor-asyncio"),
}
STALL_LIMIT = 50  # ms: issue #14's bound on how long one operation may hold the loop


def baseline(impl):
    """The Motor 3.7.1 run an implementation's ratio is taken against."""
    return "motor3-tornado" if impl.endswith("-tornado") else "motor3-asyncio"


# (title, implementation, metric, reference, minimum speed-up), for both Motor 4 flavours
def targets():
    for flavour in ("tornado", "asyncio"):
        m4, m3 = f"motor4-{flavour}", f"motor3-{flavour}"
        yield "sequential find_one vs sync PyMongo", m4, "find_one_seq", "pymongo-sync", 0.9
        yield "sequential find_one vs Motor 3", m4, "find_one_seq", m3, 1.2
        for metric in ("find_one_c64", "insert_one_c64"):
            yield f"{metric} vs Motor 3", m4, metric, m3, 2.0
            yield f"{metric} vs AsyncMongoClient", m4, metric, "pymongo-async", 1.2
        yield "cursor iteration vs Motor 3", m4, "cursor_50k", m3, 1.3
        yield "insert_many vs Motor 3", m4, "insert_many_50k", m3, 1.0
        if flavour == "tornado":
            yield "Tornado handler vs Motor 3", m4, "http_find_one", m3, 2.0


# -- environments -------------------------------------------------------------------
def ensure_motor3_env(cache_dir):
    """A venv with motor==3.7.1 and this environment's PyMongo and Tornado; its python."""
    import pymongo
    import tornado

    venv = cache_dir / f"motor-{MOTOR3}"
    python = venv / "bin" / "python"
    reqs = [f"motor=={MOTOR3}", f"pymongo=={pymongo.version}", f"tornado=={tornado.version}"]
    stamp = venv / "bench-requirements.txt"
    if python.exists() and stamp.exists() and stamp.read_text().split() == reqs:
        return python
    print(f"creating {venv} with {' '.join(reqs)}", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *reqs], check=True)
    stamp.write_text("\n".join(reqs) + "\n")
    return python


def extract_baseline(ref, cache_dir):
    """This repository's tree at ``ref`` (``git archive``), under cache_dir; its path."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", ref + "^{commit}"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    tree = cache_dir / f"motor4-{sha[:12]}"
    if not (tree / "motor" / "__init__.py").exists():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", sha], cwd=REPO, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree, sha


def ensure_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("installing matplotlib into", sys.prefix, flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "matplotlib"], check=True)


def run_one(python, env, impl, workload, uri, quick, timeout):
    family = IMPLS[impl][1]
    cmd = [str(python), str(BENCH / "workloads.py"), family, workload, "--uri", uri]
    if quick:
        cmd.append("--quick")
    try:
        proc = subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=BENCH
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout}s"}
    if proc.returncode:
        return {"error": f"exit {proc.returncode}: " + proc.stderr.strip()[-1500:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- statistics ---------------------------------------------------------------------
def speedup(metric, value, reference):
    """How many times better ``value`` is than ``reference`` (>1 means better)."""
    better = workloads.METRICS[metric][1]
    return value / reference if better == "higher" else reference / value


def summarize(rounds, impls, metrics):
    """Per (impl, metric): median value, rounds, median per-round ratio to Motor 3 and
    to any other implementation (the ``ratios`` dict, used by the targets)."""
    summary = {}
    for impl in impls:
        for metric in metrics:
            values = [r[impl][metric] for r in rounds if metric in r.get(impl, {})]
            if not values:
                continue
            ratios = {}
            for ref in impls:
                per_round = [
                    speedup(metric, r[impl][metric], r[ref][metric])
                    for r in rounds
                    if r.get(impl, {}).get(metric) and r.get(ref, {}).get(metric)  # no 0s
                ]
                if per_round:
                    ratios[ref] = statistics.median(per_round)
            summary[impl, metric] = {
                "median": statistics.median(values),
                "n": len(values),
                "ratios": ratios,
            }
    return summary


# -- report -------------------------------------------------------------------------
def fmt(value):
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def write_report(out, meta, summary, impls, metrics, notes):
    lines = [
        "# Motor benchmark",
        "",
        f"{meta['date']}, {meta['machine']}, {meta['rounds']} round(s)"
        f"{' (quick sizes)' if meta['quick'] else ''}, mongod {meta['mongod']}, "
        f"{meta['seconds']:.0f} s in all. A sync PyMongo `ping` took {meta['ping_us']:.0f} µs "
        f"(median); 1-minute load average {meta['load'][0]:.1f} at the start, "
        f"{meta['load'][1]:.1f} at the end.",
        "",
        "Each cell: median over rounds, then in parentheses the median over rounds of the "
        "per-round ratio to Motor 3.7.1 on the same framework (motor3-tornado for the "
        "-tornado rows' columns, motor3-asyncio for the rest), expressed so that **> 1 is "
        "better** (faster, or less memory). `n=` marks cells with fewer rounds.",
        "",
    ]
    header = ["metric", "unit", "better"] + impls
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for metric in metrics:
        unit, better, _ = workloads.METRICS[metric]
        cells = [metric, unit, better]
        for impl in impls:
            s = summary.get((impl, metric))
            if s is None:
                cells.append("skipped" if (impl, metric) in notes["skipped"] else "–")
                continue
            cell = fmt(s["median"])
            ratio = s["ratios"].get(baseline(impl))
            if ratio is not None:
                cell += f" ({ratio:.2f}×)"
            if s["n"] < meta["rounds"]:
                cell += f" n={s['n']}"
            cells.append(cell)
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Metrics:", ""]
    lines += [f"* `{m}`: {workloads.METRICS[m][2]}" for m in metrics]

    rows = []
    for title, impl, metric, ref, minimum in targets():
        ratio = summary.get((impl, metric), {}).get("ratios", {}).get(ref)
        if metric not in metrics or impl not in impls or ref not in impls:
            continue
        verdict = "n/a" if ratio is None else ("yes" if ratio >= minimum else "**no**")
        shown = "–" if ratio is None else f"{ratio:.2f}×"
        rows.append(f"| {title} | {impl} | {shown} | ≥ {minimum}× | {verdict} |")
    if rows:  # a run of some workloads only may have none
        lines += [
            "",
            "## Targets (median of per-round speed-up ratios)",
            "",
            "| target | implementation | ratio | needed | holds |",
            "|---|---|---|---|---|",
            *rows,
        ]

    lines += stall_section(meta, summary, impls, metrics)

    lines += ["", "## Versions", ""]
    for impl in impls:
        v = meta["versions"].get(impl)
        if v:
            lines.append(f"* {impl}: " + ", ".join(f"{k} {v[k]}" for k in sorted(v)))
    lines.append(
        f"* Motor 3.7.1 is pinned to this environment's PyMongo and Tornado, so "
        f"only the driver design differs. Motor 3 runs PyMongo calls on its "
        f"thread pool (defaults: {os.cpu_count()} CPUs × 5 workers)."
    )
    lines.append(
        "* Every async implementation runs under `asyncio.run`; Tornado's IOLoop "
        "wraps that loop. pymongo-sync uses a thread per concurrent task and, in "
        "the HTTP workload, a handler that blocks the IOLoop for each query."
    )
    if notes["skipped"]:
        lines += ["", "## Skipped", ""]
        reasons = {}
        for (impl, metric), reason in notes["skipped"].items():
            reasons.setdefault((impl, reason), []).append(metric)
        lines += [f"* {impl}: {', '.join(ms)}: {reason}" for (impl, reason), ms in reasons.items()]
    if notes["errors"]:
        lines += ["", "## Errors", ""]
        for (impl, workload, rnd), error in notes["errors"].items():
            lines.append(
                f"* round {rnd}, {impl}, {workload}:\n\n  ```\n  "
                + error.replace("\n", "\n  ")
                + "\n  ```"
            )
    lines.append("")
    (out / "report.md").write_text("\n".join(lines))


def stall_section(meta, summary, impls, metrics):
    """Issue #14: each operation's worst loop stall per implementation, the 50 ms bound,
    and Motor 4's time against the baseline commit's (when run with --baseline)."""
    ops = [m[len("stall_") :] for m in metrics if m.startswith("stall_")]
    shown = (
        [i for i in impls if i != "pymongo-sync" and (i, "stall_" + ops[0]) in summary]
        if ops
        else []
    )
    if not shown:
        return []
    motor4 = [i for i in shown if i.startswith("motor4-")]
    lines = [
        "",
        f"## Loop stalls (issue #14): worst gap of a 1 ms ticker, ms (≤ {STALL_LIMIT} ms?)",
        "",
        "Median over rounds (each round: one process, a warm-up pass, then "
        f"{workloads.SIZES['quick' if meta.get('quick') else 'full']['stall_reps']} timed "
        "pass(es) whose median is the round's figure; "
        "**bold**: a Motor 4 figure over the bound). In parentheses: the "
        "same gap counted in the loop thread's CPU time less garbage collection "
        "(`cpustall_*`; blind to Motor 3's worker threads). `gc` is the longest garbage "
        "collection pass seen during the operation, in any implementation's column.",
        "",
    ]
    header = ["operation"] + shown + ["longest GC pass"]
    if meta.get("baseline"):
        header += [f"{i} time vs {i.replace('motor4-', 'base-')}" for i in motor4]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for op in ops:
        cells = [op]
        for impl in shown:
            stall = summary.get((impl, "stall_" + op))
            cpu = summary.get((impl, "cpustall_" + op))
            if stall is None:
                cells.append("–")
                continue
            cell = f"{stall['median']:.0f}"
            if cpu is not None:
                cell += f" ({cpu['median']:.0f})"
            if impl in motor4:
                cell = f"**{cell}**" if stall["median"] > STALL_LIMIT else cell
            cells.append(cell)
        gcs = [summary[i, "gc_" + op]["median"] for i in shown if (i, "gc_" + op) in summary]
        cells.append(f"{max(gcs):.0f}" if gcs else "–")
        if meta.get("baseline"):
            for impl in motor4:
                base = impl.replace("motor4-", "base-")
                ratio = summary.get((impl, "time_" + op), {}).get("ratios", {}).get(base)
                cells.append("–" if ratio is None else f"{1 / ratio:.2f}×")
        lines.append("| " + " | ".join(cells) + " |")
    if meta.get("baseline"):
        lines += [
            "",
            f"Time ratios: Motor 4's time divided by the same framework's time at "
            f"{meta['baseline'][:12]} (median of per-round ratios; < 1 is faster).",
        ]
    return lines


def write_chart(out, summary, impls, metrics):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    width = 0.8 / len(impls)
    fig, ax = plt.subplots(figsize=(max(10, 1.1 * len(metrics)), 5.5))
    for k, impl in enumerate(impls):
        xs, ys = [], []
        for i, metric in enumerate(metrics):
            ratio = summary.get((impl, metric), {}).get("ratios", {}).get(baseline(impl))
            if ratio is not None:
                xs.append(i + (k - (len(impls) - 1) / 2) * width)
                ys.append(ratio)
        ax.bar(xs, ys, width, label=impl)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(matplotlib.ticker.FixedLocator([0.125, 0.25, 0.5, 1, 2, 4, 8]))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda y, _: f"{y:g}×"))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xticks(range(len(metrics)))
    ax.set_xticklabels(metrics, rotation=30, ha="right")
    ax.set_ylabel("vs Motor 3.7.1 on the same framework (>1 is better, log scale)")
    ax.legend(fontsize="small", ncol=len(impls), loc="lower center", bbox_to_anchor=(0.5, 1.06))
    fig.tight_layout()
    fig.savefig(out / "chart.png", dpi=110)


# -- main ---------------------------------------------------------------------------
def parse_list(text, known, what):
    chosen = list(known) if text is None else text.split(",")
    unknown = [c for c in chosen if c not in known]
    if unknown:
        sys.exit(f"unknown {what}: {', '.join(unknown)}; choose from {', '.join(known)}")
    return chosen


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n", 1)[1],
    )
    parser.add_argument("--rounds", type=int, help="rounds (default 5, or 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="small sizes, one round")
    parser.add_argument("--impls", help="comma-separated subset of: " + ", ".join(IMPLS))
    parser.add_argument(
        "--workloads", help="comma-separated subset of: " + ", ".join(workloads.WORKLOADS)
    )
    parser.add_argument(
        "--uri",
        help="use this MongoDB instead of starting a mongod "
        "(its motor_bench database is overwritten)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=BENCH / ".venvs",
        help="where the Motor 3 virtualenv lives (default: bench/.venvs)",
    )
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also offer base-tornado and base-asyncio: this checkout's Motor at git commit REF",
    )
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per process")
    args = parser.parse_args(argv)
    rounds = args.rounds or (1 if args.quick else 5)
    known = {k: v for k, v in IMPLS.items() if args.baseline or v[0] != "base"}
    impls = parse_list(args.impls, known, "implementations")
    chosen = parse_list(args.workloads, workloads.WORKLOADS, "workloads")
    metrics = [m for w in chosen for m in workloads.WORKLOADS[w]]
    args.out.mkdir(parents=True, exist_ok=True)
    args.cache_dir.mkdir(parents=True, exist_ok=True)

    ensure_matplotlib()
    pythons = {"repo": Path(sys.executable)}
    if any(IMPLS[i][0] == "motor3" for i in impls):
        pythons["motor3"] = ensure_motor3_env(args.cache_dir)
    base_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MOTOR_MAX_WORKERS")}
    envs = {"repo": {**base_env, "PYTHONPATH": str(REPO)}, "motor3": base_env}
    baseline_sha = None
    if args.baseline:
        tree, baseline_sha = extract_baseline(args.baseline, args.cache_dir)
        pythons["base"] = Path(sys.executable)
        envs["base"] = {**base_env, "PYTHONPATH": str(tree)}

    sys.path.insert(0, str(REPO))
    from test.mongod import Standalone

    started = time.monotonic()
    server = None if args.uri else Standalone().start()
    uri = args.uri or server.uri
    try:
        import pymongo

        with pymongo.MongoClient(uri) as client:
            mongod_version = client.server_info()["version"]
            pings = []
            for _ in range(300):
                t0 = time.perf_counter()
                client.admin.command("ping")
                pings.append(time.perf_counter() - t0)
        ping_us = statistics.median(pings[50:]) * 1e6
        load_before = os.getloadavg()
        print(f"mongod {mongod_version} at {uri}; loading {workloads.N_DOCS} documents", flush=True)
        workloads.create_docs(uri)
        results, versions = [], {}
        notes = {"skipped": {}, "errors": {}}
        for rnd in range(1, rounds + 1):
            by_impl = {impl: {} for impl in impls}
            for workload in chosen:
                for impl in impls:  # A B C D, in the same order every round
                    env_name = IMPLS[impl][0]
                    t0 = time.monotonic()
                    res = run_one(
                        pythons[env_name],
                        envs[env_name],
                        impl,
                        workload,
                        uri,
                        args.quick,
                        args.timeout,
                    )
                    took = time.monotonic() - t0
                    if "error" in res:
                        notes["errors"][impl, workload, rnd] = res["error"]
                        status = "ERROR " + res["error"].splitlines()[-1][:100]
                    elif "skipped" in res:
                        for m in workloads.WORKLOADS[workload]:
                            notes["skipped"][impl, m] = res["skipped"]
                        status = "skipped: " + res["skipped"]
                    else:
                        by_impl[impl].update(res["metrics"])
                        status = ", ".join(f"{m} {fmt(v)}" for m, v in res["metrics"].items())
                    if "versions" in res:
                        versions[impl] = res["versions"]
                    print(
                        f"round {rnd}/{rounds} {workload:>14} {impl:>14} ({took:4.1f}s) {status}",
                        flush=True,
                    )
            results.append(by_impl)
    finally:
        if server is not None:
            server.stop()

    meta = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.system()}, {os.cpu_count()} CPUs",
        "rounds": rounds,
        "quick": args.quick,
        "mongod": mongod_version,
        "seconds": time.monotonic() - started,
        "versions": versions,
        "ping_us": ping_us,
        "load": [load_before[0], os.getloadavg()[0]],
        "baseline": baseline_sha,
    }
    summary = summarize(results, impls, metrics)
    (args.out / "results.json").write_text(
        json.dumps(
            {
                "meta": meta,
                "rounds": results,
                "summary": [{"impl": i, "metric": m, **s} for (i, m), s in summary.items()],
            },
            indent=1,
        )
    )
    write_report(args.out, meta, summary, impls, metrics, notes)
    write_chart(args.out, summary, impls, metrics)
    print((args.out / "report.md").read_text())


if __name__ == "__main__":
    main()
