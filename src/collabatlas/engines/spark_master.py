"""Is the Spark master there? A TCP probe of ``spark://host:port`` before Spark starts.

A Spark session on a master it cannot reach retries for over a minute and ends in pages of Java and
Python stack traces. Probing the master's port first (a few seconds at most) turns that into one
line and exit code 1: :class:`SparkMasterUnreachable`. Local masters (``local``, ``local[2]``) and
others (``yarn``, ``k8s://…``) are not probed.
"""

from __future__ import annotations

import socket

from collabatlas.errors import DataError

CONNECT_TIMEOUT = 3.0
"""Seconds to wait for the master's port to accept a connection."""
DEFAULT_PORT = 7077


class SparkMasterUnreachable(DataError):
    """No Spark master answers at the address given (exit 1, HTTP 503)."""


def endpoints(master: str) -> list[tuple[str, int]]:
    """``spark://h1:7077,h2:7077`` → [(h1, 7077), (h2, 7077)]; [] for a master that is not ``spark://``."""
    if not master.startswith("spark://"):
        return []
    found = []
    for part in master.removeprefix("spark://").split(","):
        host, _, port = part.strip().rstrip("/").rpartition(":") if ":" in part else (part.strip(), "", "")
        if not host:
            host, port = part.strip(), ""
        try:
            found.append((host.strip("[]"), int(port) if port else DEFAULT_PORT))
        except ValueError as exc:
            raise SparkMasterUnreachable(f"--spark-master {master}: {part!r} is not host:port") from exc
    return found


def check_reachable(master: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """Return when one of the master's addresses accepts a TCP connection within ``timeout`` seconds;
    else raise :class:`SparkMasterUnreachable` naming the master and why."""
    reasons = []
    for host, port in endpoints(master):
        try:
            with socket.create_connection((host, port), timeout=timeout):
                return
        except socket.gaierror as exc:
            reasons.append(f"{host}: unknown host ({exc.strerror or exc})")
        except TimeoutError:
            reasons.append(f"{host}:{port}: no answer within {timeout:g} s")
        except OSError as exc:
            reasons.append(f"{host}:{port}: {exc.strerror or exc}")
    if reasons:
        raise SparkMasterUnreachable(f"Spark master {master} is unreachable ({'; '.join(reasons)}); start it, "
                                     "check --spark-master, or use --spark-master local[*]")
