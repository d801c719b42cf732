import type { Priority } from '../../lambdas/platform/system-config';

/**
 * The stack outputs the runbooks (docs/runbooks) tell on-call to read, so a runbook step names a real
 * resource: `aws cloudformation describe-stacks --stack-name <stack> --query "Stacks[0].Outputs"`.
 * One definition for the stacks that write them; test/lib/runbooks.test.ts checks that every output a
 * runbook names exists. Plain data, so the test reads it without building anything.
 */
export const RUNBOOK_OUTPUTS = {
  queues: {
    taskQueueUrl: (priority: Priority) => `TaskQueue${priority.toUpperCase()}Url`,
    deadLetterQueueUrl: 'DeadLetterQueueUrl',
  },
  storage: { credentialsKeyArn: 'CredentialsKeyArn' },
  submitter: { function: 'SubmitterFunction' },
  api: {
    /** One per route, by the route's name (lambdas/handlers/api/routes.ts): `get-job` is `ApiFunctionGetJob`. */
    function: (routeName: string) =>
      `ApiFunction${routeName
        .split('-')
        .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
        .join('')}`,
  },
  mail: {
    receiptRuleSetName: 'ReceiptRuleSetName',
    mailDomain: 'MailDomain',
    mailBucket: 'MailBucket',
    inboundMailFunction: 'InboundMailFunction',
    /** Received-mail events the inbound-mail Lambda failed after its retries. */
    inboundMailUndeliveredQueueUrl: 'InboundMailUndeliveredQueueUrl',
  },
  operations: {
    staleTaskSweeperFunction: 'StaleTaskSweeperFunction',
    dlqMonitorFunction: 'DlqMonitorFunction',
    dlqRedriveFunction: 'DlqRedriveFunction',
    retentionFunction: 'RetentionFunction',
    slackNotifierFunction: 'SlackNotifierFunction',
    /** Alarm notifications the Slack notifier could not deliver. */
    notifierUndeliveredQueueUrl: 'SlackNotifierUndeliveredQueueUrl',
    /** Scheduled runs EventBridge could not deliver to their function. */
    scheduledRunsUndeliveredQueueUrl: 'ScheduledRunsUndeliveredQueueUrl',
  },
} as const;
