"""Client encodings: PostgreSQL's names for them (with its aliases), and the conversion of the wire's
text between a client encoding and the server's UTF8.

The server encoding is UTF8. As PostgreSQL does then, UTF8 and SQL_ASCII clients get no conversion
(SQL_ASCII input is still checked as UTF8): `transcoder` gives None for them, so their path costs
nothing. For any other encoding a `Transcoder` converts what the client sends (SQL text, names,
text parameters, COPY data) to text, and what the server sends back to the client's bytes, with
PostgreSQL's errors: a character the target has no equivalent for is 22P05 ("character with byte
sequence 0xe2 0x82 0xac in encoding "UTF8" has no equivalent in encoding "LATIN1""), bytes that are
no character of the client's multibyte encoding are 22021 ("invalid byte sequence for encoding
"SJIS": 0x82 0x27"), as is the zero byte. Python's codecs do the conversions (for some characters of
the CJK encodings their tables differ from PostgreSQL's). Python has no EUC_TW codec: it is accepted,
as a client may refuse it itself (psycopg does), and converts ASCII only (22P05 for any other
character). MULE_INTERNAL is refused with 0A000, as PostgreSQL has no conversion to UTF8 either.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from functools import cache

from heliosdb_lite.errors import (
    CHARACTER_NOT_IN_REPERTOIRE,
    FEATURE_NOT_SUPPORTED,
    INVALID_PARAMETER_VALUE,
    UNTRANSLATABLE_CHARACTER,
    DatabaseError,
)


@dataclass(frozen=True, slots=True)
class Encoding:
    """One of PostgreSQL's encodings: its name as SHOW prints it, its number (pg_encoding_to_char),
    the Python codec converting it (None: no conversion from UTF8 exists here)."""

    name: str
    number: int
    codec: str | None
    multibyte: bool = False


ENCODINGS = (
    Encoding("SQL_ASCII", 0, "utf-8"), Encoding("EUC_JP", 1, "euc_jp", True),
    Encoding("EUC_CN", 2, "gb2312", True), Encoding("EUC_KR", 3, "euc_kr", True),
    Encoding("EUC_TW", 4, "ascii"), Encoding("EUC_JIS_2004", 5, "euc_jis_2004", True),
    Encoding("UTF8", 6, "utf-8", True), Encoding("MULE_INTERNAL", 7, None, True),
    Encoding("LATIN1", 8, "latin_1"), Encoding("LATIN2", 9, "iso8859_2"),
    Encoding("LATIN3", 10, "iso8859_3"), Encoding("LATIN4", 11, "iso8859_4"),
    Encoding("LATIN5", 12, "iso8859_9"), Encoding("LATIN6", 13, "iso8859_10"),
    Encoding("LATIN7", 14, "iso8859_13"), Encoding("LATIN8", 15, "iso8859_14"),
    Encoding("LATIN9", 16, "iso8859_15"), Encoding("LATIN10", 17, "iso8859_16"),
    Encoding("WIN1256", 18, "cp1256"), Encoding("WIN1258", 19, "cp1258"),
    Encoding("WIN866", 20, "cp866"), Encoding("WIN874", 21, "cp874"), Encoding("KOI8R", 22, "koi8_r"),
    Encoding("WIN1251", 23, "cp1251"), Encoding("WIN1252", 24, "cp1252"),
    Encoding("ISO_8859_5", 25, "iso8859_5"), Encoding("ISO_8859_6", 26, "iso8859_6"),
    Encoding("ISO_8859_7", 27, "iso8859_7"), Encoding("ISO_8859_8", 28, "iso8859_8"),
    Encoding("WIN1250", 29, "cp1250"), Encoding("WIN1253", 30, "cp1253"),
    Encoding("WIN1254", 31, "cp1254"), Encoding("WIN1255", 32, "cp1255"),
    Encoding("WIN1257", 33, "cp1257"), Encoding("KOI8U", 34, "koi8_u"),
    Encoding("SJIS", 35, "shift_jis", True), Encoding("BIG5", 36, "big5", True),
    Encoding("GBK", 37, "gbk", True), Encoding("UHC", 38, "cp949", True),
    Encoding("GB18030", 39, "gb18030", True), Encoding("JOHAB", 40, "johab", True),
    Encoding("SHIFT_JIS_2004", 41, "shift_jis_2004", True),
)
BY_NAME = {encoding.name: encoding for encoding in ENCODINGS}
BY_NUMBER = {encoding.number: encoding for encoding in ENCODINGS}

# pg_encname_tbl: the names PostgreSQL accepts, cleaned (lower case, letters and digits only)
_ALIASES = {
    "abc": "WIN1258", "alt": "WIN866", "big5": "BIG5", "euccn": "EUC_CN", "eucjis2004": "EUC_JIS_2004",
    "eucjp": "EUC_JP", "euckr": "EUC_KR", "euctw": "EUC_TW", "gb18030": "GB18030", "gbk": "GBK",
    "iso88591": "LATIN1", "iso885910": "LATIN6", "iso885913": "LATIN7", "iso885914": "LATIN8",
    "iso885915": "LATIN9", "iso885916": "LATIN10", "iso88592": "LATIN2", "iso88593": "LATIN3",
    "iso88594": "LATIN4", "iso88595": "ISO_8859_5", "iso88596": "ISO_8859_6", "iso88597": "ISO_8859_7",
    "iso88598": "ISO_8859_8", "iso88599": "LATIN5", "johab": "JOHAB", "koi8": "KOI8R", "koi8r": "KOI8R",
    "koi8u": "KOI8U", "mskanji": "SJIS", "muleinternal": "MULE_INTERNAL", "shiftjis": "SJIS",
    "shiftjis2004": "SHIFT_JIS_2004", "sjis": "SJIS", "sqlascii": "SQL_ASCII", "tcvn": "WIN1258",
    "tcvn5712": "WIN1258", "uhc": "UHC", "unicode": "UTF8", "utf8": "UTF8", "vscii": "WIN1258",
    "win": "WIN1251", "win866": "WIN866", "win874": "WIN874", "win932": "SJIS", "win936": "GBK",
    "win949": "UHC", "win950": "BIG5", "windows866": "WIN866", "windows874": "WIN874",
    "windows932": "SJIS", "windows936": "GBK", "windows949": "UHC", "windows950": "BIG5",
    **{f"latin{n}": f"LATIN{n}" for n in range(1, 11)},
    **{f"{prefix}{n}": f"WIN{n}" for prefix in ("win", "windows") for n in range(1250, 1259)},
}


def lookup(value: str) -> Encoding | None:
    """The encoding a name or alias stands for, compared as PostgreSQL's clean_encoding_name does."""
    cleaned = "".join(char for char in value.lower() if char.isascii() and char.isalnum())
    name = _ALIASES.get(cleaned)
    return None if name is None else BY_NAME[name]


def client_encoding_setting(name: str, value: str) -> str:
    """The client_encoding setting's check: the encoding's name, 22023 for none, 0A000 for one
    without a conversion from UTF8 here."""
    encoding = lookup(value)
    if encoding is None:
        raise DatabaseError(INVALID_PARAMETER_VALUE, f'invalid value for parameter "{name}": "{value}"')
    if encoding.codec is None:
        raise DatabaseError(FEATURE_NOT_SUPPORTED, f'invalid value for parameter "{name}": "{value}"',
                            detail=f"Conversion between {encoding.name} and UTF8 is not supported.")
    return encoding.name


def _hex(sequence: bytes) -> str:
    return " ".join(f"0x{byte:02x}" for byte in sequence)


def untranslatable(sequence: bytes, source: str, target: str) -> DatabaseError:
    """report_untranslatable_char."""
    return DatabaseError(UNTRANSLATABLE_CHARACTER, f"character with byte sequence {_hex(sequence)} in "
                         f'encoding "{source}" has no equivalent in encoding "{target}"')


def invalid_sequence(sequence: bytes, encoding: str) -> DatabaseError:
    """report_invalid_encoding."""
    return DatabaseError(CHARACTER_NOT_IN_REPERTOIRE,
                         f'invalid byte sequence for encoding "{encoding}": {_hex(sequence)}')


def _character_length(encoding: Encoding, data: bytes, start: int) -> int:
    """How many bytes PostgreSQL shows of a multibyte character that failed (pg_encoding_mblen)."""
    lead = data[start]
    if lead < 0x80:
        return 1
    if encoding.name in ("EUC_JP", "EUC_JIS_2004") and lead == 0x8F:
        return 3
    if encoding.name == "GB18030" and 0x30 <= (data[start + 1 : start + 2] or b"\x00")[0] <= 0x39:
        return 4
    return 2


class Transcoder:
    """The conversions of one client encoding other than UTF8 and SQL_ASCII. `lossy` is its twin
    that writes "?" for a character the encoding lacks, for what cannot fail any more (a notice of
    a statement that ran, a notification of a transaction that committed)."""

    __slots__ = ("_codec", "encoding", "errors", "lossy")

    def __init__(self, encoding: Encoding, *, strict: bool = True) -> None:
        assert encoding.codec is not None
        self.encoding = encoding
        self._codec = encoding.codec
        if strict:
            self.errors = f"heliosdb-{encoding.name}"
            codecs.register_error(self.errors, self._refuse)
            self.lossy = Transcoder(encoding, strict=False)
        else:
            self.errors = "replace"
            self.lossy = self

    def _refuse(self, error: UnicodeError) -> tuple[str, int]:
        """The codec error handler: PostgreSQL's error for the first character that failed."""
        name = self.encoding.name
        if isinstance(error, UnicodeEncodeError):
            raise untranslatable(error.object[error.start].encode("utf-8", "surrogatepass"), "UTF8", name)
        if isinstance(error, UnicodeDecodeError):
            data, start = bytes(error.object), error.start
            if not self.encoding.multibyte:
                raise untranslatable(data[start : start + 1], name, "UTF8")
            raise invalid_sequence(data[start : start + _character_length(self.encoding, data, start)], name)
        raise error

    def decode(self, data: bytes) -> str:
        """The client's bytes as text (a zero byte is 22021, as PostgreSQL checks its input)."""
        if b"\x00" in data:
            raise invalid_sequence(b"\x00", self.encoding.name)
        return data.decode(self._codec, self.errors)

    def to_server(self, data: bytes) -> bytes:
        """The client's bytes as UTF-8 (ASCII is both)."""
        if data.isascii():
            return data
        return self.decode(data).encode("utf-8")

    def encode(self, text: str) -> bytes:
        """Text as the client's bytes."""
        return text.encode(self._codec, self.errors)

    def to_client(self, data: bytes) -> bytes:
        """UTF-8 bytes as the client's (ASCII is both)."""
        if data.isascii():
            return data
        return data.decode("utf-8").encode(self._codec, self.errors)

    def incremental_decoder(self) -> codecs.IncrementalDecoder:
        """A decoder for text arriving in pieces that may split a character (COPY data)."""
        return codecs.getincrementaldecoder(self._codec)(self.errors)


@cache
def transcoder(name: str) -> Transcoder | None:
    """The conversion for client encoding `name` (as the setting shows it); None: none is needed."""
    encoding = BY_NAME.get(name)
    if encoding is None or encoding.codec is None or name in ("UTF8", "SQL_ASCII"):
        return None
    return Transcoder(encoding)
