import { describe, expect, it } from 'vitest';
import { designChanges, phaseChanges, planChanges, requirementChanges } from '@/lib/changes';
import type { DevPlan, Phase, ProjectDesign } from '@/lib/types';

const design: ProjectDesign = {
  projectName: 'Polls',
  summary: 'A polling app.',
  objectives: ['Create polls', 'Vote'],
  techStack: ['Python', 'FastAPI'],
  architecture: 'A web API.',
  dataModel: 'Poll, Vote(user_id)',
  risks: [{ risk: 'Spam', mitigation: 'Rate limits' }],
  testingStrategy: 'pytest',
  requirements: [{ id: 'R1', text: 'Vote on a poll', kind: 'feature', source: 'brief' }],
};

describe('what a refinement changed', () => {
  it('design: text fields changed, list items added and removed, requirements by id', () => {
    const after: ProjectDesign = {
      ...design,
      objectives: ['Create polls', 'Vote anonymously'],
      dataModel: 'Poll, Vote (no user id)',
      requirements: [...design.requirements!, { id: 'R2', text: 'Votes are anonymous', kind: 'constraint', source: 'interview' }],
    };
    expect(designChanges(design, after)).toEqual([
      { kind: 'removed', what: 'Objective', before: 'Vote' },
      { kind: 'added', what: 'Objective', after: 'Vote anonymously' },
      { kind: 'changed', what: 'Data model', before: 'Poll, Vote(user_id)', after: 'Poll, Vote (no user id)' },
      { kind: 'added', what: 'Requirement R2', after: 'Votes are anonymous (constraint)' },
    ]);
    expect(designChanges(design, { ...design, summary: '  A polling   app. ' })).toEqual([]);
  });

  it('requirements: removed, and changed in text or kind', () => {
    expect(
      requirementChanges(
        [
          { id: 'R1', text: 'A', kind: 'feature' },
          { id: 'R2', text: 'B', kind: 'feature' },
        ],
        [{ id: 'R1', text: 'A', kind: 'quality' }],
      ),
    ).toEqual([
      { kind: 'removed', what: 'Requirement R2', before: 'B (feature)' },
      { kind: 'changed', what: 'Requirement R1', before: 'A (feature)', after: 'A (quality)' },
    ]);
  });

  it('plan: phases matched by title — a split phase shows as one removed and two added, the moved ones as moved', () => {
    const before: DevPlan = {
      projectName: 'Polls',
      summary: 's',
      phases: [
        { number: 1, title: 'Foundation', summary: 'Repo.' },
        { number: 2, title: 'Polls and votes', summary: 'Everything.', dependsOn: [1] },
        { number: 3, title: 'Release', summary: 'Ship.', dependsOn: [2] },
      ],
    };
    const after: DevPlan = {
      ...before,
      phases: [
        { number: 1, title: 'Foundation', summary: 'Repo.' },
        { number: 2, title: 'Polls', summary: 'Create polls.', dependsOn: [1] },
        { number: 3, title: 'Votes', summary: 'Vote.', dependsOn: [2] },
        { number: 4, title: 'Release', summary: 'Ship.', dependsOn: [3] },
      ],
    };
    expect(planChanges(before, after)).toEqual([
      { kind: 'removed', what: 'Phase 2', before: 'Polls and votes' },
      { kind: 'added', what: 'Phase 2', after: 'Polls: Create polls.' },
      { kind: 'added', what: 'Phase 3', after: 'Votes: Vote.' },
      { kind: 'changed', what: 'Phase 3 → 4 depends on', before: '2', after: '3' },
    ]);
    expect(planChanges(before, before)).toEqual([]);
  });

  it('phase: steps matched by title, with their fields compared', () => {
    const before: Phase = {
      number: 2,
      title: 'Votes',
      summary: 's',
      steps: [
        { id: '2.1', title: 'Vote endpoint', details: 'POST /votes with user id', acceptanceCriteria: ['201'], testCommand: 'pytest', covers: ['R1'] },
        { id: '2.2', title: 'Results page', details: 'Show counts' },
      ],
    };
    const after: Phase = {
      ...before,
      steps: [
        { id: '2.1', title: 'Vote endpoint', details: 'POST /votes without any user id', acceptanceCriteria: ['201'], testCommand: 'pytest', covers: ['R1', 'R2'] },
        { id: '2.2', title: 'Anonymity check', details: 'No user id is stored' },
      ],
    };
    expect(phaseChanges(before, after)).toEqual([
      { kind: 'removed', what: 'Step 2.2', before: 'Results page' },
      { kind: 'changed', what: 'Step 2.1 details', before: 'POST /votes with user id', after: 'POST /votes without any user id' },
      { kind: 'changed', what: 'Step 2.1 covers', before: 'R1', after: 'R1, R2' },
      { kind: 'added', what: 'Step 2.2', after: 'Anonymity check' },
    ]);
  });
});
