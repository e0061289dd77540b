"""Three webhook replicas on one PostgreSQL behind a round-robin front, with Telegram-like
redelivery: every complaint arrives exactly once, whatever is killed or cut (issue 12.7)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url

from bot.app import Runtime
from bot.config import Settings
from storage.coordination import LEADER_ROW, LEASE
from storage.database import make_engine
from storage.schema import CoordinationRow, DeadLetterRow
from tests.e2e import TOKEN, StaffTeam, named, person_id, sealed_files
from tests.standin import BotApiStandIn
from tests.test_e2e_cases import COUNTRIES, report, submit
from tests.webhook_kit import (
    SECRET,
    WEBHOOK_URL,
    Pusher,
    Replica,
    RoundRobin,
    TcpCut,
    WebhookComplainant,
)

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]


@dataclass
class Cluster:
    standin: BotApiStandIn
    replicas: list[Replica]
    front: RoundRobin
    pusher: Pusher
    engine: Engine
    teams: dict[str, StaffTeam]

    def complainant(self, seed: int) -> WebhookComplainant:
        user = self.standin.user(person_id(seed), named("Gulnara"), language_code="en")
        return WebhookComplainant(self.standin, user, "en", quiet=0.4, pusher=self.pusher)

    async def leader(self) -> Replica | None:
        for replica in self.replicas:
            alive = replica.process is not None and replica.process.returncode is None
            if alive and await replica.metric("complaint_bot_leader") == 1.0:
                return replica
        return None


def replica_env(settings: Settings, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": str(settings.telegram_api_url),
        "DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": database_url,
        "COALITIONS_FILE": str(settings.coalitions_file),
        "LOG_LEVEL": "WARNING",
        "DELIVERY_LEASE_SECONDS": "5",
        "FLOOD_BURST": "10000",
        "WEBHOOK_URL": WEBHOOK_URL,
        "WEBHOOK_SECRET_TOKEN": SECRET,
        "LISTEN_HOST": "127.0.0.1",
    }


@contextlib.asynccontextmanager
async def cluster(
    standin: BotApiStandIn,
    settings: Settings,
    teams: dict[str, StaffTeam],
    size: int = 3,
    *,
    database_url: str | None = None,
    twice_at_once: float = 0.15,
    again_after: float = 0.15,
    env: dict[str, str] | None = None,
) -> AsyncIterator[Cluster]:
    runtime = Runtime(settings)
    await asyncio.to_thread(runtime.upgrade_database)
    runtime.keys  # noqa: B018 - the server key, shared by every replica, made once
    runtime.database.dispose()
    every = {**replica_env(settings, database_url or settings.resolved_database_url), **(env or {})}
    replicas = [Replica(every, f"replica-{n}") for n in range(size)]
    await asyncio.gather(*(replica.start() for replica in replicas))
    front = RoundRobin(replicas)
    await front.start()
    pusher = Pusher(standin, front.url, twice_at_once=twice_at_once, again_after=again_after)
    stop = asyncio.Event()
    pushing = asyncio.create_task(pusher.run(stop))
    engine = make_engine(settings.resolved_database_url)
    try:
        yield Cluster(standin, replicas, front, pusher, engine, teams)
    finally:
        stop.set()
        await pushing
        logs = await asyncio.gather(
            *(r.stop() for r in replicas if r.process is not None), return_exceptions=True
        )
        await front.stop()
        engine.dispose()
        for log in logs:
            assert "Traceback" not in str(log), log


def dead_letters(engine: Engine) -> list[str]:
    """The error class of every dead letter (none expected)."""
    with engine.connect() as connection:
        return list(connection.scalars(select(DeadLetterRow.error_class)))


async def delivered_once(cluster: Cluster, references: dict[str, str]) -> None:
    def every_case_arrived() -> bool:
        names = [m.document_name for t in cluster.teams.values() for m in sealed_files(t)]
        return all(f"{r}.age" in names for r in references.values())

    await cluster.standin.wait_for(every_case_arrived, timeout=60)
    await asyncio.sleep(3)  # time for a duplicate to show, were there one
    names = [m.document_name for t in cluster.teams.values() for m in sealed_files(t)]
    for reference in references.values():
        assert names.count(f"{reference}.age") == 1, reference
    with cluster.engine.connect() as connection:
        cases = connection.execute(text("SELECT count(*) FROM cases")).scalar()
    assert cases == len(references), "no complaint applied twice"


async def submit_all(cluster: Cluster, seeds: range) -> dict[str, str]:
    countries = list(COUNTRIES)

    async def one(seed: int) -> tuple[str, str]:
        country = countries[seed % len(countries)]
        person = cluster.complainant(seed)
        return country, await submit(person, report(country, f"case {seed} in {country}"))

    done = await asyncio.gather(*(one(seed) for seed in seeds))
    return {f"{country}-{n}": reference for n, (country, reference) in enumerate(done)}


async def test_three_replicas_deliver_every_complaint_exactly_once_even_with_one_killed(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    if not settings.resolved_database_url.startswith("postgresql"):
        pytest.skip("replicas share PostgreSQL; SQLite is the single-process default")
    async with cluster(standin, settings, teams) as group:
        first = asyncio.create_task(submit_all(group, range(1000, 1006)))
        await asyncio.sleep(6)
        leader = await group.leader()
        victim = next(r for r in group.replicas if r is not leader)
        await victim.kill()
        references = await first
        references.update(await submit_all(group, range(2000, 2003)))
        await delivered_once(group, references)
        assert dead_letters(group.engine) == []
        assert group.pusher.pending == {}
        assert len([name for name, n in group.front.served.items() if n > 0]) == 3
        assert group.pusher.statuses.count(200) > len(group.pusher.delivered), "redeliveries"


def leader_row(engine: Engine) -> tuple[str | None, dt.datetime | None]:
    """Who holds the lease row, and until when (LEADER_ELECTION=lease)."""
    with engine.connect() as connection:
        row = connection.execute(
            select(CoordinationRow.holder, CoordinationRow.until).where(
                CoordinationRow.name == LEADER_ROW
            )
        ).first()
    return (None, None) if row is None else (row.holder, row.until)


def holder_of(pid: int) -> str:
    """How a replica on this machine names itself in the lease row (bot.shared_state)."""
    return f"{socket.gethostname()}:{pid}"[:64]


def aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


@pytest.mark.parametrize("election", ["advisory-lock", "lease"])
async def test_the_leader_killed_another_replica_takes_the_jobs_within_a_minute(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam], election: str
) -> None:
    """SIGKILL leaves no chance to resign: an advisory lock goes with the dead connection, a
    lease row stays until it runs out, and only then does another replica take it."""
    if not settings.resolved_database_url.startswith("postgresql"):
        pytest.skip("leader election is for replicas on PostgreSQL")
    async with cluster(
        standin, settings, teams, size=2, env={"LEADER_ELECTION": election}
    ) as group:
        leader = None
        for _ in range(100):
            leader = await group.leader()
            if leader is not None:
                break
            await asyncio.sleep(0.2)
        assert leader is not None
        assert leader.process is not None
        holder, lease_until = leader_row(group.engine)
        if election == "lease":
            assert holder is not None
            assert holder == holder_of(leader.process.pid), "the leader holds the lease row"
            assert lease_until is not None
        else:
            assert holder is None, "no lease row beside the advisory lock"
        await leader.kill()
        loop = asyncio.get_running_loop()
        killed_at = loop.time()
        successor = None
        while successor is None and loop.time() - killed_at < 60:
            successor = await group.leader()
            await asyncio.sleep(0.5)
        assert successor is not None, "nobody took the periodic jobs over within a minute"
        assert successor is not leader
        if election == "lease":
            assert lease_until is not None
            assert successor.process is not None
            holder, until = leader_row(group.engine)
            assert holder is not None
            assert holder == holder_of(successor.process.pid), "the lease row changed hands"
            assert until is not None
            # The row was taken (and is renewed) only once the dead leader's lease had run out.
            assert aware(until) - LEASE >= aware(lease_until), "taken before the lease ran out"
        # The courier now runs on the successor: a complaint sent after the kill arrives.
        references = await submit_all(group, range(3000, 3001))
        await delivered_once(group, references)


async def test_a_database_outage_of_30_seconds_answers_503_then_every_update_is_handled(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    if not settings.resolved_database_url.startswith("postgresql"):
        pytest.skip("the outage is cut on a TCP proxy to PostgreSQL")
    url = make_url(settings.resolved_database_url)
    proxy = TcpCut(url.port or 5432)
    await proxy.start()
    through_proxy = url.set(port=proxy.port).render_as_string(hide_password=False)
    async with cluster(
        standin, settings, teams, size=2, database_url=through_proxy, again_after=0.0
    ) as group:
        people = [group.complainant(seed) for seed in range(4000, 4003)]
        before = []
        for person in people:
            before.append((await person.command("start")).content)
        await proxy.cut()
        for person in people:
            shown = person.user.last_bot_message()
            assert shown is not None
            await person.user.press(shown.labels[0])
        await asyncio.sleep(30)
        assert 503 in group.pusher.statuses, "Telegram was told to retry"
        assert group.pusher.pending, "nothing was confirmed during the outage"
        async with httpx.AsyncClient() as client:
            ready = await client.get(f"{group.replicas[0].url}/readyz")
            alive = await client.get(f"{group.replicas[0].url}/healthz")
        assert ready.status_code == 503
        assert alive.status_code == 200, "liveness does not depend on the database"
        await proxy.restore()
        await standin.wait_for(lambda: not group.pusher.pending, timeout=60)
        for person, earlier in zip(people, before, strict=True):
            shown = await person.settle()
            assert shown.content != earlier, "the press made during the outage was handled"
        assert dead_letters(group.engine) == []
    await proxy.cut()


async def test_a_second_webhook_process_on_sqlite_stops_with_one_line(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    if not settings.resolved_database_url.startswith("sqlite"):
        pytest.skip("the refusal is SQLite's")
    runtime = Runtime(settings)
    await asyncio.to_thread(runtime.upgrade_database)
    runtime.database.dispose()
    env = replica_env(settings, settings.resolved_database_url)
    first, second = Replica(env, "first"), Replica(env, "second")
    await first.start()
    with pytest.raises(AssertionError) as refused:
        await second.start()
    assert second.process is not None
    assert second.process.returncode == 2
    (line,) = [line for line in str(refused.value).splitlines() if "complaint-bot:" in line]
    assert "SQLite takes one process" in line
    assert "Traceback" not in str(refused.value)
    await first.stop()


async def test_a_replica_started_before_its_database_waits_for_it_with_one_line(
    standin: BotApiStandIn, settings: Settings, teams: dict[str, StaffTeam]
) -> None:
    """As in compose or a pod: the bot may start before PostgreSQL answers."""
    if not settings.resolved_database_url.startswith("postgresql"):
        pytest.skip("the database is cut on a TCP proxy to PostgreSQL")
    runtime = Runtime(settings)
    await asyncio.to_thread(runtime.upgrade_database)
    runtime.keys  # noqa: B018 - the server key, made once
    runtime.database.dispose()
    url = make_url(settings.resolved_database_url)
    proxy = TcpCut(url.port or 5432)
    through_proxy = url.set(port=proxy.port).render_as_string(hide_password=False)
    replica = Replica({**replica_env(settings, through_proxy), "LOG_LEVEL": "INFO"}, "early")
    tried = asyncio.Event()

    async def refuse(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tried.set()  # the database is "down": every connection dropped at once
        writer.transport.abort()

    refusing = await asyncio.start_server(refuse, "127.0.0.1", proxy.port)
    starting = asyncio.create_task(replica.start())
    await asyncio.wait_for(tried.wait(), 60)
    refusing.close()
    await refusing.wait_closed()
    assert not starting.done(), "no answer on /healthz without its database"
    await proxy.start()
    await starting
    log = await replica.stop()
    await proxy.cut()
    assert "the database is not reachable yet" in log
    assert "Traceback" not in log
