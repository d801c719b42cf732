import type { SupabaseClient } from '@supabase/supabase-js';

/** A database function refused the call (bad argument, unknown row) or the database failed. */
export class RpcError extends Error {
  constructor(
    readonly fn: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }

  /** The function rejected an argument (22023) or a referenced row does not exist (P0002). */
  get isInvalidInput(): boolean {
    return this.code === '22023' || this.code === 'P0002';
  }
}

/** The narrow port business logic needs: call one SQL function, get its JSON result. */
export type Rpc = <T>(fn: string, args: Record<string, unknown>) => Promise<T>;

/** All data access goes through SQL functions: one round trip, one transaction each. */
export function rpcThrough(client: SupabaseClient): Rpc {
  return async <T>(fn: string, args: Record<string, unknown>): Promise<T> => {
    const { data, error } = await client.rpc(fn, args);
    if (error) {
      throw new RpcError(fn, error.code, error.message);
    }
    return data as T;
  };
}
