"""One typed spec per stage (see docs/pipeline.md).

Each stage module declares, in one place (its ``STAGE`` spec), the stage's name, input model, output
model, ``render`` (the canonical text format), ``parse`` (tolerant) and the prompt builder:

- ``interview``: chat turns → ``InterviewReply`` (+ ``ProjectBrief`` once complete)
- ``design``: brief + complexity → ``ProjectDesign``
- ``plan``: design → ``DevPlan`` (phases announced while the answer streams)
- ``detail``: plan + phase number → that ``Phase`` with its steps
- ``handoff``: design + detailed plan → ``Handoff``

``names`` is the stage vocabulary, ``inputs`` the input models, ``spec`` the ``StageSpec`` shape,
``parsing`` and ``prompts`` what the stages share. Nothing here runs a provider: that is
``devussy.pipeline.generation``. This package imports nothing from ``pipeline``, ``web`` or ``cli``.
"""
