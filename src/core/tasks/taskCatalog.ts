// The built-in compositional benchmarks: which family, which two properties (subroutines) each
// task composes, and the nuisance setting held fixed. The generators and the workspace writer read it.

export type TaskFamily = 'vision' | 'language';

export type VisionTaskName = 'inside-contact' | 'number-contact' | 'inside-number';
export type LanguageTaskName = 'agreement';
export type TaskName = VisionTaskName | LanguageTaskName;

export interface TaskDescription {
  family: TaskFamily;
  /** Property A then property B; the subroutine names in the spec. */
  properties: [string, string];
  /** One line for reports and the README. */
  summary: string;
}

export const TASKS: Record<TaskName, TaskDescription> = {
  'inside-contact': {
    family: 'vision',
    properties: ['inside', 'contact'],
    summary: 'one small random form beside a big random closed contour; inside = the form lies within the contour, ' +
      'contact = it touches the contour',
  },
  'number-contact': {
    family: 'vision',
    properties: ['number', 'contact'],
    summary: 'small random forms outside a big random closed contour; number = two forms (else one), ' +
      'contact = they touch the contour',
  },
  'inside-number': {
    family: 'vision',
    properties: ['inside', 'number'],
    summary: 'small random forms that never touch a big random closed contour; inside = they lie within it, ' +
      'number = two forms (else one)',
  },
  agreement: {
    family: 'language',
    properties: ['subject-number', 'verb-number'],
    summary: 'subject-number = the subject noun is singular, verb-number = the verb is singular; '
      + 'the rule "both" is singular agreement (attractor and object nouns of random number)',
  },
};

export const TASK_NAMES = Object.keys(TASKS) as TaskName[];

/**
 * The trained controls every preset runs first: the same two-subroutine task (writeControlWorkspace)
 * through a network with one stream per subroutine meeting only at the head (every subroutine should come
 * out compositional), and through one shared module (none should).
 */
export type ControlTaskName = 'control-modular' | 'control-entangled';
export const CONTROL_TASKS: Record<ControlTaskName, { base: string; summary: string }> = {
  'control-modular': {
    base: 'mlp-two-streams', summary: 'two ReLU streams, one per subroutine, meeting only at the head',
  },
  'control-entangled': { base: 'mlp-shared', summary: 'both subroutines through one shared ReLU module' },
};
export const CONTROL_TASK_NAMES = Object.keys(CONTROL_TASKS) as ControlTaskName[];

/** Everything `demo --task` accepts. */
export type DemoTaskName = TaskName | ControlTaskName;
export const DEMO_TASK_NAMES: DemoTaskName[] = [...CONTROL_TASK_NAMES, ...TASK_NAMES];
