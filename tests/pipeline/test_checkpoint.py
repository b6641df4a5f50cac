from __future__ import annotations

from pathlib import Path

import pytest

from devussy.errors import CheckpointError
from devussy.pipeline.checkpoint import Checkpoint, CheckpointStore, brief_fingerprint
from tests import samples


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
