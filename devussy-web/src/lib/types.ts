// Domain types: generated from the server's OpenAPI document (wire/api.gen.ts, `make web-types`),
// re-exported under the names the app uses. Only UI-side vocabulary is declared here.
import type { components } from './wire/api.gen';

type Schemas = components['schemas'];

/** A requirement of the brief (DESIGN §6), shown next to the steps that cover it when present. */
export interface RequirementView {
  id: string;
  text: string;
  kind?: string;
}

// Requirement ids and coverage (DESIGN §6) are being added to the server's models; until the
// generated types carry them, these optional fields let the UI read them when present.
export type ProjectBrief = Schemas['ProjectBrief'] & { requirements?: RequirementView[] | null };
export type ComplexityProfile = Schemas['ComplexityProfile'];
export type Risk = Schemas['Risk'];
export type ProjectDesign = Schemas['ProjectDesign'];
export type Phase = Omit<Schemas['Phase'], 'steps'> & { steps?: Step[]; requirements?: string[] | null };
export type DevPlan = Schemas['DevPlan'];
export type Handoff = Schemas['Handoff'];
export type ChatTurn = Schemas['ChatTurn'];
export type Usage = Schemas['Usage'];
/** A request's `modelConfig` (DESIGN §4). */
export type ModelConfig = Schemas['ModelConfig'];

/**
 * A step, with the requirement ids it covers (DESIGN §6). `covers` is read when the server sends it;
 * once the server's Step model has the field, the generated type carries it and this adds nothing.
 */
export type Step = Schemas['Step'] & { covers?: string[] | null };

export type StageName = 'interview' | 'design' | 'basic_plan' | 'phase_detail' | 'handoff';
export const STAGE_NAMES: StageName[] = ['interview', 'design', 'basic_plan', 'phase_detail', 'handoff'];
