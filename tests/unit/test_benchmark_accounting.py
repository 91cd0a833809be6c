"""The CPU accounting the benchmarks' figures rest on (tests/support/cluster.py).

parent_load.py charges each journey with the CPU of whole process trees: the app's, the delivery
worker's, PostgreSQL's. PostgreSQL's backends each start a session of their own, and the pool's
overflow connections come and go, so a tree is found by parenthood, and a child that ended is
still counted through its parent.
"""

from __future__ import annotations

import os
import sys

from tests.support.cluster import Process, cpu_seconds, wait_for

BURN_SECONDS = 0.5
# A child that leaves its parent's process group (as a PostgreSQL backend does), burns CPU, then idles a moment.
CHILD = (f"import os, time\nos.setsid()\nend = time.process_time() + {BURN_SECONDS}\n"
         "while time.process_time() < end:\n    pass\ntime.sleep(1.5)\n")
PARENT = ("import subprocess, sys, time\n"
          f"child = subprocess.Popen([sys.executable, '-c', {CHILD!r}])\n"
          "print(child.pid, flush=True)\nchild.wait()\nprint('reaped', flush=True)\ntime.sleep(60)\n")


def test_a_process_tree_counts_a_child_in_its_own_session_while_alive_and_after_it_ended(tmp_path):
    log = tmp_path / "tree.log"
    tree = Process("tree", [sys.executable, "-c", PARENT], dict(os.environ), log).start()
    try:
        wait_for(lambda: log.read_text().strip() != "", 20, "the child's pid", tree)
        child = int(log.read_text().split()[0])
        wait_for(lambda: os.getpgid(child) != tree.proc.pid, 20, "the child's own session", tree)
        assert child in tree.pids()  # not in the group: found as a descendant

        wait_for(lambda: "reaped" in log.read_text(), 20, "the child's end", tree)
        assert child not in tree.pids()
        # The child's CPU now lives in its parent's record of ended children.
        assert cpu_seconds(tree.pids()) >= BURN_SECONDS * 0.9
    finally:
        tree.kill()
