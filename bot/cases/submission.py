"""Submitting a draft: route it, package it, seal it to the coalition, queue its delivery.

`submit` runs inside the update's unit of work: the sealed case, its outbox row and the
deletion of the draft commit together, or not at all. `prepare`, called before that unit, packs
and seals the case into a spooled file (ciphertext), so the unit only copies it in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from typing import IO, Any

from bot.cases.coalitions import CoalitionDirectory, Routing, route
from bot.cases.package import CaseFacts, Load, build_package, write_package
from bot.cases.reference import new_reference
from bot.cases.ways import ContactWays
from bot.i18n import Catalogs
from bot.intake.draft import Draft
from bot.intake.form import Form
from bot.intake.ports import Destination, Receipt, UnitOfWork
from bot.intake.urgency import urgency_of

SealCase = Callable[[bytes, Sequence[str]], bytes]
# Seal what `write` writes to the stream it is given, without holding it all in memory: the
# sealed file is given open at its start, for as long as the context lasts.
StreamSeal = Callable[
    [Callable[[IO[bytes]], None], Sequence[str]], AbstractContextManager[IO[bytes]]
]
Fingerprint = Callable[[str], str]


class Submission:
    def __init__(
        self,
        form: Form,
        directory: CoalitionDirectory,
        catalogs: Catalogs,
        seal_case: SealCase,
        fingerprint: Fingerprint,
        ways: ContactWays | None = None,
        stream_seal: StreamSeal | None = None,
    ) -> None:
        self._ways = ways
        self._stream_seal = stream_seal
        self._form = form
        self._directory = directory
        self._catalogs = catalogs
        self._seal_case = seal_case
        self._fingerprint = fingerprint

    def destination(self, answers: Mapping[str, Any]) -> Destination:
        coalition = route(self._directory, answers).coalition
        fingerprints = tuple(self._fingerprint(r) for r in coalition.recipients)
        return Destination(
            coalition.name, fingerprints, coalition.demo, tuple(sorted(coalition.help.items()))
        )

    def prepare(
        self, load: Callable[[str], bytes], draft: Draft, now: dt.datetime
    ) -> SealedAhead | None:
        """Pack and seal the case into a spooled file (ciphertext) before the unit of work
        that stores it, so that on SQLite the write lock is not held while it is packed."""
        if self._stream_seal is None:
            return None
        routing = route(self._directory, draft.answers)
        facts = self._facts(routing, new_reference(routing.reference_prefix), draft, now)
        with ExitStack() as stack:
            sealed = stack.enter_context(self._seal_into(draft, facts, load, self._stream_seal))
            return SealedAhead(facts, sealed, stack.pop_all())

    def submit(
        self,
        unit: UnitOfWork,
        handle: str,
        draft: Draft,
        now: dt.datetime,
        prepared: object | None = None,
    ) -> Receipt:
        """Store the case, queue it, record the way back, all in `unit`: the one sealed ahead
        if given (its chunks are copied in, nothing more), else packed and sealed here."""
        routing = route(self._directory, draft.answers)
        if isinstance(prepared, SealedAhead) and not unit.cases.exists(prepared.facts.reference):
            reference = self._store(unit, prepared.facts, prepared.sealed)
        else:
            reference = self._pack_and_store(unit, handle, draft, routing, now)
        unit.outbox.enqueue(reference, 0, routing.coalition.staff_chat_id, now)
        case_code = None
        if self._ways is not None:
            case_code = self._ways.record(
                unit, reference, handle, draft.answers, draft.language, draft.chat_id
            )
        return Receipt(reference, self.destination(draft.answers), case_code)

    def _facts(self, routing: Routing, reference: str, draft: Draft, now: dt.datetime) -> CaseFacts:
        return CaseFacts(reference, routing, urgency_of(self._form, draft.answers), now.date())

    def _seal_into(
        self, draft: Draft, facts: CaseFacts, load: Load, stream_seal: StreamSeal
    ) -> AbstractContextManager[IO[bytes]]:
        translator = self._catalogs.translator(draft.language)
        staff = self._catalogs.translator(facts.routing.coalition.language)
        return stream_seal(
            lambda target: write_package(self._form, draft, facts, load, translator, target, staff),
            facts.routing.coalition.recipients,
        )

    def _store(self, unit: UnitOfWork, facts: CaseFacts, sealed: bytes | IO[bytes]) -> str:
        unit.cases.add(
            facts.reference,
            facts.routing.coalition.id,
            facts.urgency.level,
            facts.received_on,
            sealed,
        )
        return facts.reference

    def _pack_and_store(
        self, unit: UnitOfWork, handle: str, draft: Draft, routing: Routing, now: dt.datetime
    ) -> str:
        reference = new_reference(routing.reference_prefix)
        while unit.cases.exists(reference):
            reference = new_reference(routing.reference_prefix)
        facts = self._facts(routing, reference, draft, now)

        def load(ref: str) -> bytes:
            data = unit.drafts.get_file(handle, ref)
            if data is None:
                raise LookupError(f"attachment {ref} of the draft is missing")
            return data

        if self._stream_seal is not None:  # one attachment in memory at a time
            with self._seal_into(draft, facts, load, self._stream_seal) as sealed:
                return self._store(unit, facts, sealed)
        files = {ref: load(ref) for ref in _file_refs(draft)}
        package = build_package(
            self._form,
            draft,
            facts,
            files,
            self._catalogs.translator(draft.language),
            self._catalogs.translator(routing.coalition.language),
        )
        return self._store(unit, facts, self._seal_case(package, routing.coalition.recipients))


@dataclass
class SealedAhead:
    """A case packed and sealed before its unit of work: the sealed file, open, until closed."""

    facts: CaseFacts
    sealed: IO[bytes]
    _closing: ExitStack

    def close(self) -> None:
        self._closing.close()


def _file_refs(draft: Draft) -> Iterator[str]:
    for value in draft.answers.values():
        if isinstance(value, list):
            yield from (item["ref"] for item in value if isinstance(item, dict) and "ref" in item)
        elif isinstance(value, dict) and "voice" in value:
            voice = value.get("voice")
            if isinstance(voice, dict):
                yield voice["ref"]
