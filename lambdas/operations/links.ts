import { MONITORING } from '../platform/system-config';

/** Where an alert points a human: the runbooks in the repository and the CloudWatch dashboard. */
export interface OpsLinks {
  /** e.g. https://github.com/acme/directorybolt/blob/main/docs/runbooks (no trailing slash needed). */
  runbookBaseUrl?: string;
  dashboardUrl?: string;
}

export type RunbookName = (typeof MONITORING.runbooks)[keyof typeof MONITORING.runbooks];

/** The runbook's URL, or its path in the repository when no base URL is configured. */
export function runbookUrl(links: OpsLinks, name: RunbookName): string {
  const base = links.runbookBaseUrl?.replace(/\/+$/, '');
  return base ? `${base}/${name}.md` : `docs/runbooks/${name}.md`;
}
