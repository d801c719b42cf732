import { ACCOUNTS } from '../../lambdas/platform/system-config';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type LocalAws } from '../emulators/sqs-s3';

/**
 * The environment variables the CDK stacks give the Lambdas in AWS, pointing at the local parts.
 * The handlers read them once at load, so they must be set before a handler module is imported.
 */
export function lambdaEnvironment(parts: {
  rpcUrl: string;
  serviceKey: string;
  aws: LocalAws;
  /** host:port origins on loopback the submitter's SSRF guard may reach (the demo site). */
  allowedHosts?: string[];
  logLevel?: string;
  /** The local KMS (directory account credentials) and its key; without it, no directory accounts. */
  kms?: { endpoint: string; keyArn: string };
  /** The receiving domain of submission addresses and the bucket received mail is stored in. */
  mail?: { domain: string };
}): Record<string, string> {
  const { aws } = parts;
  return {
    SUPABASE_URL: parts.rpcUrl,
    SUPABASE_SERVICE_KEY: parts.serviceKey,
    TASK_QUEUE_URL_P1: aws.queues.p1.url,
    TASK_QUEUE_URL_P2: aws.queues.p2.url,
    TASK_QUEUE_URL_P3: aws.queues.p3.url,
    SCREENSHOT_BUCKET: aws.screenshotBucket,
    // The logo upload writes, the submitter reads (in AWS each gets only its own right).
    ASSETS_BUCKET: aws.assetsBucket,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_SQS: aws.endpoint,
    AWS_ENDPOINT_URL_S3: aws.endpoint,
    ...(parts.kms ? { AWS_ENDPOINT_URL_KMS: parts.kms.endpoint, CREDENTIALS_KEY_ID: parts.kms.keyArn } : {}),
    ...(parts.mail
      ? {
          MAIL_DOMAIN: parts.mail.domain,
          MAIL_BUCKET: aws.mailBucket,
          MAIL_OBJECT_PREFIX: ACCOUNTS.mail.objectPrefix,
        }
      : {}),
    S3_FORCE_PATH_STYLE: 'true',
    DLQ_URL: aws.dlq.url,
    ARCHIVE_BUCKET: aws.archiveBucket,
    // The submitter's SSRF guard allows exactly these loopback origins (unset in AWS: public addresses only).
    SUBMITTER_ALLOWED_HOSTS: (parts.allowedHosts ?? []).join(','),
    POWERTOOLS_LOG_LEVEL: parts.logLevel ?? 'WARN',
    // EMF lines would drown the console locally; CloudWatch reads them in AWS.
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
  };
}
