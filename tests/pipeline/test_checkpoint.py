from __future__ import annotations

from pathlib import Path

import pytest

from devussy.errors import CheckpointError, CheckpointWriteError
from devussy.pipeline import checkpoint as checkpoint_module
from devussy.pipeline.checkpoint import Checkpoint, CheckpointStore, brief_fingerprint, saved_units
from tests import samples
from tests.fakes.full_disk import FullDisk


def test_save_and_load_roundtrip(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path)
    assert store.load() is None
    plan = samples.plan(3)
    checkpoint = Checkpoint(
        fingerprint=brief_fingerprint(samples.BRIEF),
        design=samples.design(),
        plan=plan,
        phases={2: samples.detailed(plan.phase(2))},
    )
    store.save(checkpoint)
    assert store.path == tmp_path / ".devussy" / "checkpoint.json"
    assert store.load() == checkpoint
    assert list(store.path.parent.iterdir()) == [store.path]


def test_fingerprint_depends_on_content_only() -> None:
    same = samples.BRIEF.model_copy()
    other = samples.BRIEF.model_copy(update={"goals": ["Something else"]})
    assert brief_fingerprint(same) == brief_fingerprint(samples.BRIEF) != brief_fingerprint(other)


def test_corrupt_or_foreign_checkpoint_is_a_clear_error(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path)
    store.path.parent.mkdir(parents=True)
    store.path.write_text("{not json")
    with pytest.raises(CheckpointError, match="not a valid Devussy checkpoint") as invalid:
        store.load()
    store.path.write_text('{"version": 99, "fingerprint": "x"}')
    with pytest.raises(CheckpointError, match="another Devussy version"):
        store.load()
    assert invalid.value.code == "checkpoint_error"


def test_a_failed_save_removes_its_temp_file_and_keeps_the_previous_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = CheckpointStore(tmp_path)
    first = Checkpoint(fingerprint="f", design=samples.design())
    store.save(first)
    monkeypatch.setattr(checkpoint_module, "os", FullDisk())
    with pytest.raises(CheckpointWriteError) as caught:
        store.save(first.model_copy(update={"plan": samples.plan(3)}))
    assert caught.value.code == "checkpoint_write_failed"
    assert str(store.path) in caught.value.message and "No space left on device" in caught.value.message
    assert list(store.path.parent.iterdir()) == [store.path]  # no checkpoint.json.<pid>.tmp left behind
    assert store.load() == first


def test_a_checkpoint_that_is_not_utf8_is_a_checkpoint_error(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path)
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(b'{"version": 1, "fingerprint": "\xff\xfe"}')
    with pytest.raises(CheckpointError, match="not UTF-8") as caught:
        store.load()
    assert caught.value.code == "checkpoint_error"


def test_saved_units_reads_like_a_sentence() -> None:
    plan = samples.plan(3)
    assert saved_units(Checkpoint(fingerprint="f")) == "nothing yet"
    assert saved_units(Checkpoint(fingerprint="f", design=samples.design())) == "the design"
    phases = {3: samples.detailed(plan.phase(3)), 1: samples.detailed(plan.phase(1))}
    full = Checkpoint(
        fingerprint="f", design=samples.design(), plan=plan, phases=phases, handoff=samples.handoff()
    )
    assert saved_units(full) == "the design, the plan, phases 1, 3 and the handoff"
    one_phase = full.model_copy(update={"handoff": None, "phases": {2: samples.detailed(plan.phase(2))}})
    assert saved_units(one_phase) == "the design, the plan and phase 2"
