// TEMPORARY: what /work/wt/CONTRACT-requirements-api.md adds to the wire, until that backend lands on
// main. Then `make web-types` generates all of it, and this file goes (api.ts uses the generated
// names instead).
import { z } from 'zod';
import type { components } from './wire/api.gen';

type Schemas = components['schemas'];
type Requirement = Schemas['Requirement'];

/** Point 1: the reviewed list replaces the design's (plan) or the plan's (detail). Point 3: refine by asking. */
export type DesignBody = Schemas['DesignRequest'] & { instruction?: string; previousDesign?: Schemas['ProjectDesign'] };
export type PlanBody = Schemas['BasicPlanRequest'] & { requirements?: Requirement[]; instruction?: string; previousPlan?: Schemas['DevPlan'] };
export type DetailBody = Schemas['DetailRequest'] & { requirements?: Requirement[]; instruction?: string; design?: Schemas['ProjectDesign'] };
/** Point 4: the detail's done carries the plan's list as the run used it. */
export type PhaseDone = Schemas['PhaseDone'] & { requirements?: Requirement[] };

const requirementId = z.string();
const stepId = z.string();
const kind = z.enum(['feature', 'integration', 'constraint', 'non_goal', 'quality']);

/** Point 2: the server's coverage check (devussy.models.CoverageReport). */
export const coverageReportSchema = z.object({
  requirements: z
    .array(
      z.object({
        id: requirementId,
        kind,
        status: z.enum(['covered', 'planned', 'uncovered', 'respected', 'violated']),
        steps: z.array(stepId).default([]),
        phases: z.array(z.number()).default([]),
      }),
    )
    .default([]),
  violations: z.array(z.object({ requirement: requirementId, step: stepId, rule: z.string(), message: z.string() })).default([]),
  gaps: z.array(z.object({ step: stepId, missing: z.array(z.enum(['acceptance_criteria', 'test_command', 'covers'])) })).default([]),
  pendingPhases: z.array(z.number()).default([]),
});
export const coverageResponseSchema = z.object({ coverage: coverageReportSchema });

export type CoverageReport = z.infer<typeof coverageReportSchema>;
export type CoverageBody = { plan: Schemas['DevPlan']; requirements?: Requirement[] };
