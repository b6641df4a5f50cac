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


def test_a_feature_a_requirement_only_refers_to_is_not_attached_to_it() -> None:
    rmap = build_map(
        [
            req("R1", "Members book the shared trailer by the half day"),
            req("R2", "Email a reminder the evening before a booking"),
        ]
    )
    asking = {u.ref: u.requirements for u in rmap.units if u.kind == "feature"}
    assert "R2" not in asking.get("booking", ())  # the reminder is about a booking, it books nothing
    assert "R2" in asking["reminders"]


def test_a_list_after_a_reference_keeps_its_items() -> None:
    rmap = build_map([req("R1", "An admin dashboard for the organisers and payments for deposits")])
    assert {"admin_dashboard", "payments"} <= {u.ref for u in rmap.units}


def test_money_a_dashboard_reports_or_a_read_only_product_names_builds_no_payments() -> None:
    shown = build_map([req("R1", "A dashboard showing daily revenue, refunds and top products")])
    assert "payments" not in {u.ref for u in shown.units}
    read_only = build_map(
        [req("R1", "Refunds and top products"), req("R2", "The dashboard is read-only", "constraint")]
    )
    assert "payments" not in {u.ref for u in read_only.units}
    assert "payments" in {u.ref for u in build_map([req("R1", "Take payments for orders")]).units}


def test_a_tool_named_as_the_source_of_files_the_product_reads_is_no_integration() -> None:
    rmap = build_map(
        [
            req("R1", "Reads our nginx access logs (gzip rotated files too)"),
            req("R2", "Nginx", "integration"),
        ]
    )
    assert rmap.unknown_techs == () and rmap.data_formats == ("Nginx",)
    assert not [u for u in rmap.units if u.kind == "unknown"]
    called = build_map([req("R1", "Sync contacts to Pipedrive"), req("R2", "Pipedrive", "integration")])
    assert called.unknown_techs == ("Pipedrive",) and called.data_formats == ()


def test_a_pronoun_object_is_what_the_previous_feature_acts_on() -> None:
    rmap = build_map(
        [
            req("R1", "Watches a folder of scanned receipts"),
            req("R2", "OCRs them with Tesseract"),
        ]
    )
    words = rmap.by_id["R2"].words
    assert words.thing == "scanned receipts" and words.entities == ("Receipt",)  # not "them with Tesseract"
    assert words.title == "OCRs them with Tesseract"  # the brief's own sentence is kept


def test_a_feature_speaks_with_the_words_of_the_requirement_that_does_what_it_does() -> None:
    rmap = build_map(
        [
            req("R1", "Vets manage appointments and patient records"),
            req("R2", "Owners book appointments online"),
        ]
    )
    booking = next(u for u in rmap.units if u.ref == "booking")
    assert booking.words.verb == "book" and booking.words.thing == "appointments"


def test_signing_up_for_something_and_polling_a_service_are_no_accounts_or_votes() -> None:
    shifts = build_map([req("R1", "Volunteers sign up for food bank shifts")])
    assert "user_accounts" not in {u.ref for u in shifts.units}
    assert "user_accounts" in {u.ref for u in build_map([req("R1", "Users sign up with email")]).units}
    polling = build_map([req("R1", "Polls our Shopify store every 5 minutes for new orders")])
    assert "voting_polls" not in {u.ref for u in polling.units}
    assert "voting_polls" in {u.ref for u in build_map([req("R1", "Members answer polls")]).units}


def test_a_feature_alias_inside_a_proper_noun_is_part_of_the_name() -> None:
    from devussy.planner.requirement_map import named_in_proper_noun

    assert named_in_proper_noun("Converts UK Ordnance Survey grid references", "forms_surveys")
    assert not named_in_proper_noun("Send a survey to members after each event", "forms_surveys")
    assert not named_in_proper_noun("Survey members after each event", "forms_surveys")
    assert not named_in_proper_noun("Members fill in the Survey after each event", "forms_surveys")
