import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SECRETS } from './system-config';

/**
 * Created once per execution environment. The SDK's own retries are off (maxAttempts 1) so that
 * readSecret's backoff is the one retry policy, with short connection and request timeouts: an
 * unreachable endpoint costs one timeout per attempt, not the SDK's defaults. The endpoint comes from
 * the SDK's standard settings (AWS_ENDPOINT_URL_SECRETS_MANAGER), which the tests point at a stand-in.
 */
const provider = new SecretsProvider({
  clientConfig: {
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: SECRETS.read.connectTimeoutMs,
      requestTimeout: SECRETS.read.requestTimeoutMs,
    },
  },
});

/** Errors that another read cannot fix: the secret's ARN or the function's rights are wrong. */
const PERMANENT = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'InvalidParameterException',
  'InvalidRequestException',
  'ValidationException',
]);

export class SecretReadError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SecretReadError';
  }
}

export interface ReadSecretOptions {
  /** Defaults to SECRETS.read; tests pass shorter delays. */
  retry?: Partial<Record<keyof (typeof SECRETS)['read'], number>>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

/**
 * A secret's string value, cached for SECRETS.cacheSeconds. Transient failures (network, throttling,
 * 5xx) are retried with full-jitter backoff inside this call, within SECRETS.read's attempts and time
 * budget, because a failed read fails a whole SQS batch and spends a receive of every message in it.
 * Errors name the secret's ARN and the cause's type, never a value.
 */
export async function readSecret(secretId: string, options: ReadSecretOptions = {}): Promise<string> {
  const retry = { ...SECRETS.read, ...options.retry };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    let value: unknown;
    try {
      value = await provider.get(secretId, { maxAge: SECRETS.cacheSeconds });
    } catch (error) {
      const cause = (error as Error).cause ?? error;
      const kind = (cause as Error).name ?? 'Error';
      if (PERMANENT.has(kind)) {
        throw new SecretReadError(`Secret ${secretId} cannot be read: ${kind}`, attempt, { cause });
      }
      const delay = random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
      if (attempt >= retry.attempts || now() - started + delay > retry.budgetMs) {
        throw new SecretReadError(
          `Secret ${secretId} could not be read after ${attempt} attempts in ${now() - started} ms: ${kind}`,
          attempt,
          { cause },
        );
      }
      await sleep(delay);
      continue;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      throw new SecretReadError(`Secret ${secretId} is empty or not a string`, attempt);
    }
    return value;
  }
}
