"""Temporal coverage from ISO intervals, year ranges and French prose."""

from __future__ import annotations

from datetime import date

import pytest

from mappings.temporal import Period, date_bounds, period_from_dates, period_from_text

D = date


@pytest.mark.parametrize(
    "text,start,end",
    [
        # ISO 8601 intervals (data.gouv.fr accepts "2011-01-01/2011-12-31")
        ("2011-01-01/2011-12-31", D(2011, 1, 1), D(2011, 12, 31)),
        ("2011-01-01T00:00:00Z/2011-12-31T23:59:59Z", D(2011, 1, 1), D(2011, 12, 31)),
        ("2011-01-01T00:00:00+01:00 / 2011-06-30T00:00:00+02:00", D(2011, 1, 1), D(2011, 6, 30)),
        ("2011-03/2011-06", D(2011, 3, 1), D(2011, 6, 30)),
        ("2011/2015", D(2011, 1, 1), D(2015, 12, 31)),
        ("2011-2015", D(2011, 1, 1), D(2015, 12, 31)),
        ("2011 – 2015", D(2011, 1, 1), D(2015, 12, 31)),
        ("2011-01-01 - 2011-12-31", D(2011, 1, 1), D(2011, 12, 31)),
        ("2015/2011", D(2011, 1, 1), D(2015, 12, 31)),  # reversed
        # single dates stand for all their days
        ("2011", D(2011, 1, 1), D(2011, 12, 31)),
        ("2012-02", D(2012, 2, 1), D(2012, 2, 29)),
        ("2011-05-12", D(2011, 5, 12), D(2011, 5, 12)),
        ("2018-04-25T08:16:43+00:00", D(2018, 4, 25), D(2018, 4, 25)),
        ("20110512", D(2011, 5, 12), D(2011, 5, 12)),
        ("05/2011", D(2011, 5, 1), D(2011, 5, 31)),
        ("12/05/2011", D(2011, 5, 12), D(2011, 5, 12)),  # French day first
        ("12.05.2011", D(2011, 5, 12), D(2011, 5, 12)),
        ("1er janvier 2011", D(2011, 1, 1), D(2011, 1, 1)),
        ("Février 2012", D(2012, 2, 1), D(2012, 2, 29)),
        ("août 2019", D(2019, 8, 1), D(2019, 8, 31)),
        ("March 2020", D(2020, 3, 1), D(2020, 3, 31)),
        # French and English prose
        ("de 2004 à 2010", D(2004, 1, 1), D(2010, 12, 31)),
        ("du 01/01/2011 au 31/12/2011", D(2011, 1, 1), D(2011, 12, 31)),
        ("Du 1er mars 2020 au 30 juin 2020", D(2020, 3, 1), D(2020, 6, 30)),
        ("entre 2004 et 2010", D(2004, 1, 1), D(2010, 12, 31)),
        ("Mai 2011 - Juin 2012", D(2011, 5, 1), D(2012, 6, 30)),
        ("from 2004 to 2010", D(2004, 1, 1), D(2010, 12, 31)),
        ("01/01/2011/31/12/2011", D(2011, 1, 1), D(2011, 12, 31)),
        # open ends
        ("depuis 2004", D(2004, 1, 1), None),
        ("Depuis le 1er janvier 2004", D(2004, 1, 1), None),
        ("à partir de 2004", D(2004, 1, 1), None),
        ("A compter du 01/03/2015", D(2015, 3, 1), None),
        ("since 2004", D(2004, 1, 1), None),
        ("2004 à aujourd'hui", D(2004, 1, 1), None),
        ("2004 - présent", D(2004, 1, 1), None),
        ("2004/..", D(2004, 1, 1), None),
        ("2004/", D(2004, 1, 1), None),
        ("jusqu'en 2010", None, D(2010, 12, 31)),
        ("jusqu’à fin 2010", None, None),
        ("until 2010", None, D(2010, 12, 31)),
        ("../2010", None, D(2010, 12, 31)),
    ],
)
def test_period_from_text(text, start, end):
    expected = Period(start, end) if start or end else None
    assert period_from_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [None, "", "   ", "n/a", "inconnue", "2011-02-30", "13/2011", "France entière", "1800-1900-2000", "depuis toujours"],
)
def test_period_from_text_without_dates(text):
    assert period_from_text(text) is None


@pytest.mark.parametrize(
    "start,end,expected",
    [
        ("2011-01-01", "2011-12-31", Period(D(2011, 1, 1), D(2011, 12, 31))),
        ("2011-01-01T00:00:00", "2011", Period(D(2011, 1, 1), D(2011, 12, 31))),
        (None, "2012-05", Period(None, D(2012, 5, 31))),
        ("2012", None, Period(D(2012, 1, 1), None)),
        ("2015", "2011", Period(D(2011, 1, 1), D(2015, 12, 31))),
        ("garbage", None, None),
        (None, None, None),
    ],
)
def test_period_from_dates(start, end, expected):
    assert period_from_dates(start, end) == expected


def test_date_bounds():
    assert date_bounds("2011") == (D(2011, 1, 1), D(2011, 12, 31))
    assert date_bounds("2011-06") == (D(2011, 6, 1), D(2011, 6, 30))
    assert date_bounds("15 juillet 2014") == (D(2014, 7, 15), D(2014, 7, 15))
    assert date_bounds("brumaire an II") is None


def test_period_as_iso_strings_for_the_record():
    assert Period(D(2011, 1, 1), None).as_iso() == ("2011-01-01", None)
    assert period_from_text("2011/2015").as_iso() == ("2011-01-01", "2015-12-31")
