// The catalog of diagnostic codes. Codes are stable (tests and users key on them); wording may change.
// 1xxx: the file as YAML, 2xxx: the job graph, 3xxx: values, 4xxx: AWS limits and platform rules
// (Step Functions, the deploy, Lambda, EventBridge Scheduler), 5xxx: sweeps.

export const Codes = {
  yamlSyntax: 'SG1001',
  notAWorkflow: 'SG1002',
  unknownKey: 'SG1003',
  wrongType: 'SG1004',
  missingKey: 'SG1005',
  duplicateKey: 'SG1006',
  unreadable: 'SG1007',
  badAlias: 'SG1008',

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
  splitChildName: 'SG2013',
  // Waits across dates (check/marker-dates.ts, check/past-waits.ts).
  /** A job waits for its own workflow's past markers and no `since` says where the chain starts (a warning). */
  pastWithoutStart: 'SG2026',
  duplicateWait: 'SG2027',
  /** A job waits for its own marker of the run's own date: it can never be released. */
  waitsForItself: 'SG2028',
  // Conditions and trigger rules (check/conditions.ts, check/condition-refs.ts).
  badConditionRef: 'SG2020',
  runIfWithoutNeeds: 'SG2021',
  conditionContradiction: 'SG2022',
  ruleNeverRuns: 'SG2024',
  // Pools (check/pools.ts, pool-agreement.ts).
  unknownPool: 'SG2030',
  poolSlotsDisagree: 'SG2031',
  poolOnSweep: 'SG2032',
  unusedPool: 'SG2033',
  // on_markers triggers with markers of other dates (check/trigger-markers.ts).
  triggerOnlyPastDates: 'SG2040',
  triggerMarkerTwice: 'SG2041',
  badTriggerMarker: 'SG3053',
  // Data between jobs (check/references.ts): what `{inputs.<job>.<name>}` and `for_each` name.
  unknownOutput: 'SG2014',
  inputNotUpstream: 'SG2015',
  inputsCycle: 'SG2016',
  itemOutsideForEach: 'SG2017',

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
  /** A key that once meant something and no longer does (a warning: the file still compiles). */
  obsoleteKey: 'SG3014',
  // Schedule control (check/schedule-control.ts).
  badOverlap: 'SG3035',
  badCatchUp: 'SG3036',
  controlWithoutRecurrence: 'SG3037',
  // Deadlines (check/deadlines.ts).
  badDeadline: 'SG3025',
  deadlineNeedsSchedule: 'SG3026',
  deadlineUnreachable: 'SG3027',
  deadlineBeforeStart: 'SG3028',
  deadlineWithoutEstimates: 'SG3029',
  badDateOffset: 'SG3030',
  hourOffsetInDaily: 'SG3031',
  badWaitPartition: 'SG3032',
  badSince: 'SG3033',
  badCondition: 'SG3020',
  badOperandName: 'SG3021',
  badConditionValue: 'SG3022',
  badTriggerRule: 'SG3023',
  // Outputs and for_each (check/outputs.ts, check/for-each.ts).
  badOutputName: 'SG3015',
  badOutputPath: 'SG3016',
  badOutputSize: 'SG3017',
  duplicateOutput: 'SG3018',
  badPoolName: 'SG3040',
  badPoolSlots: 'SG3041',
  badForEach: 'SG3019',
  /** A for_each job's `tolerated_failures` that is not a count or a percentage. */
  badForEachTolerance: 'SG3042',
  /** `tolerated_failures` on a job without `for_each` (a sweep's goes in its sweep file). */
  toleranceWithoutForEach: 'SG3043',
  /** A for_each job's `max_items` that is not a whole number, or `map` neither inline nor distributed. */
  badForEachSize: 'SG3044',
  /** `max_items` or `map` on a job without `for_each`. */
  sizeWithoutForEach: 'SG3045',

  nearLimit: 'SG4001',
  overLimit: 'SG4002',
  // The deploy's limits (emit/deploy-limits.ts): IAM policy size, CloudFormation template,
  // Lambda environment, EventBridge patterns and inputs, resource names.
  deployNearLimit: 'SG4003',
  deployOverLimit: 'SG4004',
  // Platform rules checked at validate.
  lambdaTooLong: 'SG4005',
  estimateOverTimeout: 'SG4006',
  scheduleDst: 'SG4007',
  scheduleNeverFires: 'SG4008',
  nameTooLong: 'SG4009',
  /** Runs estimated longer than the schedule's interval, with overlap allow (check/schedule-overlap.ts). */
  runsOverlap: 'SG4014',
  /** An inline for_each with no `max_items` whose items could fill the run's history. */
  forEachUnbounded: 'SG4015',
  // A state's payload from the declared sizes of the outputs it carries (emit/payload.ts).
  payloadNearLimit: 'SG4010',
  payloadOverLimit: 'SG4011',

  // Sweeps (generator/sweep/).
  noParams: 'SG5001',
  emptyMatrix: 'SG5002',
  unknownParam: 'SG5003',
  paramMissing: 'SG5004',
  overrideType: 'SG5005',
  badInstanceType: 'SG5006',
  badRegion: 'SG5007',
  badAmi: 'SG5008',
  badInstanceProfile: 'SG5009',
  tooManyItems: 'SG5010',
  twoRunners: 'SG5011',
  badToleratedFailures: 'SG5012',
  userDataTooLarge: 'SG5013',
  unboundedInstance: 'SG5014',
  noExitStatus: 'SG5015',
  ignoredKey: 'SG5016',
  duplicateItemName: 'SG5017',
  badSweepName: 'SG5018',
  badMatrixValue: 'SG5019',
  mixedRegions: 'SG5020',
  badItemName: 'SG5021',
  badSweepReference: 'SG5022',
} as const;

