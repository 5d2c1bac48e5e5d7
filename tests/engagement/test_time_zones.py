"""Streaks on the writer's local dates: a traveller's streak across zone changes (each entry keeps
the date it had where it was written; today is today where the user is now), and days around
both DST changes of New York."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from tests.engagement.helpers import streaks
from tests.helpers import Account
from tests.nutrition.helpers import local_today, log_food, put_profile


def _runs(days: set[date]) -> tuple[date | None, int, int]:
    """(last day, the run ending at it, the longest run) of a set of dates."""
    ordered = sorted(days)
    longest = run = 0
    previous = None
    for day in ordered:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    return previous, run, longest


async def test_a_travellers_streak_continues_across_zone_changes(client, alice: Account):
    dates: set[date] = set()
    await put_profile(client, alice, time_zone="Europe/Paris")
    for days in (2, 1):
        day = local_today("Europe/Paris") - timedelta(days=days)
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("Europe/Paris"))
        dates.add(date.fromisoformat((await log_food(client, alice,
                                                     eaten_at=noon.isoformat()))["local_date"]))
    for zone in ("America/New_York", "Asia/Tokyo", "America/Los_Angeles"):
        await put_profile(client, alice, time_zone=zone)
        log = await log_food(client, alice)
        assert log["local_date"] == local_today(zone).isoformat() and log["time_zone"] == zone
        dates.add(date.fromisoformat(log["local_date"]))
        last, run, longest = _runs(dates)
        assert last is not None
        food = (await streaks(client, alice))["food_logging"]
        expected = run if last >= local_today(zone) - timedelta(days=1) else 0
        assert (food["current_count"], food["longest_count"]) == (expected, longest)
        assert food["last_activity_date"] == last.isoformat()
        assert food["current_count"] >= 3  # no reset for travelling


async def test_days_around_dst_changes_count_once_each(client, alice: Account):
    zone = ZoneInfo("America/New_York")
    await put_profile(client, alice, time_zone="America/New_York")
    moments = [
        # spring forward on 2026-03-08 (02:00 -> 03:00): a 23-hour day
        datetime(2026, 3, 7, 23, 30, tzinfo=zone), datetime(2026, 3, 8, 0, 30, tzinfo=zone),
        datetime(2026, 3, 8, 3, 30, tzinfo=zone), datetime(2026, 3, 9, 0, 15, tzinfo=zone),
        # fall back on 2026-11-01 (02:00 -> 01:00): a 25-hour day, 01:30 twice
        datetime(2026, 10, 31, 23, 30, tzinfo=zone),
        datetime(2026, 11, 1, 1, 30, tzinfo=zone, fold=0),
        datetime(2026, 11, 1, 1, 30, tzinfo=zone, fold=1),
        datetime(2026, 11, 1, 23, 59, tzinfo=zone), datetime(2026, 11, 2, 0, 1, tzinfo=zone),
    ]
    for moment in moments:
        log = await log_food(client, alice,
                             eaten_at=moment.astimezone(timezone.utc).isoformat())
        assert log["local_date"] == moment.date().isoformat()
    food = (await streaks(client, alice))["food_logging"]
    assert (food["current_count"], food["longest_count"]) == (0, 3)
    assert food["last_activity_date"] == "2026-11-02"
