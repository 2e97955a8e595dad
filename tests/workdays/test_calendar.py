"""The one working-day function: the State Council's schedule, make-up days, admins' days, unknown years."""
from datetime import date, datetime

from server.core.extensions import db as sa_db
from server.core.timeutil import SHANGHAI
from server.workdays.calendar import WorkCalendar, unknown_years, working_days_deadline
from server.workdays.models import WorkdayOverride


def local(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def test_national_day_2026_pushes_a_one_day_clock_past_the_holiday(db):
    # Wednesday 30 September, evening: the 1st to the 7th of October are holidays, so the next working
    # day is Thursday the 8th; the deadline is its end.
    assert working_days_deadline(local(2026, 9, 30, 18, 0), 1) == local(2026, 10, 9, 0, 0)


def test_a_make_up_saturday_counts_as_a_working_day(db):
    cal = WorkCalendar(date(2026, 10, 1), date(2026, 10, 31))
    saturday = cal.info(date(2026, 10, 10))
    assert saturday.workday and saturday.known and saturday.name == "国庆节调休"
    # From Friday the 9th, the first working day after is that Saturday.
    assert working_days_deadline(local(2026, 10, 9, 10, 0), 1) == local(2026, 10, 11, 0, 0)
    assert cal.info(date(2026, 10, 1)).name == "国庆节" and not cal.info(date(2026, 10, 1)).workday


def test_the_local_date_decides_not_the_utc_one(db):
    # 23:30 UTC on Thursday 3 Dec is 07:30 Friday 4 Dec in Shanghai: one working day after Friday is Monday.
    from datetime import UTC
    assert working_days_deadline(datetime(2026, 12, 3, 23, 30, tzinfo=UTC), 1) == local(2026, 12, 8, 0, 0)


def test_a_year_known_to_neither_falls_back_to_monday_to_friday_and_is_named(db):
    cal = WorkCalendar(date(2026, 12, 28), date(2027, 1, 10))
    new_year = cal.info(date(2027, 1, 1))
    assert new_year.workday and not new_year.known  # a Friday: without the schedule, a working day
    assert unknown_years([2026, 2027]) == [2027]
    # Thursday 31 Dec 2026 + 2 working days: Fri 1 Jan, Mon 4 Jan (weekend skipped).
    assert working_days_deadline(local(2026, 12, 31, 9, 0), 2) == local(2027, 1, 5, 0, 0)


def test_days_an_admin_entered_win_and_make_the_year_known(db):
    sa_db.session.add_all([WorkdayOverride(day=date(2027, 1, 1), workday=False, name="元旦"),
                        WorkdayOverride(day=date(2026, 12, 4), workday=False, name="临时停工")])
    sa_db.session.flush()
    assert unknown_years([2027]) == []
    cal = WorkCalendar(date(2027, 1, 1), date(2027, 1, 31))
    assert cal.info(date(2027, 1, 1)).workday is False and cal.info(date(2027, 1, 4)).known
    # Thursday 31 Dec: Friday 1 Jan is now a holiday, so two working days reach Tuesday 5 Jan.
    assert working_days_deadline(local(2026, 12, 31, 9, 0), 2) == local(2027, 1, 6, 0, 0)
    # A correction inside a package year wins too.
    assert working_days_deadline(local(2026, 12, 3, 9, 0), 1) == local(2026, 12, 8, 0, 0)
