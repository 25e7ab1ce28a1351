"""The simulator's reports: valid contract events a partner system could send, with
breakdowns that sum exactly, periods the commitment accepts, and the same stream per seed."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pact_contracts import ProgressReported
from pactctl import catalogue
from pactctl.periods import Period
from pactctl.simulation import ProgressSimulator, SimulatedCommitment, split

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
CLOUD = SimulatedCommitment(
    "c-cloud", "p-nimbus", ("DE", "FR", "IT", "ES"), ("advanced",), date(2025, 1, 1),
    date(2027, 12, 31), 20_000,
)  # fmt: skip
TELECOM = SimulatedCommitment(
    "c-sdn", "p-carpathia", ("PL", "RO"), ("intermediate", "advanced"), date(2025, 1, 1),
    date(2027, 12, 31), 3_000, cadence="monthly", female_share=0.18,
)  # fmt: skip
UNIVERSITY = SimulatedCommitment(
    "c-micro", "p-eurodata", ("NL", "DE"), ("advanced", "expert"), date(2026, 1, 1),
    date(2027, 12, 31), 40, metric="programmes_developed",
)  # fmt: skip
UNION = SimulatedCommitment(
    "c-rights", "p-union", ("BE",), ("basic",), date(2025, 7, 1), date(2027, 12, 31), 200_000,
    metric="people_reached",
)  # fmt: skip
NOT_STARTED = SimulatedCommitment(
    "c-later", "p-late", ("IE",), ("basic",), date(2027, 1, 1), date(2028, 12, 31), 500
)
ALL = [CLOUD, TELECOM, UNIVERSITY, UNION, NOT_STARTED]


def simulator(seed: int | None = 42, first_revision: int = 1) -> ProgressSimulator:
    return ProgressSimulator(
        ALL, seed=seed, today=TODAY, clock=lambda: NOW, first_revision=first_revision
    )


def test_every_breakdown_sums_exactly_to_people_trained() -> None:
    for seed in range(5):
        for report in simulator(seed).take(400):
            assert report.people_trained > 0
            for breakdown in (report.by_level, report.by_country, report.by_gender):
                assert breakdown is not None
                assert sum(breakdown.values()) == report.people_trained
            ProgressReported.model_validate_json(report.to_bytes())  # the wire form is valid


def test_breakdowns_use_the_commitments_countries_and_levels() -> None:
    for report in simulator().take(300):
        commitment = {c.commitment_id: c for c in ALL}[report.commitment_id]
        assert report.partner_id == commitment.partner_id
        assert set(report.by_country or {}) <= set(commitment.countries)
        assert set(report.by_level or {}) <= set(commitment.levels)


def test_the_same_seed_gives_the_same_reports_and_another_seed_others() -> None:
    first = [r.to_bytes() for r in simulator(7).take(200)]
    assert first == [r.to_bytes() for r in simulator(7).take(200)]
    assert first != [r.to_bytes() for r in simulator(8).take(200)]
    assert len({r.event_id for r in simulator(7).take(200)}) == 200


def test_each_period_is_reported_once_then_the_last_one_is_corrected() -> None:
    reports = simulator(first_revision=3).take(400)
    by_commitment: dict[str, list[ProgressReported]] = defaultdict(list)
    for report in reports:
        by_commitment[report.commitment_id].append(report)
    assert "c-later" not in by_commitment  # no period of it has begun
    cloud = [(r.period, r.revision) for r in by_commitment["c-cloud"]]
    quarters = [f"{y}-Q{q}" for y in (2025, 2026) for q in (1, 2, 3, 4)]
    assert cloud[:8] == [(q, 3) for q in quarters]
    assert cloud[8:12] == [("2026-Q4", 4), ("2026-Q4", 5), ("2026-Q4", 6), ("2026-Q4", 7)]
    months = [r.period for r in by_commitment["c-sdn"]]
    assert months[:23] == [f"2025-{m:02d}" for m in range(1, 13)] + [
        f"2026-{m:02d}" for m in range(1, 12)
    ]


def test_periods_match_the_cadence_and_have_begun_within_the_commitment() -> None:
    for report in simulator().take(500):
        commitment = {c.commitment_id: c for c in ALL}[report.commitment_id]
        period = Period.parse(report.period)
        assert period.quarterly == (commitment.cadence == "quarterly")
        assert commitment.start_date <= period.end and period.start <= TODAY


def test_corrections_grow_toward_the_period_figures_and_do_not_run_away() -> None:
    reports = [r for r in simulator().take(2000) if r.commitment_id == "c-cloud"]
    current = [r.people_trained for r in reports if r.period == "2026-Q4"]
    assert current == sorted(current)  # never shrinks
    per_quarter = 20_000 / 12
    assert current[-1] <= 1.25 * per_quarter + 1
    latest = {r.period: r.people_trained for r in reports}
    assert sum(latest.values()) < 20_000  # 8 of 12 quarters: well short of the target


def test_the_metric_of_the_commitment_drives_the_figures() -> None:
    reports = simulator().take(400)
    union = [r for r in reports if r.commitment_id == "c-rights"]
    university = [r for r in reports if r.commitment_id == "c-micro"]
    assert all((r.people_reached or 0) > 10 * r.people_trained for r in union)
    assert all(1 <= (r.programmes_developed or 0) <= 10 for r in university)


def test_women_are_about_the_share_the_commitment_names() -> None:
    telecom = [r for r in simulator().take(800) if r.commitment_id == "c-sdn"]
    women = sum((r.by_gender or {}).get("female", 0) for r in telecom)
    assert 0.13 < women / sum(r.people_trained for r in telecom) < 0.23


def test_commitments_none_of_which_has_begun_cannot_be_simulated() -> None:
    with pytest.raises(ValueError, match="no commitment has a reporting period"):
        ProgressSimulator([NOT_STARTED], today=TODAY)


def test_commitments_read_from_the_commitments_api_or_a_saved_file() -> None:
    api = {"id": "c-1", "partner_id": "p-1", "countries": ["PT"], "levels": ["basic"],
           "start_date": "2025-01-01", "deadline": "2028-12-31", "target_value": 50000.0,
           "metric": "people_trained", "cadence": "quarterly", "status": "active"}  # fmt: skip
    commitment = SimulatedCommitment.from_json(api)
    assert commitment.commitment_id == "c-1" and commitment.countries == ("PT",)
    assert SimulatedCommitment.from_json(commitment.to_json()) == commitment


def test_the_catalogue_gives_the_archetypes_first_then_distinct_made_up_members() -> None:
    members = catalogue.members(40, seed=1)
    names = [(m.organisation.hq_country, m.organisation.legal_name) for m in members]
    assert names[0] == ("DE", "Nimbus Cloud Europe SE")
    assert len(set(names)) == 40
    assert catalogue.members(40, seed=1) == members
    for member in members:
        body = member.plans[0].pledge(TODAY)
        assert body["start_date"] == "2025-01-01" and body["deadline"] > "2027"
        values = [m["value"] for m in body["milestones"]]
        assert values == sorted(set(values)) and all(0 < v < body["target_value"] for v in values)
        reg = member.organisation.registration()
        assert all(reg["principles"].values())
        assert ("size_class" in reg) == (reg["organisation_type"] in ("company", "sme"))


@given(st.integers(0, 10**9), st.dictionaries(st.sampled_from("abcdef"), st.floats(0.01, 100)))
def test_split_shares_out_exactly(total: int, weights: dict[str, float]) -> None:
    shares = split(total, weights)
    assert sum(shares.values()) == (total if weights else 0)
    assert all(v > 0 for v in shares.values()) and set(shares) <= set(weights)


def test_split_follows_the_weights() -> None:
    assert split(100, {"female": 0.45, "male": 0.52, "non_binary": 0.01, "undisclosed": 0.02}) == (
        {"female": 45, "male": 52, "non_binary": 1, "undisclosed": 2}
    )
    assert Counter(split(10, {"a": 1, "b": 1, "c": 1})) == Counter({"a": 4, "b": 3, "c": 3})
