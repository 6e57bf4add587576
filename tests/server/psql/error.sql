-- Exercised by tests/server/test_psql.py: must stop at the error with exit code 3.
\set VERBOSITY verbose
select 1 as before_error;
select * from psql_missing_table;
select 2 as after_error;
