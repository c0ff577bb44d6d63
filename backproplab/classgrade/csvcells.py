"""Change chosen cells of a CSV file and leave every other byte as it was.

An LMS re-imports the file the instructor exported from it (Moodle's grading worksheet,
Canvas's gradebook). Parsing it with the csv module and writing it again would re-quote
fields, change line endings and drop a byte-order mark, and an importer may read any of that
differently. Here the text is scanned once (RFC 4180: `,` between fields, `"` around a field
that holds `,`, `"` or a line break, `""` for a quote inside), each field keeping where it
starts and ends; an edit replaces exactly one field's characters.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CsvError", "Field", "Table", "quote"]


class CsvError(ValueError):
    """The file is not a CSV file this module can edit safely (says where)."""


@dataclass(frozen=True)
class Field:
    start: int     # offset of the field's first character (its opening quote, if quoted)
    end: int       # offset just after its last character
    value: str     # the unquoted text


def quote(value: str) -> str:
    """`value` as one CSV field: quoted only when it holds `,`, `"` or a line break."""
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _quoted(text: str, i: int, line: int) -> tuple:
    """(value, end) of the quoted field opening at text[i]."""
    parts, j = [], i + 1
    while True:
        k = text.find('"', j)
        if k < 0:
            raise CsvError(f"line {line}: a quoted field is never closed")
        parts.append(text[j:k])
        if text.startswith('""', k):
            parts.append('"')
            j = k + 2
            continue
        end = k + 1
        if end < len(text) and text[end] not in ",\r\n":
            raise CsvError(f"line {line}: text after the closing quote of a field")
        return "".join(parts), end


class Table:
    """The rows of a CSV text, each a list of Fields, and the edits to make."""

    def __init__(self, text: str):
        self.bom = text.startswith("\ufeff")
        self.text = text[1:] if self.bom else text
        self.rows, self.row_ends = self._scan(self.text)
        self._edits = {}

    @staticmethod
    def _scan(text: str) -> tuple:
        rows, ends, row, i, line, n = [], [], [], 0, 1, len(text)
        if n == 0:
            return [], []
        while True:
            if i < n and text[i] == '"':
                value, end = _quoted(text, i, line)
                line += value.count("\n")
            else:
                end = i
                while end < n and text[end] not in ",\r\n":
                    end += 1
                value = text[i:end]
            row.append(Field(i, end, value))
            if end < n and text[end] == ",":
                i = end + 1
                continue
            rows.append(row)
            ends.append(end)
            row = []
            if end < n and text[end] == "\r":
                end += 1
            if end < n and text[end] == "\n":
                end += 1
            line += 1
            if end >= n:
                return rows, ends
            i = end

    def values(self, r: int) -> list:
        return [f.value for f in self.rows[r]]

    def set(self, r: int, c: int, value: str) -> None:
        """Give cell (row r, column c) the text `value` (a missing trailing cell is added)."""
        self._edits[(r, c)] = value

    def _replacements(self) -> list:
        """[(start, end, new text)] in file order, one per edited field or short row."""
        out, beyond = [], {}
        for (r, c), value in self._edits.items():
            row = self.rows[r]
            if c < len(row):
                f = row[c]
                was_quoted = f.end > f.start and self.text[f.start] == '"'
                new = '"' + value.replace('"', '""') + '"' if was_quoted else quote(value)
                out.append((f.start, f.end, new))
            else:
                beyond.setdefault(r, {})[c] = value
        for r, cells in beyond.items():   # the row stops early: add the empty cells up to the last edit
            added = "".join("," + quote(cells.get(c, "")) for c in range(len(self.rows[r]), max(cells) + 1))
            out.append((self.row_ends[r], self.row_ends[r], added))
        return sorted(out)

    def text_out(self) -> str:
        """The original text with the edited cells replaced, every other character kept."""
        pieces, pos = [], 0
        for start, end, new in self._replacements():
            pieces += [self.text[pos:start], new]
            pos = end
        pieces.append(self.text[pos:])
        return ("\ufeff" if self.bom else "") + "".join(pieces)
