/**
 * The one definition of every queue name, limit and threshold.
 *
 * Read by the CDK stacks (lib/stacks), by the Lambda code (lambdas/) and by the local runtime (local/),
 * so a limit can never drift between AWS and the machine a developer runs the system on.
 * Pure data: no imports, no environment reads.
 */

export const PRIORITIES = ['p1', 'p2', 'p3'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Customer tiers, and the queue each tier's tasks go to. */
export const CUSTOMER_TIERS = ['enterprise', 'pro', 'starter'] as const;
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];
export const PRIORITY_BY_TIER: Record<CustomerTier, Priority> = {
  enterprise: 'p1',
  pro: 'p2',
  starter: 'p3',
};

export const SUBMITTER = {
  /** Lambda timeout: one batch of submissions must fit, including a cold Chromium start. */
  timeoutSeconds: 120,
  memoryMb: 2048,
  /** Messages per invocation; they run in parallel browser contexts. */
  batchSize: 3,
  maxBatchingWindowSeconds: 1,
  /** Navigation and action timeouts inside one submission. */
  navigationTimeoutMs: 20_000,
  actionTimeoutMs: 10_000,
  /** /tmp for the decompressed Chromium (~300 MB with its libraries), its profile and screenshots. */
  ephemeralStorageMb: 1024,
} as const;

export const TASKS = {
  /** A claim's lease. Longer than the submitter timeout, so a live worker never loses its lease. */
  leaseSeconds: 180,
  /** How often a working submitter renews its lease. */
  heartbeatSeconds: 30,
  /** Attempts the application makes before a task fails for good; smaller than maxReceiveCount. */
  retryBudget: 3,
  /** Backoff for transient failures: full jitter over base * 2^(attempt-1), capped. */
  retryBackoff: { baseSeconds: 30, capSeconds: 900 },
  /** The largest package a single job may ask for. */
  maxDirectoriesPerJob: 500,
} as const;

export const QUEUES = {
  /** Standard queues, one per priority; FIFO message groups would not give priority. */
  tasks: {
    p1: { name: 'directorybolt-tasks-p1', maximumConcurrency: 6 },
    p2: { name: 'directorybolt-tasks-p2', maximumConcurrency: 3 },
    p3: { name: 'directorybolt-tasks-p3', maximumConcurrency: 2 },
  } satisfies Record<Priority, { name: string; maximumConcurrency: number }>,
  dlq: { name: 'directorybolt-tasks-dlq' },
  /** AWS recommends at least 5 for Lambda event sources; the app's retry budget stays below it. */
  maxReceiveCount: 5,
  /** AWS guidance for Lambda event sources: at least six times the function timeout. */
  visibilityTimeoutSeconds: 6 * SUBMITTER.timeoutSeconds,
  retentionPeriodSeconds: 4 * 24 * 3600,
  dlqRetentionPeriodSeconds: 14 * 24 * 3600,
  receiveWaitTimeSeconds: 20,
} as const;

export const API = {
  /** Bodies larger than this are refused with 413 before any parsing. */
  maxBodyBytes: 256 * 1024,
  maxUrlLength: 2048,
  /** The API Lambdas; API Gateway's own integration timeout (29 s) caps the timeout. */
  handler: { timeoutSeconds: 15, memoryMb: 512 },
  /**
   * WAF rate rule per client IP, over WAF's 5-minute window. Above one key's sustained usage-plan rate
   * (50/s is 15,000 per 5 min), so it only stops floods, including ones without a valid key.
   */
  waf: { requestsPerIpPer5Minutes: 20_000 },
  /** API Gateway usage plans (per API key). The local gateway applies the same numbers. */
  usagePlans: {
    standard: { rateLimitPerSecond: 50, burstLimit: 100, quotaPerDay: 100_000 },
  },
} as const;

export const BUCKETS = {
  /** Deployed as `<namePrefix>-<account>-<region>`: globally unique, and known to every stack without a lookup. */
  screenshots: { namePrefix: 'directorybolt-screenshots', expireAfterDays: 90 },
  /** S3 server access logs of the screenshot bucket. */
  accessLogs: { expireAfterDays: 365 },
} as const;

export const LOGS = {
  /** CloudWatch Logs retention for every Lambda and the API access log; one of CloudWatch's allowed values. */
  retentionDays: 30,
} as const;

export const SERVICE_NAME = 'directorybolt';
export const METRICS_NAMESPACE = 'DirectoryBolt';
