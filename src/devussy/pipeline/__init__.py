"""Running the stages (see docs/pipeline.md); the stages themselves are specs in ``devussy.stages``.

- ``generation.generate``: the one stage runner: stream a spec's request, parse, check, repair once
- ``generators``: the original names over it (``ProjectDesignGenerator``, ``BasicDevPlanGenerator``,
  ``DetailedDevPlanGenerator``, ``HandoffPromptGenerator``, ``InterviewGenerator``)
- ``runner.PipelineRunner``: design → plan → phase details (pipelined) → handoff, with checkpoints
- ``settings.stage_settings``: the provider and model options one stage runs with
"""
