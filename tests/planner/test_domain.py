"""The brief's own words for a requirement: verb, thing, entity, test name, activity."""

from __future__ import annotations

import pytest

from devussy.planner.domain import activity, doing, entity_of, gerund, imperative, singular, stem, words_of


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


def test_a_clause_after_the_verb_names_no_record() -> None:
    words = words_of("Committee see who has booked what each month as a CSV")
    assert words.entities == ()  # never a "What" record


def test_an_aside_and_a_time_after_the_object_are_not_the_thing() -> None:
    logs = words_of("Reads our nginx access logs (gzip rotated files too)")
    assert logs.thing == "nginx access logs" and "Too" not in logs.entities
    reminder = words_of("Email a reminder the evening before a booking")
    assert reminder.thing == "reminder"  # the reminder is sent; the evening is when


@pytest.mark.parametrize(
    ("text", "instruction", "activity_form"),
    [
        (
            "Members of our allotment society book the shared rotavator and trailer by the half day",
            "Book the shared rotavator and trailer",
            "booking the shared rotavator and trailer",
        ),
        (
            "Prints the top 20 slowest endpoints with p50/p95 latency",
            "Print the top 20 slowest endpoints",
            "printing the top 20 slowest endpoints",
        ),
        ("Email a reminder the evening before a booking", "Email a reminder", "emailing a reminder"),
        ("Refunds and top products", "Refunds and top products", "refunds and top products"),
    ],
)
def test_a_requirement_as_a_short_instruction_and_activity(
    text: str, instruction: str, activity_form: str
) -> None:
    words = words_of(text)
    assert imperative(words) == instruction
    assert doing(words) == activity_form


def test_acronym_verbs_keep_their_case_and_a_time_before_a_cut_goes_with_it() -> None:
    assert imperative(words_of("Members RSVP to rehearsals")) == "RSVP to rehearsals"
    assert doing(words_of("Members RSVP to rehearsals")) == "RSVPing to rehearsals"
    assert imperative(words_of("Emails the lab manager 14 days before a calibration expires")) == (
        "Email the lab manager"
    )
    assert imperative(words_of("Posts a summary of each merged pull request to a Slack channel")) == (
        "Post a summary of each merged pull request"
    )


def test_two_verbs_without_an_object_name_no_record() -> None:
    assert words_of("Walkers accept or decline").entities == ()
    assert words_of("Posts an OpenAI-written summary to the channel").entities == ()
    assert words_of("Teacher creates quizzes").entities == ("Quiz",)


def test_a_verb_s_particle_stays_with_it() -> None:
    assert imperative(words_of("Librarians check books in and out by scanning the ISBN")) == (
        "Check books in and out"
    )
    assert imperative(words_of("Volunteers sign up for food bank shifts")) == "Sign up for food bank shifts"
    assert doing(words_of("Volunteers sign up for food bank shifts")) == "signing up for food bank shifts"


def test_a_long_activity_ends_where_its_phrase_ends_not_mid_noun() -> None:
    words = words_of("Converts between old imperial survey chain measurements and metric lengths")
    assert doing(words, 6) == "converting between old imperial survey chain measurements"
