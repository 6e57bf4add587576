"""inet and cidr through the drivers over TCP: psycopg's ipaddress values in text and binary
(parameters and results, arrays, a table's column ordered and filtered with << and &&, COPY in
both formats), the 22P02 of a cidr with host bits, and asyncpg's codecs (IPv4Interface /
IPv4Network, IPv6, arrays). Run against PostgreSQL 15 too (HELIOSDB_CLIENT_TESTS_TARGET=postgres):
every answer here is PostgreSQL's."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from ipaddress import ip_address, ip_interface, ip_network
from typing import Any

import asyncpg
import psycopg
import pytest

from tests.server.conftest import Target

TIMEOUT = 10

# (type, value sent, value psycopg loads back: an inet of a whole address is an ipaddress address,
# the text PostgreSQL writes, the text of a cast to text: always with the mask)
ROUND_TRIPS: list[tuple[str, Any, Any, str, str]] = [
    ("inet", ip_interface("192.168.0.1/32"), ip_address("192.168.0.1"), "192.168.0.1",
     "192.168.0.1/32"),
    ("inet", ip_interface("192.168.0.1/24"), ip_interface("192.168.0.1/24"), "192.168.0.1/24",
     "192.168.0.1/24"),
    ("inet", ip_interface("::ffff:1.2.3.4/128"), ip_address("::ffff:1.2.3.4"),
     "::ffff:1.2.3.4", "::ffff:1.2.3.4/128"),
    ("inet", ip_interface("2001:db8::1/64"), ip_interface("2001:db8::1/64"), "2001:db8::1/64",
     "2001:db8::1/64"),
    ("inet", ip_address("10.0.0.1"), ip_address("10.0.0.1"), "10.0.0.1", "10.0.0.1/32"),
    ("cidr", ip_network("10.0.0.0/8"), ip_network("10.0.0.0/8"), "10.0.0.0/8", "10.0.0.0/8"),
    ("cidr", ip_network("192.168.1.5/32"), ip_network("192.168.1.5/32"), "192.168.1.5/32",
     "192.168.1.5/32"),
    ("cidr", ip_network("2001:db8::/32"), ip_network("2001:db8::/32"), "2001:db8::/32",
     "2001:db8::/32"),
    ("cidr", ip_network("::/0"), ip_network("::/0"), "::/0", "::/0"),
]


@pytest.fixture
def conn(target: Target) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(target.dsn, autocommit=True, connect_timeout=TIMEOUT) as connection:
        yield connection


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
@pytest.mark.parametrize(("pg_type", "sent", "loaded", "output", "as_text"), ROUND_TRIPS)
def test_psycopg_parameters_and_results(conn: psycopg.Connection[Any], binary: bool, pg_type: str, sent: Any,
                                        loaded: Any, output: str, as_text: str) -> None:
    cursor = conn.cursor(binary=binary)
    row = cursor.execute(f"select %s::{pg_type}, %s::{pg_type}::text, %s::{pg_type} = %s::{pg_type}",
                         (sent, sent, sent, output)).fetchone()
    assert row == (loaded, as_text, True)
    result = conn.pgconn.exec_(f"select '{output}'::{pg_type}".encode())
    assert result.get_value(0, 0) == output.encode()


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_psycopg_column_order_array_and_copy(conn: psycopg.Connection[Any], binary: bool) -> None:
    conn.execute("drop table if exists hosts")
    conn.execute("create table hosts (id int primary key, address inet, net cidr, aliases inet[])")
    rows = [(1, ip_interface("10.1.2.3/8"), ip_network("10.0.0.0/8"), [ip_address("10.1.2.4"), None]),
            (2, ip_address("::1"), ip_network("::/0"), []),
            (3, ip_address("9.255.255.255"), ip_network("192.168.1.0/24"), [ip_interface("2001:db8::1/64")])]
    cursor = conn.cursor(binary=binary)
    cursor.executemany("insert into hosts values (%s, %s, %s, %s)", rows[:2])
    with cursor.copy(f"copy hosts from stdin (format {'binary' if binary else 'text'})") as copy:
        copy.set_types(["int4", "inet", "cidr", "inet[]"])
        copy.write_row(rows[2])
    assert cursor.execute("select * from hosts order by address").fetchall() == [rows[2], rows[0], rows[1]]
    assert cursor.execute("select id from hosts where address << %s order by id",
                          (ip_network("10.0.0.0/7"),)).fetchall() == [(1,)]
    assert cursor.execute("select id, masklen(address), network(address) from hosts where net && %s",
                          (ipaddress.ip_network("192.168.0.0/16"),)).fetchall() == \
        [(3, 32, ipaddress.ip_network("9.255.255.255/32"))]
    bits_right_of_mask = r'invalid cidr value: "10\.1\.2\.3/8"'
    with pytest.raises(psycopg.errors.InvalidTextRepresentation, match=bits_right_of_mask):
        conn.execute("select '10.1.2.3/8'::cidr")



async def test_asyncpg_inet_and_cidr(aconn: asyncpg.Connection) -> None:
    assert await aconn.fetchval("select '192.168.0.1'::inet") == ipaddress.ip_address("192.168.0.1")
    assert await aconn.fetchval("select '192.168.0.1/24'::inet") == ipaddress.ip_interface("192.168.0.1/24")
    assert await aconn.fetchval("select '10/8'::cidr") == ipaddress.ip_network("10.0.0.0/8")
    assert await aconn.fetchval("select $1::inet", ipaddress.ip_interface("2001:db8::1/64")) == \
        ipaddress.ip_interface("2001:db8::1/64")
    assert await aconn.fetchval("select $1::cidr", "2001:db8::/32") == ipaddress.ip_network("2001:db8::/32")
    assert await aconn.fetchval("select broadcast($1::inet)", "10.1.2.3/8") == \
        ipaddress.ip_interface("10.255.255.255/8")
    addresses = await aconn.fetchval("select $1::inet[]", ["1.2.3.4", None])
    assert addresses == [ipaddress.ip_address("1.2.3.4"), None]
    with pytest.raises(asyncpg.InvalidTextRepresentationError):
        await aconn.fetchval("select $1::text::cidr", "10.1.2.3/8")
