"""The counts coalitions publish, computed on the staff device from opened cases.

Every count below `min_cell` (5 by default) but above zero is suppressed in anything meant for
publication: it reads "<5" (for `min_cell` 5) in statistics.json, the charts and the PDF, and
statistics.json lists each suppressed cell by its path (e.g. `sex.female`). A share computed from
a suppressed count is suppressed with it. Torture versus other ill-treatment is a legal assessment
made by staff: it comes from the `classification` column of an annotated export, and is "not
assessed" otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.desk.labels import Words, desk_word

NOT_STATED = "not_stated"
CLASSIFICATIONS = ("torture", "ill-treatment", "other", "not assessed")
CLASSIFICATION_LABELS = {
    "torture": desk_word("Torture"),
    "ill-treatment": desk_word("Ill-treatment"),
    "other": desk_word("Other"),
    "not assessed": desk_word("Not assessed"),
}
PLACES: dict[str, str] = {
    "ivs": "ivs",
    "sizo": "sizo",
    "colony": "colony",
    "prison": "colony",
    "police_station": "police_station",
    "security_facility": "security_service",
    "psychiatric": "psychiatric",
    "military": "military",
}
PLACE_ORDER = (
    "ivs",
    "sizo",
    "colony",
    "police_station",
    "security_service",
    "psychiatric",
    "military",
    "other",
)


@dataclass(frozen=True)
class Dimension:
    """One published table: its categories in order, their labels and exact counts."""

    key: str
    title: str
    counts: dict[str, int]
    labels: dict[str, str]
    chart: bool = True


@dataclass
class Statistics:
    cases: int
    period: tuple[str | None, str | None]
    min_cell: int
    dimensions: list[Dimension] = field(default_factory=list)
    urgent_share: float | None = None
    coalition: str = ""

    @property
    def mark(self) -> str:
        """What a suppressed cell reads: "<5" for the default --min-cell 5."""
        return f"<{self.min_cell}"

    def hidden(self, count: int) -> bool:
        return 0 < count < self.min_cell

    def shown(self, count: int) -> str:
        return self.mark if self.hidden(count) else str(count)

    def to_json(self) -> dict[str, Any]:
        suppressed: list[str] = []
        result: dict[str, Any] = {
            "cases": self.mark if self.hidden(self.cases) else self.cases,
            "period": {"from": self.period[0], "to": self.period[1]},
            "min_cell": self.min_cell,
            "coalition": self.coalition,
        }
        if self.hidden(self.cases):
            suppressed.append("cases")
        for dimension in self.dimensions:
            values: dict[str, int | str] = {}
            for category, count in dimension.counts.items():
                if self.hidden(count):
                    values[category] = self.mark
                    suppressed.append(f"{dimension.key}.{category}")
                else:
                    values[category] = count
            result[dimension.key] = values
        urgent = next((d.counts.get("high", 0) for d in self.dimensions if d.key == "urgency"), 0)
        if self.urgent_share is not None and self.hidden(urgent):
            result["urgent_share"] = None
            suppressed.append("urgent_share")
        else:
            result["urgent_share"] = self.urgent_share
        result["suppressed"] = suppressed
        return result


def in_period(received_on: str, start: dt.date | None, end: dt.date | None) -> bool:
    try:
        day = dt.date.fromisoformat(received_on)
    except ValueError:
        return start is None and end is None
    return (start is None or day >= start) and (end is None or day <= end)


def compute(
    cases: Sequence[Mapping[str, Any]],
    words: Words,
    annotations: Mapping[str, str] | None = None,
    *,
    min_cell: int = 5,
    period: tuple[dt.date | None, dt.date | None] = (None, None),
) -> Statistics:
    """Counts over `cases` (case.json manifests) received within `period` (inclusive)."""
    w = words
    chosen = [c for c in cases if in_period(str(c.get("received_on", "")), *period)]
    notes = {k.strip().upper(): v for k, v in (annotations or {}).items()}
    answers = [_answers(c) for c in chosen]
    stats = Statistics(
        len(chosen),
        (
            period[0].isoformat() if period[0] else None,
            period[1].isoformat() if period[1] else None,
        ),
        min_cell,
        coalition=str((chosen[0].get("coalition") or {}).get("name", "")) if chosen else "",
    )
    months = Counter(str(c.get("received_on", ""))[:7] for c in chosen)
    years = Counter(str(c.get("received_on", ""))[:4] for c in chosen)
    stats.dimensions.append(
        Dimension("by_year", w("Cases by year"), dict(sorted(years.items())), {y: y for y in years})
    )
    stats.dimensions.append(
        Dimension(
            "by_month", w("Cases by month"), dict(sorted(months.items())), {m: m for m in months}
        )
    )
    classified = Counter(
        _classification(notes.get(str(c.get("reference", "")).upper())) for c in chosen
    )
    stats.dimensions.append(
        Dimension(
            "classification",
            w("Torture and other ill-treatment (staff assessment)"),
            {k: classified.get(k, 0) for k in CLASSIFICATIONS},
            {k: w(CLASSIFICATION_LABELS[k]) for k in CLASSIFICATIONS},
        )
    )
    stats.dimensions.append(_single("sex", w("Women and men"), "v_sex", answers, w))
    ages = Counter(_age_group(a.get("v_age")) for a in answers)
    stats.dimensions.append(
        Dimension(
            "age",
            w("Minors and adults"),
            {k: ages.get(k, 0) for k in ("minors", "adults", NOT_STATED)},
            {"minors": w("Minors (under 18)"), "adults": w("Adults"), NOT_STATED: w("Not stated")},
        )
    )
    places = Counter(
        place
        for a in answers
        for place in {PLACES.get(code, "other") for code in _codes(a, "f_types")}
    )
    stats.dimensions.append(
        Dimension(
            "place_of_detention",
            w("Places of detention"),
            {k: places.get(k, 0) for k in PLACE_ORDER},
            _place_labels(w),
        )
    )
    stats.dimensions.append(_multi("authority", w("Authorities"), "e_authority", answers, w))
    regions: Counter[str] = Counter()
    shown_as: dict[str, str] = {}
    for a in answers:
        town = a.get("v_residence")
        if isinstance(town, str) and town.strip():
            key = " ".join(town.split()).casefold()
            shown_as.setdefault(key, " ".join(town.split()))
            regions[key] += 1
    stats.dimensions.append(
        Dimension(
            "region",
            w("Region or town"),
            dict(regions.most_common()),
            shown_as,
            chart=False,
        )
    )
    stats.dimensions.append(_multi("acts", w("Acts reported"), "g_acts", answers, w))
    levels = Counter(str((c.get("urgency") or {}).get("level", "")) for c in chosen)
    stats.dimensions.append(
        Dimension(
            "urgency",
            w("Urgency"),
            {k: levels.get(k, 0) for k in ("high", "medium", "low")},
            {"high": w("urgent"), "medium": w("medium urgency"), "low": w("not urgent")},
        )
    )
    stats.urgent_share = round(levels.get("high", 0) / len(chosen), 3) if chosen else None
    stats.dimensions.append(
        _single(
            "complaint_made", w("Complaints to the authorities"), "l_complaint_made", answers, w
        )
    )
    stats.dimensions.append(
        _multi("complaint_to", w("Complaints made to"), "l_complaint_to", answers, w)
    )
    stats.dimensions.append(
        _single("complaint_result", w("Outcome of complaints"), "l_complaint_result", answers, w)
    )
    cross = Counter(bool((c.get("routing") or {}).get("cross_border")) for c in chosen)
    stats.dimensions.append(
        Dimension(
            "cross_border",
            w("Cross-border cases"),
            {"yes": cross.get(True, 0), "no": cross.get(False, 0)},
            {"yes": w("Cross-border"), "no": w("Within one country")},
        )
    )
    return stats


def _answers(case: Mapping[str, Any]) -> dict[str, Any]:
    return {
        a["question_id"]: a.get("value")
        for a in case.get("answers", [])
        if "question_id" in a and not a.get("skipped")
    }


def _codes(answers: Mapping[str, Any], question_id: str) -> list[str]:
    value = answers.get(question_id)
    return [str(v) for v in value] if isinstance(value, list) else []


def _single(
    key: str, title: str, question_id: str, answers: Iterable[Mapping[str, Any]], w: Words
) -> Dimension:
    counts = Counter(
        str(a[question_id]) if isinstance(a.get(question_id), str) else NOT_STATED for a in answers
    )
    order = [c.code for c in w.choices(question_id)] + [NOT_STATED]
    labels = {code: w.choice(question_id, code) for code in order[:-1]} | {
        NOT_STATED: w("Not stated")
    }
    return Dimension(key, title, {k: counts.get(k, 0) for k in order}, labels)


def _multi(
    key: str, title: str, question_id: str, answers: Iterable[Mapping[str, Any]], w: Words
) -> Dimension:
    counts = Counter(code for a in answers for code in set(_codes(a, question_id)))
    order = [c.code for c in w.choices(question_id)]
    return Dimension(
        key,
        title,
        {k: counts.get(k, 0) for k in order},
        {k: w.choice(question_id, k) for k in order},
    )


def _classification(value: str | None) -> str:
    cleaned = " ".join((value or "").replace("_", " ").split()).casefold()
    if cleaned in ("ill treatment", "ill-treatment", "cidt"):
        return "ill-treatment"
    return cleaned if cleaned in CLASSIFICATIONS else "not assessed"


def _age_group(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return "minors" if value < 18 else "adults"
    return NOT_STATED


def _place_labels(w: Words) -> dict[str, str]:
    return {
        "ivs": w.choice("f_types", "ivs"),
        "sizo": w.choice("f_types", "sizo"),
        "colony": w("Prison colony or prison"),
        "police_station": w.choice("f_types", "police_station"),
        "security_service": w.choice("f_types", "security_facility"),
        "psychiatric": w.choice("f_types", "psychiatric"),
        "military": w.choice("f_types", "military"),
        "other": w("Other places"),
    }
