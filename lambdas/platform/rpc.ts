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

/**
 * What rpcThrough needs of a client: PostgREST's RPC call answering `{ data, error }`. Both
 * @supabase/postgrest-js (lambdas/platform/database.ts) and a full supabase-js client fit.
 */
export interface RpcClient {
  rpc(
    fn: string,
    args: Record<string, unknown>,
  ): PromiseLike<{ data: unknown; error: { code?: string; message: string } | null }>;
}

/** All data access goes through SQL functions: one round trip, one transaction each. */
export function rpcThrough(client: RpcClient): Rpc {
  return async <T>(fn: string, args: Record<string, unknown>): Promise<T> => {
    const { data, error } = await client.rpc(fn, args);
    if (error) {
      throw new RpcError(fn, error.code, error.message);
    }
    return data as T;
  };
}
