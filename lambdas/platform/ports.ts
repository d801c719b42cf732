/**
 * Narrow, type-only ports that business logic takes instead of concrete clients, so it can be
 * called with the Powertools Logger in Lambda and with anything that logs in tests or tools.
 */
export interface LogPort {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}
