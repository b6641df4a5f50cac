// The empty state's example ideas. They run on the built-in offline engine (no key, no cost), so a
// first visit shows the whole flow at once.
import { STAGE_NAMES, type StageName } from './types';
import type { ModelSettings, StageModelSettings } from './project';

export interface ExampleIdea {
  title: string;
  idea: string;
}

export const EXAMPLE_IDEAS: ExampleIdea[] = [
  {
    title: 'Recipe box',
    idea: 'A web app where families share recipes, plan weekly meals and get a combined shopping list. Python with FastAPI and PostgreSQL, React front end.',
  },
  {
    title: 'Photo backup CLI',
    idea: 'A command-line tool in Go that backs up my photo folders to S3 every night, skips files already uploaded and reports what changed.',
  },
  {
    title: 'Climbing gym bookings',
    idea: 'A booking system for a small climbing gym: members, classes with limited places, Stripe payments, signed waivers and a staff dashboard.',
  },
];

/** Model settings that run every stage on the built-in offline engine. */
export function offlineSettings(settings: ModelSettings): ModelSettings {
  const stages: Partial<Record<StageName, StageModelSettings>> = {};
  for (const stage of STAGE_NAMES) stages[stage] = { provider: 'builtin' };
  return { ...settings, stages };
}
