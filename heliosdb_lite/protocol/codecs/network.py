"""Codecs for inet (869) and cidr (650), and the order and forms PostgreSQL gives their values.

Values: inet is an `ipaddress` interface (IPv4Interface / IPv6Interface: an address and its
netmask length, host bits allowed), cidr a network (IPv4Network / IPv6Network: no bit set right
of the mask). Text input is network_in's: IPv6 when the text has a colon; IPv4 inet as
inet_net_pton_ipv4 reads it (1 to 4 decimal octets, the length needed unless all four are given),
cidr as inet_cidr_pton_ipv4 (a missing length inferred from the address class, widened to the
octets given); 22P02 for bad input and for a cidr with bits set right of its mask. Text output is
network_out's: all four octets, IPv6 with its longest run (2 words or more) of zero words as `::`
and an embedded IPv4 address dotted, `/bits` unless the length is the whole address (always for
cidr). Binary: family (2 IPv4, 3 IPv6), bits, is_cidr, address length, address bytes.
`compare` is network_cmp's order (IPv4 first; the common prefix, then the shorter mask, then the
whole address).
"""

from __future__ import annotations

import functools
import ipaddress
from datetime import tzinfo
from typing import Any

from heliosdb_lite.errors import INVALID_BINARY_REPRESENTATION, INVALID_TEXT_REPRESENTATION, DatabaseError
from heliosdb_lite.protocol.codecs import oids
from heliosdb_lite.protocol.codecs.base import Codec
from heliosdb_lite.protocol.codecs.faults import invalid_syntax

Inet = ipaddress.IPv4Interface | ipaddress.IPv6Interface
Cidr = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = Inet | Cidr
_FAMILY = {4: 2, 6: 3}  # PGSQL_AF_INET, PGSQL_AF_INET6
_VERSIONS = {family: version for version, family in _FAMILY.items()}
_SIZES = {4: 4, 6: 16}


def parse(text: str, cidr: bool) -> Address:
    """network_in: `text` as an inet (cidr False) or a cidr value."""
    name = "cidr" if cidr else "inet"
    if ":" in text:
        address, bits = _ipv6(text, name)
        version = 6
    else:
        address, bits = (_cidr_ipv4 if cidr else _inet_ipv4)(text, name)
        version = 4
    if cidr and not _host_bits_zero(address, bits, version):
        raise DatabaseError(INVALID_TEXT_REPRESENTATION, f'invalid cidr value: "{text}"',
                            detail="Value has bits set to right of mask.")
    return make(version, address, bits, cidr)


def _inet_ipv4(text: str, name: str) -> tuple[int, int]:
    """inet_net_pton_ipv4: `a[.b[.c[.d]]][/bits]`, bits required unless four octets are given and
    no wider than the octets given."""
    mantissa, slash, width = text.partition("/")
    octets = _octets(mantissa, text, name)
    if slash:
        if not width.isdigit() or not width.isascii() or int(width) > 32:
            raise invalid_syntax(name, text)
        bits = int(width)
    elif len(octets) == 4:
        bits = 32
    else:
        raise invalid_syntax(name, text)
    if bits // 8 > len(octets):
        raise invalid_syntax(name, text)
    return _address(octets), bits


def _cidr_ipv4(text: str, name: str) -> tuple[int, int]:
    """inet_cidr_pton_ipv4 (decimal octets): a missing length is the address class's (A 8, B 16,
    C 24, D 4 or 8, E 32), widened to the octets given."""
    mantissa, slash, width = text.partition("/")
    octets = _octets(mantissa, text, name)
    if slash:
        if not width.isdigit() or not width.isascii() or int(width) > 32:
            raise invalid_syntax(name, text)
        return _address(octets), int(width)
    first = octets[0]
    bits = 32 if first >= 240 else 8 if first >= 224 else 24 if first >= 192 else 16 if first >= 128 else 8
    bits = max(bits, 8 * len(octets))
    if bits == 8 and first == 224:
        bits = 4
    return _address(octets), bits


def _octets(mantissa: str, text: str, name: str) -> list[int]:
    parts = mantissa.split(".")
    if not 1 <= len(parts) <= 4 or not all(part.isdigit() and part.isascii() for part in parts):
        raise invalid_syntax(name, text)
    octets = [int(part) for part in parts]
    if any(octet > 255 for octet in octets):
        raise invalid_syntax(name, text)
    return octets


def _address(octets: list[int]) -> int:
    return int.from_bytes(bytes(octets + [0] * (4 - len(octets))), "big")


def _ipv6(text: str, name: str) -> tuple[int, int]:
    address, slash, width = text.partition("/")
    if slash and not (width.isdigit() and width.isascii() and int(width) <= 128):
        raise invalid_syntax(name, text)
    if "%" in address:
        raise invalid_syntax(name, text)
    try:
        value = int(ipaddress.IPv6Address(address))
    except ValueError:
        raise invalid_syntax(name, text) from None
    return value, int(width) if slash else 128


def _host_bits_zero(address: int, bits: int, version: int) -> bool:
    width = 32 if version == 4 else 128
    return address & ((1 << (width - bits)) - 1) == 0


def is_cidr(value: Address) -> bool:
    return isinstance(value, ipaddress.IPv4Network | ipaddress.IPv6Network)


def parts(value: Address) -> tuple[int, int, int]:
    """(IP version, address as an integer, netmask length)."""
    if is_cidr(value):
        return value.version, int(value.network_address), value.prefixlen  # type: ignore[union-attr]
    return value.version, int(value.ip), value.network.prefixlen  # type: ignore[union-attr]


def make(version: int, address: int, bits: int, cidr: bool) -> Address:
    """An inet (cidr False) or cidr value; a cidr's host bits are cleared."""
    if cidr:
        width = 32 if version == 4 else 128
        address &= ~((1 << (width - bits)) - 1)
        network = ipaddress.IPv4Network if version == 4 else ipaddress.IPv6Network
        return network((address, bits))
    interface = ipaddress.IPv4Interface if version == 4 else ipaddress.IPv6Interface
    return interface((address, bits))


def address_text(version: int, address: int) -> str:
    """inet_net_ntop of the address alone: IPv4 dotted, IPv6 as network_out writes it."""
    if version == 4:
        return ".".join(str(byte) for byte in address.to_bytes(4, "big"))
    words = [(address >> (16 * (7 - i))) & 0xFFFF for i in range(8)]
    best_base, best_len, base = -1, 0, -1
    for i, word in enumerate([*words, 1]):  # a sentinel ends a trailing run
        if word == 0 and base == -1:
            base = i
        elif word != 0 and base != -1:
            if i - base > best_len:
                best_base, best_len = base, i - base
            base = -1
    if best_len < 2:
        best_base = -1
    out = ""
    for i, word in enumerate(words):
        if best_base != -1 and best_base <= i < best_base + best_len:
            if i == best_base:
                out += ":"
            continue
        if i != 0:
            out += ":"
        if i == 6 and best_base == 0 and (best_len == 6 or (best_len == 5 and words[5] == 0xFFFF)):
            out += ".".join(str(byte) for byte in (address & 0xFFFFFFFF).to_bytes(4, "big"))
            break
        out += f"{word:x}"
    if best_base != -1 and best_base + best_len == 8:
        out += ":"
    return out


def text(value: Address) -> str:
    """network_out: the address, `/bits` unless the whole address is the network (always for cidr)."""
    version, address, bits = parts(value)
    shown = address_text(version, address)
    return shown if bits == (32 if version == 4 else 128) and not is_cidr(value) else f"{shown}/{bits}"


def abbreviated(value: Address) -> str:
    """abbrev: inet's output; for an IPv4 cidr inet_cidr_ntop's, only the octets the mask covers
    (`10.1/16`)."""
    version, address, bits = parts(value)
    if not is_cidr(value):
        return text(value)
    if version == 6:
        return f"{_cidr_ipv6_text(address, bits)}/{bits}"
    octets = list(address.to_bytes(4, "big"))[:(bits + 7) // 8]
    return f"{'.'.join(map(str, octets)) or '0'}/{bits}"


def _cidr_ipv6_text(address: int, bits: int) -> str:
    """inet_cidr_ntop_ipv6 without the width: only the words the mask covers (two at least), the
    longest run of zero words as `::`, an embedded IPv4 address dotted."""
    if bits == 0:
        return "::"
    data = address.to_bytes(16, "big")
    count = max(2, (bits + 15) // 16)
    words = [data[2 * i] << 8 | data[2 * i + 1] for i in range(count)]
    zero_start = zero_length = run_start = run_length = 0
    for i, word in enumerate([*words, 1]):  # a sentinel ends a trailing run
        if word == 0:
            run_start, run_length = (i, 1) if run_length == 0 else (run_start, run_length + 1)
        else:
            if run_length and zero_length < run_length:
                zero_start, zero_length = run_start, run_length
            run_length = 0
    embedded = zero_length != count and zero_start == 0 and (
        zero_length == 6 or (zero_length == 5 and data[10] == data[11] == 0xFF)
        or (zero_length == 7 and data[14] != 0 and data[15] != 1))
    out = ""
    for i in range(count):
        if zero_length and zero_start <= i < zero_start + zero_length:
            out += ":" if i == zero_start else ""
            out += ":" if i == count - 1 else ""
            continue
        if embedded and i > 5:
            out += (":" if i == 6 else ".") + str(data[2 * i])
            if i != 7 or bits > 120:
                out += "." + str(data[2 * i + 1])
        else:
            out += (":" if out else "") + f"{words[i]:x}"
    return out


def show(value: Address) -> str:
    """network_show (the cast to text): always `address/bits`."""
    version, address, bits = parts(value)
    return f"{address_text(version, address)}/{bits}"


def compare(left: Address, right: Address) -> int:
    """network_cmp: -1, 0 or 1."""
    left_version, left_address, left_bits = parts(left)
    right_version, right_address, right_bits = parts(right)
    if left_version != right_version:
        return -1 if left_version < right_version else 1
    width = 32 if left_version == 4 else 128
    common = min(left_bits, right_bits)
    left_prefix, right_prefix = left_address >> (width - common), right_address >> (width - common)
    for a, b in ((left_prefix, right_prefix), (left_bits, right_bits), (left_address, right_address)):
        if a != b:
            return -1 if a < b else 1
    return 0


sort_key = functools.cmp_to_key(compare)


def _text_out(cidr: bool) -> Any:
    def encode(value: Address, tz: tzinfo) -> bytes:
        return text(value if is_cidr(value) == cidr else make(*parts(value), cidr)).encode()
    return encode


def _text_in(cidr: bool) -> Any:
    def decode(data: bytes, tz: tzinfo) -> Address:
        return parse(data.decode(errors="replace"), cidr)
    return decode


def _binary_out(cidr: bool) -> Any:
    def encode(value: Address) -> bytes:
        version, address, bits = parts(value)
        size = _SIZES[version]
        return bytes([_FAMILY[version], bits, int(cidr), size]) + address.to_bytes(size, "big")
    return encode


def _binary_in(cidr: bool) -> Any:
    name = "cidr" if cidr else "inet"

    def decode(data: bytes) -> Address:
        data = bytes(data)
        if len(data) < 4 or data[0] not in _VERSIONS:
            raise DatabaseError(INVALID_BINARY_REPRESENTATION,
                                f'invalid address family in external "{name}" value')
        version = _VERSIONS[data[0]]
        bits, size = data[1], data[3]
        if bits > 8 * _SIZES[version]:
            raise DatabaseError(INVALID_BINARY_REPRESENTATION, f'invalid bits in external "{name}" value')
        if size != _SIZES[version] or len(data) != 4 + size:
            raise DatabaseError(INVALID_BINARY_REPRESENTATION, f'invalid length in external "{name}" value')
        address = int.from_bytes(data[4:], "big")
        if cidr and not _host_bits_zero(address, bits, version):
            raise DatabaseError(INVALID_BINARY_REPRESENTATION, 'invalid external "cidr" value',
                                detail="Value has bits set to right of mask.")
        return make(version, address, bits, cidr)
    return decode


CODECS: dict[int, Codec] = {
    oid: Codec(_text_out(cidr), _text_in(cidr), _binary_out(cidr), _binary_in(cidr))
    for oid, cidr in ((oids.INET, False), (oids.CIDR, True))
}
