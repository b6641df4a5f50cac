"""Requirements as units of work: known features, features in the brief's words, unknown technologies."""

from __future__ import annotations

from devussy.models import ProjectBrief, Requirement
from devussy.planner.requirement_map import build_map
from devussy.requirements.extract import extract_requirements


def req(rid: str, text: str, kind: str = "feature") -> Requirement:
    return Requirement(id=rid, text=text, kind=kind)  # type: ignore[arg-type]


def test_units_are_known_features_domain_features_and_unknown_technologies() -> None:
    rmap = build_map(
        [
            req("R1", "Members book climbing gym classes"),
            req("R2", "Payments via Stripe"),
            req("R3", "Stripe", "integration"),
            req("R4", "Instructors mark attendance"),
            req("R5", "Adyen", "integration"),
        ]
    )
    kinds = {u.key: u.kind for u in rmap.units}
    assert kinds["feature:payments"] == "feature"
    assert kinds["tech:Adyen"] == "unknown" and rmap.unknown_techs == ("Adyen",)
    assert rmap.for_tech("stripe") == ["R2", "R3"]
    assert any(u.kind in ("feature", "domain") and "R1" in u.requirements for u in rmap.units)


def test_a_feature_several_requirements_ask_for_names_them_all() -> None:
    rmap = build_map([req("R1", "Sales by region"), req("R2", "Top products")])
    report = next(u for u in rmap.units if u.key == "feature:analytics_reporting")
    assert report.requirements == ("R1", "R2")
    assert report.words.text == "sales by region and top products"


def test_a_requirement_that_adds_no_words_is_not_repeated_in_the_feature_name() -> None:
    rmap = build_map(
        [req("R1", "Tracking warehouse inventory items and stock movements"), req("R2", "Track stock")]
    )
    unit = next(u for u in rmap.units if set(u.requirements) == {"R1", "R2"})
    assert unit.words.text == "tracking warehouse inventory items and stock movements"


def test_constraints_trigger_rules_and_non_goals_never_make_units() -> None:
    rmap = build_map(
        [
            req("R1", "Monthly expense reports"),
            req("R2", "Sign-in through the company's Okta SSO", "constraint"),
            req("R3", "No payments", "non_goal"),
        ]
    )
    assert "sso_only" in rmap.rules and rmap.for_rule("sso_only") == ["R2"]
    assert not any("R3" in u.requirements for u in rmap.units)


def test_units_sharing_a_requirement_share_a_group() -> None:
    rmap = build_map([req("R1", "An admin dashboard for the organisers and payments for deposits")])
    assert len(rmap.units) == 2 and len(rmap.groups) == 1


def test_entities_come_from_features_that_keep_data() -> None:
    brief = ProjectBrief(
        name="Crux", summary="Members book climbing gym classes. It normalises prices and mileage."
    )
    rmap = build_map(extract_requirements(brief))
    assert "GymClass" in rmap.entities
    assert "Price" not in rmap.entities and "Mileage" not in rmap.entities


def test_analytics_over_sign_ups_and_purchases_builds_no_accounts_or_payments() -> None:
    brief = ProjectBrief(name="Probe", summary="Report a funnel from signup to first purchase for each week.")
    features = {f for info in build_map(extract_requirements(brief)).infos for f in info.features}
    assert not features & {"payments", "user_accounts"}
