"""A small streaming BibTeX reader for WoS and Scopus exports: ``@type{key, field = {value}, ...}``.

Values may be braced (nested braces allowed), quoted, or bare; LaTeX escapes common in exports
(``\\&``, ``{\\'e}``) are undone. An entry whose braces never close is skipped, named and counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from collabatlas.sources.exports import ByteCounter, text_lines
from collabatlas.sources.ingest_report import IngestReport

_START = re.compile(r"^\s*@(\w+)\s*\{\s*([^,\s]*)\s*,?")
_FIELD = re.compile(r"\s*([A-Za-z][\w\-]*)\s*=\s*")
_LATEX = [(re.compile(r"\\([&%$#_{}])"), r"\1"), (re.compile(r"\{\\[`'^\"~=.uvHc]\s*\{?(\w)\}?\}"), r"\1"),
          (re.compile(r"\\[`'^\"~=.]\{?(\w)\}?"), r"\1")]


@dataclass
class Entry:
    type: str
    key: str
    fields: dict[str, str]
    where: str


def _unlatex(value: str) -> str:
    for pattern, repl in _LATEX:
        value = pattern.sub(repl, value)
    return value.replace("{", "").replace("}", "").strip()


def _parse_fields(body: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    i, n = 0, len(body)
    while i < n:
        m = _FIELD.match(body, i)
        if not m:
            nxt = body.find(",", i)
            if nxt < 0:
                break
            i = nxt + 1
            continue
        name, i = m.group(1).lower(), m.end()
        if i < n and body[i] == "{":
            depth, j = 0, i
            while j < n:
                if body[j] == "{" and body[j - 1:j] != "\\":
                    depth += 1
                elif body[j] == "}" and body[j - 1:j] != "\\":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            value, i = body[i + 1:j], j + 1
        elif i < n and body[i] == '"':
            j = body.find('"', i + 1)
            j = n if j < 0 else j
            value, i = body[i + 1:j], j + 1
        else:
            j = body.find(",", i)
            j = n if j < 0 else j
            value, i = body[i:j], j
        value = _unlatex(value)
        # a field repeated (Scopus funding_details) is joined
        fields[name] = f"{fields[name]}; {value}" if name in fields else value
        comma = body.find(",", i)
        i = n if comma < 0 else comma + 1
    return fields


def _depth_change(line: str) -> int:
    clean = line.replace("\\{", "").replace("\\}", "")
    return clean.count("{") - clean.count("}")


def entries(path: Path, report: IngestReport, counter: ByteCounter) -> Iterator[Entry]:
    """Entries in file order; ``where`` is ``file: record N (line L)``."""
    buf: list[str] = []
    depth = number = start = 0
    head = None
    for line_no, line in text_lines(path, report, counter):
        if head is None:
            m = _START.match(line)
            if not m:
                continue
            if m.group(1).lower() in ("comment", "preamble", "string"):
                continue
            head, number, start = m, number + 1, line_no
            buf, depth = [line[m.end():]], _depth_change(line)
        else:
            if _START.match(line) and depth > 0 and line.lstrip().startswith("@"):
                report.skip("unterminated BibTeX entry (braces never close)", f"{path}: record {number} (line {start})")
                head = None
                m = _START.match(line)
                head, number, start = m, number + 1, line_no
                buf, depth = [line[m.end():]], _depth_change(line)
            else:
                buf.append(line)
                depth += _depth_change(line)
        if head is not None and depth <= 0:
            body = "\n".join(buf).rstrip()
            body = body[:-1] if body.endswith("}") else body
            yield Entry(type=head.group(1).lower(), key=head.group(2), fields=_parse_fields(body),
                        where=f"{path}: record {number} (line {start})")
            head = None
    if head is not None:
        report.skip("unterminated BibTeX entry (braces never close)", f"{path}: record {number} (line {start})")


def split_authors(value: str) -> list[str]:
    """``A, B and C, D`` → ``["A, B", "C, D"]``."""
    return [" ".join(a.split()) for a in re.split(r"\s+and\s+", value.strip()) if a.strip()]
