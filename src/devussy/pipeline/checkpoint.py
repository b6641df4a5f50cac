"""Run checkpoints: ``<dir>/.devussy/checkpoint.json``, rewritten atomically after every unit of work.

The file records the brief's fingerprint, the design, the basic plan, each detailed phase and the
handoff, as soon as each is finished. A write goes to a temporary file that replaces the old one
with ``os.replace``, so an interrupted run (Ctrl-C, a crash, a cancelled task) leaves either the
previous or the new checkpoint, never half of one. A write that fails (a full disk) removes its
temporary file and raises :class:`CheckpointWriteError`; the previous checkpoint stays.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from pydantic import Field, ValidationError

from devussy.errors import CheckpointError, CheckpointWriteError
from devussy.models import (
    DesignReview,
    DevPlan,
    DevussyModel,
    Handoff,
    Phase,
    ProjectBrief,
    ProjectDesign,
    UnitUsage,
)

CHECKPOINT_VERSION = 1


class Checkpoint(DevussyModel):
    version: int = CHECKPOINT_VERSION
    fingerprint: str
    design: ProjectDesign | None = None  # after the design review's correction, if there was one
    review: DesignReview | None = None
    plan: DevPlan | None = None  # the basic plan, as streamed by the plan stage
    phases: dict[int, Phase] = Field(default_factory=dict)  # detailed phases by number
    handoff: Handoff | None = None
    usage: list[UnitUsage] = Field(default_factory=list)  # what each finished unit used


def brief_fingerprint(brief: ProjectBrief) -> str:
    canonical = json.dumps(brief.to_json_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class CheckpointStore:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.path = Path(directory) / ".devussy" / "checkpoint.json"
        self.raw_dir = self.path.parent / "raw"

    def raw_path(self, stage: str, phase: int | None = None) -> Path:
        """Where the raw answers of a unit that could not be read are kept:
        ``.devussy/raw/<stage>[-phaseN].txt``."""
        return self.raw_dir / (f"{stage}-phase{phase}.txt" if phase is not None else f"{stage}.txt")

    def save_raw(self, stage: str, phase: int | None, text: str) -> Path:
        """Keep the raw answers of a failed unit next to the checkpoint (``--resume`` retries the unit)."""
        path = self.raw_path(stage, phase)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        return path

    def drop_raw(self, stage: str, phase: int | None = None) -> None:
        """The unit succeeded: the raw answers of an earlier failure are no longer news."""
        self.raw_path(stage, phase).unlink(missing_ok=True)

    def load(self) -> Checkpoint | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CheckpointError(f"cannot read checkpoint {self.path}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise CheckpointError(
                f"{self.path} is not a valid Devussy checkpoint (not UTF-8 text); delete it to start over"
            ) from None
        try:
            checkpoint = Checkpoint.model_validate_json(text)
        except ValidationError as exc:
            raise CheckpointError(
                f"{self.path} is not a valid Devussy checkpoint ({exc.error_count()} problems); "
                "delete it to start over"
            ) from None
        if checkpoint.version != CHECKPOINT_VERSION:
            raise CheckpointError(
                f"{self.path} was written by another Devussy version; delete it to start over"
            )
        return checkpoint

    def save(self, checkpoint: Checkpoint) -> None:
        data = checkpoint.model_dump_json(by_alias=True, indent=2)
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException as exc:
            tmp.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise CheckpointWriteError(
                    f"cannot save the checkpoint {self.path}: {exc.strerror or exc}"
                ) from exc
            raise


def saved_units(checkpoint: Checkpoint) -> str:
    """What a checkpoint holds, for people: "the design, the plan and phases 1, 3"."""
    named = (("the design", checkpoint.design), ("the plan", checkpoint.plan))
    parts = [name for name, value in named if value is not None]
    if checkpoint.phases:
        numbers = ", ".join(str(number) for number in sorted(checkpoint.phases))
        parts.append(f"phase{'s' if len(checkpoint.phases) > 1 else ''} {numbers}")
    if checkpoint.handoff is not None:
        parts.append("the handoff")
    if not parts:
        return "nothing yet"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
