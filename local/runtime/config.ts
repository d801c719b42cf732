import { z } from 'zod';
import { OPERATIONS } from '../../lambdas/platform/system-config';
import { parseAllowedHosts } from '../../lambdas/browser/ssrf-guard';

/**
 * The local runtime's own settings (everything else comes from lambdas/platform/system-config).
 * Read once from the environment and validated, so a typo fails at start with the setting's name.
 */
const localConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  LOCAL_API_KEY: z.string().min(20, 'must be at least 20 characters').optional(),
  DATABASE_URL: z.url().optional(),
  LOCAL_DATA_DIR: z.string().default('.local-data'),
  DEMO_SITE_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  LOCAL_DEMO_JOB: z.enum(['true', 'false']).default('true'),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('WARN'),
  // The operations handlers' schedules (EventBridge rates in AWS); shorter values for trying things out.
  LOCAL_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(OPERATIONS.sweeper.intervalSeconds),
  LOCAL_DLQ_CHECK_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(OPERATIONS.dlqMonitor.intervalSeconds),
  LOCAL_RETENTION_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(OPERATIONS.retention.intervalSeconds),
  /** A real Slack webhook; unset, alerts go to the local Slack sink (printed and recorded). */
  SLACK_WEBHOOK_URL: z.url().optional(),
  /**
   * Your own test sites on loopback (host:port, comma-separated) that the submitter may reach and
   * POST /directories may name, beside the demo site (which is always allowed).
   */
  SUBMITTER_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      try {
        return [...parseAllowedHosts(value)];
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /**
   * The receiving domain of the businesses' submission addresses (MAIL_DOMAIN). Locally the SMTP
   * server on loopback takes mail for it; nothing outside this machine is ever sent there.
   */
  LOCAL_MAIL_DOMAIN: z
    .string()
    .regex(
      /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
      'must be a lower-case domain name',
    )
    .default('mail.directorybolt.localhost'),
  /** How long the demo site's /accounts/expiring/ verification links work, in milliseconds. */
  DEMO_EXPIRING_LINK_TTL_MS: z.coerce.number().int().min(1).max(86_400_000).default(60_000),
  /** Where the handlers' EMF metric lines are collected (relative to the working directory). */
  LOCAL_METRICS_FILE: z.string().default('.local-data/metrics.jsonl'),
});

export type LocalConfig = z.infer<typeof localConfigSchema>;

export function readLocalConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const parsed = localConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid local configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
