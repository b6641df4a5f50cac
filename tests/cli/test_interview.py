"""``devussy plan --interview``: questions in the terminal, answers from stdin."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from devussy.cli.app import build_parser
from devussy.cli.interview import CLOSING_ANSWERS, InterviewEcho, first_input, merge_flags, visible_reply
from devussy.errors import ProviderError
from devussy.events import RepairRequested
from devussy.llm.base import ChatRequest
from devussy.llm.mock import MockProvider
from devussy.models import DevPlan, ProjectBrief
from tests.cli.helpers import SECRET, assert_complete_plan, run_cli

# The builtin engine's interview asks, one at a time, only what the brief is missing; answers are
# lines on stdin (a pipe here), end of input means "done".

RECIPE_IDEA = "a recipe box web app where people save recipes"


def interview_question(key: str) -> str:
    from devussy.planner.interview import QUESTIONS

    return next(question.text for question in QUESTIONS if question.key == key)


def run_interview_cli(monkeypatch: pytest.MonkeyPatch, answers: str, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(answers))
    return run_cli("plan", RECIPE_IDEA, "--interview", "--plain", *argv)


def questions_in(out: str) -> list[str]:
    from devussy.planner.interview import QUESTIONS

    asked = []
    for block in out.split("\n\n"):
        asked += [question.key for question in QUESTIONS if question.text in block]
    return asked


def load_plan(out_dir: Path) -> tuple[ProjectBrief, DevPlan]:
    document = json.loads((out_dir / "plan.json").read_text())
    return ProjectBrief.model_validate(document["design"]["brief"]), DevPlan.model_validate(document["plan"])


def all_commands(plan: DevPlan) -> str:
    return "\n".join(step.test_command or "" for phase in plan.phases for step in phase.steps)


def test_interview_asks_what_is_missing_and_the_answers_shape_the_plan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = "save recipes, search by ingredient\nPython\nPostgreSQL\nemail and password\nFly.io\n"
    code, out, err = run_interview_cli(monkeypatch, answers, "--out", "o")
    assert (code, err) == (0, "")
    assert questions_in(out) == ["features", "language", "data_store", "auth", "deployment"]
    assert "> PostgreSQL\n" in out  # piped answers are echoed so the transcript reads well
    assert "Thanks, that is enough to plan **Recipe Box Web App**" in out
    assert "```" not in out and '"dataStores"' not in out  # the brief's json block is not shown
    assert out.index("Thanks, that is enough") < out.index("design    started")

    plan = assert_complete_plan(Path("o"))
    brief, _ = load_plan(Path("o"))
    assert (brief.languages, brief.data_stores, brief.deployment) == (["Python"], ["PostgreSQL"], "Fly.io")
    assert brief.goals == ["save recipes", "search by ingredient", "Users sign in with email and password"]
    assert "psql" in all_commands(plan)
    assert any("PostgreSQL" in step.title for phase in plan.phases for step in phase.steps)
    assert any("Accounts" in phase.title or "access control" in phase.title for phase in plan.phases)


def test_interview_other_answers_give_another_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = "save recipes, search by ingredient\nPython\nSQLite\nno\nFly.io\n"
    code, out, err = run_interview_cli(monkeypatch, answers, "--out", "o")
    assert questions_in(out) == ["features", "language", "data_store", "auth", "deployment"]
    assert (code, err) == (0, "")
    plan = assert_complete_plan(Path("o"))
    brief, _ = load_plan(Path("o"))
    assert brief.data_stores == ["SQLite"]
    assert brief.constraints == ["No login: users do not need accounts."]
    text = Path("o/plan.json").read_text()
    assert "PostgreSQL" not in text and "psql" not in all_commands(plan)
    assert not any("Accounts" in phase.title for phase in plan.phases)  # "no" to sign-in: no auth phase


def test_interview_done_finishes_early(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run_interview_cli(monkeypatch, "save recipes\ndone\nPostgreSQL\n", "--out", "o")
    assert (code, err) == (0, "")
    assert questions_in(out) == ["features", "language"]
    assert interview_question("data_store") not in out and "> done\n" in out
    assert_complete_plan(Path("o"))
    brief, _ = load_plan(Path("o"))
    assert brief.goals == ["save recipes"] and brief.data_stores == []  # "PostgreSQL" was never read


@pytest.mark.parametrize(
    ("answers", "asked"), [("", ["features"]), ("save recipes\n", ["features", "language"])]
)
def test_interview_end_of_input_means_done(
    monkeypatch: pytest.MonkeyPatch, answers: str, asked: list[str]
) -> None:
    code, out, err = run_interview_cli(monkeypatch, answers)
    assert (code, err) == (0, "")
    assert questions_in(out) == asked
    assert out.count("> ") == len(asked) and out.count("> done\n") == 1
    assert_complete_plan(Path("devussy-out/recipe-box-web-app"))


def test_interview_flags_are_not_asked_and_apply_on_top(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run_interview_cli(
        monkeypatch,
        "save recipes\nno\ndone\n",
        "--name",
        "Box",
        "--language",
        "Python",
        "--data-store",
        "PostgreSQL",
        "--integration",
        "Stripe",
    )
    assert (code, err) == (0, "")
    assert questions_in(out) == ["features", "auth", "deployment"]  # language and data store were given
    brief, plan = load_plan(Path("devussy-out/box"))  # --name names the output directory
    assert (brief.name, plan.project_name) == ("Box", "Box")
    assert (brief.languages, brief.data_stores) == (["Python"], ["PostgreSQL"])
    assert "Stripe" in brief.integrations and brief.constraints == ["No login: users do not need accounts."]


def test_interview_merge_flags_adds_to_the_interview_brief() -> None:
    args = build_parser().parse_args(
        ["plan", "x", "--name", "Box", "--language", "python", "--language", "Go", "--framework", "Gin"]
    )
    brief = ProjectBrief(name="Recipe Box", summary="s", languages=["Python"], data_stores=["SQLite"])
    merged = merge_flags(brief, args)
    assert (merged.name, merged.languages, merged.frameworks) == ("Box", ["Python", "Go"], ["Gin"])
    assert merged.data_stores == ["SQLite"] and merged.summary == "s"
    assert first_input(args) == ("x\n\nAlready decided — name: Box; languages: python, Go; frameworks: Gin.")


def test_interview_resume_skips_the_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run_interview_cli(monkeypatch, "save recipes\nPython\nSQLite\nno\nFly.io\n", "--out", "o")
    assert (code, err) == (0, "")
    first = Path("o/plan.json").read_text()
    code, out, err = run_interview_cli(monkeypatch, "", "--out", "o", "--resume")
    assert (code, err) == (0, "")
    assert out.startswith("Resuming Recipe Box Web App from o: the interview is already done.\n")
    assert questions_in(out) == [] and "started" not in out
    assert out.count("skipped: reused (checkpoint)") == len(load_plan(Path("o"))[1].phases) + 3
    again = json.loads(Path("o/plan.json").read_text())
    assert all(unit["reused"] for unit in again.pop("usage")["units"])  # nothing spent this time
    assert again == {key: value for key, value in json.loads(first).items() if key != "usage"}


def test_interview_resume_without_a_checkpoint_interviews(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run_interview_cli(monkeypatch, "done\n", "--out", "o", "--resume")
    assert (code, err) == (0, "")
    assert out.startswith("No interview to resume in o; starting with the interview.\n")
    assert questions_in(out) == ["features"]
    assert_complete_plan(Path("o"))


def test_interview_ctrl_c_exits_130_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(prompt: str = "") -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("builtins.input", interrupted)
    code, out, err = run_cli("plan", RECIPE_IDEA, "-i", "--out", "o")
    assert (code, err) == (130, "")
    assert questions_in(out) == ["features"] and not Path("o").exists()


def test_interview_too_long_an_idea_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("done\n"))
    code, out, err = run_cli("plan", "x" * 20_001, "-i", "--name", "Box", "--out", "o")
    assert (code, out) == (2, "") and not Path("o").exists()
    assert err == "devussy: error: with --interview the idea must be at most 20000 characters\n"


def test_interview_missing_key_fails_before_any_question(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run_interview_cli(monkeypatch, "Python\n", "--provider", "anthropic", "--out", "o")
    assert (code, out) == (2, "") and not Path("o").exists()
    assert err == "devussy: error: the anthropic provider needs ANTHROPIC_API_KEY\n"


def endless_interviewer(request: ChatRequest) -> list[str]:
    """An interview engine that never writes the brief, whatever it is told."""
    if request.task is None or request.task.stage != "interview":
        raise ProviderError("only interviews here", code="provider_bad_request")
    return ["And ", "one ", "more ", "thing?"]


def test_interview_an_engine_that_never_finishes_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from devussy.llm import registry

    engine = MockProvider(endless_interviewer)
    monkeypatch.setitem(registry._FACTORIES, "builtin", lambda settings, transport: engine)
    monkeypatch.setattr("devussy.cli.interview.MAX_QUESTIONS", 2)
    code, out, err = run_interview_cli(monkeypatch, "a\nb\nc\nd\n", "--out", "o")
    assert code == 1 and "Traceback" not in err
    assert err.startswith("devussy: error: interview: the interview engine kept asking")
    assert "--resume" not in err
    assert err.rstrip().endswith("[provider_bad_response]")
    inputs = [request.messages[-1].content for request in engine.requests]
    assert inputs == [RECIPE_IDEA, "a", "b", *CLOSING_ANSWERS]  # "c" and "d" were never asked for
    assert out.count("And one more thing?") == 5 and "> done (2 questions are enough)" in out
    assert not Path("o").exists()


def test_interview_provider_error_is_one_line_without_a_resume_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    from devussy.llm import registry

    def down(request: ChatRequest) -> str:
        raise ProviderError(f"upstream down (key {SECRET})", code="provider_unavailable")

    monkeypatch.setitem(registry._FACTORIES, "builtin", lambda settings, transport: MockProvider(down))
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    code, _, err = run_interview_cli(monkeypatch, "", "--provider", "builtin", "--out", "o")
    assert (code, err) == (1, "devussy: error: interview: upstream down (key ***) [provider_unavailable]\n")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Where should", "Where should"),
        ("Where should the data live?\n\n``", "Where should the data live?"),
        ('Thanks.\n\n```json\n{"name": "x"', "Thanks."),
        ("Thanks.\n```json\n{}\n```\nmore", "Thanks."),
        ("<think>hmm</think>Which language?", "Which language?"),
        ("<thi", ""),
        ("<think>still thinking", ""),
        ("Which ~ language?", "Which ~ language?"),
    ],
)
def test_interview_visible_reply_hides_the_brief_block_and_reasoning(raw: str, shown: str) -> None:
    assert visible_reply(raw) == shown


async def test_interview_echo_streams_then_prints_what_parsing_kept() -> None:
    out = io.StringIO()
    echo = InterviewEcho(out)
    for token in ["Thanks", ", done.", "\n\n`", "``json\n", '{"name": "X"}', "\n```\n"]:
        await echo.on_token_async(token)
    assert out.getvalue() == "Thanks, done."
    echo.finish("Thanks, done.")
    await echo.on_progress_async(RepairRequested(errors=["x"]))
    await echo.on_token_async("Second")
    echo.finish("Second try")
    assert out.getvalue() == (
        "Thanks, done.\n(the answer did not parse; asking the engine again)\nSecond try\n"
    )


def test_interview_streams_from_an_openai_compatible_server(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fakes.openai_server import FakeOpenAIServer
    from tests.fakes.stage_responder import StageResponder

    with FakeOpenAIServer(responder=StageResponder(), tokens_per_second=5000) as server:
        monkeypatch.setenv("OPENAI_API_KEY", SECRET)
        monkeypatch.setenv("DEVUSSY_BASE_URL", server.base_url)
        code, out, err = run_interview_cli(
            monkeypatch,
            "save recipes\nPython\nPostgreSQL\n",
            "--provider",
            "openai",
            "--model",
            "m",
            "--out",
            "o",
        )
        interview_requests = [
            r
            for r in server.chat_requests()
            if "Devussy stage: interview" in r.body["messages"][0]["content"]
        ]
    assert (code, err) == (0, "")
    assert questions_in(out) == ["features", "language", "data_store", "auth"]
    assert "```" not in out and SECRET not in out
    assert len(interview_requests) == 5 and all(r.body.get("stream") for r in interview_requests)
    last = [m["content"] for m in interview_requests[-1].body["messages"][1:]]
    assert last[0] == RECIPE_IDEA and last[-1] == "done" and interview_question("auth") in last[-2]
    brief, _ = load_plan(Path("o"))
    assert brief.data_stores == ["PostgreSQL"]


def test_interview_via_subprocess_with_piped_answers(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DEVUSSY_") and "API_KEY" not in k}
    done = subprocess.run(
        [sys.executable, "-m", "devussy", "plan", RECIPE_IDEA, "-i", "--out", "o"],
        input="save recipes, search by ingredient\nPython\nPostgreSQL\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=base,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert questions_in(done.stdout) == ["features", "language", "data_store", "auth"]
    assert "> PostgreSQL\n" in done.stdout and "> done\n" in done.stdout
    plan = assert_complete_plan(tmp_path / "o")
    assert "psql" in all_commands(plan)
    assert "Start with o/devplan.md" in done.stdout


def test_an_interview_longer_than_the_offline_engine_reads_exits_2_with_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from devussy.llm.builtin import MAX_INTERVIEW_CHARS, MAX_INTERVIEW_TURNS

    idea = "a tool " + "lorem " * 3_000
    long_answer = "ipsum " * 3_300  # each answer is cut to 20 000 characters
    monkeypatch.setattr(sys, "stdin", io.StringIO((long_answer + "\n") * 8))
    code, _, err = run_cli("plan", idea, "--interview", "--plain", "--out", "o")
    assert code == 2
    assert err.startswith(
        f"devussy: error: the offline engine reads at most {MAX_INTERVIEW_TURNS} interview turns and "
        f"{MAX_INTERVIEW_CHARS} characters; this interview has "
    )
    assert "Traceback" not in err and not Path("o/plan.json").exists()


def test_an_answer_that_is_not_utf8_is_a_usage_error_not_an_engine_error(tmp_path: Path) -> None:
    # A real process: stdin decodes bytes that are not UTF-8 to lone surrogates (surrogateescape).
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEVUSSY_") and "API_KEY" not in k}
    done = subprocess.run(
        [sys.executable, "-m", "devussy", "plan", RECIPE_IDEA, "-i", "--plain", "--out", "o"],
        input=b"caf\xe9 recipes\nPython\n",
        capture_output=True,
        timeout=60,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 2, done.stderr
    expected = "devussy: error: an answer on stdin is not UTF-8 text; send the answers as UTF-8\n"
    assert done.stderr.decode() == expected
    assert not (tmp_path / "o").exists()


def test_an_idea_that_is_not_utf8_is_a_usage_error(engine: Any) -> None:
    code, out, err = run_cli("plan", "caf\udce9 recipes", "--out", "o")
    assert (code, out) == (2, "") and "not UTF-8" in err and engine.stages == []
