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
    summary: 'one small shape per image; inside = it lies within the big outline, contact = it touches the outline',
  },
  'number-contact': {
    family: 'vision',
    properties: ['number', 'contact'],
    summary: 'small shapes outside the big outline; number = two small shapes (else one), contact = they touch the outline',
  },
  'inside-number': {
    family: 'vision',
    properties: ['inside', 'number'],
    summary: 'small shapes never touch the outline; inside = they lie within it, number = two small shapes (else one)',
  },
  agreement: {
    family: 'language',
    properties: ['subject-verb', 'reflexive'],
    summary: 'subject-verb = the verb agrees in number with the subject, reflexive = the reflexive pronoun agrees in gender and number with the subject',
  },
};

export const TASK_NAMES = Object.keys(TASKS) as TaskName[];
