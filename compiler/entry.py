"""The ``ita-report`` console script: Ctrl-C answered with one line from the first instant.

Importing the command line takes a few hundred milliseconds; a Ctrl-C meanwhile used to
print Python's own traceback. Here SIGINT is answered quietly until the command line is
imported (nothing has been written yet, so there is nothing to undo), then the command line's
own handling takes over (``cli._guard``: exit 130, temporary files removed).
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType


def _interrupted(signum: int, frame: FrameType | None) -> None:
    sys.stderr.write("ยกเลิกแล้ว (Ctrl-C) / interrupted\n")
    sys.stderr.flush()
    os._exit(130)


def main() -> None:
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.SIG_IGN:  # started with Ctrl-C ignored (in the background): so be it
        signal.signal(signal.SIGINT, _interrupted)
    from compiler.cli import main as cli_main

    signal.signal(signal.SIGINT, previous)
    cli_main(prog_name="ita-report")


if __name__ == "__main__":
    main()
