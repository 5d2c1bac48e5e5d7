"""GET /weights/trend against values computed here, independently: the day's last weigh-in, the
mean of the weigh-ins of the 7 local dates ending it, and the Hacker's Diet trend seeded by the
first weigh-in ever, in a zone far from UTC, over a range that starts after the history does; and
over a history long enough that the statement's bounded walk must agree with smoothing all of it."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from statistics import mean
from zoneinfo import ZoneInfo

import asyncpg

from tests.helpers import Account
from tests.nutrition.helpers import put_profile, weigh

ZONE = "Pacific/Chatham"  # UTC+12:45 in its winter, +13:45 in its summer
START = datetime(2026, 3, 20, 3, 0, tzinfo=timezone.utc)  # across the end of its summer time
CLOSE = 0.005 + 1e-9  # the API rounds to 0.01


def expected(weigh_ins: list[tuple[float, datetime]], zone: str, first: date, last: date
             ) -> list[tuple[date, float, float, float]]:
    """(date, last weigh-in, 7-day mean, trend) for each local date first..last with a weigh-in,
    smoothing from the first weigh-in ever, one day at a time."""
    by_day: dict[date, list[float]] = defaultdict(list)
    for kg, at in sorted(weigh_ins, key=lambda w: w[1]):
        by_day[at.astimezone(ZoneInfo(zone)).date()].append(kg)
    days = sorted(by_day)
    trend = by_day[days[0]][0]
    points = []
    for day in days:
        trend += 0.1 * (by_day[day][-1] - trend)
        if first <= day <= last:
            week = [kg for other in days if day - timedelta(days=6) <= other <= day
                    for kg in by_day[other]]
            points.append((day, by_day[day][-1], mean(week), trend))
    return points


def _close(got: list[dict], want: list[tuple[date, float, float, float]]) -> None:
    assert [p["date"] for p in got] == [w[0].isoformat() for w in want]
    for point, (_, last_kg, average, trend) in zip(got, want, strict=True):
        assert point["weight_kg"] == last_kg, point
        assert abs(point["average_7d"] - average) <= CLOSE, (point, average)
        assert abs(point["trend_kg"] - trend) <= CLOSE, (point, trend)


async def test_the_trend_matches_one_computed_independently(client, alice: Account):
    await put_profile(client, alice, time_zone=ZONE)
    rng = random.Random(12)
    weigh_ins = []
    at = START
    for _ in range(60):
        at += timedelta(hours=rng.choice([3, 9, 20, 26, 50]))  # gaps, and several a day
        kg = round(rng.uniform(78, 84), 1)
        weigh_ins.append((kg, at))
        await weigh(client, alice, kg, measured_at=at.isoformat())
    zone = ZoneInfo(ZONE)
    first = (START + timedelta(days=20)).astimezone(zone).date()
    last = at.astimezone(zone).date()
    response = await client.get(f"/weights/trend?from={first}&to={last}", headers=alice.headers)
    assert response.status_code == 200, response.text
    points = response.json()["points"]
    want = expected(weigh_ins, ZONE, first, last)
    assert len(want) > 10
    _close(points, want)
    everything = await client.get(f"/weights/trend?from=2026-03-01&to={last}",
                                  headers=alice.headers)
    _close(everything.json()["points"], expected(weigh_ins, ZONE, date(2026, 3, 1), last))
    first_day = everything.json()["points"][0]
    assert first_day["trend_kg"] == round(weigh_ins[0][0] + 0.1 * (
        expected(weigh_ins, ZONE, date(2026, 3, 1), last)[0][1] - weigh_ins[0][0]), 2)


async def test_the_default_range_is_the_year_to_the_local_today(client, alice: Account):
    await put_profile(client, alice, time_zone="Pacific/Kiritimati")
    today = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    await weigh(client, alice, 70)
    old = datetime.now(timezone.utc) - timedelta(days=400)
    await weigh(client, alice, 72, measured_at=old.isoformat())
    points = (await client.get("/weights/trend", headers=alice.headers)).json()["points"]
    assert [p["date"] for p in points] == [today.isoformat()]
    assert points[0]["trend_kg"] == 71.8  # 72 + 0.1 x (70 - 72): the old one still seeds it


async def test_a_long_history_gives_the_trend_of_smoothing_all_of_it(client, alice: Account,
                                                                   database_url):
    """900 days of weigh-ins: the statement reads the range and 350 days before it, and agrees
    with the smoothing of all 900 from the first."""
    rng = random.Random(3)
    start = datetime(2024, 1, 1, 6, 30, tzinfo=timezone.utc)
    weigh_ins = []
    kg = 95.0
    for n in range(900):
        kg = round(min(120.0, max(60.0, kg + rng.uniform(-0.6, 0.5))), 1)
        weigh_ins.append((kg, start + timedelta(days=n, minutes=rng.randint(0, 600))))
    weigh_ins[0] = (140.0, weigh_ins[0][1])  # a seed far off, that the trend must forget
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "INSERT INTO weight_logs (user_id, weight_kg, measured_at, local_date, time_zone) "
            "SELECT $1, w.kg, w.at, (w.at AT TIME ZONE 'UTC')::date, 'UTC' "
            "FROM unnest($2::numeric[], $3::timestamptz[]) AS w (kg, at)",
            alice.user_id, [w[0] for w in weigh_ins], [w[1] for w in weigh_ins])
    finally:
        await conn.close()
    first, last = date(2026, 4, 1), date(2026, 6, 18)
    response = await client.get(f"/weights/trend?from={first}&to={last}", headers=alice.headers)
    _close(response.json()["points"], expected(weigh_ins, "UTC", first, last))
    early = await client.get("/weights/trend?from=2024-01-01&to=2024-03-01",
                             headers=alice.headers)
    _close(early.json()["points"], expected(weigh_ins, "UTC", date(2024, 1, 1),
                                            date(2024, 3, 1)))
