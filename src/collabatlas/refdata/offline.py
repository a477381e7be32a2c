"""Whether a failed download means "no network here": then retrying only makes the user wait.

A name that does not resolve (``socket.gaierror``: no DNS, no network) or a network that is
unreachable does not get better in the seconds a retry waits, so ``fetch`` and ``data update`` stop
at the first such failure with one message (exit 1) instead of retrying for minutes. Refused or
reset connections, timeouts and HTTP 5xx are retried as before.
"""

from __future__ import annotations

import errno
import socket
import urllib.error

OFFLINE_ERRNOS = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN})


def offline_reason(exc: BaseException) -> str | None:
    """A short reason when ``exc`` says the network (or its name service) is not there, else None."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, socket.gaierror):
        return f"the host name does not resolve ({reason.strerror or reason}): no network or no DNS"
    if isinstance(reason, OSError) and reason.errno in OFFLINE_ERRNOS:
        return f"the network is unreachable ({reason.strerror or reason})"
    return None
