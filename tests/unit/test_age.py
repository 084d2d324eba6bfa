import pytest

from actions.age import age_band, band_from_entity_or_metadata, is_adult_role, parse_age

AGES = [
    # plain numbers and number words
    ("14", 14),
    ("14!", 14),
    ("im 14", 14),
    ("i'm 14", 14),
    ("I am 14", 14),
    ("i m 14", 14),
    ("im only 12", 12),
    ("14yo", 14),
    ("14 y/o", 14),
    ("14 yrs old", 14),
    ("im 14 years old", 14),
    ("age 14", 14),
    ("age: 14", 14),
    ("aged 16", 16),
    ("fourteen", 14),
    ("im fifteen", 15),
    ("thirteen yrs old", 13),
    ("twenty-one", 21),
    ("twenty one", 21),
    ("im a 14 year old girl", 14),
    ("14 lol", 14),
    ("14, in year 9", 14),
    ("5", 5),
    ("99", 99),
    ("im 18", 18),
    # birthdays: "turning 15" means 14 now
    ("turning 15", 14),
    ("im turning 15 next week", 14),
    ("i turn 13 tomorrow", 12),
    ("im nearly 16", 15),
    ("almost 13", 12),
    ("just turned 15", 15),
    # the user's age among other people's
    ("im 14 and he is 25", 14),
    ("he is 25 and im 14", 14),
    ("he's 30, im 13", 13),
    ("he thinks im 16 but im 13", 13),
    # school years: England/Wales/NI/NZ/Australia "year N" -> N + 4
    ("year 7", 11),
    ("im in year 9", 13),
    ("yr 10", 14),
    ("y9", 13),
    ("year nine", 13),
    ("year 12", 16),
    ("year 13", 17),
    # Scotland
    ("S1", 12),
    ("im in s3", 14),
    ("S6", 17),
    ("p7", 11),
    # US / Canada
    ("6th grade", 11),
    ("im in 8th grade", 13),
    ("grade 7", 12),
    ("12th grade", 17),
    ("7th grader", 12),
    ("freshman", 14),
    ("im a sophomore", 15),
    # Ireland
    ("1st year", 12),
    ("first year", 12),
    ("im in 3rd year", 14),
    ("transition year", 15),
    ("im in TY", 15),
    ("5th year", 16),
    ("sixth year", 17),
    # NZ forms, UK sixth form, primary school
    ("form 3", 13),
    ("sixth form", 16),
    ("im in 6th form", 16),
    ("lower sixth", 16),
    ("upper sixth", 17),
    ("primary school", 10),
    ("im in primary", 10),
    # a stated age beats a school year; university does not give an age
    ("im 19 and at uni", 19),
]


@pytest.mark.parametrize("text,age", AGES)
def test_parse_age(text, age):
    assert parse_age(text) == age


NOT_AN_AGE = [
    "",
    "hello",
    "idk",
    "ty",
    "uni",
    "college",
    "im at uni",
    "im in first year at uni",
    "university",
    "i have 2 accounts",
    "i have 5 accounts",
    "he sent 10 pics",
    "he asked 3 times",
    "at 10pm",
    "5 mins ago",
    "im 5'4",
    "im 100% sure",
    "im 99% sure",
    "100",
    "3",
    "im 4",
    "0",
    "he is 25",
    "he's 25",
    "hes like 30",
    "he says hes 16",
    "he said he was 16",
    "my friend is 14",
    "my brother's 12",
    "she is 13 years old",
    "my sister is in year 9",
    "a 25 year old guy messaged me",
    "im talking to a 25 year old",
    "i told him im 16",
    "i was 12 when it started",
    "i knew him from primary school",
    "call 999",
    "116 111",
    "r u 18?",
    "im a parent",
    "i'm his mum",
    "im a teacher",
    "im a parent, my son is 14",
    "my daughter is 13",
    "14th of may",
]


@pytest.mark.parametrize("text", NOT_AN_AGE)
def test_parse_age_none(text):
    assert parse_age(text) is None


@pytest.mark.parametrize(
    "text,adult",
    [
        ("im a parent", True),
        ("i'm his mum", True),
        ("im a teacher", True),
        ("I'm her dad", True),
        ("as a parent im worried", True),
        ("my son is 14", True),
        ("im a social worker", True),
        ("im 14", False),
        ("my mum said no", False),
        ("a boy in my class asked for pics", False),
        ("my teacher said to ask", False),
        ("", False),
    ],
)
def test_is_adult_role(text, adult):
    assert is_adult_role(text) is adult


@pytest.mark.parametrize(
    "age,band",
    [
        (None, None),
        (5, "under_13"),
        (12, "under_13"),
        (13, "13_15"),
        (15, "13_15"),
        (16, "16_17"),
        (17, "16_17"),
        (18, "adult"),
        (99, "adult"),
    ],
)
def test_age_band(age, band):
    assert age_band(age) == band


@pytest.mark.parametrize(
    "value,band",
    [
        (14, "13_15"),
        (12, "under_13"),
        (17, "16_17"),
        (18, "adult"),
        (14.0, "13_15"),
        ("14", "13_15"),
        (" 16 ", "16_17"),
        ("fourteen", "13_15"),
        ("year 9", "13_15"),
        ("year 7", "under_13"),
        ("S5", "16_17"),
        ("13_15", "13_15"),
        ("13-15", "13_15"),
        ("under_13", "under_13"),
        ("Under 13", "under_13"),
        ("16_17", "16_17"),
        ("adult", "adult"),
        (None, None),
        (True, None),
        (3, None),
        (150, None),
        (float("nan"), None),
        ("", None),
        ("hello", None),
        ("uni", None),
        (["14"], None),
    ],
)
def test_band_from_entity_or_metadata(value, band):
    assert band_from_entity_or_metadata(value) == band
