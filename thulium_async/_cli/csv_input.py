"""Reading phone numbers from files as people have them: CSV from Excel, and the rest.

Excel writes "CSV UTF-8" with a byte-order mark, uses ``;`` as the separator where the
decimal separator is a comma (Polish locale), and names columns as people do
(``Phone Number``, ``phone,when``). So the separator is detected with the standard
library's ``csv.Sniffer``, the header by content (a first row none of whose cells is a
phone number), and the columns by name. A header that names no phone column is
refused with its columns listed (``--column NAME`` picks one), never guessed: a column
of customer ids can look like phone numbers. A file that cannot be decoded is refused
as a whole before anything is sent. Standard library only; no HTTP.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

import attrs

from .. import InvalidInputError

_SAMPLE_LINES = 50
_DELIMITERS = ",;\t|"
_PHONE_NAMES = {
    "phone_number",
    "phone number",
    "phone",
    "number",
    "telephone",
    "mobile",
    "msisdn",
    "tel",
    "telefon",
    "numer",
    "numer telefonu",
    "nr telefonu",
    "nr tel",
    "numer tel",
    "telefon komorkowy",
    "komorka",
    "phone no",
    "cell",
}
_WHEN_NAMES = {
    "call_at",
    "next_call_date",
    "next call",
    "call at",
    "when",
    "date",
    "datetime",
    "time",
    "scheduled",
    "data",
    "termin",
    "kiedy",
}


@attrs.frozen
class Row:
    """One data row: its line in the file, the number and the ``call_at`` text.

    ``cells`` holds every column of a file with a header, by the header's name as
    written (stripped); it is empty for a file without one.
    """

    line: int
    phone: str
    call_at: str | None
    cells: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Layout:
    """How a file is laid out: separator, header, and which columns hold what."""

    dialect: type[csv.Dialect] | csv.Dialect
    header: bool
    phone_column: int
    when_column: int | None
    names: tuple[str, ...] = ()


def _name(cell: str) -> str:
    """A column name as compared: lower case, ``_ . :`` as spaces, Polish letters plain."""
    text = cell.strip().lower().translate(_PLAIN)
    return " ".join(text.replace("_", " ").replace(".", " ").replace(":", " ").split())


_PLAIN = str.maketrans("ąćęłńóśźż", "acelnoszz")


_MAX_LISTED = 12
_MAX_NAME = 40


def listed(names: Iterable[str]) -> str:
    """Return a file's column names for a message: a few, each cut short.

    A file that is no table at all (a binary file, ``/etc/passwd``) has one "column"
    as long as its first line: a message quotes a little of it, not a kilobyte.
    """
    shown: list[str] = []
    more = 0
    for name in names:
        if len(shown) == _MAX_LISTED:
            more += 1
            continue
        cut = name if len(name) <= _MAX_NAME else name[: _MAX_NAME - 3] + "..."
        shown.append(repr(cut))
    if more:
        shown.append(f"and {more} more")
    return ", ".join(shown) or "none"


def _chosen_column(column: str, first: list[str], header: bool) -> int:
    """Return the index of the column ``--column`` names: a header's name, or 1, 2, ..."""
    if header:
        names = [_name(cell) for cell in first]
        if _name(column) in names:
            return names.index(_name(column))
    if column.isdigit() and 1 <= int(column) <= len(first):
        return int(column) - 1
    if header:
        raise InvalidInputError(
            f"--column {column}: no such column; the columns are "
            f"{listed(c.strip() for c in first)}"
        )
    raise InvalidInputError(
        f"--column {column}: the file has no header row, so name its column by "
        f"number, 1 to {len(first)}"
    )


# What the SDK takes as a phone number: 3 to 15 digits, an optional leading +, and
# spaces, dashes, dots and brackets between them.
_SEPARATORS = re.compile(r"[\s\-./()]")
_PHONE = re.compile(r"\+?[0-9]{3,15}")


def _is_phone(cell: str) -> bool:
    return _PHONE.fullmatch(_SEPARATORS.sub("", cell.strip())) is not None


def detect_layout(sample: list[str], column: str | None = None) -> Layout:
    """Return the layout of a file from its first lines.

    *column* (``--column``) names the phone number column: a header's name, or its
    position from 1.

    Raises:
        InvalidInputError: a header names no phone column (the message lists the
            columns), or *column* names none.
    """
    text = "".join(sample)
    dialect: type[csv.Dialect] | csv.Dialect
    try:
        dialect = csv.Sniffer().sniff(text, delimiters=_DELIMITERS)
    except csv.Error:  # rows of uneven width, or one column: the commonest separator
        counts = {mark: text.count(mark) for mark in _DELIMITERS}
        best = max(counts, key=lambda mark: counts[mark])

        class _Detected(csv.excel):
            delimiter = best if counts[best] else ","

        dialect = _Detected
    rows = [row for row in csv.reader(sample, dialect) if any(c.strip() for c in row)]
    if not rows:
        return Layout(dialect, header=False, phone_column=0, when_column=1)
    first = rows[0]
    if any(_is_phone(cell) for cell in first):
        phone_col = next(i for i, cell in enumerate(first) if _is_phone(cell))
        if column is not None:
            phone_col = _chosen_column(column, first, header=False)
        return Layout(dialect, False, phone_col, phone_col + 1)
    names = [_name(cell) for cell in first]
    normalised_phone = {_name(n) for n in _PHONE_NAMES}
    normalised_when = {_name(n) for n in _WHEN_NAMES}
    if column is not None:
        phone_col = _chosen_column(column, first, header=True)
    else:
        found = [i for i, name in enumerate(names) if name in normalised_phone]
        if not found:
            raise InvalidInputError(
                "no phone number column found: the first row is a header (none of "
                f"its cells is a phone number) whose columns are "
                f"{listed(c.strip() for c in first)}. Name the column with "
                "--column NAME, or call it 'phone_number'"
            )
        phone_col = found[0]
    when_col = next(
        (
            i
            for i, name in enumerate(names)
            if name in normalised_when and i != phone_col
        ),
        None,
    )
    # With a header, call_at comes only from a column named so: another column (a
    # customer's name, say) is not a time.
    return Layout(
        dialect,
        header=True,
        phone_column=phone_col,
        when_column=when_col,
        names=tuple(cell.strip() for cell in first),
    )


def rows(lines: Iterable[str], layout: Layout) -> Iterator[Row]:
    """Yield the data rows of *lines* (header and blank rows left out)."""
    reader = csv.reader(lines, layout.dialect)
    for row in reader:
        if layout.header and reader.line_num <= 1:
            continue
        if not any(cell.strip() for cell in row):
            continue
        phone = (
            row[layout.phone_column].strip() if layout.phone_column < len(row) else ""
        )
        when = None
        column = layout.when_column
        if column is not None and column < len(row) and row[column].strip():
            when = row[column].strip()
        cells = {
            name: row[i].strip()
            for i, name in enumerate(layout.names)
            if i < len(row) and name
        }
        yield Row(reader.line_num, phone, when, cells)


class NumbersFile:
    """A numbers file (or standard input) opened for reading, its layout detected.

    Opening a file reads it through first, so that a file that cannot be decoded is
    refused before anything is sent, and the number of rows is known for the progress
    bar. Standard input is read once, as it comes: a decoding error there ends the
    run where it is found.

    Raises:
        InvalidInputError: the file cannot be opened or decoded (the message says
            where, and suggests ``--encoding``).
    """

    def __init__(
        self, path: str, encoding: str = "utf-8-sig", column: str | None = None
    ) -> None:
        self.path = path
        self.encoding = encoding
        self.total: int | None = None
        self._handle: TextIO | None = None
        if path == "-":
            try:
                self._handle = io.TextIOWrapper(
                    sys.stdin.buffer, encoding=encoding, newline=""
                )
            except LookupError:
                raise InvalidInputError(f"unknown encoding {encoding!r}") from None
        else:
            self._check_decodable()
            with self._open() as handle:
                sample = list(itertools.islice(handle, _SAMPLE_LINES))
                layout = self._detect(sample, column)
            with self._open() as handle:
                self.total = sum(1 for _ in rows(handle, layout))
            self._handle = self._open()
        source = self._decoded(self._handle)
        sample = list(itertools.islice(source, _SAMPLE_LINES))
        self.layout = self._detect(sample, column)
        self._lines: Iterator[str] = itertools.chain(sample, source)

    def _detect(self, sample: list[str], column: str | None) -> Layout:
        try:
            return detect_layout(sample, column)
        except InvalidInputError as exc:
            self.close()
            raise InvalidInputError(f"{self.path}: {exc}. Nothing was sent") from None

    def _open(self) -> TextIO:
        try:
            return open(self.path, encoding=self.encoding, newline="")
        except LookupError:
            raise InvalidInputError(f"unknown encoding {self.encoding!r}") from None
        except OSError as exc:
            raise InvalidInputError(
                f"cannot read {self.path}: {exc.strerror}"
            ) from None

    def _check_decodable(self) -> None:
        """Decode the whole file once, line by line, to say where a bad byte is."""
        try:
            decoder = codecs.getincrementaldecoder(self.encoding)()
        except LookupError:
            raise InvalidInputError(f"unknown encoding {self.encoding!r}") from None
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 -- closed just below
        except OSError as exc:
            raise InvalidInputError(
                f"cannot read {self.path}: {exc.strerror}"
            ) from None
        with handle:
            for line, raw in enumerate(handle, start=1):
                try:
                    decoder.decode(raw)
                except UnicodeDecodeError as exc:
                    raise InvalidInputError(
                        f"{self.path} cannot be read as {self.encoding}: byte "
                        f"0x{raw[exc.start]:02x} on line {line} is not valid there. "
                        "Nothing was sent. Pass --encoding with the file's encoding "
                        "(files from Excel on Polish Windows are often cp1250)"
                    ) from None

    def _decoded(self, handle: TextIO) -> Iterator[str]:
        """Yield the lines of *handle*; a decoding error becomes one clear error."""
        line = 0
        try:
            for line, text in enumerate(handle, start=1):  # noqa: B007
                yield text
        except UnicodeDecodeError as exc:
            raise InvalidInputError(
                f"{self.path} cannot be read as {self.encoding}: byte "
                f"0x{exc.object[exc.start]:02x} on line {line + 1} is not valid there. "
                "Pass --encoding with the file's encoding (files from Excel on "
                "Polish Windows are often cp1250)"
            ) from None

    def __iter__(self) -> Iterator[Row]:
        return rows(self._lines, self.layout)

    def close(self) -> None:
        """Close the file (standard input stays open)."""
        if self._handle is not None and self.path != "-":
            self._handle.close()
        self._handle = None
