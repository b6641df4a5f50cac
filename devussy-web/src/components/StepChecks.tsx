'use client';

/** How a step is checked: its acceptance criteria and test command, a missing one shown as a gap. */
export function StepChecks({ acceptanceCriteria, testCommand }: { acceptanceCriteria?: string[] | null; testCommand?: string | null }) {
  return (
    <>
      <h4>Acceptance criteria</h4>
      {acceptanceCriteria?.length ? (
        <ul>
          {acceptanceCriteria.map((criterion, index) => (
            <li key={index}>{criterion}</li>
          ))}
        </ul>
      ) : (
        <p className="gap">None yet: a gap to fill before this step can be checked.</p>
      )}
      <h4>Test command</h4>
      {testCommand ? <code className="test-command">{testCommand}</code> : <p className="gap">None yet.</p>}
    </>
  );
}
