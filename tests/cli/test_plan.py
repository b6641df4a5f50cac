"""``devussy plan``: the brief, the settings, the run view, the artifacts, resume."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from devussy.artifacts import read_section
from devussy.cli.plan import derive_name
from devussy.cli.views import RunView
from devussy.config import Settings
from devussy.errors import ProviderError
from devussy.models import DevPlan, ProjectBrief
from devussy.pipeline.runner import PipelineRunner
from tests.cli.helpers import SECRET, StageAnswers, assert_complete_plan, run_cli, run_subprocess


def test_plan_writes_artifacts_and_prints_plain_events(engine: StageAnswers, tmp_path: Path) -> None:
    code, out, err = run_cli("plan", "a recipe box with search. Later more.", "--plain")
    assert (code, err) == (0, "")
    out_dir = Path("devussy-out/recipe-box")
    names = [
        "design.md",
        "devplan.md",
        "handoff.md",
        "phase1.md",
        "phase2.md",
        "phase3.md",
        "plan.json",
        "review.md",
    ]
    assert sorted(p.name for p in out_dir.iterdir() if not p.name.startswith(".")) == sorted(
        [*names, "recipe-box-devplan.zip"]
    )
    with zipfile.ZipFile(out_dir / "recipe-box-devplan.zip") as archive:
        assert sorted(archive.namelist()) == [f"recipe-box/{name}" for name in names]
        assert archive.read("recipe-box/plan.json") == (out_dir / "plan.json").read_bytes()
    devplan = (out_dir / "devplan.md").read_text()
    assert read_section(devplan, "next_task_group").startswith("- [ ] **1.1 Step 1 of Part 1")
    lines = out.splitlines()
    assert any(line.endswith("design    started") for line in lines)
    assert any(re.search(r"phase 2   finished \(\d+ tokens\)$", line) for line in lines)
    assert any(line.endswith("plan      parsed phase 3: Part 3 – build") for line in lines)
    total = re.search(rf"Wrote 9 files to {out_dir}, (\d+) tokens:", out)
    completion = sum(int(n) for n in re.findall(r"finished \((\d+) tokens\)", out))
    assert total and int(total.group(1)) > completion > 0  # the total counts prompt tokens too
    assert "skipped" not in out


def test_plan_flags_build_brief_and_override_settings(
    engine: StageAnswers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from devussy.cli import plan as cli_plan

    monkeypatch.setenv("DEVUSSY_MODEL", "from-env")
    made: list[tuple[Settings, Path]] = []
    real_make_runner = cli_plan.make_runner

    def spy(settings: Settings, observer: RunView, out_dir: Path) -> PipelineRunner:
        made.append((settings, out_dir))
        return real_make_runner(settings, observer, out_dir)

    monkeypatch.setattr(cli_plan, "make_runner", spy)
    code, _, err = run_cli(
        "plan",
        "an app to track expenses",
        "--name",
        "Box",
        "--provider",
        "builtin",
        "--model",
        "m1",
        "--concurrency",
        "5",
        "--language",
        "Python",
        "--language",
        "SQL",
        "--framework",
        "FastAPI",
        "--data-store",
        "Postgres",
        "--integration",
        "Stripe",
        "--out",
        str(tmp_path / "o"),
    )
    assert code == 0, err
    ((settings, out_dir),) = made
    assert (settings.provider, settings.model, settings.max_concurrency) == ("builtin", "m1", 5)
    assert out_dir == tmp_path / "o"
    brief = DevPlan.model_validate(json.loads((tmp_path / "o/plan.json").read_text())["plan"]).brief
    assert brief is not None
    assert (brief.name, brief.summary, brief.languages, brief.frameworks) == (
        "Box",
        "an app to track expenses",
        ["Python", "SQL"],
        ["FastAPI"],
    )
    assert (brief.data_stores, brief.integrations) == (["Postgres"], ["Stripe"])


def test_resume_reuses_checkpoints(engine: StageAnswers, tmp_path: Path) -> None:
    assert run_cli("plan", "idea", "--out", "o", "--plain")[0] == 0
    engine.stages.clear()
    code, out, _ = run_cli("plan", "idea", "--out", "o", "--plain", "--resume")
    assert code == 0 and engine.stages == []
    assert out.count("skipped: reused (checkpoint)") == 6  # design, plan, three phases, handoff


def test_rerun_keeps_the_progress_log(engine: StageAnswers) -> None:
    from devussy.artifacts import update_progress_log

    idea = "a recipe box to save and search recipes"  # the offline engine refuses a bare "idea"
    run_cli("plan", idea, "--out", "o")
    devplan = Path("o/devplan.md")
    devplan.write_text(update_progress_log(devplan.read_text(), "did 1.1"))
    run_cli("plan", idea, "--out", "o", "--resume")
    assert read_section(devplan.read_text(), "progress_log") == "- did 1.1"


def test_out_must_be_a_directory(engine: StageAnswers, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    code, _, err = run_cli("plan", "x", "--out", str(tmp_path / "file"))
    assert code == 2 and "is not a directory" in err and engine.stages == []


def test_plain_view_is_used_when_stdout_is_not_a_terminal(engine: StageAnswers) -> None:
    code, out, _ = run_cli("plan", "x", "--out", "o")
    assert code == 0 and "\x1b[" not in out and "design    started" in out


def test_derive_name() -> None:
    assert derive_name("a recipe box with search. And more") == "Recipe Box"
    assert derive_name("An expense tracker called Pennywise") == "Pennywise"
    assert derive_name("\n  one two three four five six seven eight nine ten\nsecond") == (
        "One Two Three Four Five"
    )
    assert derive_name("???") == "New Project"
    assert len(derive_name("x" * 200)) <= 80


# --------------------------------------------------------------------------- the real runner
def test_real_runner_writes_a_complete_plan(engine: StageAnswers) -> None:
    code, out, err = run_cli("plan", "TaskFlow: a team task tracker", "--name", "TaskFlow", "--out", "o")
    assert (code, err) == (0, "")
    assert sorted(engine.stages) == [
        "basic_plan",
        "design",
        "handoff",
        "phase_detail",
        "phase_detail",
        "phase_detail",
    ]
    files = sorted(p.name for p in Path("o").iterdir() if p.is_file())
    assert files == [
        "design.md",
        "devplan.md",
        "handoff.md",
        "phase1.md",
        "phase2.md",
        "phase3.md",
        "plan.json",
        "review.md",
        "taskflow-devplan.zip",
    ]
    document = json.loads(Path("o/plan.json").read_text())
    plan = DevPlan.model_validate(document["plan"])
    assert all(phase.steps for phase in plan.phases)
    assert "- [ ] **2.1 Step 1 of Part 2 – build**" in Path("o/phase2.md").read_text()
    assert Path("o/.devussy/checkpoint.json").is_file()
    assert "phase 3   finished" in out and "Wrote 9 files to o" in out


def test_real_runner_resume_reuses_the_checkpoint(engine: StageAnswers) -> None:
    down = ProviderError("phase 2: upstream down", code="provider_unavailable")
    engine.fail_at("phase_detail", down, phase=2)
    code, out, err = run_cli("plan", "TaskFlow tracker", "--out", "o", "--plain")
    assert code == 1 and "[provider_unavailable]" in err and "--resume" in err
    assert "phase 2   failed: provider_unavailable" in out
    assert not Path("o/devplan.md").exists()

    engine.fail, engine.stages = None, []
    code, out, err = run_cli("plan", "TaskFlow tracker", "--out", "o", "--plain", "--resume")
    assert (code, err) == (0, "")
    assert engine.stages == ["phase_detail"]  # only what had not finished
    assert out.count("skipped: reused (checkpoint)") == 5  # design, plan, phases 1 and 3, handoff
    assert Path("o/phase2.md").read_text().count("- [ ] **2.") == 2
    title = DevPlan.model_validate(json.loads(Path("o/plan.json").read_text())["plan"]).phases[1].title
    assert f"phase 2   started: {title}" in out  # the reused plan still names the phase


def test_resume_with_another_idea_is_a_clear_error(engine: StageAnswers) -> None:
    assert run_cli("plan", "first idea", "--out", "o")[0] == 0
    code, _, err = run_cli("plan", "second idea", "--out", "o", "--resume")
    assert code == 2 and "belongs to a different brief" in err


# --------------------------------------------------------------------------- the builtin engine, end to end


def test_builtin_engine_in_process_then_resume() -> None:
    code, out, err = run_cli(
        "plan",
        "a recipe box web app with ingredient search",
        "--out",
        "o",
        "--language",
        "Python",
        "--framework",
        "FastAPI",
    )
    assert (code, err) == (0, "")
    plan = assert_complete_plan(Path("o"))
    assert "FastAPI" in (Path("o") / "design.md").read_text()
    code, out, err = run_cli(
        "plan",
        "a recipe box web app with ingredient search",
        "--out",
        "o",
        "--language",
        "Python",
        "--framework",
        "FastAPI",
        "--resume",
    )
    assert (code, err) == (0, "")
    assert out.count("skipped: reused (checkpoint)") == len(plan.phases) + 3 and "started" not in out


def test_a_shorter_plan_in_the_same_folder_names_the_phase_files_it_left_alone() -> None:
    saas = "a multi-tenant SaaS for clinics with stripe payments, postgres, chat and an admin dashboard"
    assert run_cli("plan", saas, "--out", "o", "--plain")[0] == 0
    longer = len(list(Path("o").glob("phase*.md")))
    code, out, err = run_cli("plan", "a command line tool that renames photos", "--out", "o", "--plain")
    assert (code, err) == (0, "")
    shorter = len(json.loads(Path("o/plan.json").read_text())["plan"]["phases"])
    assert longer > shorter
    names = ", ".join(f"phase{n}.md" for n in range(shorter + 1, longer + 1))
    assert f"Left alone: {names} in o (from an earlier plan; this one has {shorter} phases)" in out


def test_builtin_engine_via_subprocess_without_a_key(tmp_path: Path) -> None:
    done = run_subprocess("plan", "a command line tool that renames photos by date", "--plain", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out_dir = tmp_path / "devussy-out" / "command-line-tool"  # the idea's leading noun phrase
    assert_complete_plan(out_dir)
    assert f"Start with {out_dir.relative_to(tmp_path) / 'devplan.md'}" in done.stdout


def test_ctrl_c_in_a_real_run_exits_130_and_keeps_checkpoints(tmp_path: Path) -> None:
    import selectors
    import signal

    driver = tmp_path / "driver.py"
    driver.write_text(
        "import asyncio, sys\n"
        "from devussy import cli\n"
        "from devussy.llm import registry\n"
        "from devussy.llm.mock import MockProvider\n"
        "from tests.cli.helpers import StageAnswers\n"
        "answers = StageAnswers()\n"
        "async def slow(request):\n"
        "    if request.task.stage == 'phase_detail':\n"
        "        await asyncio.sleep(30)\n"
        "    return answers(request)\n"
        "engine = MockProvider(slow, name='builtin')\n"
        "registry.register_provider('builtin', lambda settings, transport: engine)\n"
        "sys.exit(cli.main(['plan', 'TaskFlow tracker', '--out', 'o', '--plain']))\n"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("DEVUSSY_") and "API_KEY" not in k}
    process = subprocess.Popen(
        [sys.executable, str(driver)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**base, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        cwd=tmp_path,
    )
    try:
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
        seen = ""
        while "phase 1   started" not in seen:
            assert selector.select(timeout=20), f"no progress: {seen!r}"
            line = process.stdout.readline()  # type: ignore[union-attr]
            assert line, f"exited early: {seen!r} {process.stderr.read()}"  # type: ignore[union-attr]
            seen += line
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
    assert process.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    checkpoint = json.loads((tmp_path / "o" / ".devussy" / "checkpoint.json").read_text())
    assert checkpoint["design"] and checkpoint["plan"]


# --------------------------------------------------------------------------- an OpenAI-compatible server


def test_openai_provider_against_a_loopback_server_with_a_cut_stream_then_resume(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.fakes.openai_server import FakeOpenAIServer, cut_after
    from tests.fakes.stage_responder import StageResponder

    with FakeOpenAIServer(responder=StageResponder(), tokens_per_second=5000) as server:
        monkeypatch.setenv("OPENAI_API_KEY", SECRET)
        monkeypatch.setenv("DEVUSSY_BASE_URL", server.base_url)
        server.add_rule(r"Detail Phase 2:", cut_after(3))
        idea = "a recipe box web app to save recipes and search them by ingredient"
        argv = ["plan", idea, "--provider", "openai", "--model", "fake-model", "--out", "o"]

        code, out, err = run_cli(*argv, "--plain")
        assert code == 1 and "phase 2" in err and "--resume" in err
        assert "phase 2   failed: provider_interrupted" in out
        assert not Path("o/devplan.md").exists()

        before = len(server.chat_requests())
        code, out, err = run_cli(*argv, "--plain", "--resume")
        assert (code, err) == (0, "")
        assert len(server.chat_requests()) - before == 1  # phase 2; the handoff needed only phase 1
        assert all(r.body.get("model") == "fake-model" for r in server.chat_requests())

    assert_complete_plan(Path("o"))
    written = [p.read_bytes() for p in Path("o").rglob("*") if p.is_file() and p.suffix != ".zip"]
    for archive_path in Path("o").glob("*.zip"):
        with zipfile.ZipFile(archive_path) as archive:
            written += [archive.read(name) for name in archive.namelist()]
    assert SECRET not in out + err
    assert not any(SECRET.encode() in content for content in written)


def test_missing_key_fails_before_anything_runs() -> None:
    code, out, err = run_cli("plan", "x", "--provider", "anthropic", "--out", "o")
    assert code == 2 and out == "" and not Path("o").exists()
    assert err == "devussy: error: the anthropic provider needs ANTHROPIC_API_KEY\n"


# ---------------------------------------------------------------- briefs the offline engine refuses


@pytest.mark.parametrize(
    ("idea", "says"),
    [
        ("todo", "too short to plan"),
        ("An app for my business", "too short to plan"),
        ("A web app for our team, built with Django and PostgreSQL", "names no feature"),
        ("Una aplicación para reservar clases de yoga con pagos en línea", "only reads English"),
    ],
)
def test_a_vague_or_non_english_brief_exits_2_with_questions_and_writes_nothing(idea: str, says: str) -> None:
    code, out, err = run_cli("plan", idea, "--out", "o", "--plain")
    assert code == 2 and out == ""
    assert says in err and "devussy plan --interview" in err
    assert "1. What should it do?" in err
    assert not Path("o").exists()


def test_the_vague_brief_check_is_for_the_offline_engine_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from devussy.cli.plan import refuse_vague_offline_brief

    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("DEVUSSY_PROVIDER", "openai")
    monkeypatch.setenv("DEVUSSY_MODEL", "gpt-4o")
    refuse_vague_offline_brief(Settings.from_env(), ProjectBrief(name="todo", summary="todo"))  # no error


def test_an_emoji_split_by_the_upstream_survives_a_repair_round(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fakes.openai_server import FakeOpenAIServer, tokenize
    from tests.fakes.stage_responder import StageResponder

    def split_astral(text: str) -> list[str]:
        """Stream tokens, with every emoji cut into its two UTF-16 halves (providers do that)."""
        chunks = []
        for token in tokenize(text):
            data = token.encode("utf-16-le", "surrogatepass")
            units = [data[i : i + 2].decode("utf-16-le", "surrogatepass") for i in range(0, len(data), 2)]
            chunks += units if any("\ud800" <= unit <= "\udfff" for unit in units) else [token]
        return chunks

    stages = StageResponder()
    calls: list[int] = []

    def respond(body: dict[str, Any]) -> str:
        calls.append(1)
        return "Sorry \U0001f600 no design here" if len(calls) == 1 else stages(body)  # → a repair request

    with FakeOpenAIServer(responder=respond, tokenizer=split_astral) as server:
        monkeypatch.setenv("OPENAI_API_KEY", SECRET)
        monkeypatch.setenv("DEVUSSY_BASE_URL", server.base_url)
        idea = "a recipe box web app to save and search recipes"
        argv = ["plan", idea, "--provider", "openai", "--model", "fake-model", "--out", "o"]
        code, _, err = run_cli(*argv, "--plain")
        requests = server.chat_requests()
    assert (code, err) == (0, ""), err
    repair = requests[1].body
    assert repair is not None and "Sorry \U0001f600 no design here" in repair["messages"][-1]["content"]
    assert_complete_plan(Path("o"))


def test_a_very_long_name_still_gets_a_folder(engine: StageAnswers) -> None:
    name = "Plan " + "n" * 494  # 499 characters: the longest a brief's name may be
    code, _, err = run_cli("plan", "a todo app", "--name", name, "--plain")
    assert (code, err) == (0, ""), err
    folders = list(Path("devussy-out").iterdir())
    assert len(folders) == 1 and len(folders[0].name) <= 60
    assert_complete_plan(folders[0])


def test_non_latin_names_do_not_share_a_folder(engine: StageAnswers) -> None:
    for name in ("Проект А", "Проект Б"):
        assert run_cli("plan", "a todo app", "--name", name, "--plain")[0] == 0
    folders = sorted(path.name for path in Path("devussy-out").iterdir())
    assert len(folders) == 2 and all(folder.startswith("project-") for folder in folders)


def test_review_reviews_corrects_and_writes_review_md(engine: StageAnswers) -> None:
    code, out, err = run_cli("plan", "TaskFlow tracker", "--out", "o", "--plain", "--review")
    assert (code, err) == (0, "")
    assert engine.stages[:4] == ["design", "design_review", "design", "basic_plan"]
    assert "review    finished" in out
    assert re.search(r"Design review: \d+ finding\(s\), corrected in one round", out)
    review = Path("o/review.md").read_text()
    assert "An LLM reviewer read the design as well." in review and "Name the task states." in review
    assert json.loads(Path("o/plan.json").read_text())["review"]["corrected"] is True


def test_without_review_the_rule_checks_are_reported_only(engine: StageAnswers) -> None:
    code, out, err = run_cli("plan", "TaskFlow tracker", "--language", "Rust", "--out", "o", "--plain")
    assert (code, err) == (0, "")
    assert "design_review" not in engine.stages and engine.stages.count("design") == 1
    assert "Design review: 1 finding(s), not corrected: rule checks only (no --review)" in out
    assert "the brief names Rust, but the design does not use it" in Path("o/review.md").read_text()
