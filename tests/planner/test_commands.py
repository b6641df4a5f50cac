"""Test commands: the names a step's test goes by, and the syntax check the corpus and bench use."""

from __future__ import annotations

import pytest

from devussy.planner.commands import command_problems, name_forms


def test_name_forms() -> None:
    assert name_forms("Book a spot!") == {
        "kw": "book_a_spot",
        "Kw": "BookASpot",
        "kwf": "bookaspot",
        "kwk": "book-a-spot",
    }
    assert name_forms("???")["kw"] == "feature"


@pytest.mark.parametrize(
    "command",
    [
        "pytest tests/test_booking.py",
        "cargo test --test upload_files",
        "go test ./internal/reconcile/",
        "npm test -- tests/sales.test.ts",
        "python manage.py makemigrations --check && pytest tests/test_models.py",
        "stripe trigger payment_intent.succeeded && pytest tests/test_stripe.py",
        "xcodebuild test -scheme 'Step Story' -destination 'platform=iOS Simulator,name=iPhone 15'",
        "./gradlew testDebugUnitTest --tests '*NfcTest'",
        "ctest --test-dir build -R '^readings$' --no-tests=error --output-on-failure",
        'curl --fail --silent --show-error "$APP_URL/health"',
        "CI=true npx jest tests/checkout.test.js",
        "make docker-build IMG=ops:dev && make test-e2e",
    ],
)
def test_commands_the_planner_writes_are_valid(command: str) -> None:
    assert command_problems(command) == []


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("pytest 'tests/test_a.py", "shell syntax"),  # unbalanced quote
        ("cargo tset", "cargo has no sub-command 'tset'"),
        ("go", "go needs a sub-command"),
        ("frobnicate --all", "unknown tool 'frobnicate'"),
        ("npx left-pad", "npx runs an unknown package 'left-pad'"),
        ("python -m", "python -m needs a module"),
        ("&& pytest", "nothing before '&&'"),
        ("FOO=1", "only environment assignments"),
        ("", "empty command"),
    ],
)
def test_invalid_commands_say_why(command: str, problem: str) -> None:
    assert any(p.startswith(problem) for p in command_problems(command)), command_problems(command)
