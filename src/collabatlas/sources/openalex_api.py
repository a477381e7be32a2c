"""Fetch works from the OpenAlex API into JSON Lines files that ``collabatlas ingest`` reads.

One call of :func:`fetch_openalex` pages through ``/works?filter=…`` with cursor paging and writes
each page as ``works-NNNNNN.jsonl.gz`` (one work per line) in the output directory:

- **resumable**: after each page file is complete (written to a temporary name, then renamed), the
  state file ``.collabatlas-fetch.json`` records the filter, the cursor of the next page, pages and
  works done. Running the same fetch again continues from that cursor; a page that was being written
  when the process died is fetched again under the same file name, so nothing is doubled or lost. A
  different filter (or ``select``) on the same directory is refused.
- **exact Share**: list responses cut ``authorships`` at 100 (``is_authors_truncated: true``); each
  such work is fetched again singly (``/works/W…``, never truncated) and the full record is written
  in its place.
- **retries**: 429, 5xx, connection errors and unreadable bodies are retried with exponential
  backoff and jitter, honouring ``Retry-After``; after ``attempts`` tries a :class:`FetchError`
  names the URL (with the api key masked).

HTTP goes through the standard library (``urllib.request``): no runtime dependency is added, and
one request brings 200 works, so connection reuse would save little.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from email.utils import parsedate_to_datetime
from http.client import HTTPException
from pathlib import Path

import orjson

from collabatlas.errors import (
    FetchError,
    FetchNetworkError,
)
from collabatlas.refdata.offline import offline_reason
from collabatlas.sources.openalex import FETCH_STATE_FILE, WORK_SPEC
from collabatlas.version import __version__

__all__ = ["DEFAULT_BASE_URL", "FetchError", "FetchReport", "fetch_openalex", "page_file", "MINIMAL_SELECT"]

DEFAULT_BASE_URL = "https://api.openalex.org"
MAX_PER_PAGE = 200  # the API's largest page
TRUNCATION_LIMIT = 100  # list responses keep at most this many authorships
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
#: the top-level fields ``ingest`` reads: ``select="minimal"`` asks the API for these only (the
#: ``is_authors_truncated`` flag is left out: a work listed with 100 authorships is re-fetched instead)
MINIMAL_SELECT = ",".join(k for k in WORK_SPEC if k != "is_authors_truncated")
STATE_VERSION = 1

ProgressCallback = Callable[[int, int | None], None]  # (works written so far, API total or None)


@dataclass
class FetchReport:
    """What one run of :func:`fetch_openalex` did (``*_total`` fields include earlier runs on the directory)."""

    filter: str
    out_dir: str
    meta_count: int | None = None  # the API's total for the filter (meta.count)
    pages: int = 0  # page files written by this run
    works: int = 0  # works written by this run
    pages_total: int = 0
    works_total: int = 0
    truncated_refetched: int = 0  # works whose authorships the list cut at 100, re-fetched whole
    still_truncated: int = 0  # re-fetch failed (404) or still truncated: Share of these works is inexact
    requests: int = 0
    retries: int = 0
    resumed_from_page: int | None = None  # first page fetched by this run when it continued an earlier one
    complete: bool = False  # the API has no further page
    stopped_at_max_works: bool = False
    seconds: float = 0.0
    messages: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def page_file(out_dir: Path, page: int) -> Path:
    """The file that holds page ``page`` (1-based)."""
    return out_dir / f"works-{page:06d}.jsonl.gz"


# ------------------------------------------------------------------------------------------------
# HTTP with retries


class _Client:
    """GET JSON with retries; counts requests and retries for the report."""

    def __init__(self, base_url: str, params: dict[str, str], attempts: int, backoff_base: float,
                 backoff_max: float, max_retry_after: float, timeout: float, sleep: Callable[[float], None]):
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.params = params  # sent with every request (api_key, mailto, select)
        self.attempts = attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        self.timeout = timeout
        self.sleep = sleep
        self.requests = 0
        self.retries = 0

    def url(self, path: str, params: dict[str, str]) -> str:
        return f"{self.base_url}{path}?{urllib.parse.urlencode({**params, **self.params}, safe=':,*|@')}"

    def get(self, path: str, params: dict[str, str] | None = None, missing_ok: bool = False) -> dict | None:
        """The JSON body of ``GET path?params``; None on 404 when ``missing_ok``."""
        url = self.url(path, params or {})
        request = urllib.request.Request(url, headers={"Accept": "application/json", "Accept-Encoding": "gzip",
                                                       "User-Agent": f"collabatlas/{__version__}"})
        problem = ""
        for attempt in range(1, self.attempts + 1):
            self.requests += 1
            retry_after = None
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body = response.read()
                    if response.headers.get("Content-Encoding", "").lower() == "gzip":
                        body = gzip.decompress(body)
                return orjson.loads(body)
            except urllib.error.HTTPError as exc:
                if exc.code == 404 and missing_ok:
                    return None
                detail = _error_detail(exc)
                problem = f"HTTP {exc.code}{': ' + detail if detail else ''}"
                if exc.code not in RETRY_STATUS:
                    hint = " (check the API key; or too many requests: run the same command later to resume)" \
                        if exc.code in (401, 403) else ""
                    raise FetchError(f"{redact(url)}: {problem}{hint}") from None
                retry_after = _retry_after_seconds(exc.headers.get("Retry-After"))
            except (orjson.JSONDecodeError, EOFError, gzip.BadGzipFile) as exc:  # a body cut short
                problem = f"unreadable body: {exc}"
            except (urllib.error.URLError, HTTPException, OSError) as exc:  # refused, reset, timeout, DNS
                offline = offline_reason(exc)
                if offline:  # no network: a retry would only wait (refdata.offline)
                    raise FetchNetworkError(f"{redact(url)}: {offline}; connect and run the same command "
                                            "again") from None
                problem = f"connection error: {getattr(exc, 'reason', exc)}"
            if attempt == self.attempts:
                break
            if retry_after is not None and retry_after > self.max_retry_after:
                raise FetchError(f"{redact(url)}: {problem}; the API asks to wait {retry_after:,.0f} s (more than "
                                 f"{self.max_retry_after:,.0f} s: daily limit used up?); run the same command later "
                                 "to resume")
            self.retries += 1
            self.sleep(retry_after if retry_after is not None else self._backoff(attempt))
        raise FetchNetworkError(f"{redact(url)}: failed after {self.attempts} attempts; last error: {problem}. "
                         "Run the same command again to resume.")

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: base·2^(attempt-1), capped, times a random factor in [0.5, 1.5)."""
        return min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)) * (0.5 + random.random())


def redact(url: str) -> str:
    """``url`` with the value of ``api_key`` masked, for messages and logs."""
    parts = urllib.parse.urlsplit(url)
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, "***" if k == "api_key" else v) for k, v in pairs]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query, safe=':,*|@')))


def _retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _error_detail(exc: urllib.error.HTTPError) -> str:
    """The API's error message from an error body (``{"error": …, "message": …}``), shortened."""
    try:
        body = exc.read()
        if (exc.headers.get("Content-Encoding") or "").lower() == "gzip":
            body = gzip.decompress(body)
    except (OSError, EOFError):
        return ""
    body = body[:2000]
    try:
        data = orjson.loads(body)
        text = " ".join(str(data.get(k)) for k in ("error", "message") if data.get(k))
    except (ValueError, AttributeError):
        text = body.decode("utf-8", "replace")
    return " ".join(text.split())[:300]


# ------------------------------------------------------------------------------------------------
# state on disk


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the whole new one, never a part."""
    tmp = path.with_name(f".{path.name}.part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _save_state(out_dir: Path, state: dict) -> None:
    _write_atomic(out_dir / FETCH_STATE_FILE, json.dumps(state, indent=1).encode())


def _load_state(out_dir: Path, filter: str, select: str | None) -> dict | None:
    path = out_dir / FETCH_STATE_FILE
    if not path.exists():
        stray = sorted(out_dir.glob("works-*.jsonl.gz"))
        if stray:
            raise FetchError(f"{out_dir} already holds {len(stray)} page files but no fetch state "
                             f"({FETCH_STATE_FILE}); use an empty directory for a new fetch")
        return None
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise FetchError(f"{path}: unreadable fetch state ({exc}); delete the directory to start over") from None
    if state.get("filter") != filter or state.get("select") != select:
        raise FetchError(
            f"{out_dir} holds a fetch of filter {state.get('filter')!r}"
            + (f" with select {state.get('select')!r}" if state.get("select") else "")
            + f" ({state.get('pages_done', 0)} pages, {state.get('works_done', 0):,} works); this fetch asks for "
            f"filter {filter!r}" + (f" with select {select!r}" if select else "")
            + ". Use another --out directory, or delete this one to start over."
        )
    return state


# ------------------------------------------------------------------------------------------------
# the fetch


def fetch_openalex(
    filter: str,
    out_dir: str | os.PathLike,
    *,
    api_key: str | None = None,
    email: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
    per_page: int = MAX_PER_PAGE,
    max_works: int | None = None,
    select: str | None = None,
    attempts: int = 8,
    backoff_base: float = 1.0,
    backoff_max: float = 120.0,
    max_retry_after: float = 600.0,
    timeout: float = 120.0,
    progress: ProgressCallback | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchReport:
    """Fetch every work matching ``filter`` (OpenAlex filter syntax) into ``out_dir``; resume an
    earlier run of the same fetch on that directory.

    ``api_key`` and ``email`` go to the API as ``api_key`` and ``mailto`` query parameters.
    ``select`` (comma-separated fields, or ``"minimal"`` for the fields ``ingest`` reads) trims the
    records. ``max_works`` stops after that many works in total; a later run with a larger (or no)
    limit continues. Retries: ``attempts`` tries per request, waits ``backoff_base``·2^k seconds with
    jitter (capped at ``backoff_max``) or what ``Retry-After`` asks, unless that exceeds
    ``max_retry_after``. ``progress(works_done, api_total)`` is called after each page.

    Example::

        report = fetch_openalex("authorships.countries:jp,publication_year:2021", "jp-2021",
                                email="me@example.org")
        collabatlas.open("atlas.duckdb").ingest("jp-2021")
    """
    started = time.perf_counter()
    filter = filter.strip()
    if not filter:
        raise FetchError("empty filter: give an OpenAlex filter, e.g. publication_year:2021")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise FetchError(f"per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}")
    if max_works is not None and max_works < 1:
        raise FetchError(f"max_works must be at least 1, got {max_works}")
    if select == "minimal":
        select = MINIMAL_SELECT
    elif select is not None:
        select = ",".join(s.strip() for s in select.split(",") if s.strip())
        missing = [f for f in ("id", "authorships") if f not in select.split(",")]
        if missing:
            raise FetchError(f"select {select!r} lacks {', '.join(missing)}: ingest needs them (try --select minimal)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for leftover in out.glob(".*.part"):  # a page or state write cut short by an earlier crash
        leftover.unlink()

    params = {k: v for k, v in (("api_key", api_key), ("mailto", email), ("select", select)) if v}
    client = _Client(base_url, params, attempts, backoff_base, backoff_max, max_retry_after, timeout, sleep)
    state = _load_state(out, filter, select) or {
        "version": STATE_VERSION, "filter": filter, "select": select, "cursor": "*", "pages_done": 0,
        "works_done": 0, "meta_count": None, "complete": False, "truncated_refetched": 0, "still_truncated": 0,
    }
    report = FetchReport(filter=filter, out_dir=str(out), meta_count=state["meta_count"])
    if state["pages_done"] and not state["complete"]:
        report.resumed_from_page = state["pages_done"] + 1
        report.messages.append(f"resuming after page {state['pages_done']} ({state['works_done']:,} works on disk)")

    def done() -> FetchReport:
        report.pages_total, report.works_total = state["pages_done"], state["works_done"]
        report.complete = state["complete"]
        report.requests, report.retries = client.requests, client.retries
        report.seconds = time.perf_counter() - started
        return report

    if progress:
        progress(state["works_done"], state["meta_count"])
    while not state["complete"]:
        wanted = per_page
        if max_works is not None:
            wanted = min(per_page, max_works - state["works_done"])
            if wanted <= 0:
                report.stopped_at_max_works = True
                break
        data = client.get("/works", {"filter": filter, "per-page": str(wanted), "cursor": state["cursor"]})
        works, next_cursor, count = _page_parts(data, client.url("/works", {"filter": filter}))
        report.meta_count = count if count is not None else report.meta_count
        if not works:  # the API signals the end with an empty page
            state.update(complete=True, meta_count=report.meta_count)
            _save_state(out, state)
            break
        before = report.truncated_refetched, report.still_truncated
        works = [_complete_work(client, w, report) for w in works]
        page = state["pages_done"] + 1
        _write_atomic(page_file(out, page), gzip.compress(b"".join(orjson.dumps(w) + b"\n" for w in works), mtime=0))
        state.update(cursor=next_cursor, pages_done=page, works_done=state["works_done"] + len(works),
                     meta_count=report.meta_count, complete=not next_cursor,
                     truncated_refetched=state["truncated_refetched"] + report.truncated_refetched - before[0],
                     still_truncated=state["still_truncated"] + report.still_truncated - before[1])
        _save_state(out, state)
        report.pages += 1
        report.works += len(works)
        if progress:
            progress(state["works_done"], report.meta_count)
    return done()


def _page_parts(data: dict, where: str) -> tuple[list[dict], str | None, int | None]:
    """(results, meta.next_cursor, meta.count) of a list response; FetchError when it is not one."""
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise FetchError(f"{redact(where)}: the response is not an API list page (no 'results' list)")
    meta = data.get("meta") or {}
    return data["results"], meta.get("next_cursor"), meta.get("count")


def _is_truncated(work: dict) -> bool:
    """True when the list response may have cut this work's authorships (flag set, or no flag and 100+)."""
    flag = work.get("is_authors_truncated")
    return bool(flag) if flag is not None else len(work.get("authorships") or []) >= TRUNCATION_LIMIT


def _complete_work(client: _Client, work: dict, report: FetchReport) -> dict:
    """``work`` itself, or its full record fetched singly when the list response truncated its authorships."""
    if not _is_truncated(work):
        return work
    work_id = str(work.get("id", "")).rsplit("/", 1)[-1]
    if not work_id:
        report.still_truncated += 1
        report.messages.append("a truncated work without id was kept as listed (Share inexact)")
        return work
    full = client.get(f"/works/{urllib.parse.quote(work_id)}", missing_ok=True)
    if full is None or not isinstance(full, dict) or full.get("is_authors_truncated") \
            or len(full.get("authorships") or []) < len(work.get("authorships") or []):
        report.still_truncated += 1
        report.messages.append(f"{work_id}: the single-work record could not replace the truncated one "
                               f"({'not found' if full is None else 'still truncated'}); kept as listed")
        return work
    report.truncated_refetched += 1
    return full
