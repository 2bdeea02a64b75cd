"""A guard against a reference-counting fault of shiboken6 6.12 on Python 3.11.

Each call from Python to a Qt method that returns nothing (``setText``, ``drawText``,
``setPen``...) hands back ``None`` without counting the reference, so None's count falls by
one per call. Python 3.12 and later never free None (it is immortal), but 3.11 aborts the
process ("Fatal Python error: none_dealloc") when the count reaches zero: in a bare script
after about 5,000 such calls, in the app after about 45,000 (one leaderboard PDF makes about
900), or at exit, when the interpreter drops its own references. ``keep_none_alive`` gives
None a count no program uses up, which is what Python 3.12 does.
"""

from __future__ import annotations

import ctypes
import sys

# Far more calls than a process makes in its life, far below where the count overflows.
EXTRA_REFERENCES = 1 << 40
_kept = False


def keep_none_alive() -> None:
    """Once per process, on CPython before 3.12 (later versions need nothing)."""
    global _kept  # noqa: PLW0603 - once per process
    if _kept or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    _kept = True
    ctypes.c_ssize_t.from_address(id(None)).value += EXTRA_REFERENCES
