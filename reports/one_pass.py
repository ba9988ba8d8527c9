"""Many breakdowns of one queryset in one SQL statement: how the dashboard stays fast at province size.

The dashboard's figures are one queryset's counts grouped many ways (by kecamatan, by category,
by sex, ...). As one GROUP BY query each, every breakdown joins enrollments, packages and people
again: forty scans of the same 100,000 rows. Here the queryset, with its filters as the ORM writes
them, is read once and grouped every way asked, in one statement:

- on PostgreSQL by GROUPING SETS, which fills the groups of every grouping in one pass over the
  rows (hash tables side by side);
- on SQLite, which has no GROUPING SETS, by one GROUP BY per grouping over a common table
  expression, joined by UNION ALL.

Both write the same rows from the same definitions: the base queryset and the groupings.

The base queryset names every column it gives (`.values(name=expression)`, names that are not the
model's fields), and each measure says how its column is aggregated, NULL meaning "not counted":

- COUNT: the rows where it is not NULL; SUM: the sum of its values, 0 over no rows;
- DISTINCT: its distinct values. Such a column holds the base's `key` (a person) or NULL. On
  PostgreSQL, the rows of keys that appear once are counted plainly and only the others are sorted
  for DISTINCT: a COUNT(DISTINCT ...) in every grouping would sort all the rows once per grouping.
- MIDDLE: the middle value, or the middle two, of its values in order (a median without a list in
  Python), given as their Fraction mean, None without values; only in a grouping by nothing.

The rows of a grouping come in the order of its columns, as the database orders them (its
collation, and where it puts NULL), as an `order_by` on the same columns would give them.

Families of figures that do not depend on each other can be computed at once, each statement on a
connection of its own (`side_by_side`): the people and the follow-ups take about the same time, so
the dashboard's figures are ready in the time of the longer one.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone, translation

COUNT, DISTINCT, SUM, MIDDLE = "count", "distinct", "sum", "middle"

# The hash tables and sorts of a statement over 100,000 rows need more than PostgreSQL's default
# 4 MB of work memory, or they spill to disk; and a statement this long costs so much that
# PostgreSQL would compile it (JIT) for longer than it runs. SET LOCAL holds for this statement.
POSTGRESQL_SETTINGS = "SET LOCAL work_mem = '64MB'; SET LOCAL jit = off; "


@dataclass(frozen=True)
class Grouping:
    """One breakdown: the base grouped by `by` (which also orders its rows), with these measures."""

    by: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()


def one_pass(
    base, measures: dict[str, str], groupings: dict[str, Grouping], *, names=None, key: str | None = None
) -> dict[str, list[dict]]:
    """Each grouping's rows (its columns and its measures by name), from one statement over `base`;
    only the groupings named in `names`, when given."""
    if names is not None:
        groupings = {name: groupings[name] for name in names}
    connection = connections[base.db]
    statement = _Statement(base, measures, groupings, key, connection)
    sql, params = statement.sql()
    if connection.vendor == "postgresql":
        # One string, so one round trip and one transaction: the settings go with the statement.
        sql = POSTGRESQL_SETTINGS + sql
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return statement.results(rows)


def side_by_side(*calls):
    """The result of each call (a function of no arguments), in order; at once, each in a thread with
    its own database connection, when that reads the same data: on PostgreSQL, outside a
    transaction (the task queue's worker, a view). Inside one (a test, a benchmark's run) another
    connection would not see what the transaction wrote, so they run one after the other here.

    A thread starts with no language or time zone of its own: each call gets the caller's."""
    connection = connections[DEFAULT_DB_ALIAS]
    if len(calls) < 2 or connection.vendor != "postgresql" or connection.in_atomic_block:
        return [call() for call in calls]
    language, zone = translation.get_language(), timezone.get_current_timezone()

    def on_its_own_connection(call):
        try:
            with translation.override(language), timezone.override(zone):
                return call()
        finally:
            connections.close_all()  # the thread's connections: it ends here

    with ThreadPoolExecutor(max_workers=len(calls), thread_name_prefix="one-pass") as pool:
        return [future.result() for future in [pool.submit(on_its_own_connection, call) for call in calls]]


class _Statement:
    """The SQL of one pass, and the reading of its rows back into groupings.

    Its rows: the number of a set of columns (groupings with the same `by` share one), then a slot
    for every column of every set (NULL outside its set), then the measures (two for a MIDDLE: the
    sum and the number of the middle values).
    """

    def __init__(self, base, measures, groupings, key, connection):
        self.measures, self.groupings, self.key, self.connection = measures, groupings, key, connection
        self.sets = list(dict.fromkeys(grouping.by for grouping in groupings.values()))
        self.columns = list(dict.fromkeys(column for by in self.sets for column in by))
        if len({frozenset(by) for by in self.sets}) < len(self.sets):
            raise ValueError("Two groupings by the same columns in a different order.")
        self.measure_columns = list(
            dict.fromkeys(measure for grouping in groupings.values() for measure in grouping.measures)
        )
        for name, grouping in groupings.items():
            if grouping.by and any(measures[m] == MIDDLE for m in grouping.measures):
                raise ValueError(f"{name}: a middle value is only computed over the whole base.")
        self.distinct = any(measures[m] == DISTINCT for m in self.measure_columns)
        if self.distinct and not key:
            raise ValueError("A DISTINCT measure needs the base's key.")
        self.middles = [m for m in self.measure_columns if measures[m] == MIDDLE]
        used = {*self.columns, *self.measure_columns, *([key] if self.distinct else [])}
        # Only the columns the groupings use: the others are not computed (nor their joins made).
        self.base = base.order_by().values(*(column for column in base.query.annotation_select if column in used))
        self.slots = [(index, column) for index, by in enumerate(self.sets) for column in by]

    def quote(self, name: str) -> str:
        return self.connection.ops.quote_name(name)

    def aggregate(self, measure: str, *, distinct: bool = True) -> list[str]:
        column = self.quote(measure)
        kind = self.measures[measure]
        if kind == COUNT or (kind == DISTINCT and not distinct):
            return [f"COUNT({column})"]
        if kind == DISTINCT:
            return [f"COUNT(DISTINCT {column})"]
        if kind == SUM:
            return [f"COALESCE(SUM({column}), 0)"]
        index = self.middles.index(measure)
        return [f'(SELECT "sum_{index}" FROM middles)', f'(SELECT "count_{index}" FROM middles)']

    def middles_sql(self) -> list[str]:
        """For each MIDDLE column its values in order, then one row: the sum and number of each's middle values."""
        tables, middle = [], []
        for index, measure in enumerate(self.middles):
            column = self.quote(measure)
            tables.append(
                f'"middle_{index}" AS (SELECT {column} AS "value", ROW_NUMBER() OVER (ORDER BY {column}) AS "position",'
                f' COUNT(*) OVER () AS "size" FROM base WHERE {column} IS NOT NULL)'
            )
            among = f'FROM "middle_{index}" WHERE "position" IN (("size" + 1) / 2, "size" / 2 + 1)'
            middle += [
                f'(SELECT SUM("value") {among}) AS "sum_{index}"',
                f'(SELECT COUNT(*) {among}) AS "count_{index}"',
            ]
        return [*tables, f"middles AS (SELECT {', '.join(middle)})"]

    def sql(self) -> tuple[str, tuple]:
        base_sql, params = self.base.query.get_compiler(connection=self.connection).as_sql()
        tables = [f"base AS ({base_sql})"]
        if self.middles:
            tables += self.middles_sql()
        order = ", ".join(str(position) for position in range(1, len(self.slots) + 2))
        if self.connection.vendor == "postgresql" and self.columns:
            body = self.grouping_sets_sql(tables, order)
        else:
            body = f"{' UNION ALL '.join(self.union_select(index) for index in range(len(self.sets)))} ORDER BY {order}"
        return f"WITH {', '.join(tables)} {body}", tuple(params)

    # --- SQLite (and PostgreSQL when every grouping is by nothing): one SELECT per set ------------

    def null(self, column: str) -> str:
        """A NULL of the column's type: PostgreSQL types a UNION's columns from its first SELECTs."""
        field = self.base.query.annotations[column].output_field
        return f"CAST(NULL AS {field.cast_db_type(self.connection)})"

    def union_select(self, index: int) -> str:
        by = self.sets[index]
        wanted = {m for grouping in self.groupings.values() if grouping.by == by for m in grouping.measures}
        slots = [self.quote(column) if owner == index else self.null(column) for owner, column in self.slots]
        values = []
        for measure in self.measure_columns:
            if measure in wanted:
                values += self.aggregate(measure)
            else:
                values += ["CAST(NULL AS BIGINT)"] * (2 if self.measures[measure] == MIDDLE else 1)
        # A set by nothing is one row: an aggregate over the base, or the middle values' row alone.
        source = "middles" if not by and all(self.measures[m] == MIDDLE for m in wanted) else "base"
        sql = f"SELECT {index}, {', '.join([*slots, *values])} FROM {source}"
        if by:
            sql += " GROUP BY " + ", ".join(self.quote(column) for column in by)
        return sql

    # --- PostgreSQL: GROUPING SETS -----------------------------------------------------------------

    def grouping_sets_sql(self, tables: list[str], order: str) -> str:
        # GROUPING(a, b, ...) has a bit set for each column the row is not grouped by, and takes at
        # most 31 columns: a set is known by one GROUPING of each 31 columns.
        chunks = [self.columns[start : start + 31] for start in range(0, len(self.columns), 31)]

        def known(by) -> str:
            tests = []
            for chunk in chunks:
                mask = sum(1 << (len(chunk) - 1 - i) for i, column in enumerate(chunk) if column not in by)
                tests.append(f"GROUPING({', '.join(self.quote(column) for column in chunk)}) = {mask}")
            return " AND ".join(tests)

        which = f"CASE {' '.join(f'WHEN {known(by)} THEN {i}' for i, by in enumerate(self.sets))} END"
        slots = [f"CASE WHEN {known(self.sets[owner])} THEN {self.quote(column)} END" for owner, column in self.slots]
        sets = ", ".join(f"({', '.join(self.quote(column) for column in by)})" for by in self.sets)

        def select(where: str, *, distinct: bool) -> str:
            values = [sql for measure in self.measure_columns for sql in self.aggregate(measure, distinct=distinct)]
            return f"SELECT {', '.join([which, *slots, *values])} FROM base{where} GROUP BY GROUPING SETS ({sets})"

        if not self.distinct:
            return f"{select('', distinct=True)} ORDER BY {order}"
        key = self.quote(self.key)
        tables.append(
            f"repeated AS (SELECT {key} FROM base WHERE {key} IS NOT NULL GROUP BY {key} HAVING COUNT(*) > 1)"
        )
        once = select(f" WHERE {key} IS NULL OR {key} NOT IN (SELECT {key} FROM repeated)", distinct=False)
        again = select(f" WHERE {key} IN (SELECT {key} FROM repeated)", distinct=True)
        # A key is in one part or the other, so every measure of a group is the sum of its two parts.
        outer, position = [], len(self.slots) + 2
        for measure in self.measure_columns:
            width = 2 if self.measures[measure] == MIDDLE else 1
            function = "MAX" if self.measures[measure] == MIDDLE else "SUM"
            outer += [f'{function}("parts"."{i}")' for i in range(position, position + width)]
            position += width
        names = ", ".join(f'"{i}"' for i in range(1, position))
        keys = ", ".join(f'"parts"."{i}"' for i in range(1, len(self.slots) + 2))
        return (
            f"SELECT {keys}, {', '.join(outer)} FROM ({once} UNION ALL {again}) AS parts ({names})"
            f" GROUP BY {keys} ORDER BY {order}"
        )

    # --- the rows back -----------------------------------------------------------------------------

    def results(self, rows) -> dict[str, list[dict]]:
        converters = {}
        for column in self.columns:
            expression = self.base.query.annotations[column]
            converters[column] = (
                expression,
                [*self.connection.ops.get_db_converters(expression), *expression.get_db_converters(self.connection)],
            )
        results = {name: [] for name in self.groupings}
        for row in rows:
            index = row[0]
            by = self.sets[index]
            values = {}
            for position, (owner, column) in enumerate(self.slots, start=1):
                if owner == index:
                    # What the ORM does to the column's values (SQLite's 0 and 1 become False and True).
                    value, (expression, functions) = row[position], converters[column]
                    for function in functions:
                        value = function(value, expression, self.connection)
                    values[column] = value
            position = len(self.slots) + 1
            for measure in self.measure_columns:
                if self.measures[measure] == MIDDLE:
                    total, count = row[position], row[position + 1]
                    values[measure] = Fraction(int(total), int(count)) if count else None
                    position += 2
                else:
                    values[measure] = None if row[position] is None else int(row[position])
                    position += 1
            for name, grouping in self.groupings.items():
                if grouping.by == by:
                    results[name].append(
                        {
                            **{column: values[column] for column in by},
                            **{measure: values[measure] for measure in grouping.measures},
                        }
                    )
        return results
