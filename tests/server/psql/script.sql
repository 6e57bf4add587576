-- Exercised by tests/server/test_psql.py; expected output in script.out (checked against PostgreSQL 15).
create table psql_items (id integer primary key, name text not null, qty integer);
insert into psql_items values (1, 'apple', 3);
insert into psql_items values (2, 'banana', 5), (3, 'cherry', 7), (4, 'date', 0);
select id, name, qty from psql_items where qty > 2 order by id desc;
update psql_items set qty = qty + 10 where name = 'apple';
delete from psql_items where qty = 0;
begin;
insert into psql_items values (5, 'elderberry', 1);
update psql_items set name = 'big banana' where id = 2;
commit;
begin;
insert into psql_items values (6, 'fig', 2);
delete from psql_items where id = 1;
rollback;
copy psql_items (id, name, qty) from stdin;
7	grape	4
8	honey\tdew	\N
\.
\copy psql_items (id, name, qty) from stdin with (format csv)
9,"kiwi, gold",11
10,lemon,
\.
select count(*) as n from psql_items; select max(id) as top from psql_items;
select 'first' as a \; select 'second' as b;
select id, name, qty from psql_items order by id;
create table psql_log (id integer primary key, note text);
insert into psql_log values (1, E'tab\tinside'), (2, null), (3, 'comma, and "quote"');
copy psql_log to stdout;
\copy psql_log (id, note) to stdout with (format csv, header)
drop table psql_items, psql_log;
