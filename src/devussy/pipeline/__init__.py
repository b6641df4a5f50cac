"""The pipeline: one module per stage, plus the runner that chains them (see docs/pipeline.md).

- ``interview.InterviewGenerator``: chat turns → reply (+ ``ProjectBrief`` once complete)
- ``complexity.assess_complexity``: brief → ``ComplexityProfile`` (deterministic)
- ``project_design.ProjectDesignGenerator``: brief → ``ProjectDesign``
- ``basic_devplan.BasicDevPlanGenerator``: design → ``DevPlan`` (phases announced while streaming)
- ``detailed_devplan.DetailedDevPlanGenerator``: plan + phase number → ``Phase`` with steps
- ``handoff_prompt.HandoffPromptGenerator``: design + plan → ``Handoff``
- ``runner.PipelineRunner``: all of the above, pipelined, with checkpoints and resume

Each stage module has ``render_<x>(model) -> str`` (the canonical text format) and a tolerant
``parse_<x>(text) -> model``; ``generation.generate_validated`` streams, parses and repairs once.
"""
