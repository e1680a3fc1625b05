"""Benchmark booked visits (M3) under contention: many families booking the same few slots.

Generates a cemetery with ``--slots`` visit sessions of ``--places`` places each (20 × 50 by
default) and ``--clients`` real-name family accounts (200) into a throwaway PostgreSQL, then
starts one thread per client, each with its own database connection, released together by a
barrier. Every client books through the real service (``services.book``: the conditional
UPDATEs of the session, the grave's daily counter and, in a festival period, the ID's counter)
again and again, 1 to 3 visitors at a time, on a slot it last saw with places left, until every
slot is full. Written to benchmarks/results/bookings.md: bookings per second, attempts per
second, p50/p95/p99 of one attempt, refusals, errors, and the oversell count (slots whose active
bookings hold more visitors than the capacity, or whose counter disagrees with its bookings),
which must be 0.

    .venv/bin/python benchmarks/bookings.py
    .venv/bin/python benchmarks/bookings.py --clients 50 --slots 5 --places 20

Without a PostgreSQL DATABASE_URL the script re-runs itself under scripts/with-postgres.sh (a
throwaway server, removed afterwards; it allows 200 connections, so keep ``--clients`` ≤ 195).
The sealed PDF pass is not part of the timed booking (the view issues it after the booking has
committed); ``--with-passes`` issues it inside each client's loop too, to see its cost.
Only 127.0.0.1 is ever contacted.
"""

import argparse
import datetime
import os
import random
import statistics
import threading
import time

import harness
from harness import out

RESULTS = harness.ROOT / "benchmarks" / "results" / "bookings.md"


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--slots", type=int, default=20)
    parser.add_argument("--places", type=int, default=50)
    parser.add_argument(
        "--festival", action="store_true", help="put the slots in a festival period (per-ID counter)"
    )
    parser.add_argument(
        "--with-passes", action="store_true", help="issue the sealed PDF pass after each booking"
    )
    parser.add_argument(
        "--base-settings", default=os.environ.get("BENCH_BASE_SETTINGS", "config.settings.base")
    )
    parser.add_argument("--base-urlconf", default=os.environ.get("BENCH_BASE_URLCONF", "config.urls"))
    parser.add_argument("--output", default=str(RESULTS))
    return parser.parse_args()


def generate(args):
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from marketplace.catalogue.models import Provider
    from marketplace.memorials.visits import services
    from marketplace.memorials.visits.models import FestivalPeriod, VisitSession

    today = timezone.localdate()
    first = today + datetime.timedelta(days=3)
    cemetery = Provider.objects.create(
        type="cemetery",
        name="基准测试公墓",
        slug="bench-cemetery",
        district="mentougou",
        address="门头沟区基准路1号",
        phone="010-60000000",
        licence_number="京民殡许基准-0001",
        supervising_authority="北京市民政局",
        complaint_hotline="12345",
        ownership_disclosure="无",
        deposit_terms="无",
        payment_schedule="无",
        cancellation_terms="无",
        refund_terms="无",
        is_published=True,
    )
    if args.festival:
        FestivalPeriod.objects.create(
            name="基准清明", starts_on=first, ends_on=first + datetime.timedelta(days=1), outdoor_share=1
        )
    windows = [(datetime.time(6 + n % 12), datetime.time(7 + n % 12)) for n in range(min(args.slots, 12))]
    days = -(-args.slots // len(windows))
    services.create_sessions(
        cemetery,
        first_day=first,
        last_day=first + datetime.timedelta(days=days - 1),
        windows=windows,
        area="outdoor",
        normal_capacity=args.places,
        max_visitors_per_booking=3,
    )
    extra = VisitSession.objects.filter(provider=cemetery).order_by("date", "starts_at")[args.slots :]
    VisitSession.objects.filter(pk__in=[s.pk for s in extra]).delete()
    now = timezone.now()
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(
                mobile=f"166{n:08d}",
                real_name=f"基准家属{n}",
                real_name_verified_at=now,
                mobile_verified_at=now,
                password=unusable,
            )
            for n in range(args.clients)
        ]
    )


def run(args):
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from marketplace.memorials.visits import services
    from marketplace.memorials.visits.models import VisitSession
    from marketplace.orders import identity

    sessions = list(
        VisitSession.objects.filter(provider__slug="bench-cemetery").order_by("date", "starts_at")
    )
    users = list(User.objects.filter(mobile__startswith="166").order_by("mobile"))
    connection.close()  # the clients need every connection the server allows
    now = timezone.make_aware(
        datetime.datetime.combine(sessions[0].date - datetime.timedelta(days=2), datetime.time(10))
    )
    barrier = threading.Barrier(len(users))
    lock = threading.Lock()
    full = set()
    latencies, outcomes, errors = [], {"booked": 0, "refused": 0}, []

    def client(index, user):
        rng = random.Random(index)
        serial = 0
        try:
            barrier.wait(timeout=120)
            while True:
                with lock:
                    open_slots = [s for s in sessions if s.pk not in full]
                if not open_slots:
                    return
                session = rng.choice(open_slots)
                serial += 1
                first17 = f"1101{index:04d}{serial:09d}"
                number = first17 + identity.check_character(first17)
                started = time.perf_counter()
                try:
                    booking = services.book(
                        user,
                        session,
                        id_number=number,
                        grave=f"基准区{rng.randrange(5000)}号",
                        visitors=rng.randint(1, 3),
                        now=now,
                    )
                except services.BookingRefused as refusal:
                    elapsed = time.perf_counter() - started
                    text = " ".join(refusal.messages)
                    with lock:
                        latencies.append(elapsed)
                        outcomes["refused"] += 1
                        if "已约满" in text:
                            full.add(session.pk)
                    continue
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    outcomes["booked"] += 1
                if args.with_passes:
                    services.issue_pass(booking)
        except Exception as exc:  # reported in the results
            with lock:
                errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n, user)) for n, user in enumerate(users)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, outcomes, errors


def oversold():
    """Slots whose active bookings exceed the capacity, or whose counter disagrees with them."""
    from django.db.models import Q, Sum

    from marketplace.memorials.visits.models import ACTIVE_STATUSES, VisitSession

    bad, places = [], 0
    for session in VisitSession.objects.filter(provider__slug="bench-cemetery").annotate(
        held=Sum("bookings__visitors", filter=Q(bookings__status__in=ACTIVE_STATUSES))
    ):
        held = session.held or 0
        places += held
        if held > session.capacity or held != session.booked:
            bad.append((session.pk, held, session.booked, session.capacity))
    return bad, places


def commit():
    import subprocess

    result = subprocess.run(  # noqa: S603 - a fixed git command
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=harness.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or "unknown"


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else 0.0


def main():
    args = parse_args()
    harness.ensure_postgres()
    workspace = harness.Workspace("bookings", args.base_settings, args.base_urlconf).activate()
    out("migrating …")
    harness.migrate(workspace)
    out(f"generating {args.slots} slots of {args.places} places and {args.clients} families …")
    generate(args)
    load_before = os.getloadavg()
    out(f"{args.clients} clients booking …")
    try:
        wall, latencies, outcomes, errors = run(args)
        bad, held = oversold()
    finally:
        workspace.cleanup()
    capacity = args.slots * args.places
    ms = [value * 1000 for value in latencies]
    lines = [
        "# Booked visits benchmark (M3)",
        "",
        f"- Date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; commit {commit()} (plus uncommitted work).",
        harness.machine_line(load_before),
        f"- {args.clients} clients (threads, one PostgreSQL connection each, released by a barrier) booking "
        f"{args.slots} slots of {args.places} places ({capacity} places) through "
        "`marketplace.memorials.visits.services.book`, 1–3 visitors per booking, random graves"
        + (", in a festival period (per-ID counter on)" if args.festival else "")
        + (", each booking followed by its sealed PDF pass" if args.with_passes else "")
        + ". PostgreSQL is the test server of `scripts/with-postgres.sh` (fsync off): absolute numbers are "
        "optimistic, the oversell count is the point.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| wall time | {wall:.2f} s |",
        f"| bookings made | {outcomes['booked']} |",
        f"| places taken | {held} of {capacity} |",
        f"| refusals (slot full or too few places left) | {outcomes['refused']} |",
        f"| errors | {len(errors)} |",
        f"| bookings per second | {outcomes['booked'] / wall:.1f} |",
        f"| attempts per second | {len(latencies) / wall:.1f} |",
        f"| p50 of one attempt | {percentile(ms, 0.5):.1f} ms |",
        f"| p95 of one attempt | {percentile(ms, 0.95):.1f} ms |",
        f"| p99 of one attempt | {percentile(ms, 0.99):.1f} ms |",
        f"| mean of one attempt | {statistics.fmean(ms) if ms else 0:.1f} ms |",
        f"| **oversold slots** | **{len(bad)}** |",
        "",
        "An attempt's time includes waiting for the row lock of its slot (every client queues on "
        "the same few rows: that is the contention the rule is about) and for Python's GIL, which "
        "the client threads share with each other on the same cores as PostgreSQL. Oversold slots counts the "
        "slots whose active bookings hold more visitors than the capacity, or whose `booked` "
        "counter differs from the sum of its active bookings.",
        "",
    ]
    if errors:
        lines += ["Errors (first 5):", "", *[f"- `{error}`" for error in errors[:5]], ""]
    harness.write_results(args.output, lines)
    out("\n".join(lines))
    if bad:
        raise SystemExit(f"oversold: {bad}")


if __name__ == "__main__":
    main()
