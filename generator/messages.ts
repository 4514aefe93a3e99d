// The catalog of diagnostic codes. Codes are stable (tests and users key on them); wording may change.
// 1xxx: the file as YAML, 2xxx: the job graph, 3xxx: values, 4xxx: Step Functions limits, 5xxx: sweeps.

export const Codes = {
  yamlSyntax: 'SG1001',
  notAWorkflow: 'SG1002',
  unknownKey: 'SG1003',
  wrongType: 'SG1004',
  missingKey: 'SG1005',
  duplicateKey: 'SG1006',

  noKind: 'SG2001',
  twoKinds: 'SG2002',
  unknownNeed: 'SG2003',
  needsItself: 'SG2004',
  cycle: 'SG2005',
  duplicateJob: 'SG2006',
  badJobName: 'SG2007',
  badWorkflowName: 'SG2008',
  waitWithoutMarker: 'SG2009',
  duplicateNeed: 'SG2010',
  duplicateWorkflow: 'SG2011',
  noJobs: 'SG2012',

  badDuration: 'SG3001',
  badCron: 'SG3002',
  badRate: 'SG3003',
  badAt: 'SG3004',
  badTimezone: 'SG3005',
  badArn: 'SG3006',
  badEnum: 'SG3007',
  badTemplate: 'SG3008',
  badNumber: 'SG3009',
  badBucket: 'SG3010',
  badSchedule: 'SG3011',
  badMarkerName: 'SG3012',
  badEventPattern: 'SG3013',

  nearLimit: 'SG4001',
  overLimit: 'SG4002',
} as const;

export type Code = (typeof Codes)[keyof typeof Codes];
