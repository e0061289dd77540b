"""Coalitions and routing: which coalition receives a complaint. Pure: no files, no network."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

AgeRecipient = Annotated[str, Field(pattern=r"^age1[02-9ac-hj-np-z]{58}$")]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class Coalition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{1,31}$")]
    name: Annotated[str, Field(min_length=2, max_length=200)]
    countries: list[CountryCode] = Field(default_factory=list)
    staff_chat_id: int
    staff_user_ids: list[int] = Field(default_factory=list)
    recipients: Annotated[list[AgeRecipient], Field(min_length=1)]
    reference_code: CountryCode | None = None
    retention_days: Annotated[int, Field(ge=30, le=3650)] = 365
    language: Annotated[str, Field(pattern=r"^[a-z]{2}$")] = "ru"
    demo: bool = False
    # What a complainant can do now (a hotline, hours, a first step), per language code (ru, kk,
    # ky, tg, uz, uz_Cyrl, tk, en); shown after sending and on declining.
    help: dict[Annotated[str, Field(pattern=r"^[a-z]{2}(_[A-Z][a-z]{3})?$")], str] = Field(
        default_factory=dict
    )


class CoalitionDirectory(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    coalitions: Annotated[list[Coalition], Field(min_length=1)]
    fallback: str

    @model_validator(mode="after")
    def _consistent(self) -> CoalitionDirectory:
        ids = [c.id for c in self.coalitions]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate coalition id: {', '.join(duplicates)}")
        if self.fallback not in ids:
            raise ValueError(f"fallback {self.fallback!r} is not one of the coalitions")
        seen: dict[str, str] = {}
        for coalition in self.coalitions:
            for country in coalition.countries:
                if country in seen:
                    raise ValueError(
                        f"country {country} is routed to both {seen[country]} and {coalition.id}"
                    )
                seen[country] = coalition.id
        return self

    def by_id(self, coalition_id: str) -> Coalition:
        return next(c for c in self.coalitions if c.id == coalition_id)

    def find(self, coalition_id: str | None) -> Coalition | None:
        """The coalition with this id, or None (a case of a coalition since removed)."""
        return next((c for c in self.coalitions if c.id == coalition_id), None)

    def for_country(self, country: str | None) -> Coalition | None:
        return next((c for c in self.coalitions if country in c.countries), None)

    @property
    def is_demo(self) -> bool:
        return any(c.demo for c in self.coalitions)


@dataclass(frozen=True)
class Routing:
    coalition: Coalition
    reference_prefix: str
    cross_border: bool


def route(directory: CoalitionDirectory, answers: Mapping[str, Any]) -> Routing:
    """The country where the events happened decides; anything else goes to the fallback.

    A victim whose citizenship is another coalition's country is flagged cross-border, so the
    receiving coalition can involve the other one.
    """
    country = answers.get("e_country")
    routed = directory.for_country(country)
    coalition = routed or directory.by_id(directory.fallback)
    prefix = country if routed and isinstance(country, str) else _fallback_code(coalition)
    home = directory.for_country(answers.get("v_citizenship"))
    return Routing(coalition, prefix, cross_border=home is not None and home.id != coalition.id)


def _fallback_code(coalition: Coalition) -> str:
    return coalition.reference_code or coalition.id[:2].upper()
