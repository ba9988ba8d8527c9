"""The SQL floor of the dashboard's computation: its breakdowns as one plain PostgreSQL statement.

Written here, apart from reports/, as the yardstick for the app's own computation: the same family
of figures (people enrolled and completing, distinct by person, with the attendance counts from the
per-enrollment summary columns) per kecamatan and kelurahan of domicile, category, vocation, wave,
funding source, sex, education, beneficiary group, disability and provider, and the totals, in one
pass over the enrollments with GROUPING SETS. Whatever the app does on top (outcome rounds, rates,
age bands, costs, charts) costs more than this; the gap between the two says how much.

The filters mean what the dashboard's do: cancelled packages are left out; `year` is the program's
fiscal year, `category` the package's, `kecamatan` the kecamatan the person lives in.
"""

# (the breakdown's name, the column it groups by)
BREAKDOWNS = [
    ("kecamatan", "kel.kecamatan_id"),
    ("kelurahan", "p.kelurahan_id"),
    ("category", "pkg.category"),
    ("vocation", "pkg.vocation_id"),
    ("wave", "pkg.cohort_id"),
    ("funding", "prog.funding_source"),
    ("sex", "p.sex"),
    ("education", "p.education"),
    ("beneficiary group", "p.beneficiary_group"),
    ("disability", "p.has_disability"),
    ("provider", "pkg.provider_id"),
]

SEATED = ("enrolled", "completed", "dropped_out")  # Enrollment.SEAT_STATUSES
COMPLETED = "completed"
CANCELLED = "cancelled"


def statement(*, year=None, category=None, kecamatan=None) -> tuple[str, list]:
    """The SQL and its parameters. Each row: one flag per breakdown (1 where the row is not of it),
    the breakdown columns, seated people, completers, marks present, marks in all."""
    columns = ", ".join(column for _name, column in BREAKDOWNS)
    flags = ", ".join(f"GROUPING({column})" for _name, column in BREAKDOWNS)
    sets = ", ".join(f"({column})" for _name, column in BREAKDOWNS)
    where, params = ["pkg.status <> %s"], [CANCELLED]
    if year:
        where.append("prog.fiscal_year = %s")
        params.append(year)
    if category:
        where.append("pkg.category = %s")
        params.append(category)
    if kecamatan:
        where.append("kel.kecamatan_id = %s")
        params.append(kecamatan)
    sql = f"""
        SELECT {flags}, {columns},
               COUNT(DISTINCT e.participant_id) FILTER (WHERE e.status = ANY(%s)) AS seated,
               COUNT(DISTINCT e.participant_id) FILTER (WHERE e.status = %s) AS completers,
               SUM(e.marks_present) AS marks_present,
               SUM(e.marks_total) AS marks_total
        FROM participants_enrollment e
        JOIN participants_participant p ON p.id = e.participant_id
        LEFT JOIN programs_kelurahan kel ON kel.id = p.kelurahan_id
        JOIN programs_trainingpackage pkg ON pkg.id = e.package_id
        JOIN programs_cohort c ON c.id = pkg.cohort_id
        JOIN programs_program prog ON prog.id = c.program_id
        WHERE {" AND ".join(where)}
        GROUP BY GROUPING SETS ({sets}, ())
    """
    return sql, [list(SEATED), COMPLETED, *params]


def breakdowns(cursor, **filters) -> list[tuple]:
    """Run the statement on a DB-API cursor (PostgreSQL) and return its rows."""
    sql, params = statement(**filters)
    cursor.execute(sql, params)
    return cursor.fetchall()
