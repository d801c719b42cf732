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
  /** Pages one Chromium may open before it is retired and relaunched (bounds renderer memory growth). */
  maxPagesPerBrowser: 100,
  /** Browser contexts (submissions) open at once per execution environment; a batch waits for a slot. */
  maxParallelContexts: 3,
  /** Profile/artifact dirs in /tmp older than this and used by no live process are left by a crash. */
  staleTmpAgeSeconds: 60,
  /** The SSRF guard's forward proxy: how long a connection to a directory may take to open. */
  proxyConnectTimeoutMs: 10_000,
  /** The optional mapping service (MAPPING_SERVICE_URL): slower than this, detection goes on without it. */
  mappingServiceTimeoutMs: 1_500,
} as const;

export const TASKS = {
  /** A claim's lease. Longer than the submitter timeout, so a live worker never loses its lease. */
  leaseSeconds: 180,
  /** How often a working submitter renews its lease. */
  heartbeatSeconds: 30,
  /**
   * Attempts the directory may answer (transient errors) before a task fails for good; smaller than
   * maxReceiveCount. Attempts cut short by our own infrastructure do not spend it.
   */
  retryBudget: 3,
  /**
   * Attempts that may be lost to our infrastructure (a lease that expired with no result: worker
   * killed or frozen, database down) before a task fails with 'infrastructure_attempts_exhausted';
   * the bound that keeps such a task from looping forever. Mirrored by the SQL default of
   * job_results.max_infrastructure_attempts.
   */
  infrastructureAttempts: 10,
  /** Backoff for transient failures: full jitter over base * 2^(attempt-1), capped. */
  retryBackoff: { baseSeconds: 30, capSeconds: 900 },
  /**
   * HTTP 429: wait Retry-After (this default when the answer names none), at most the max. Such a wait
   * gives its attempt back; after maxDeferrals of them a 429 spends attempts like a transient error, so
   * a directory that always answers 429 cannot hold a task forever.
   */
  rateLimit: { defaultRetryAfterSeconds: 60, maxRetryAfterSeconds: 3600, maxDeferrals: 10 },
  /** Lookups of a task that may already have been submitted; after this many failed ones: needs_manual. */
  maxVerificationAttempts: 3,
  /** The largest package a single job may ask for. */
  maxDirectoriesPerJob: 500,
} as const;

const OUTAGE_RECEIVES = 5;

export const QUEUES = {
  /** Standard queues, one per priority; FIFO message groups would not give priority. */
  tasks: {
    p1: { name: 'directorybolt-tasks-p1', maximumConcurrency: 6 },
    p2: { name: 'directorybolt-tasks-p2', maximumConcurrency: 3 },
    p3: { name: 'directorybolt-tasks-p3', maximumConcurrency: 2 },
  } satisfies Record<Priority, { name: string; maximumConcurrency: number }>,
  dlq: { name: 'directorybolt-tasks-dlq' },
  /**
   * Receives kept beyond the app's retry budget for infrastructure outages. When the Supabase key or
   * the database cannot be reached (after SECRETS.read's retries inside the invocation), the whole
   * batch fails and every message spends one receive and waits one visibility timeout (12 min): five
   * spare receives ride out about an hour of outage before a task is dead-lettered.
   */
  outageReceives: OUTAGE_RECEIVES,
  /** The app's retry budget plus the outage margin (8); AWS recommends at least 5 for Lambda event sources. */
  maxReceiveCount: TASKS.retryBudget + OUTAGE_RECEIVES,
  /** AWS guidance for Lambda event sources: at least six times the function timeout. */
  visibilityTimeoutSeconds: 6 * SUBMITTER.timeoutSeconds,
  retentionPeriodSeconds: 4 * 24 * 3600,
  dlqRetentionPeriodSeconds: 14 * 24 * 3600,
  receiveWaitTimeSeconds: 20,
  /** SQS's largest DelaySeconds: a deferral longer than this is re-deferred when the message comes back. */
  maxDelaySeconds: 900,
  /** SendMessageBatch calls in flight at once when enqueueing many tasks (ten messages per call). */
  sendConcurrency: 8,
} as const;

/**
 * Per-directory politeness and the circuit breaker, enforced atomically by claim_task (the SQL defaults
 * mirror these; test/supabase/politeness.test.ts asserts they agree). Per-directory limits themselves are
 * columns: directories.max_concurrency and directories.min_interval_ms.
 */
export const POLITENESS = {
  /** A claim refused because the directory is at its concurrency limit is tried again after this. */
  busyRetrySeconds: 10,
  /** Consecutive transient failures that open a directory's breaker (pause it). */
  breakerFailureThreshold: 5,
  /** How long an open breaker pauses its directory before one probe is let through. */
  breakerCooldownSeconds: 300,
  /** A deferral waits its delay plus up to this fraction more, so deferred tasks do not all wake at once. */
  deferralJitterRatio: 0.2,
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
  /**
   * API Gateway usage plans, one per customer tier (per API key). Staff and admin keys go on the
   * enterprise plan. The local gateway applies the same numbers.
   */
  usagePlans: {
    starter: { rateLimitPerSecond: 10, burstLimit: 20, quotaPerDay: 10_000 },
    pro: { rateLimitPerSecond: 25, burstLimit: 50, quotaPerDay: 50_000 },
    enterprise: { rateLimitPerSecond: 50, burstLimit: 100, quotaPerDay: 100_000 },
  } satisfies Record<CustomerTier, { rateLimitPerSecond: number; burstLimit: number; quotaPerDay: number }>,
} as const;

/** Who an API key stands for. A customer key sees only its customer's data. */
export const API_ROLES = ['customer', 'staff', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];

/**
 * Precise per key (or IP) and route limits in Postgres (check_rate_limit), the audit's presets.
 * `auth` counts FAILED key attempts per client IP (against key guessing); the others count requests
 * per key and route. Each route names its class in lambdas/handlers/api/routes.ts.
 */
export const RATE_LIMITS = {
  public: { limit: 100, windowSeconds: 60 },
  auth: { limit: 5, windowSeconds: 15 * 60 },
  staff: { limit: 30, windowSeconds: 60 },
  admin: { limit: 10, windowSeconds: 60 },
} as const;
export type RateLimitClass = keyof typeof RATE_LIMITS;

export const API_ACCESS = {
  /** The prefix of every key we issue (keys are `dbk_` + 43 base64url characters = 256 random bits). */
  keyPrefix: 'dbk_',
  keyRandomBytes: 32,
  /**
   * After a rotation the old key keeps working this long (rotate_api_key's p_grace_seconds), so the
   * client holding it can switch without an outage; every use in that time is logged. 0 revokes at once.
   */
  rotationGraceSeconds: 24 * 60 * 60,
  /** Idempotency-Key header: visible ASCII, at most this long. */
  idempotencyKeyMaxLength: 255,
  /** GET /jobs page sizes (list_jobs refuses more than max). */
  jobsPage: { default: 50, max: 200 },
  maxNotesLength: 2000,
} as const;

export const BUCKETS = {
  /** Deployed as `<namePrefix>-<account>-<region>`: globally unique, and known to every stack without a lookup. */
  screenshots: { namePrefix: 'directorybolt-screenshots', expireAfterDays: 90 },
  /** S3 server access logs of the screenshot and assets buckets. */
  accessLogs: { expireAfterDays: 365 },
  /**
   * Customers' profile assets (logos), with no expiry. A logo is uploaded base64 in a JSON body
   * under API.maxBodyBytes, so it is bounded well below that (180 KiB is 240 KiB of base64).
   */
  assets: { namePrefix: 'directorybolt-assets', logoMaxBytes: 180 * 1024 },
} as const;

/**
 * Directory accounts (lambdas/accounts): sign-up, email verification and log-in before a listing.
 * The receiving domain (MAIL_DOMAIN) and the credentials' KMS key (CREDENTIALS_KEY_ID) are deployment
 * settings; these are the rules.
 */
export const ACCOUNTS = {
  /** How long a task waits for the directory's verification mail, unless the directory says. */
  defaultVerificationHours: 48,
  /**
   * The longest wait a directory may ask for (its verification_hours). Mirrored in SQL by
   * internal.is_directory_account and await_email_verification; test/supabase/directory-accounts.test.ts
   * checks they agree.
   */
  maxVerificationHours: 336,
  /** Waits the sweeper ends per run (expire_verification_waits); the rest wait for the next run. */
  expirePerSweep: 200,
  /**
   * Received mail (SES stores each message in the mail bucket under `objectPrefix`; the inbound-mail
   * Lambda reads it from there). Kept `expireAfterDays`: long enough to look into an unmatched mail.
   */
  mail: { namePrefix: 'directorybolt-mail', objectPrefix: 'inbound/', expireAfterDays: 30 },
  /**
   * The inbound-mail Lambda (lib/constructs/accounts/inbound-mail.ts). A mail is at most
   * MAIL_LIMITS.maxRawBytes and mailparser holds a few copies of it; the memory is for parsing speed
   * (Lambda's CPU grows with it), not space. SES invokes it asynchronously: Lambda retries a failed
   * invocation `retryAttempts` times, then the event goes to the function's failure queue.
   */
  inboundMail: { timeoutSeconds: 30, memoryMb: 512, retryAttempts: 2 },
} as const;

/**
 * Reading a secret (the Supabase service key, the Slack webhook) from Secrets Manager. A failed read
 * fails a whole SQS batch, spending a receive of every message in it, so a transient error (network,
 * throttling, 5xx) is retried inside the invocation: full jitter over base * 2^(n-1), capped, for at
 * most `attempts` reads and `budgetMs` in all (well inside the API handlers' 15 s). A permanent error
 * (no such secret, access denied) fails at once. The SDK's own retries are off: this is the one policy.
 */
export const SECRETS = {
  read: {
    attempts: 5,
    baseDelayMs: 200,
    maxDelayMs: 2_000,
    budgetMs: 8_000,
    connectTimeoutMs: 1_000,
    requestTimeoutMs: 2_000,
  },
  /** A value read is reused this long per execution environment (a rotated secret is picked up after it). */
  cacheSeconds: 300,
} as const;

export const LOGS = {
  /** CloudWatch Logs retention for every Lambda and the API access log; one of CloudWatch's allowed values. */
  retentionDays: 30,
} as const;

export const SERVICE_NAME = 'directorybolt';
export const METRICS_NAMESPACE = 'DirectoryBolt';

/**
 * CloudWatch alarms and the operations dashboard (lib/constructs/operations/operations-alarms.ts and
 * operations-dashboard.ts). Every alarm notifies the alarm topic on ALARM and on OK; its description
 * links docs/runbooks/<runbook>.md.
 */
export const MONITORING = {
  /** Every alarm's name is `<prefix>-<name>`: health details and the Slack notifier can find them by it. */
  alarmNamePrefix: 'DirectoryBolt',
  dashboardName: 'DirectoryBolt',
  /** The period an alarm evaluates unless it says otherwise; SQS and Lambda publish every minute. */
  alarmPeriodSeconds: 300,
  /** Any dead letter is a task that could not be processed at all; old ones expire with the DLQ's retention. */
  dlq: { maxMessages: 0, maxOldestMessageAgeSeconds: 24 * 3600 },
  /**
   * Per priority. Normal retries wait at most a few minutes (TASKS.retryBackoff over the retry budget),
   * so an oldest message past these ages means the queue is not being worked, not that it is retrying.
   */
  queues: {
    p1: { maxMessages: 500, maxOldestMessageAgeSeconds: 15 * 60, maxTimeToDrainSeconds: 30 * 60 },
    p2: { maxMessages: 1000, maxOldestMessageAgeSeconds: 30 * 60, maxTimeToDrainSeconds: 60 * 60 },
    p3: { maxMessages: 2000, maxOldestMessageAgeSeconds: 60 * 60, maxTimeToDrainSeconds: 2 * 3600 },
  } satisfies Record<
    Priority,
    { maxMessages: number; maxOldestMessageAgeSeconds: number; maxTimeToDrainSeconds: number }
  >,
  /**
   * Errors (TaskError, transient retries, permanent failures) per submission attempt; below the minimum
   * number of attempts in a period the rate is not judged (one failure out of three is not an incident).
   */
  submitter: { maxErrorRatePercent: 10, minAttemptsForErrorRate: 10 },
  /** Per function and period: any unhandled error or throttle is worth a look. */
  lambda: { maxErrors: 0, maxThrottles: 0 },
  api: { max5xxPerPeriod: 5, maxLatencyP99Ms: 5000 },
  /** The sweeper recovering anything means a worker died or a send failed: tell on-call. */
  staleTasks: { maxRecoveredPerPeriod: 0 },
  /** A monitor that reported no run for this many of its intervals is alarmed as not running. */
  missedRunsBeforeAlarm: 3,
  /** Alarm notifications the Slack notifier failed to deliver (its failure queue). */
  notifier: { maxUndelivered: 0 },
  /**
   * Retention runs daily: alarmed when no run completed in this many days (one missed run, with a
   * day's slack for when in the day it runs).
   */
  retentionNotRunningDays: 2,
  /**
   * DLQ alerts Slack refused (they wait in the outbox and are retried, at least every
   * OPERATIONS.dlqMonitor.alertRetry.capSeconds): alarmed when alerts failed in this many consecutive
   * windows of that length, i.e. DLQ alerts have not reached Slack for about that long.
   */
  dlqAlertsFailing: { maxFailedPerWindow: 0, windows: 2 },
  /** Scheduled runs EventBridge could not deliver to their function (its dead-letter queue). */
  scheduledRunsUndelivered: { maxMessages: 0 },
  /** Trend alarms (queue depth, time to drain, API latency) must hold this many periods, not one spike. */
  sustainedPeriods: 3,
  /**
   * docs/runbooks/<name>.md. Alarms link a section of one, `<runbookBaseUrl>/<name>.md#<anchor>`
   * (lib/constructs/operations/runbooks.ts); alerts link `<runbookBaseUrl>/<name>.md`.
   */
  runbooks: {
    staleTasks: 'stale-tasks',
    dlqMessages: 'dlq-messages',
    slackAlerts: 'slack-alerts',
    adjustingLimits: 'adjusting-limits',
    scaling: 'scaling',
    submitter: 'submitter',
    api: 'api',
    databaseOutage: 'database-outage',
    scheduledJobs: 'scheduled-jobs',
    emailVerification: 'email-verification',
  },
  /**
   * Directory accounts (lib/constructs/operations/email-verification-alarms.ts), over an hour: a
   * timed-out verification is rare and each one is a listing a human must finish, so any one alarms;
   * unmatched mail is normal in small numbers (spam and strays reach any public MX), so only a burst
   * does (`minUnmatchedMailPerHour` or more), which means matching broke or a directory changed its mail.
   */
  directoryAccounts: {
    periodSeconds: 3600,
    maxVerificationTimedOutPerHour: 0,
    minUnmatchedMailPerHour: 5,
    /** Received-mail events the inbound-mail Lambda failed after its retries (its failure queue). */
    maxUndeliveredMail: 0,
  },
} as const;

/**
 * EMF metric names the alarms and the dashboard read (namespace METRICS_NAMESPACE, Powertools' default
 * dimension service=SERVICE_NAME, no other dimension): the handlers emit exactly these.
 */
export const METRIC_NAMES = {
  /** One per completed sweeper run; its absence means the sweeper is not running. */
  sweeperRun: 'SweeperRun',
  staleTasksRequeued: 'StaleTasksRequeued',
  staleTasksFailed: 'StaleTasksFailed',
  /** One per completed DLQ monitor run. */
  dlqMonitorRun: 'DlqMonitorRun',
  dlqMessagesRecorded: 'DlqMessagesRecorded',
  dlqAlertsSent: 'DlqAlertsSent',
  /** Alerts Slack did not take; they stay in the outbox and are retried. */
  dlqAlertsFailed: 'DlqAlertsFailed',
  retentionRun: 'RetentionRun',
  /** Operations detail (lambdas/handlers/operations/*): for the dashboard and investigation, not alarmed by default. */
  staleTasksNeedVerification: 'StaleTasksNeedVerification',
  staleTasksSendFailed: 'StaleTasksSendFailed',
  staleWorkers: 'StaleWorkers',
  dlqRecordFailed: 'DlqRecordFailed',
  dlqMessagesRedriven: 'DlqMessagesRedriven',
  historyRowsArchived: 'HistoryRowsArchived',
  slackNotified: 'SlackNotified',
  slackNotifyFailed: 'SlackNotifyFailed',
  /** The submitter's outcomes (lambdas/handlers/submitter.ts: Task_<outcome>, TaskError, TaskRetryScheduled). */
  taskSubmitted: 'Task_submitted',
  taskNeedsManual: 'Task_needs_manual',
  taskFailed: 'Task_failed',
  taskSkipped: 'Task_skipped',
  taskLeaseLost: 'Task_lease_lost',
  taskError: 'TaskError',
  taskRetryScheduled: 'TaskRetryScheduled',
  /** Politeness and breaker (lambdas/tasks/process-task.ts). */
  taskDeferred: 'TaskDeferred',
  taskRateLimited: 'TaskRateLimited',
  taskVerified: 'TaskVerified',
  directoryPaused: 'DirectoryPaused',
  directoryHalfOpen: 'DirectoryHalfOpen',
  directoryResumed: 'DirectoryResumed',
  /** Directory accounts and email verification (lambdas/accounts, lambdas/mail). */
  taskAwaitingVerification: 'Task_awaiting_verification',
  inboundMail: 'InboundMail',
  /** Mail that matched no waiting sign-up (recorded in inbound_mail with its reason; alarmed). */
  unmatchedMail: 'UnmatchedMail',
  verificationLinkRecorded: 'VerificationLinkRecorded',
  /** Tasks whose verification mail did not come before their deadline (needs_manual; alarmed). */
  verificationTimedOut: 'VerificationTimedOut',
  /** How many tasks wait for a verification mail, each sweep (the dashboard's gauge). */
  tasksAwaitingVerification: 'TasksAwaitingVerification',
} as const;

/**
 * The operations Lambdas' sizes (lib/constructs/operations/operations-jobs.ts, slack-notifier.ts). A scheduled
 * job's timeout stays below its interval, so one run ends before the next starts.
 */
export const OPERATIONS_LAMBDAS = {
  staleTaskSweeper: { timeoutSeconds: 90, memoryMb: 512 },
  /** Up to OPERATIONS.dlqMonitor.maxAlertsPerRun alerts, each allowed OPERATIONS.slack.timeoutMs. */
  dlqMonitor: { timeoutSeconds: 240, memoryMb: 512 },
  dlqRedrive: { timeoutSeconds: 120, memoryMb: 512 },
  /** Lambda's maximum: up to OPERATIONS.retention.maxBatchesPerRun archive files per run. */
  retention: { timeoutSeconds: 900, memoryMb: 1024 },
  slackNotifier: { timeoutSeconds: 30, memoryMb: 256 },
} as const;

/**
 * The self-healing runtime: stale-task sweeper, DLQ monitor, retention, health checks.
 * The schedules are EventBridge rates in AWS and timers locally (shortened there by env for tests).
 */
/** The rest of the API surface (directories, customers, submissions, admin); issue 5 part 2. */
export const API_SURFACE = {
  /** Page sizes of GET /directories and GET /submissions (the SQL functions refuse more than max). */
  page: { default: 50, max: 200 },
  /** GET /admin/dlq lists at most this many recorded dead letters, newest first. */
  deadLettersListed: 100,
  /** A claim refused by an operator pause comes back after this (plus jitter) to look again. */
  pauseRecheckSeconds: 30,
  /**
   * POST /directories/{id}/test-submission runs Chromium inside API Gateway's 29 s integration limit:
   * the dry run gets this budget, the function a little more.
   */
  testSubmission: {
    timeoutSeconds: 28,
    memoryMb: 2048,
    budgetMs: 24_000,
    /** Screenshots above this are left out of the answer (Lambda's response limit is 6 MB, base64 grows 4/3). */
    screenshotMaxBytes: 3_000_000,
  },
} as const;

export const OPERATIONS = {
  sweeper: {
    /** EventBridge rate of the stale-task sweeper. */
    intervalSeconds: 2 * 60,
    /** A lease this long past its expiry belongs to a dead worker (live workers renew every TASKS.heartbeatSeconds). */
    leaseGraceSeconds: 30,
    /** create-job sends right after its commit; a task still `pending` after this was never sent. */
    stalePendingSeconds: 5 * 60,
    /**
     * A `queued` task (past its retry time) untouched this long MAY have lost its message; it is resent
     * only when its priority queue holds fewer messages than the tasks waiting on it (a backlog is
     * waiting, not lost), and only as many as the queue is short of, oldest first.
     */
    staleQueuedSeconds: 60 * 60,
    /** A worker that said `starting`/`running` and then went silent this long is reported (one invocation must fit). */
    staleWorkerSeconds: SUBMITTER.timeoutSeconds + 60,
    /** Tasks looked at per run; the next run takes the rest. */
    batchSize: 500,
  },
  dlqMonitor: {
    intervalSeconds: 5 * 60,
    /** Messages read from the DLQ per run (SQS hands out at most 10 per receive). */
    maxMessagesPerRun: 100,
    /** Long enough to record, alert and delete a batch before SQS hands the messages out again. */
    receiveVisibilityTimeoutSeconds: 120,
    /** Pending alerts sent per run; the outbox keeps the rest for the next run. */
    maxAlertsPerRun: 50,
    /** A run that claimed an alert holds it this long; a run that died mid-send frees it for the next. */
    alertClaimSeconds: 60,
    /** Retry spacing for an alert Slack did not take: base * 2^(failures-1), capped. */
    alertRetry: { baseSeconds: 60, capSeconds: 30 * 60 },
    /** Messages redriven per request. */
    maxRedrivePerRequest: 100,
  },
  slack: {
    /** A webhook that does not answer in this time counts as down (the alert stays in the outbox). */
    timeoutMs: 5_000,
  },
  retention: {
    /** EventBridge rate of the retention job. */
    intervalSeconds: 24 * 3600,
    /** queue_history rows older than this are archived to S3 (JSON lines) and then deleted. */
    historyDays: 90,
    /** Archived history in S3 expires after this (bucket lifecycle rule). */
    archiveExpireAfterDays: 365,
    /** Rows per archive file, and files per run. */
    historyBatchSize: 5_000,
    maxBatchesPerRun: 20,
    /** Rate-limit windows older than this are useless. */
    rateLimitRowsDays: 2,
    /** Stored Idempotency-Key responses are replayed for this long. */
    idempotencyKeyDays: 7,
    /** Delivered DLQ alerts are kept for de-duplication well past the DLQ's own message retention. */
    dlqAlertsDays: 90,
    /** The record of a received mail (inbound_mail) is kept as long as the raw mail in the mail bucket. */
    inboundMailDays: ACCOUNTS.mail.expireAfterDays,
  },
  health: {
    /** Each health check's budget; a dependency slower than this counts as down. */
    checkTimeoutMs: 3_000,
    /**
     * GET /health is public: requests arriving within this time of a finished check share its
     * result (and concurrent ones share one check), so a flood of health calls cannot turn into a
     * flood of database and SQS calls. A dependency's failure shows within this time.
     */
    resultReuseMs: 2_000,
  },
} as const;
