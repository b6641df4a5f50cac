"""Models the browser e2e stacks start the fake server with.

    python -m tests.fakes.openai_server --responder tests.fakes.e2e_responders:NAME
"""

from tests.fakes.defective_model import DefectiveModel

# One phase detail (the first one asked for whose plan has a constraint or non-goal) gains a step that
# contradicts it, and the repair answers with that detail unchanged: the check's one repair round
# leaves the problem open, and the UI must show it. One mistake per server process.
stubborn_contradiction = DefectiveModel("contradiction", "stubborn")
