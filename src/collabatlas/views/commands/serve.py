"""``collabatlas serve``: the interactive dashboard and JSON API (FastAPI on uvicorn)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from collabatlas.errors import answer
from collabatlas.escaping import markup
from collabatlas.views.cli_common import StoreOpt, _fail, _guard, err_console


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, extra: list[str]) -> list[str]:
    """The host names the server answers to: localhost, the --host name when it is a name (not an
    address or a wildcard), and the --allow-host names."""
    names = ["localhost", *extra]
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        if host not in ("", "*"):
            names.append(host)
    return names


def serve(
    store: StoreOpt = None,
    host: Annotated[str, typer.Option("--host", help="Interface to bind; the default serves this machine only.")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", help="TCP port.")] = 8000,
    data: Annotated[Path | None, typer.Option("--data", help="Indicator and group data directory "
                                                             "[env COLLABATLAS_DATA].")] = None,
    cache_mb: Annotated[int, typer.Option("--cache-mb", help="Memory for cached results (MB); least recently "
                                                             "used go first.")] = 1024,
    warm: Annotated[bool, typer.Option("--warm/--no-warm", help="Compute the overview's results and build the "
                                                                 "JavaScript bundle at start-up.")] = True,
    allow_host: Annotated[list[str] | None, typer.Option(
        "--allow-host", help="A host name browsers may use to reach the server (repeatable; '*' for any). "
                             "IP addresses, localhost and the --host name are always accepted; other names "
                             "are refused to stop DNS rebinding.")] = None,
) -> None:
    """Serve the dashboard (overview, country, institution, pair, group, network, landscape pages) and
    the JSON API (/api/..., OpenAPI at /openapi.json) over a store, read-only.

    The store is open only while a request is answered: `collabatlas ingest` into the same store
    works while the server runs, and the next request shows the new data (meta.data_version).

    Examples:

      collabatlas serve --store atlas.duckdb              # http://127.0.0.1:8000/

      curl 'http://127.0.0.1:8000/api/partners/US?years=2005-2009&top=5'

      collabatlas serve --port 8080 --cache-mb 4096

      collabatlas serve --host 0.0.0.0 --allow-host atlas.example.org   # a deliberately public server
    """
    import uvicorn

    from collabatlas import settings as config
    from collabatlas.errors import StoreError
    from collabatlas.views.web import create_app
    from collabatlas.views.web.assets import warm_in_background

    path = config.store_path(store)
    if not path.exists():
        _fail(f"store {path} does not exist; run `collabatlas ingest PATH --store {path}` first")
    if not _is_loopback(host):
        err_console.print(f"[yellow]warning:[/] binding {markup(host)}: the dashboard has no authentication; "
                          "anyone who can reach this address can read the store")
    try:
        app = create_app(path, data_dir=config.data_dir(data), cache_bytes=cache_mb << 20,
                         allowed_hosts=allowed_hosts(host, allow_host or []))
    except StoreError as exc:
        _fail(str(exc), answer(exc).exit_code)  # by its class (errors.ANSWERS)
    if app.state.service.atlases.busy_at_start:
        err_console.print(f"[yellow]warning:[/] {markup(app.state.service.atlases.busy_at_start)}; the dashboard "
                          "answers once that process lets the store go")
    if warm:
        warm_in_background()
        app.state.service.warm_in_background()
    err_console.print(f"collabatlas dashboard on http://{markup(host)}:{port}/  (store {markup(path)}; Ctrl-C stops)")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        app.state.service.close()


def register(app: typer.Typer) -> None:
    app.command("serve")(_guard(serve))
