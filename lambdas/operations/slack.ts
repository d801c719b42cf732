import { optionalEnv } from '../platform/env';
import { OPERATIONS, SECRETS } from '../platform/system-config';
import { readSecretOnFirstUse } from '../platform/deferred-secrets';

/** What Slack's incoming webhooks take: a plain-text fallback and optional Block Kit blocks. */
export interface SlackMessage {
  text: string;
  blocks?: unknown[];
}

/** The narrow port the operations code sends through; tests and tools can pass any implementation. */
export type PostToSlack = (message: SlackMessage) => Promise<void>;

/** Slack did not take the message. Never carries the webhook URL (it is the credential). */
export class SlackDeliveryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SlackDeliveryError';
  }
}

/**
 * The one Slack client of the DLQ monitor and the alarm notifier. The webhook URL is either given
 * directly (SLACK_WEBHOOK_URL; the local Slack sink) or, as the stacks deploy it, read from a Secrets
 * Manager secret by reference (SLACK_WEBHOOK_SECRET_ARN) and cached for five minutes, so a rotated
 * webhook is picked up without a deploy. The URL is never logged or put in an error.
 */
export function slackWebhookFromEnv(): PostToSlack {
  const directUrl = optionalEnv('SLACK_WEBHOOK_URL');
  const secretArn = optionalEnv('SLACK_WEBHOOK_SECRET_ARN');
  if (!directUrl && !secretArn) {
    throw new Error('Missing required environment variable SLACK_WEBHOOK_SECRET_ARN (or SLACK_WEBHOOK_URL)');
  }
  const resolveUrl = directUrl ? async () => directUrl : rememberFailure(() => readWebhookSecret(secretArn!));
  return (message) => postToWebhook(resolveUrl, message);
}

/**
 * A failed secret read (already retried inside readSecret) is repeated for SECRETS.read.budgetMs * 4
 * without asking again: the DLQ monitor sends up to 50 alerts a run, and waiting out the read's
 * backoff for each would overrun its timeout while Secrets Manager is down. The alerts stay in the outbox.
 */
function rememberFailure(read: () => Promise<string>): () => Promise<string> {
  let failure: { error: unknown; until: number } | undefined;
  return async () => {
    if (failure && Date.now() < failure.until) throw failure.error;
    try {
      const url = await read();
      failure = undefined;
      return url;
    } catch (error) {
      failure = { error, until: Date.now() + SECRETS.read.budgetMs * 4 };
      throw error;
    }
  };
}

async function readWebhookSecret(secretArn: string): Promise<string> {
  let value: string;
  try {
    value = await readSecretOnFirstUse(secretArn);
  } catch (error) {
    throw new SlackDeliveryError(`The Slack webhook secret could not be read (${(error as Error).message})`);
  }
  // Either the URL itself, or JSON like {"webhook_url": "..."} as the Secrets Manager console stores pairs.
  const text = value.trim();
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const url = parsed.webhook_url ?? parsed.url;
      if (typeof url === 'string') return url;
    } catch {
      // fall through to the error below
    }
    throw new SlackDeliveryError('The Slack webhook secret has no "webhook_url" field');
  }
  return text;
}

async function postToWebhook(resolveUrl: () => Promise<string>, message: SlackMessage): Promise<void> {
  const url = await resolveUrl();
  if (!/^https?:\/\//i.test(url)) throw new SlackDeliveryError('The Slack webhook URL is not an http(s) URL');
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(OPERATIONS.slack.timeoutMs),
      redirect: 'error',
    });
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new SlackDeliveryError(`Slack did not answer within ${OPERATIONS.slack.timeoutMs} ms`);
    }
    // fetch's own message can name the URL; only the cause's code goes out.
    const code = ((error as { cause?: { code?: string } }).cause?.code ?? name) || 'network error';
    throw new SlackDeliveryError(`Slack webhook unreachable (${code})`);
  }
  // Drain the body so the connection can be reused; Slack answers "ok" or a short error code.
  const body = (await response.text().catch(() => '')).slice(0, 100);
  if (!response.ok) {
    throw new SlackDeliveryError(`Slack answered ${response.status} ${body}`.trim(), response.status);
  }
}
