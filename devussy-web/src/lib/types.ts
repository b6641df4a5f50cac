// Domain types: the camelCase JSON of src/devussy/models.py.

export interface ProjectBrief {
  name: string;
  summary: string;
  goals?: string[];
  languages?: string[];
  frameworks?: string[];
  dataStores?: string[];
  integrations?: string[];
  constraints?: string[];
  deployment?: string | null;
  teamSize?: number | null;
}

export interface ComplexityProfile {
  score: number;
  level: string;
  factors?: { name: string; points: number; reason: string }[];
  phaseCount: number;
  depth: number;
}

export interface Risk {
  risk: string;
  mitigation: string;
}

export interface ProjectDesign {
  projectName: string;
  summary: string;
  objectives: string[];
  techStack: string[];
  architecture: string;
  dataModel: string;
  risks: Risk[];
  testingStrategy: string;
  brief?: ProjectBrief | null;
  complexity?: ComplexityProfile | null;
}

export interface Step {
  id: string;
  title: string;
  details: string;
  acceptanceCriteria: string[];
  testCommand: string;
  dependsOn?: string[];
}

export interface Phase {
  number: number;
  title: string;
  summary: string;
  dependsOn?: number[];
  steps?: Step[];
}

export interface DevPlan {
  projectName: string;
  summary: string;
  phases: Phase[];
  techStack?: string[];
  brief?: ProjectBrief | null;
  complexity?: ComplexityProfile | null;
}

export interface Handoff {
  projectName: string;
  prompt: string;
  startPhase?: number | null;
  startStep?: string | null;
}

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface Usage {
  promptTokens?: number;
  completionTokens?: number;
}

/** A request's `modelConfig` (DESIGN §4). `provider` is sent too; servers that don't know it ignore it. */
export interface ModelConfig {
  provider?: string;
  model?: string;
  temperature?: number;
  maxTokens?: number;
}

export type StageName = 'interview' | 'design' | 'basic_plan' | 'phase_detail' | 'handoff';
export const STAGE_NAMES: StageName[] = ['interview', 'design', 'basic_plan', 'phase_detail', 'handoff'];
