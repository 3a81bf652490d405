"""How worker processes start: forkserver where it can, spawn elsewhere, and how many cores.

Used by :mod:`compiler.workers` (which re-exports :func:`context` and :func:`cores`).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import sys
import tempfile
import threading
from collections.abc import Sequence


def cores() -> int:
    """The cores this process may use (its CPU affinity where the platform tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


#: forkserver listens on a Unix socket at ``TMP/pymp-XXXXXXXX/listener-XXXXXXXX`` (the
#: temporary folder and 32 bytes more); a socket's path holds at most 103 bytes on macOS,
#: 107 on Linux. A longer TMPDIR made every command with workers stop on "AF_UNIX path too long".
_SOCKET_PATH_BYTES = 103


def forkserver_fits() -> bool:
    """Whether forkserver's socket path fits under this process's temporary folder."""
    return len(os.fsencode(tempfile.gettempdir())) + 32 <= _SOCKET_PATH_BYTES


def context(preload: Sequence[str] = ()) -> multiprocessing.context.BaseContext:
    """forkserver where the platform has it (workers start from a clean process with
    ``preload`` imported, no threads inherited, unlike fork) and its socket's path fits
    under the temporary folder; spawn elsewhere."""
    if "forkserver" in multiprocessing.get_all_start_methods() and forkserver_fits():
        ctx = multiprocessing.get_context("forkserver")
        if preload:
            ctx.set_forkserver_preload(list(preload))
        _start_forkserver()
        return ctx
    return multiprocessing.get_context("spawn")


_env_lock = threading.Lock()


def _start_forkserver() -> None:
    """Start forkserver (if it is not running) with this process's ``sys.path``.

    Python 3.11's forkserver runs ``python -c …`` and ignores the ``sys_path`` it is sent, so
    its path began with the current folder: run from a folder holding a ``compiler/`` folder,
    the workers imported that instead of this package. It is started here with
    ``PYTHONPATH`` set to this process's path and ``PYTHONSAFEPATH`` (no current folder), for
    the moment of its start only.
    """
    from multiprocessing import forkserver

    paths = [os.path.abspath(p) if p else os.getcwd() for p in sys.path]
    with _env_lock:
        saved = {name: os.environ.get(name) for name in ("PYTHONPATH", "PYTHONSAFEPATH")}
        os.environ["PYTHONPATH"] = os.pathsep.join(paths)
        os.environ["PYTHONSAFEPATH"] = "1"
        try:
            forkserver.ensure_running()
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
