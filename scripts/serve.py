"""The web server and the task worker side by side (`make serve`, `make run`), stopped together.

    python scripts/serve.py          # gunicorn (WEB_CONCURRENCY workers, default 2) + the worker
    python scripts/serve.py --dev    # runserver (DEBUG) + the worker, for `make run`

The task worker is `manage.py db_worker` (django-tasks' database backend): it prints the large
documents and writes the bloc-year data files (reports/jobs.py). TASK_WORKERS of them run (default 1). When either side exits, the
other is stopped and this script exits with the failed one's code; SIGTERM or SIGINT stops both
gracefully (gunicorn finishes its requests, a worker its current print) within STOP_SECONDS,
then whatever is left is killed. HOST and PORT (default 127.0.0.1:8000) are where the web listens.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STOP_SECONDS = 30


def commands(dev: bool) -> list[tuple[str, list[str]]]:
    bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
    if dev:
        web = [sys.executable, "manage.py", "runserver", bind]
    else:
        web = [
            str(BIN / "gunicorn"),
            "thiduakhenthuong.wsgi",
            "--bind",
            bind,
            "--workers",
            os.environ.get("WEB_CONCURRENCY", "2"),
            "--timeout",
            "60",
            "--access-logfile",
            "-",
        ]
    worker = [sys.executable, "manage.py", "db_worker", "--interval", "1", "--verbosity", "1"]
    if not dev:
        worker.append("--no-reload")
    count = int(os.environ.get("TASK_WORKERS", "1"))
    return [("web", web)] + [(f"worker-{i + 1}", worker) for i in range(count)]


def log(message: str) -> None:
    print(f"[serve] {message}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="runserver instead of gunicorn")
    args = parser.parse_args()
    stopping: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    children: dict[str, subprocess.Popen] = {}
    for name, command in commands(args.dev):
        # Each in its own process group: a signal reaches it once, from here (Ctrl-C and systemd
        # stop this script), and the whole group (runserver's reloader, gunicorn's workers) stops.
        children[name] = subprocess.Popen(command, cwd=ROOT, process_group=0)
        log(f"{name} started (pid {children[name].pid}): {' '.join(command[1:4])} …")
    status = 0
    while not stopping:
        exited = [(n, p.returncode) for n, p in children.items() if p.poll() is not None]
        if exited:
            name, code = exited[0]
            log(f"{name} exited with code {code}: stopping the others")
            status = code or 1
            break
        time.sleep(0.5)
    else:
        log(f"{signal.Signals(stopping[0]).name} received: stopping the web and the worker")
    return shutdown(children, status)


def signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass  # gone already


def shutdown(children: dict[str, subprocess.Popen], status: int) -> int:
    for process in children.values():
        if process.poll() is None:
            signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for name, process in children.items():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log(f"{name} did not stop within {STOP_SECONDS} s: killed")
            signal_group(process, signal.SIGKILL)
            process.wait()
        log(f"{name} stopped (code {process.returncode})")
    return status


if __name__ == "__main__":
    sys.exit(main())
