"""A result table as an Excel workbook (``--out FILE.xlsx``), written with the standard library.

One worksheet, the header in the first row, numbers as numbers (rounded like CSV and JSON), text as
inline strings (an Excel cell holding text is never a formula, so no quote prefix is needed),
booleans as booleans, missing values as empty cells. The parts are the minimal SpreadsheetML package
of ECMA-376 (content types, relationships, workbook, worksheet, styles), which Excel, LibreOffice,
pandas/openpyxl and Google Sheets read. No dependency: openpyxl would add a package for this one
write.
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from collabatlas.escaping import xml_text

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384

_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml"/>'
    "</Types>")
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG_REL_NS}">
<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG_REL_NS}">
<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{REL_NS}/styles" Target="styles.xml"/>
</Relationships>"""
_FONT = '<sz val="11"/><name val="Calibri"/>'
STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN_NS}">'
    f'<fonts count="2"><font>{_FONT}</font><font><b/>{_FONT}</font></fonts>'  # 0: plain, 1: bold (the header)
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    "</styleSheet>")


def column_name(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(ref: str, value, bold: bool = False) -> str:
    style = ' s="1"' if bold else ""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return f'<c r="{ref}" t="b"{style}><v>{int(bool(value))}</v></c>'
    if isinstance(value, (int, float)) or type(value).__module__ == "numpy":
        number = float(value)
        if math.isinf(number):
            return _cell(ref, str(value), bold)
        text = repr(int(number)) if number.is_integer() and abs(number) < 2**53 else repr(number)
        return f'<c r="{ref}"{style}><v>{text}</v></c>'
    text = escape(xml_text(str(value)))
    return f'<c r="{ref}" t="inlineStr"{style}><is><t xml:space="preserve">{text}</t></is></c>'


def sheet_xml(columns: list[str], rows) -> str:
    parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}"><sheetData>']
    names = [column_name(i) for i in range(len(columns))]
    parts.append('<row r="1">' + "".join(_cell(f"{n}1", c, bold=True) for n, c in zip(names, columns, strict=True))
                 + "</row>")
    for r, row in enumerate(rows, start=2):
        parts.append(f'<row r="{r}">' + "".join(_cell(f"{n}{r}", v) for n, v in zip(names, row, strict=True))
                     + "</row>")
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


def write_xlsx(df, path: str | Path, sheet: str = "collabatlas") -> Path:
    """Write the DataFrame ``df`` to ``path`` as a one-sheet workbook (too many rows or columns for
    Excel: ValueError)."""
    if len(df) + 1 > MAX_ROWS or len(df.columns) > MAX_COLUMNS:
        raise ValueError(f"{len(df):,} rows × {len(df.columns)} columns do not fit one Excel sheet "
                         f"({MAX_ROWS - 1:,} rows, {MAX_COLUMNS:,} columns); use .csv or .parquet")
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN_NS}" '
                f'xmlns:r="{REL_NS}"><sheets><sheet name="{escape(sheet[:31])}" sheetId="1" r:id="rId1"/>'
                "</sheets></workbook>")
    path = Path(path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", workbook)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        book.writestr("xl/styles.xml", STYLES)
        book.writestr("xl/worksheets/sheet1.xml",
                      sheet_xml([str(c) for c in df.columns], df.itertuples(index=False, name=None)))
    return path
