"""Submitting a draft: route it, package it, seal it to the coalition, queue its delivery.

Runs inside the update's unit of work: the sealed case, its outbox row and the deletion of the
draft commit together, or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import IO, Any

from bot.cases.coalitions import CoalitionDirectory, route
from bot.cases.package import CaseFacts, build_package, write_package
from bot.cases.reference import new_reference
from bot.cases.ways import ContactWays
from bot.i18n import Catalogs
from bot.intake.draft import Draft
from bot.intake.form import Form
from bot.intake.ports import Destination, Receipt, UnitOfWork
from bot.intake.urgency import urgency_of

SealCase = Callable[[bytes, Sequence[str]], bytes]
# Seal what `write` writes to the stream it is given, without holding it all in memory.
StreamSeal = Callable[[Callable[[IO[bytes]], None], Sequence[str]], bytes]
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

    def submit(self, unit: UnitOfWork, handle: str, draft: Draft, now: dt.datetime) -> Receipt:
        routing = route(self._directory, draft.answers)
        reference = new_reference(routing.reference_prefix)
        while unit.cases.exists(reference):
            reference = new_reference(routing.reference_prefix)
        facts = CaseFacts(reference, routing, urgency_of(self._form, draft.answers), now.date())
        translator = self._catalogs.translator(draft.language)
        staff = self._catalogs.translator(routing.coalition.language)

        def load(ref: str) -> bytes:
            data = unit.drafts.get_file(handle, ref)
            if data is None:
                raise LookupError(f"attachment {ref} of the draft is missing")
            return data

        recipients = routing.coalition.recipients
        if self._stream_seal is not None:  # one attachment in memory at a time
            sealed = self._stream_seal(
                lambda target: write_package(
                    self._form, draft, facts, load, translator, target, staff
                ),
                recipients,
            )
        else:
            files = {ref: load(ref) for ref in _file_refs(draft)}
            package = build_package(self._form, draft, facts, files, translator, staff)
            sealed = self._seal_case(package, recipients)
        unit.cases.add(
            reference, routing.coalition.id, facts.urgency.level, facts.received_on, sealed
        )
        unit.outbox.enqueue(reference, 0, routing.coalition.staff_chat_id, now)
        case_code = None
        if self._ways is not None:
            case_code = self._ways.record(
                unit, reference, handle, draft.answers, draft.language, draft.chat_id
            )
        return Receipt(reference, self.destination(draft.answers), case_code)


def _file_refs(draft: Draft) -> Iterator[str]:
    for value in draft.answers.values():
        if isinstance(value, list):
            yield from (item["ref"] for item in value if isinstance(item, dict) and "ref" in item)
        elif isinstance(value, dict) and "voice" in value:
            voice = value.get("voice")
            if isinstance(voice, dict):
                yield voice["ref"]
