"""measure.py - run mxray and measure it, for scripts/bench.py and
scripts/hostile.py: wall time, CPU time, peak RSS and how the run ended, and
the summary at the end of a JSON report too large to keep.

Peak RSS is mxray's own from `/usr/bin/time -v` when GNU time is installed
(apt-get install time), else wait4()'s, which may include the RSS of the
calling Python process at fork time.

Python 3 standard library only.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

GNU_TIME = shutil.which("time", path="/usr/bin:/bin")
NO_GNU_TIME = ("note: /usr/bin/time not found (apt-get install time); peak RSS "
               "comes from wait4() and may include this script's RSS at fork time")


def run_measured(cmd, timeout=None, consume=None):
    """Run cmd (through GNU time -v when installed), its stdout to /dev/null
    or, with consume, to a pipe that consume(pipe) reads to the end.  With a
    timeout (seconds) cmd runs in its own process group, killed with it when
    still running then (a hang).

    Returns dict(wall, cpu, rss_kb, status, signal, hung, stderr): cpu is
    user + system seconds from wait4() (GNU time's own ~1 ms included);
    status is 128 + N when signal N ended the run; stderr is what cmd wrote
    there, without GNU time's report."""
    full = ([GNU_TIME, "-v"] if GNU_TIME else []) + cmd
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(full,
                             stdout=subprocess.PIPE if consume else subprocess.DEVNULL,
                             stderr=err, start_new_session=timeout is not None)
        hung = False
        if consume:
            killer = threading.Timer(timeout, _kill, (p,)) if timeout else None
            if killer:
                killer.start()
            try:
                consume(p.stdout)
            finally:
                if killer:
                    killer.cancel()
            _, status, ru = os.wait4(p.pid, 0)
            hung = timeout is not None and time.perf_counter() - t0 >= timeout
        elif timeout is None:
            _, status, ru = os.wait4(p.pid, 0)
        else:
            deadline = t0 + timeout
            while True:
                pid, status, ru = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > deadline:
                    hung = True
                    _kill(p)
                    _, status, ru = os.wait4(p.pid, 0)
                    break
                time.sleep(0.02)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    res = {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_kb": ru.ru_maxrss,
           "status": p.returncode,
           "signal": -p.returncode if p.returncode < 0 else None, "hung": hung}
    tail = []
    for line in text.splitlines():
        key, sep, val = line.strip().rpartition(": ")
        if GNU_TIME and line.startswith("\t") and sep:
            if key == "Maximum resident set size (kbytes)":
                res["rss_kb"] = int(val)
            elif key == "Exit status":
                res["status"] = int(val)
        elif GNU_TIME and line.startswith("Command terminated by signal"):
            res["signal"] = int(line.split()[-1])
        elif GNU_TIME and line.startswith("Command exited with non-zero status"):
            pass
        else:
            tail.append(line)
    if res["signal"]:
        res["status"] = 128 + res["signal"]
    res["stderr"] = "\n".join(tail).strip()
    return res


def _kill(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def read_tail(pipe, keep):
    """Read pipe to the end; returns (its last keep bytes, its size)."""
    tail, total = b"", 0
    while True:
        chunk = pipe.read(1 << 20)
        if not chunk:
            return tail, total
        total += len(chunk)
        tail = (tail + chunk)[-keep:]


def json_tail_summary(tail):
    """{"inputs": ..., "summary": ...} from the tail of a JSON report, or None.

    The report can be GBs; SPEC.md fixes its key order (..., "inputs",
    "summary"), so the last top-level `"inputs":` starts an object fragment
    holding the two."""
    at = [m.start() for m in re.finditer(rb'"inputs"\s*:', tail)]
    if not at:
        return None
    try:
        return json.loads(b"{" + tail[at[-1]:])
    except ValueError:
        return None
