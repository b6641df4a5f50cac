import { describe, expect, it } from 'vitest';
import {
  addRequirement,
  citationsOf,
  citedIds,
  describeCitations,
  nextRequirementId,
  removeRequirement,
  requirementProblems,
  requirementsForRequest,
  updateRequirement,
} from '@/lib/requirements';
import type { DevPlan, Requirement } from '@/lib/types';

const list: Requirement[] = [
  { id: 'R1', text: 'Book a class', kind: 'feature', source: 'brief' },
  { id: 'R2', text: 'Stripe payments', kind: 'integration', source: 'brief' },
  { id: 'R4', text: 'The database already exists', kind: 'constraint', source: 'interview' },
];

const plan: DevPlan = {
  projectName: 'Gym',
  summary: 'Classes',
  requirements: list,
  phases: [
    { number: 1, title: 'Base', summary: 's', requirements: ['R1'], steps: [{ id: '1.1', title: 'Classes', details: 'd', covers: ['R1', 'R7'] }] },
    { number: 2, title: 'Pay', summary: 's', requirements: ['R1', 'R2'], steps: [] },
  ],
};

describe('requirement review', () => {
  it('gives new requirements the next free id: never one the list, the plan or the brief still uses', () => {
    expect(nextRequirementId(list)).toBe('R5');
    expect(nextRequirementId(list, plan)).toBe('R8'); // step 1.1 cites R7
    expect(nextRequirementId(list, null, ['R9'])).toBe('R10');
    expect(nextRequirementId([])).toBe('R1');
    const removed = removeRequirement(list, 'R4');
    expect(nextRequirementId(removed, null, list.map((r) => r.id))).toBe('R5');
  });

  it('adds (as the user said it), edits and removes without touching other ids', () => {
    const added = addRequirement(list, '  Members can cancel  ', 'feature', 'R5');
    expect(added.at(-1)).toEqual({ id: 'R5', text: 'Members can cancel', kind: 'feature', source: 'interview' });
    const edited = updateRequirement(added, 'R2', { text: 'Stripe Checkout', kind: 'integration' });
    expect(edited.map((r) => r.id)).toEqual(['R1', 'R2', 'R4', 'R5']);
    expect(edited[1]).toEqual({ id: 'R2', text: 'Stripe Checkout', kind: 'integration', source: 'brief' });
    expect(removeRequirement(edited, 'R2').map((r) => r.id)).toEqual(['R1', 'R4', 'R5']);
  });

  it('says where the plan cites a requirement, for the warning before removing it', () => {
    expect(citationsOf(plan, 'R1')).toEqual({ phases: [1, 2], steps: ['1.1'] });
    expect(describeCitations(citationsOf(plan, 'R1'))).toBe('phases 1, 2 and step 1.1');
    expect(describeCitations(citationsOf(plan, 'R2'))).toBe('phase 2');
    expect(describeCitations(citationsOf(plan, 'R4'))).toBeNull();
    expect(describeCitations(citationsOf(null, 'R1'))).toBeNull();
    expect([...citedIds(plan)].sort()).toEqual(['R1', 'R2', 'R7']);
  });

  it('flags what the server would refuse (empty, too long) and trims what is sent', () => {
    const draft = updateRequirement(updateRequirement(list, 'R1', { text: '   ' }), 'R2', { text: 'x'.repeat(501) });
    const problems = requirementProblems(draft);
    expect(problems.get('R1')).toBe('R1 is empty: write it or remove it');
    expect(problems.get('R2')).toContain('longer than 500');
    expect(problems.has('R4')).toBe(false);
    expect(requirementsForRequest(updateRequirement(list, 'R1', { text: ' Book a class ' }))![0].text).toBe('Book a class');
    expect(requirementsForRequest(undefined)).toBeUndefined();
  });
});
