"""The statement that measures leads against the approved personas, set-based: one
INSERT ... ON CONFLICT for all of an organisation's leads (or those of a list), whatever
their number, instead of a Python loop over them.

Pure: it builds SQL text and parameters from plain criteria (personas.calculations), and
reads the leads through the CRM's profile (crm.selectors.lead_profiles_sql), never its
tables. The statement and personas.calculations.fit must agree on every lead: both compare
texts trimmed, lower-cased with inner spaces collapsed (NORMALISED), match title words as
whole words, treat a missing value as a missed criterion, and round the score down.
tests/personas/test_fitting.py checks the two against each other.

How the best persona is chosen, without sorting each lead's candidates: each approved
version i gets a key `fits << 40 | score << 32 | (2^31 - 1 - i)`, the greatest key wins
(a version it fits before one it does not, then the higher score, then the earlier
persona), and the winner's index, score and fit are read back from the key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from personas.calculations import ATTRIBUTE, RANGE_KINDS, Criterion, Kind, normalise

NORMALISED = "lower(btrim(regexp_replace({}, '\\s+', ' ', 'g')))"
_LOW_BITS = 2**31 - 1
# The profile's texts that list criteria compare, by kind: each is normalised once a lead
# (the lateral `n` of the statement), however many criteria of however many personas read
# it; normalising it in each criterion cost a million leads 0.8 s a criterion.
_TEXTS = {
    Kind.INDUSTRY_IN: ("industry",),
    Kind.COUNTRY_IN: ("country",),
    Kind.CHANNEL_IN: ("channel", "channel_code"),
}


@dataclass(frozen=True)
class Measure:
    """An approved persona version, as the statement measures leads against it."""

    persona_id: int
    version_id: int
    threshold: int
    criteria: tuple[Criterion, ...]


@dataclass
class _Params:
    values: dict[str, Any] = field(default_factory=dict)

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"%({name})s"


def _title_pattern(values: Sequence[str]) -> str | None:
    """A regular expression matching any of these phrases as whole words (`\\m`, `\\M`),
    their words separated by anything that is not a word character, as calculations.words
    splits them; None when no value has a word."""
    phrases = [r"\W+".join(re.findall(r"\w+", v.lower())) for v in values]
    phrases = [p for p in phrases if p]
    return r"\m(?:" + "|".join(phrases) + r")\M" if phrases else None


def _normalised(measures: Sequence[Measure]) -> str:
    """The select list of `n`: each text the criteria compare, normalised."""
    texts = sorted({t for m in measures for c in m.criteria for t in _TEXTS.get(c.kind, ())})
    return ", ".join(f"{NORMALISED.format(f'p.{t}')} AS {t}" for t in texts) or "NULL AS none"


def _condition(c: Criterion, params: _Params) -> str:
    """Whether the profile row `p` (its texts normalised in `n`) meets the criterion: true
    or false, never NULL."""
    wanted = [normalise(v) for v in c.values]
    if c.kind in _TEXTS:
        values = params.add(wanted)
        condition = " OR ".join(f"n.{t} = ANY({values}::text[])" for t in _TEXTS[c.kind])
    elif c.kind is Kind.PRODUCT_IN:
        condition = (
            f"EXISTS (SELECT 1 FROM unnest(p.products) x(product) "  # noqa: S608 - values are parameters
            f"WHERE {NORMALISED.format('x.product')} = ANY({params.add(wanted)}::text[]))"
        )
    elif c.kind in RANGE_KINDS:
        column = f"p.{ATTRIBUTE[c.kind]}"
        bounds = [f"{column} IS NOT NULL"]
        if c.minimum is not None:
            bounds.append(f"{column} >= {params.add(c.minimum)}::numeric")
        if c.maximum is not None:
            bounds.append(f"{column} <= {params.add(c.maximum)}::numeric")
        condition = " AND ".join(bounds)
    elif c.kind is Kind.TITLE_WORDS:
        pattern = _title_pattern(c.values)
        condition = f"p.title ~* {params.add(pattern)}" if pattern else "false"
    else:  # a custom field: its name in any case, its value or any of its list's values
        condition = (
            "EXISTS (SELECT 1 FROM jsonb_each(p.custom) e CROSS JOIN LATERAL"  # noqa: S608
            " jsonb_array_elements_text(CASE jsonb_typeof(e.value) WHEN 'array' THEN e.value"
            " ELSE jsonb_build_array(e.value) END) x(value)"
            f" WHERE lower(e.key) = {params.add(c.field.lower())}"
            f" AND {NORMALISED.format('x.value')} = ANY({params.add(wanted)}::text[]))"
        )
    return f"COALESCE(({condition}), false)"


def _met(measure: Measure, params: _Params) -> str:
    bits = [f"(({_condition(c, params)})::int << {i})" for i, c in enumerate(measure.criteria)]
    return " | ".join(bits) if bits else "0"


def _score(measure: Measure, met: str) -> str:
    total = sum(c.weight for c in measure.criteria)
    if not total:
        return "0"
    weighted = " + ".join(
        f"{c.weight} * (({met} >> {i}) & 1)" for i, c in enumerate(measure.criteria)
    )
    return f"(100 * ({weighted}) / {total})"


def uses_products(measures: Sequence[Measure]) -> bool:
    return any(c.kind is Kind.PRODUCT_IN for m in measures for c in m.criteria)


def fit_statement(
    measures: Sequence[Measure], profiles_sql: str, *, count: bool
) -> tuple[str, dict[str, Any]]:
    """The statement writing each lead's best fit among `measures` (at least one), for the
    leads `profiles_sql` selects (crm.selectors.lead_profiles_sql, with its parameters
    %(org)s and maybe %(ids)s, to add); a lead's row is rewritten only where it changes.
    It returns the ids of the leads whose fit changed, or with `count` how many."""
    if not measures:
        raise ValueError("at least one approved persona to measure against")
    params = _Params()
    n = len(measures)
    mets = ", ".join(f"{_met(m, params)} AS m{i}" for i, m in enumerate(measures))
    scores = ", ".join(f"{_score(m, f'm.m{i}')} AS s{i}" for i, m in enumerate(measures))
    keys = ", ".join(
        f"(((s.s{i} >= {m.threshold})::int::bigint << 40) | (s.s{i}::bigint << 32)"
        f" | {_LOW_BITS - i})"
        for i, m in enumerate(measures)
    )
    met_array = ", ".join(f"m.m{i}" for i in range(n))
    personas = params.add([m.persona_id for m in measures])
    versions = params.add([m.version_id for m in measures])
    # OFFSET 0 keeps each lateral subquery from being pulled up: pulled up, the planner
    # copies a column's expression wherever it is used, and computes each criterion twice.
    # Our names and numbers only: every value a user gave is a parameter.
    sql = f"""
        WITH best AS (
            SELECT p.lead_id, GREATEST({keys}, -1) AS key, ARRAY[{met_array}] AS mets
            FROM ({profiles_sql}) p
            CROSS JOIN LATERAL (SELECT {_normalised(measures)} OFFSET 0) n
            CROSS JOIN LATERAL (SELECT {mets} OFFSET 0) m
            CROSS JOIN LATERAL (SELECT {scores} OFFSET 0) s
        ), chosen AS (
            SELECT lead_id, mets, ({_LOW_BITS} - (key & {2**32 - 1}))::int AS i,
                ((key >> 32) & 255)::smallint AS score, (key >> 40) = 1 AS fits
            FROM best
        ), written AS (
        INSERT INTO personas_leadfit (organization_id, lead_id, persona_id, version_id,
            score, fits, met)
        SELECT %(org)s::bigint, lead_id, ({personas}::bigint[])[i + 1],
            ({versions}::bigint[])[i + 1], score, fits, mets[i + 1]
        FROM chosen
        ON CONFLICT (organization_id, lead_id) DO UPDATE SET persona_id = EXCLUDED.persona_id,
            version_id = EXCLUDED.version_id, score = EXCLUDED.score, fits = EXCLUDED.fits,
            met = EXCLUDED.met
        WHERE (personas_leadfit.version_id, personas_leadfit.score, personas_leadfit.fits,
            personas_leadfit.met) IS DISTINCT FROM (EXCLUDED.version_id, EXCLUDED.score,
            EXCLUDED.fits, EXCLUDED.met)
        RETURNING lead_id
        )
        SELECT {"count(*)" if count else "lead_id"} FROM written
    """  # noqa: S608
    return sql, params.values
