from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from rich.console import Console

from devussy import cli
from devussy.artifacts import read_section
from devussy.config import Settings
from devussy.errors import ConfigError, ProviderError
from devussy.models import DevPlan, Handoff, Phase, ProjectBrief, Step, Usage, slugify

SECRET = "sk-test-SECRET"


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("DEVUSSY_") or name in {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"}:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray devussy.toml, and the default --out lands in tmp


# --------------------------------------------------------------------------- a runner double
# Speaks the runner contract (observer sinks, progress events, checkpoints, RunResult) so the CLI
# can be tested on its own; the real pipeline is exercised further down.


@dataclass
class FakeResult:
    design: Any
    plan: DevPlan
    handoff: Handoff | None
    usage: Usage


def small_plan(brief: ProjectBrief) -> DevPlan:
    def step(phase: int, n: int) -> Step:
        return Step(id=f"{phase}.{n}", title=f"Do {phase}.{n}", details="details", acceptance_criteria=["ok"],
                    test_command="pytest -q")

    return DevPlan(
        project_name=brief.name,
        summary=brief.summary,
        phases=[Phase(number=n, title=f"Phase {n}", summary="s", depends_on=list(range(1, n)),
                      steps=[step(n, 1), step(n, 2)]) for n in (1, 2)],
    )


class FakeRunner:
    created: ClassVar[list[FakeRunner]] = []

    def __init__(
        self, settings: Settings, observer: Any, checkpoint_dir: Path, fail: BaseException | None = None
    ) -> None:
        self.settings, self.observer, self.checkpoint_dir = settings, observer, checkpoint_dir
        self.fail = fail
        self.resume: bool | None = None
        FakeRunner.created.append(self)

    async def _unit(self, stage: str, phase: int | None = None) -> None:
        sink = self.observer.sink(stage, phase)
        marker = self.checkpoint_dir / ".fake-checkpoints" / f"{stage}-{phase}"
        if self.resume and marker.exists():
            await sink.on_progress_async({"event": "skipped", "reason": "checkpoint"})
            return
        await sink.on_progress_async({"event": "start"})
        for token in ("a", "b", "c"):
            await sink.on_token_async(token)
        if self.fail is not None and phase == 2:
            await sink.on_progress_async({"event": "failed", "code": "provider_timeout", "message": "slow"})
            raise self.fail
        usage = {"promptTokens": 5, "completionTokens": 7}
        await sink.on_progress_async({"event": "finished", "usage": usage})
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("done")

    async def run(self, brief: ProjectBrief, *, resume: bool = False) -> FakeResult:
        self.resume = resume
        await self._unit("design")
        await self._unit("basic_plan")
        for number in (1, 2):
            await self._unit("phase_detail", number)
        await self._unit("handoff")
        handoff = Handoff(project_name=brief.name, prompt="Start at 1.1", start_phase=1, start_step="1.1")
        return FakeResult(None, small_plan(brief), handoff, Usage(prompt_tokens=25, completion_tokens=35))


@pytest.fixture
def fake_runner(monkeypatch: pytest.MonkeyPatch) -> type[FakeRunner]:
    FakeRunner.created = []
    monkeypatch.setattr(cli, "make_runner", lambda settings, observer, checkpoint_dir: FakeRunner(
        settings, observer, checkpoint_dir))
    return FakeRunner


# --------------------------------------------------------------------------- plan command


def test_plan_writes_artifacts_and_prints_plain_events(fake_runner: type[FakeRunner], tmp_path: Path) -> None:
    code, out, err = run_cli("plan", "a recipe box with search. Later more.", "--plain")
    assert (code, err) == (0, "")
    out_dir = Path("devussy-out/recipe-box")
    assert sorted(p.name for p in out_dir.iterdir() if not p.name.startswith(".")) == [
        "devplan.md", "handoff.md", "phase1.md", "phase2.md", "plan.json", "recipe-box-devplan.zip"]
    with zipfile.ZipFile(out_dir / "recipe-box-devplan.zip") as archive:
        assert sorted(archive.namelist()) == [f"recipe-box/{name}" for name in [
            "devplan.md", "handoff.md", "phase1.md", "phase2.md", "plan.json"]]
        assert archive.read("recipe-box/plan.json") == (out_dir / "plan.json").read_bytes()
    devplan = (out_dir / "devplan.md").read_text()
    assert read_section(devplan, "next_task_group").startswith("- [ ] **1.1 Do 1.1**")
    lines = out.splitlines()
    assert any(line.endswith("design    started") for line in lines)
    assert any(line.endswith("phase 2   finished (7 tokens)") for line in lines)
    assert f"Wrote 6 files to {out_dir}, 60 tokens:" in out
    assert fake_runner.created[0].resume is False


def test_plan_flags_build_brief_and_override_settings(
    fake_runner: type[FakeRunner], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEVUSSY_MODEL", "from-env")
    captured: dict[str, Any] = {}
    original_run = FakeRunner.run

    async def spy(self: FakeRunner, brief: ProjectBrief, *, resume: bool = False) -> FakeResult:
        captured["brief"] = brief
        return await original_run(self, brief, resume=resume)

    monkeypatch.setattr(FakeRunner, "run", spy)
    code, _, err = run_cli(
        "plan", "an app", "--name", "Box", "--provider", "builtin", "--model", "m1", "--concurrency", "5",
        "--language", "Python", "--language", "SQL", "--framework", "FastAPI", "--data-store", "Postgres",
        "--integration", "Stripe", "--out", str(tmp_path / "o"),
    )
    assert code == 0, err
    settings = fake_runner.created[0].settings
    assert (settings.provider, settings.model, settings.max_concurrency) == ("builtin", "m1", 5)
    brief = captured["brief"]
    assert (brief.name, brief.summary, brief.languages, brief.frameworks) == (
        "Box", "an app", ["Python", "SQL"], ["FastAPI"])
    assert (brief.data_stores, brief.integrations) == (["Postgres"], ["Stripe"])
    assert fake_runner.created[0].checkpoint_dir == tmp_path / "o"


def test_resume_reuses_checkpoints(fake_runner: type[FakeRunner], tmp_path: Path) -> None:
    assert run_cli("plan", "idea", "--out", "o", "--plain")[0] == 0
    code, out, _ = run_cli("plan", "idea", "--out", "o", "--plain", "--resume")
    assert code == 0 and fake_runner.created[1].resume is True
    assert out.count("skipped: reused (checkpoint)") == 5


def test_rerun_keeps_the_progress_log(fake_runner: type[FakeRunner]) -> None:
    from devussy.artifacts import update_progress_log

    run_cli("plan", "idea", "--out", "o")
    devplan = Path("o/devplan.md")
    devplan.write_text(update_progress_log(devplan.read_text(), "did 1.1"))
    run_cli("plan", "idea", "--out", "o", "--resume")
    assert read_section(devplan.read_text(), "progress_log") == "- did 1.1"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["plan"], "the following arguments are required: idea"),
        (["plan", "x", "--concurrency", "0"], "--concurrency: must be at least 1"),
        (["plan", "x", "--concurrency", "many"], "expected a whole number"),
        (["plan", "x", "--provider", "gpt"], "invalid choice: 'gpt'"),
        (["plan", "x", "--bogus"], "unrecognized arguments: --bogus"),
        (["plan", "   "], "the idea cannot be empty"),
        (["plan", "x", "--name", "y" * 600], "invalid name"),
        (["serve", "--port", "70000"], "must be a port number"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    argv: list[str], message: str, fake_runner: type[FakeRunner]
) -> None:
    code, out, err = run_cli(*argv)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and not fake_runner.created


def test_bad_environment_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, fake_runner: type[FakeRunner]
) -> None:
    monkeypatch.setenv("DEVUSSY_PROVIDER", "bogus")
    code, _, err = run_cli("plan", "x")
    assert code == 2 and err.startswith("devussy: error: DEVUSSY_PROVIDER='bogus' is not a known provider")


def test_out_must_be_a_directory(fake_runner: type[FakeRunner], tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    code, _, err = run_cli("plan", "x", "--out", str(tmp_path / "file"))
    assert code == 2 and "is not a directory" in err


def fail_with(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    monkeypatch.setattr(cli, "make_runner", lambda settings, observer, checkpoint_dir: FakeRunner(
        settings, observer, checkpoint_dir, fail=error))


def test_run_failure_exits_1_with_code_and_resume_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    error = ProviderError(f"timed out talking to upstream with key {SECRET}", code="provider_timeout")
    fail_with(monkeypatch, error)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    code, out, err = run_cli("plan", "x", "--out", "o", "--plain")
    assert code == 1
    assert err.startswith("devussy: error: timed out talking to upstream with key *** [provider_timeout]")
    assert "--resume" in err and "Traceback" not in err and SECRET not in out + err
    assert "phase 2   failed: provider_timeout: slow" in out
    assert not Path("o/devplan.md").exists() and Path("o/.fake-checkpoints/phase_detail-1").exists()


def test_config_error_during_run_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    fail_with(monkeypatch, ConfigError("the openai provider needs OPENAI_API_KEY"))
    code, _, err = run_cli("plan", "x", "--out", "o")
    assert code == 2 and err == "devussy: error: the openai provider needs OPENAI_API_KEY\n"


def test_ctrl_c_exits_130_with_resume_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    fail_with(monkeypatch, KeyboardInterrupt())
    code, _, err = run_cli("plan", "x", "--out", "o")
    assert code == 130 and "--resume" in err and "Traceback" not in err


def test_unexpected_exception_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    fail_with(monkeypatch, RuntimeError("boom"))
    code, _, err = run_cli("plan", "x", "--out", "o")
    assert code == 1 and err == "devussy: error: internal error (RuntimeError): boom\n"


# --------------------------------------------------------------------------- views


async def test_live_view_shows_each_unit_with_status_tokens_and_time() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120, color_system=None)
    view = cli.LiveView(console)
    with view:
        design = view.sink("design")
        await design.on_progress_async({"event": "start"})
        await design.on_token_async("x")
        await design.on_progress_async({"event": "finished", "usage": {"completionTokens": 42}})
        phase = view.sink("phase_detail", 3)
        await phase.on_progress_async({"event": "start"})
        for _ in range(4):
            await phase.on_token_async("t")
        failed = view.sink("phase_detail", 4)
        await failed.on_progress_async(
            {"event": "failed", "code": "provider_timeout", "message": "no answer"}
        )
        skipped = view.sink("handoff")
        await skipped.on_progress_async({"event": "skipped", "reason": "checkpoint"})
        restarted = view.sink("phase_detail", 5)
        await restarted.on_progress_async({"event": "failed", "code": "cancelled", "message": "cancelled"})
        restarted = view.sink("phase_detail", 5)  # the runner restarts it: same row
        await restarted.on_progress_async({"event": "start"})
        await restarted.on_progress_async({"event": "finished", "usage": {"completionTokens": 9}})
    assert len(view.units) == 5
    assert "\x1b[" in buffer.getvalue()  # it drew live frames
    final = Console(file=io.StringIO(), width=120, color_system=None)
    final.print(view.progress.get_renderable())
    text = final.file.getvalue()  # type: ignore[attr-defined]
    assert "✓ design" in text and "42 tok" in text
    assert "phase 3" in text and "4 tok" in text
    assert "✗ phase 4" in text and "provider_timeout: no answer" in text
    assert "↷ handoff" in text and "reused (checkpoint)" in text
    assert "0:00:00" in text
    assert text.count("phase 5") == 1 and "✓ phase 5" in text and "9 tok" in text


def test_plain_view_is_used_when_stdout_is_not_a_terminal(fake_runner: type[FakeRunner]) -> None:
    code, out, _ = run_cli("plan", "x", "--out", "o")
    assert code == 0 and "\x1b[" not in out and "design    started" in out


def test_derive_name() -> None:
    assert cli.derive_name("a recipe box with search. And more") == "Recipe Box"
    assert cli.derive_name("An expense tracker called Pennywise") == "Pennywise"
    assert cli.derive_name("\n  one two three four five six seven eight nine ten\nsecond") == (
        "One Two Three Four Five")
    assert cli.derive_name("???") == "New Project"
    assert len(cli.derive_name("x" * 200)) <= 80


# --------------------------------------------------------------------------- other commands


def test_schema_prints_the_models_json_schema() -> None:
    code, out, _ = run_cli("schema")
    assert code == 0 and {"DevPlan", "Phase", "Step", "Handoff"} <= set(json.loads(out))


@pytest.mark.parametrize("argv", [["providers"], ["providers", "--json"]])
def test_providers_never_shows_a_key(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("DEVUSSY_MODEL", "gpt-test")
    code, out, err = run_cli(*argv)
    assert code == 0 and SECRET not in out + err and "openai" in out
    if argv[-1] == "--json":
        entries = {entry["name"]: entry for entry in json.loads(out)}
        assert entries["openai"]["usable"] and entries["openai"]["default"]
    else:
        assert "* openai     ready  models: gpt-test" in out


def test_redact() -> None:
    env = {"OPENAI_API_KEY": SECRET, "DEVUSSY_ACCESS_TOKEN": "tok-123"}
    assert cli.redact(f"a {SECRET} b tok-123", env) == "a *** b ***"
    assert cli.redact("nothing", {}) == "nothing"


def run_subprocess(
    *argv: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DEVUSSY_") and "API_KEY" not in k}
    return subprocess.run(
        [sys.executable, "-m", "devussy", *argv],
        capture_output=True, text=True, timeout=60, env={**base, **(env or {})}, cwd=cwd,
    )


def test_subprocess_providers_never_shows_a_key(tmp_path: Path) -> None:
    done = run_subprocess("providers", env={"OPENAI_API_KEY": SECRET}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert SECRET not in done.stdout + done.stderr and "openai" in done.stdout


def test_subprocess_usage_error(tmp_path: Path) -> None:
    done = run_subprocess("plan", "--concurrency", "x", "idea", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("devussy plan: error: argument --concurrency")


def test_serve_runs_the_local_server_until_sigterm(tmp_path: Path) -> None:
    import re
    import selectors
    import signal

    import httpx

    base = {k: v for k, v in os.environ.items() if not k.startswith("DEVUSSY_") and "API_KEY" not in k}
    process = subprocess.Popen(
        [sys.executable, "-m", "devussy", "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=base, cwd=tmp_path,
    )
    try:
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
        assert selector.select(timeout=20), "server did not announce itself"
        banner = process.stdout.readline()  # type: ignore[union-attr]
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", banner)
        assert match, banner
        response = httpx.get(f"http://127.0.0.1:{match.group(1)}/api/health", timeout=10)
        assert response.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    assert process.returncode == 0
    assert "Traceback" not in process.stderr.read()  # type: ignore[union-attr]


# --------------------------------------------------------------------------- the real runner
# The real PipelineRunner and stages, with a scripted engine registered in place of "builtin":
# it answers each stage with text in the stage's own format, so parsing runs for real.


class ScriptedEngine:
    name = "scripted"
    default_model = "scripted"

    def __init__(self, fail_phase: int | None = None) -> None:
        from devussy.llm.base import Capabilities

        self.capabilities = Capabilities(usage_in_stream=True, offline=True)
        self.fail_phase = fail_phase
        self.stages: list[str] = []

    def answer(self, request: Any) -> str:
        from devussy.pipeline.basic_devplan import render_plan
        from devussy.pipeline.detailed_devplan import render_phase_detail
        from devussy.pipeline.handoff_prompt import render_handoff
        from devussy.pipeline.project_design import render_design
        from tests.pipeline import samples

        stage, payload = request.task.stage, request.task.payload
        if stage == "design":
            return render_design(samples.design(payload["brief"]["name"]))
        if stage == "basic_plan":
            return render_plan(samples.plan(3, payload["design"]["projectName"]))
        if stage == "phase_detail":
            number = payload["phaseNumber"]
            if number == self.fail_phase:
                raise ProviderError(f"phase {number}: upstream down", code="provider_unavailable")
            outline = DevPlan.model_validate(payload["plan"]).phase(number)
            return render_phase_detail(samples.detailed(outline))
        return render_handoff(samples.handoff(payload["design"]["projectName"]))

    async def stream(self, request: Any) -> Any:
        from devussy.llm.base import ChatDelta

        self.stages.append(request.task.stage)
        text = self.answer(request)
        for start in range(0, len(text), 64):
            yield ChatDelta(text=text[start : start + 64])
        yield ChatDelta(usage=Usage(prompt_tokens=10, completion_tokens=len(text) // 4), finish_reason="stop")


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> ScriptedEngine:
    from devussy.llm import registry

    scripted = ScriptedEngine()
    monkeypatch.setitem(registry._FACTORIES, "builtin", lambda settings, transport: scripted)
    return scripted


def test_real_runner_writes_a_complete_plan(engine: ScriptedEngine) -> None:
    code, out, err = run_cli("plan", "TaskFlow: a team task tracker", "--name", "TaskFlow", "--out", "o")
    assert (code, err) == (0, "")
    assert sorted(engine.stages) == ["basic_plan", "design", "handoff", "phase_detail", "phase_detail",
                                     "phase_detail"]
    files = sorted(p.name for p in Path("o").iterdir() if p.is_file())
    assert files == ["design.md", "devplan.md", "handoff.md", "phase1.md", "phase2.md", "phase3.md",
                     "plan.json", "taskflow-devplan.zip"]
    document = json.loads(Path("o/plan.json").read_text())
    plan = DevPlan.model_validate(document["plan"])
    assert all(phase.steps for phase in plan.phases)
    assert "- [ ] **2.1 Step 1 of Part 2 – build**" in Path("o/phase2.md").read_text()
    assert Path("o/.devussy/checkpoint.json").is_file()
    assert "phase 3   finished" in out and "Wrote 8 files to o" in out


def test_real_runner_resume_reuses_the_checkpoint(engine: ScriptedEngine) -> None:
    engine.fail_phase = 2
    code, out, err = run_cli("plan", "TaskFlow tracker", "--out", "o", "--plain")
    assert code == 1 and "[provider_unavailable]" in err and "--resume" in err
    assert "phase 2   failed: provider_unavailable" in out
    assert not Path("o/devplan.md").exists()

    engine.fail_phase, engine.stages = None, []
    code, out, err = run_cli("plan", "TaskFlow tracker", "--out", "o", "--plain", "--resume")
    assert (code, err) == (0, "")
    assert engine.stages == ["phase_detail", "handoff"]  # only what had not finished
    assert out.count("skipped: reused (checkpoint)") == 4  # design, plan, phases 1 and 3
    assert Path("o/phase2.md").read_text().count("- [ ] **2.") == 2


def test_resume_with_another_idea_is_a_clear_error(engine: ScriptedEngine) -> None:
    assert run_cli("plan", "first idea", "--out", "o")[0] == 0
    code, _, err = run_cli("plan", "second idea", "--out", "o", "--resume")
    assert code == 2 and "belongs to a different brief" in err


# --------------------------------------------------------------------------- the builtin engine, end to end


def assert_complete_plan(out_dir: Path) -> DevPlan:
    document = json.loads((out_dir / "plan.json").read_text())
    plan = DevPlan.model_validate(document["plan"])
    assert document["design"] and document["handoff"]
    names = {p.name for p in out_dir.iterdir() if p.is_file()}
    expected = {"devplan.md", "design.md", "handoff.md", "plan.json"}
    expected.add(f"{slugify(plan.project_name)}-devplan.zip")
    assert names == expected | {
        f"phase{phase.number}.md" for phase in plan.phases}
    for phase in plan.phases:
        assert phase.steps, f"phase {phase.number} has no steps"
        boxes = (out_dir / f"phase{phase.number}.md").read_text().count("\n- [ ] **")
        assert boxes == len(phase.steps)
    devplan = (out_dir / "devplan.md").read_text()
    assert read_section(devplan, "next_task_group").startswith("- [ ] **1.1 ")
    return plan


def test_builtin_engine_in_process_then_resume() -> None:
    code, out, err = run_cli("plan", "a recipe box web app with ingredient search", "--out", "o",
                             "--language", "Python", "--framework", "FastAPI")
    assert (code, err) == (0, "")
    plan = assert_complete_plan(Path("o"))
    assert "FastAPI" in (Path("o") / "design.md").read_text()
    code, out, err = run_cli("plan", "a recipe box web app with ingredient search", "--out", "o",
                             "--language", "Python", "--framework", "FastAPI", "--resume")
    assert (code, err) == (0, "")
    assert out.count("skipped: reused (checkpoint)") == len(plan.phases) + 3 and "started" not in out


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
        "from tests.test_cli import ScriptedEngine\n"
        "class Slow(ScriptedEngine):\n"
        "    async def stream(self, request):\n"
        "        async for delta in super().stream(request):\n"
        "            if request.task.stage == 'phase_detail':\n"
        "                await asyncio.sleep(30)\n"
        "            yield delta\n"
        "engine = Slow()\n"
        "registry.register_provider('builtin', lambda settings, transport: engine)\n"
        "sys.exit(cli.main(['plan', 'TaskFlow tracker', '--out', 'o', '--plain']))\n"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("DEVUSSY_") and "API_KEY" not in k}
    process = subprocess.Popen(
        [sys.executable, str(driver)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**base, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}, cwd=tmp_path,
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
        server.add_rule(r'"phaseNumber": 2\b', cut_after(3))
        argv = ["plan", "a recipe box web app", "--provider", "openai", "--model", "fake-model", "--out", "o"]

        code, out, err = run_cli(*argv, "--plain")
        assert code == 1 and "phase 2" in err and "--resume" in err
        assert "phase 2   failed: provider_interrupted" in out
        assert not Path("o/devplan.md").exists()

        before = len(server.chat_requests())
        code, out, err = run_cli(*argv, "--plain", "--resume")
        assert (code, err) == (0, "")
        assert len(server.chat_requests()) - before == 2  # phase 2 and the handoff, nothing else
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


def test_help_and_version_exit_0() -> None:
    code, out, _ = run_cli("plan", "--help")
    assert code == 0 and "--data-store" in out and "--resume" in out
    code, out, _ = run_cli("--version")
    assert code == 0 and out.startswith("devussy ")


def test_a_closed_pipe_is_not_an_error_message(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "devussy", "schema"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=tmp_path)
    process.stdout.close()  # type: ignore[union-attr]  # the reader leaves before Python has started
    _, err = process.communicate(timeout=30)
    assert err == b"" and process.returncode == 1


# --------------------------------------------------------------------------- plan --interview
# The builtin engine's interview asks, one at a time, only what the brief is missing; answers are
# lines on stdin (a pipe here), end of input means "done".

RECIPE_IDEA = "a recipe box web app where people save recipes"


def interview_question(key: str) -> str:
    from devussy.planner.interview import QUESTIONS

    return next(question.text for question in QUESTIONS if question.key == key)


def run_interview_cli(
    monkeypatch: pytest.MonkeyPatch, answers: str, *argv: str
) -> tuple[int, str, str]:
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
    assert brief.goals == ["save recipes", "search by ingredient"]
    assert "psql" in all_commands(plan)
    assert any("PostgreSQL" in step.title for phase in plan.phases for step in phase.steps)
    assert any("Accounts" in phase.title for phase in plan.phases)


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
        monkeypatch, "save recipes\nno\ndone\n",
        "--name", "Box", "--language", "Python", "--data-store", "PostgreSQL", "--integration", "Stripe",
    )
    assert (code, err) == (0, "")
    assert questions_in(out) == ["features", "auth", "deployment"]  # language and data store were given
    brief, plan = load_plan(Path("devussy-out/box"))  # --name names the output directory
    assert (brief.name, plan.project_name) == ("Box", "Box")
    assert (brief.languages, brief.data_stores) == (["Python"], ["PostgreSQL"])
    assert "Stripe" in brief.integrations and brief.constraints == ["No login: users do not need accounts."]


def test_interview_merge_flags_adds_to_the_interview_brief() -> None:
    args = cli.build_parser().parse_args(
        ["plan", "x", "--name", "Box", "--language", "python", "--language", "Go", "--framework", "Gin"])
    brief = ProjectBrief(name="Recipe Box", summary="s", languages=["Python"], data_stores=["SQLite"])
    merged = cli.merge_flags(brief, args)
    assert (merged.name, merged.languages, merged.frameworks) == ("Box", ["Python", "Go"], ["Gin"])
    assert merged.data_stores == ["SQLite"] and merged.summary == "s"
    assert cli.first_input(args) == (
        "x\n\nAlready decided — name: Box; languages: python, Go; frameworks: Gin.")


def test_interview_resume_skips_the_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run_interview_cli(monkeypatch, "save recipes\nPython\nSQLite\nno\nFly.io\n", "--out", "o")
    assert (code, err) == (0, "")
    first = Path("o/plan.json").read_text()
    code, out, err = run_interview_cli(monkeypatch, "", "--out", "o", "--resume")
    assert (code, err) == (0, "")
    assert out.startswith("Resuming Recipe Box Web App from o: the interview is already done.\n")
    assert questions_in(out) == [] and "started" not in out
    assert out.count("skipped: reused (checkpoint)") == len(load_plan(Path("o"))[1].phases) + 3
    assert Path("o/plan.json").read_text() == first


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


class EndlessInterviewer:
    """An interview engine that never writes the brief, whatever it is told."""

    name = "endless"
    default_model = "endless"

    def __init__(self) -> None:
        from devussy.llm.base import Capabilities

        self.capabilities = Capabilities(offline=True)
        self.inputs: list[str] = []

    async def stream(self, request: Any) -> Any:
        from devussy.llm.base import ChatDelta

        self.inputs.append(request.messages[-1].content)
        if request.task.stage != "interview":
            raise ProviderError("only interviews here", code="provider_bad_request")
        for word in ("And ", "one ", "more ", "thing?"):
            yield ChatDelta(text=word)


def test_interview_an_engine_that_never_finishes_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from devussy.llm import registry

    engine = EndlessInterviewer()
    monkeypatch.setitem(registry._FACTORIES, "builtin", lambda settings, transport: engine)
    monkeypatch.setattr(cli, "MAX_QUESTIONS", 2)
    code, out, err = run_interview_cli(monkeypatch, "a\nb\nc\nd\n", "--out", "o")
    assert code == 1 and "Traceback" not in err
    assert err.startswith("devussy: error: interview: the interview engine kept asking")
    assert "--resume" not in err
    assert err.rstrip().endswith("[provider_bad_response]")
    assert engine.inputs == [RECIPE_IDEA, "a", "b", *cli.CLOSING_ANSWERS]  # "c" and "d" were never asked for
    assert out.count("And one more thing?") == 5 and "> done (2 questions are enough)" in out
    assert not Path("o").exists()


def test_interview_provider_error_is_one_line_without_a_resume_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    from devussy.llm import registry

    class Down(EndlessInterviewer):
        async def stream(self, request: Any) -> Any:
            raise ProviderError(f"upstream down (key {SECRET})", code="provider_unavailable")
            yield  # an async generator

    monkeypatch.setitem(registry._FACTORIES, "builtin", lambda settings, transport: Down())
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    code, _, err = run_interview_cli(monkeypatch, "", "--provider", "builtin", "--out", "o")
    assert (code, err) == (1, "devussy: error: interview: upstream down (key ***) [provider_unavailable]\n")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Where should", "Where should"),
        ("Where should the data live?\n\n``", "Where should the data live?"),
        ("Thanks.\n\n```json\n{\"name\": \"x\"", "Thanks."),
        ("Thanks.\n```json\n{}\n```\nmore", "Thanks."),
        ("<think>hmm</think>Which language?", "Which language?"),
        ("<thi", ""),
        ("<think>still thinking", ""),
        ("Which ~ language?", "Which ~ language?"),
    ],
)
def test_interview_visible_reply_hides_the_brief_block_and_reasoning(raw: str, shown: str) -> None:
    assert cli.visible_reply(raw) == shown


async def test_interview_echo_streams_then_prints_what_parsing_kept() -> None:
    out = io.StringIO()
    echo = cli.InterviewEcho(out)
    for token in ["Thanks", ", done.", "\n\n`", "``json\n", '{"name": "X"}', "\n```\n"]:
        await echo.on_token_async(token)
    assert out.getvalue() == "Thanks, done."
    echo.finish("Thanks, done.")
    await echo.on_progress_async({"event": "repair", "errors": ["x"]})
    await echo.on_token_async("Second")
    echo.finish("Second try")
    assert out.getvalue() == (
        "Thanks, done.\n(the answer did not parse; asking the engine again)\nSecond try\n")


def test_interview_streams_from_an_openai_compatible_server(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fakes.openai_server import FakeOpenAIServer
    from tests.fakes.stage_responder import StageResponder

    with FakeOpenAIServer(responder=StageResponder(), tokens_per_second=5000) as server:
        monkeypatch.setenv("OPENAI_API_KEY", SECRET)
        monkeypatch.setenv("DEVUSSY_BASE_URL", server.base_url)
        code, out, err = run_interview_cli(
            monkeypatch, "save recipes\nPython\nPostgreSQL\n", "--provider", "openai", "--model", "m",
            "--out", "o")
        interview_requests = [r for r in server.chat_requests()
                              if "Devussy stage: interview" in r.body["messages"][0]["content"]]
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
        input="save recipes, search by ingredient\nPython\nPostgreSQL\n", capture_output=True, text=True,
        timeout=60, env=base, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert questions_in(done.stdout) == ["features", "language", "data_store", "auth"]
    assert "> PostgreSQL\n" in done.stdout and "> done\n" in done.stdout
    plan = assert_complete_plan(tmp_path / "o")
    assert "psql" in all_commands(plan)
    assert "Start with o/devplan.md" in done.stdout
