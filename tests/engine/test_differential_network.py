"""Differential script for inet and cidr: text input (IPv4 with 1 to 4 octets, cidr's class-inferred
mask lengths, IPv6 with :: and an embedded IPv4 address) and its 22P02s (bad syntax, a mask too
long, a cidr with bits set right of its mask), the canonical output, casts between inet, cidr and
text, comparison and ORDER BY / DISTINCT / min / max / UNIQUE in network_cmp's order, arrays,
host / text / abbrev / masklen / family / network / netmask / hostmask / broadcast / set_masklen,
<< >> &&, and + - ~ & |. Each statement runs against the engine and a real PostgreSQL 15 in order; the
outcome (tag, columns, rows, SQLSTATE, transaction status), the error message and the notices must
agree. Skipped without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from heliosdb_lite.engine.session import SQLiteSession
from tests.engine.differential import (
    engine_step_with_messages,
    engine_store,
    reference_database,
    reference_step_with_messages,
)

_INPUTS = ["1.2.3.4", "1.2.3.4/24", "1.2.3.4/32", "1.2.3.0/24", "10/8", "10.1/16", "010.001.002.003",
           "0.0.0.0/0", "255.255.255.255", "::1", "::", "::/0", "::ffff:1.2.3.4", "::1.2.3.4/120",
           "2001:db8::/32", "2001:DB8:0:0:1:0:0:1", "fe80::1:0:0:0:1/64", "1:0:0:1:0:0:0:1", "::0.1.0.0"]
_BAD = ["", "1.2.3", "1.2.3.4/33", "1.2.3.256", "10.1/24", "1.2.3.4/", "a.b.c.d", " 1.2.3.4", "1.2.3.4 ",
        "::1/129", ":::1", "1::2::3", "fe80::1%eth0", "1.2.3.4/-1", "1.2.3.4/2x"]
_CIDR_INPUTS = ["10", "10/8", "128", "192.168", "192.168.1", "224", "224.1", "240", "1.2.3.0/24",
                "0.0.0.0/0", "2001:db8::/32", "::/0", "10.1.2.3/32"]
_CIDR_BAD = ["1.2.3.4/24", "10.1/8", "2001:db8::1/32", "300", "1.2.3.4/33"]

SCRIPT = [
    *(f"select '{text}'::inet" for text in _INPUTS),
    *(f"select '{text}'::inet" for text in _BAD),
    *(f"select '{text}'::cidr" for text in _CIDR_INPUTS),
    *(f"select '{text}'::cidr" for text in _CIDR_BAD),
    # casts
    "select '1.2.3.4'::inet::text, '1.2.3.4/24'::inet::text, '10/8'::cidr::text, '::1'::inet::varchar",
    "select '1.2.3.4/24'::inet::cidr, '10/8'::cidr::inet, '::1'::inet::cidr",
    "select inet '1.2.3.4'",
    "select '1.2.3.4'::inet = '1.2.3.4/32'::cidr, '10/8'::cidr = '10.0.0.0/8'::inet",
    "select pg_typeof('1.2.3.4'::inet), pg_typeof('10/8'::cidr)",
    "select '{1.2.3.4,10/8,::1}'::inet[], '{10/8,2001:db8::/32}'::cidr[]",
    "select ('{1.2.3.4,10/8}'::inet[])[2]",
    "select '1.2.3.4'::inet::int",
    # a table
    "create table hosts (id int primary key, address inet, net cidr)",
    "insert into hosts values (1, '10.1.2.3/8', '10/8'), (2, '10.0.0.0/8', '10.0/16'), (3, '::1', '::/0'), "
    "(4, '9.255.255.255', '192.168.1/24'), (5, '10.0.0.0/16', '10.0.0.0/8'), (6, null, null), "
    "(7, '2001:db8::1/64', '2001:db8::/32'), (8, '192.168.1.1/24', '192.168.0.0/16')",
    "insert into hosts values (9, 'nonsense', null)",
    "insert into hosts values (9, null, '1.2.3.4/24')",
    "select id, address, net from hosts order by address, id",
    "select id, address, net from hosts order by net desc, id",
    "select id from hosts where address > '10.0.0.0/8' order by id",
    "select id from hosts where address = '10.0.0.0/16' or net = '::/0' order by id",
    "select min(address), max(address), min(net), max(net) from hosts",
    "select distinct net from hosts order by net",
    "select net, count(*) from hosts group by net order by net",
    "select id, address < net, address = net, address >= net from hosts order by id",
    "select id, address << net, net >> address, address && net from hosts order by id",
    "select id from hosts where address << '10.0.0.0/8' order by id",
    "select id from hosts where '10.0.0.0/8' >> address order by id",
    # functions
    "select id, host(address), masklen(address), family(address), network(address) from hosts order by id",
    "select id, netmask(address), hostmask(address), broadcast(address) from hosts order by id",
    "select id, text(address), abbrev(address), abbrev(net), text(net) from hosts order by id",
    "select id, set_masklen(address, 16), set_masklen(net, 4) from hosts order by id",
    "select set_masklen('1.2.3.4'::inet, 33)",
    "select set_masklen('1.2.3.4'::inet, -1)",
    "select host('1.2.3.4/8'), masklen('::1/64'), network('192.168.1.5/24')",
    "select masklen(1)",
    "select host('nonsense')",
    "select address || ' is up' from hosts where id = 1",
    # arithmetic and bitwise operators
    "select '1.2.3.4'::inet + 1, 1 + '1.2.3.4/24'::inet, '1.2.3.4'::inet - 5, '10/8'::cidr + 1",
    "select '1.2.3.4'::inet - '1.2.3.0'::inet, '::1'::inet - '::'::inet, '1.2.3.4'::inet - '1.2.3.0'",
    "select '255.255.255.255'::inet + 1",
    "select '0.0.0.0'::inet - 1",
    "select '::ffff:ffff:ffff'::inet + 4294967296, 'ffff::'::inet - '::1'::inet",
    "select '1.2.3.4'::inet - '::1'::inet",
    "select ~ '1.2.3.4/24'::inet, ~ '::1'::inet, ~ '10/8'::cidr",
    "select '1.2.3.4/24'::inet & '0.0.255.255/16'::inet, '1.2.3.4'::inet | '0.0.0.255'::inet, "
    "'1.2.3.4'::inet & '0.0.0.255'",
    "select '1.2.3.4'::inet & '::1'::inet",
    "select '1.2.3.4'::inet | '::1'::inet",
    "select '1.2.3.4'::inet + 1.5",
    "select '1.2.3.4'::inet + '1.2.3.4'::inet",
    "select '1.2.3.4'::inet * 2",
    "select id, address + 256, address - '10.0.0.0'::inet from hosts where family(address) = 4 order by id",
    # IN, BETWEEN, ANY, CASE, COALESCE, GREATEST / LEAST, UNION, a join on <<, UPDATE
    "select address from hosts where address in ('10.0.0.0/16', '::1') order by address",
    "select id from hosts where address between '1.0.0.0' and '10.0.0.0/12' order by id",
    "select id from hosts where address = any('{9.255.255.255,::1}'::inet[]) order by id",
    "select id, case when address << '10.0.0.0/7' then 'ten' else 'other' end from hosts order by id",
    "select id, coalesce(address, '0.0.0.0'), greatest(address, '5.5.5.5'), least(net, '1.0.0.0/8') "
    "from hosts order by id",
    "select address from hosts union select net from hosts order by 1",
    "select a.id, b.id from hosts a join hosts b on a.address << b.net order by 1, 2",
    "update hosts set address = '9.9.9.9' where net = '10.0.0.0/16'",
    "select id, address from hosts order by address desc nulls last, id",
    # UNIQUE compares as network_cmp does
    "create table unique_hosts (address inet unique)",
    "insert into unique_hosts values ('1.2.3.4'), ('1.2.3.4/24')",
    "insert into unique_hosts values ('1.2.3.4/32')",
    "insert into unique_hosts values ('01.2.3.4') on conflict (address) do nothing",
    "select address from unique_hosts order by address",
]

reference = reference_database("differential_network")
engine_session = engine_store("differential_network")


@pytest.mark.parametrize("sql", SCRIPT)
def test_same_step(reference: Any, engine_session: SQLiteSession, sql: str) -> None:
    """One statement of the ordered script: the same outcome, error message and notices."""
    assert engine_step_with_messages(engine_session, sql) == reference_step_with_messages(reference, sql)
