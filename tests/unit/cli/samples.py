"""Progress spreadsheets as partners export them, for the CLI's tests."""

from __future__ import annotations

HEADER = (
    "commitment_id,period,revision,people_trained,by_level_basic,by_level_intermediate,"
    "by_level_advanced,by_level_expert,by_gender_female,by_gender_male,by_gender_non_binary,"
    "by_gender_undisclosed,by_country,programmes_developed,investment_eur,people_reached"
)

GOOD_CSV = f"""{HEADER}
c-7b1d3e5f,2026-Q2,1,120,20,50,40,10,50,68,,2,DE:70;FR:50,2,150000.50,4000
c-7b1d3e5f,2026-Q3,,90,,,90,,,,,,DE:90,,,
c-1a2b3c4d,2026-09,2,15,,,,,,,,,,,,
"""

BAD_CSV = f"""{HEADER}
c-7b1d3e5f,2026-Q2,1,120,20,50,40,0,50,68,,2,DE:70;FR:50,2,150000.50,4000
c-7b1d3e5f,2026-Q5,1,12a,,,,,,,,,,,,
,2026-Q3,1,10,,,,,,,,,EL:10,,,

c-7b1d3e5f,2027-Q1,1,5,,,,,,,,,XX:3;DE:2,,"1.000,50",-4
c-1a2b3c4d,2026-09,1,15,,,,,7,7,,,,,,
c-1a2b3c4d,2026-09,1,15,,,,,,,,,,,,
c-9z9z9z9z,2026-Q1,0,8,,,,,,,,,DE:8;DE:0,,,
"""

#: (line, field, rule, message) of every problem in BAD_CSV, checked on 2026-11-26.
BAD_CSV_ERRORS = [
    (2, "by_level", "breakdown_sum", "by_level_* sum to 110, but people_trained is 120"),
    (3, "period", "period_format", "'2026-Q5' is not a quarter YYYY-Qn or a month YYYY-MM"),
    (3, "people_trained", "not_a_whole_number", "'12a' is not a whole number"),
    (4, "commitment_id", "required", "commitment_id is required"),
    (
        4,
        "by_country",
        "unknown_country",
        "EL is not a country code of the EU-27 or IS, LI, NO (ISO 3166-1 alpha-2; Greece is GR)",
    ),
    (
        6,
        "period",
        "period_in_future",
        "2027-Q1 begins on 2027-01-01, after today (2026-11-26); report it once it has begun",
    ),
    (
        6,
        "by_country",
        "unknown_country",
        "XX is not a country code of the EU-27 or IS, LI, NO (ISO 3166-1 alpha-2)",
    ),
    (
        6,
        "investment_eur",
        "not_a_number",
        "'1.000,50' is not an amount in euros, 0 or more (write e.g. 150,000.50 or 150000.50; "
        "decimal commas: a semicolon-separated file or --decimal-comma)",
    ),
    (6, "people_reached", "negative", "-4 is negative; counts are 0 or more"),
    (7, "by_gender", "breakdown_sum", "by_gender_* sum to 14, but people_trained is 15"),
    (
        8,
        "revision",
        "duplicate_row",
        "commitment c-1a2b3c4d, period 2026-09, revision 1 is also on line 7; raise the "
        "revision to correct figures",
    ),
    (9, "revision", "out_of_range", "0 is not between 1 and 1,000,000"),
    (9, "by_country", "duplicate_country", "DE is given twice"),
]
