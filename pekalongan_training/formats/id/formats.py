# Indonesian formats as people in Kota Pekalongan write them: "27 November 2026", "14.30",
# "Rp1.500.000". Django's own "id" module abbreviates the month ("27 Nov. 2026").
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H.i"
DATETIME_FORMAT = "j F Y, H.i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H.i"
FIRST_DAY_OF_WEEK = 1
# Day first only: never read "03/04/2025" in US order.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
TIME_INPUT_FORMATS = ["%H.%M", "%H:%M", "%H:%M:%S", "%H.%M.%S"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H.%M",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H.%M",
    "%d-%m-%Y %H:%M",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
