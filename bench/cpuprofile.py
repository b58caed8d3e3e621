"""A CPU-time sampling profiler that sees greenlets: where a workload spends its CPU.

cProfile misattributes time when greenlets switch (a suspended call looks like it is
still running), and wall-clock samplers count time spent waiting for a CPU on a busy
machine. This one samples on ``ITIMER_PROF`` (process CPU time, user + system) and
records the Python stack that is executing when the sample fires, whichever greenlet it
belongs to. Each sample weighs the CPU time since the previous one, so time in a C call or
system call (``send``) is charged to the Python line that made it. Python runs signal handlers on the main thread, so this only makes sense
for clients that work on the main thread (Motor 4, AsyncMongoClient, sequential PyMongo),
not for Motor 3's worker threads.

    with Sampler() as sampler:
        ...
    print(sampler.report())
"""

import collections
import os
import signal
import time

# Layers of the client stack, by path fragment; the first match wins.
LAYERS = [
    ("motor/bridge/", "motor/bridge"),
    ("motor/", "motor (wrappers, frameworks)"),
    ("pymongo/", "pymongo + bson"),
    ("bson/", "pymongo + bson"),
    ("gridfs/", "pymongo + bson"),
    ("asyncio/", "asyncio"),
    ("selectors.py", "asyncio"),
    ("tornado/", "tornado"),
    ("bench/", "benchmark"),
]


def _layer(filename):
    for fragment, name in LAYERS:
        if fragment in filename:
            return name
    return "other: " + os.path.basename(filename)


def _where(code, lineno):
    path = code.co_filename
    parts = path.split(os.sep)
    return f"{'/'.join(parts[-3:])}:{lineno} {code.co_name}"


class Sampler:
    def __init__(self, interval=0.001):
        self.interval = interval
        self.leaf = collections.Counter()  # "file:line function" -> CPU seconds (self)
        self.inclusive = collections.Counter()  # function -> CPU seconds anywhere on the stack
        self.layers = collections.Counter()
        self.samples = 0
        self.total = 0.0  # CPU seconds sampled
        self._busy = False

    def _sample(self, signum, frame):
        # Signals that fire during one long C call arrive as one, so weigh each sample by
        # the CPU time since the last one; it goes to the code that just ran.
        if self._busy:
            # A signal taken inside this handler (slow to walk a deep stack on a busy
            # machine): that time is the profiler's own, and the outer call resets _last.
            return
        self._busy = True
        weight = time.process_time() - self._last
        self.samples += 1
        self.total += weight
        try:
            self._record(frame, weight)
        finally:
            self._last = time.process_time()  # the handler's own time is not sampled
            self._busy = False

    def _record(self, frame, weight):
        if frame is None:
            return
        self.leaf[_where(frame.f_code, frame.f_lineno)] += weight
        self.layers[_layer(frame.f_code.co_filename)] += weight
        seen = set()
        while frame is not None:
            key = _where(frame.f_code, frame.f_code.co_firstlineno)
            if key not in seen:
                seen.add(key)
                self.inclusive[key] += weight
            frame = frame.f_back

    def __enter__(self):
        self._last = time.process_time()
        self._old = signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)
        return self

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, self._old)

    def report(self, top=25):
        total = self.total or 1.0
        lines = [f"{self.samples} samples, {self.total:.2f} s CPU", "", "by layer (self):"]
        lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in self.layers.most_common()]
        lines += ["", "top lines (self):"]
        lines += [f"  {100 * n / total:5.1f}%  {k}" for k, n in self.leaf.most_common(top)]
        lines += ["", "top functions (inclusive; defined at file:line):"]
        lines += [f"  {100 * n / total:5.1f}%  {k}" for k, n in self.inclusive.most_common(top)]
        return "\n".join(lines) + "\n"
