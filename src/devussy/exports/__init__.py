"""A plan folder exported elsewhere: GitHub issues (one per phase) and Task Master's tasks.json.

Both read the folder through ``devussy.workspace``, so what they show as done or blocked is what the
phase files say.
"""
