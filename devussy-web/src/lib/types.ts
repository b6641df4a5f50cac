// Domain types: generated from the server's OpenAPI document (wire/api.gen.ts, `make web-types`),
// re-exported under the names the app uses. Only UI-side vocabulary is declared here.
import type { components } from './wire/api.gen';

type Schemas = components['schemas'];

export type ProjectBrief = Schemas['ProjectBrief'];
/** A requirement (DESIGN §6): id `R1`…, text, kind, source. */
export type Requirement = Schemas['Requirement'];
export type ComplexityProfile = Schemas['ComplexityProfile'];
export type Risk = Schemas['Risk'];
export type ProjectDesign = Schemas['ProjectDesign'];
/** A phase; `requirements` lists the requirement ids it addresses. */
export type Phase = Schemas['Phase'];
export type DevPlan = Schemas['DevPlan'];
export type Handoff = Schemas['Handoff'];
export type ChatTurn = Schemas['ChatTurn'];
export type Usage = Schemas['Usage'];
/** The design review: rule checks' and (with the review setting) the LLM reviewer's findings. */
export type DesignReview = Schemas['DesignReview'];
/** A request's `modelConfig` (DESIGN §4). */
export type ModelConfig = Schemas['ModelConfig'];

/** A step; `covers` lists the requirement ids it covers. A step may lack criteria or a test command (a gap). */
export type Step = Schemas['Step'];
export type CoverageRequest = Schemas['CoverageRequest'];
type WireCoverage = Schemas['CoverageReport'];
/** The server's coverage check (POST /api/coverage), every list present (the wire may leave empty ones out). */
export interface CoverageReport {
  requirements: Required<NonNullable<WireCoverage['requirements']>[number]>[];
  violations: NonNullable<WireCoverage['violations']>;
  gaps: NonNullable<WireCoverage['gaps']>;
  pendingPhases: number[];
}

export type StageName = 'interview' | 'design' | 'basic_plan' | 'phase_detail' | 'handoff';
export const STAGE_NAMES: StageName[] = ['interview', 'design', 'basic_plan', 'phase_detail', 'handoff'];
