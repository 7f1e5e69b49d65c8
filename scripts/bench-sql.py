#!/usr/bin/env python3
"""Turns PostgreSQL log lines (stdin) into a pgbench script (stdout): the
statements a database's sessions executed, with their bind parameters written in
as literals, in order, less what the service adds that the answer does not need. `scripts/bench` feeds it the log of one request, so the
raw-SQL ceiling runs exactly what the handler ran.

    tail -n +N postgresql.log | scripts/bench-sql.py DATABASE
"""
import re
import sys

PREFIX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
STATEMENT = re.compile(r"LOG:\s+duration: [\d.]+ ms\s+(statement|execute [^:]*): (.*)$", re.S)
PARAMETERS = re.compile(r"DETAIL:\s+parameters: (.*)$", re.S)
PARAMETER = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")
# What the service sends that an answer does not need: transaction brackets,
# session settings, the planner's estimate of a list's total, log positions for
# a replica. The ceiling is the database's work for the answer, not the
# service's habits.
SERVICE_HABIT = re.compile(
    r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET|EXPLAIN|SELECT 1\s*$|SELECT pg_current_wal|SELECT coalesce\(pg_last_wal_replay)",
    re.I,
)


def records(lines, database):
    record = None
    for line in lines:
        if PREFIX.match(line):
            if record is not None:
                yield record
            record = line if f"@{database} " in line else None
        elif record is not None:
            record += line
    if record is not None:
        yield record


def main():
    database = sys.argv[1]
    statements = []
    for record in records(sys.stdin, database):
        text = record.split(f"@{database} ", 1)[1]
        found = STATEMENT.search(text)
        if found:
            statements.append(found.group(2).rstrip().rstrip(";"))
            continue
        found = PARAMETERS.search(text)
        if found and statements:
            values = dict(PARAMETER.findall(found.group(1)))
            sql = statements[-1]
            for number in sorted(values, key=int, reverse=True):
                sql = re.sub(r"\$" + number + r"(?!\d)", lambda _: values[number], sql)
            statements[-1] = sql
    for sql in statements:
        if not SERVICE_HABIT.match(sql):
            print(sql + ";")


if __name__ == "__main__":
    main()
