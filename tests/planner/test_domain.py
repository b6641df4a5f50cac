"""The brief's own words for a requirement: verb, thing, entity, test name, activity."""

from __future__ import annotations

import pytest

from devussy.planner.domain import activity, entity_of, gerund, singular, stem, words_of


@pytest.mark.parametrize(
    ("text", "verb", "thing", "keyword", "entity"),
    [
        ("Members vote on proposals", "vote", "proposals", "vote_proposals", "Proposal"),
        ("Members can book a spot in a class", "book", "spot", "book_spot", "Spot"),
        ("Uploads new files to S3", "uploads", "files", "upload_files", "File"),  # a verb before "new"
        ("Export them as CSV", "export", "CSV", "export_csv", None),  # a pronoun is no thing
        ("Configuration lives in a TOML file", None, "Configuration", "configuration", None),
        ("Booking climbing gym classes", "booking", "climbing gym classes", "book_gym_classes", "GymClass"),
    ],
)
def test_words_of_a_requirement(
    text: str, verb: str | None, thing: str, keyword: str, entity: str | None
) -> None:
    words = words_of(text)
    assert (words.verb, words.thing, words.keyword, words.entity) == (verb, thing, keyword, entity)


def test_a_noun_after_a_determiner_is_not_a_verb() -> None:
    assert words_of("Keep the book of records").verb == "keep"
    assert words_of("Configuration lives in a TOML file").verb is None  # "file" after "a TOML"


def test_numbers_with_separators_stay_one_word() -> None:
    assert "5,000" in activity(words_of("email me when a listing under 5,000 EUR appears"))


def test_every_entity_of_a_list_is_named() -> None:
    assert words_of("Track inventory items and stock movements").entities == ("InventoryItem", "Movement")


@pytest.mark.parametrize(
    ("tokens", "entity"),
    [
        (["gym", "classes"], "GymClass"),  # a vague head takes the word before it
        (["Strava"], None),  # a proper name is not a record
        (["admin", "dashboard"], None),  # a screen, not a record
        (["LDAP", "sign-in"], None),  # a capability, not a record
        (["how", "the", "team", "feels"], None),  # a clause
    ],
)
def test_entity_of(tokens: list[str], entity: str | None) -> None:
    assert entity_of(tokens) == entity


@pytest.mark.parametrize(
    ("verb", "form"),
    [("book", "booking"), ("vote", "voting"), ("plan", "planning"), ("see", "seeing"), ("tie", "tying")],
)
def test_gerund(verb: str, form: str) -> None:
    assert gerund(verb) == form


def test_activity_reads_as_a_noun_phrase() -> None:
    assert activity(words_of("Watches a folder")) == "watching a folder"
    assert activity(words_of("Daily email summary")) == "daily email summary"  # no verb: the phrase


def test_singular_and_stem() -> None:
    words = ("classes", "entries", "boxes", "status")
    assert [singular(w) for w in words] == ["class", "entry", "box", "status"]
    assert stem("ratings") == stem("rating") == stem("rated")


@pytest.mark.parametrize(
    "text",
    [
        "split the invoicing module out",
        "nobody may get a reminder twice",
        "see which students have paid",
        "an approval step by a second editor",
        "Looker already reads the tables",
    ],
)
def test_particles_participles_auxiliaries_and_storage_name_no_record(text: str) -> None:
    assert not {"Out", "Twice", "Paid", "Have", "Step", "Table"} & set(words_of(text).entities)
