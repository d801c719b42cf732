/**
 * Emulates: Supabase's Data API (Kong + PostgREST), on the RPC path only.
 *
 * The local stand-in for Supabase's Data API on the RPC path: POST /rest/v1/rpc/<fn>.
 *
 * Why this exists: in AWS the Lambdas call the SQL functions through Supabase (Kong + PostgREST) with
 * @supabase/supabase-js. PostgREST is a Haskell binary that cannot be installed from npm, and this
 * machine has no Docker, so the local runtime serves the same wire contract itself, over the same
 * migrated Postgres. The Lambdas' supabase-js configuration (URL + service key) is then identical in
 * both places and their code cannot tell the difference. Only what the backend uses is implemented:
 * RPC calls (POST, and GET for read-only calls), authenticated with the service key.
 *
 * What it copies from PostgREST / Supabase:
 *   - auth: the `apikey` header and/or `Authorization: Bearer` must be the service key; otherwise 401
 *     with the gateway's JSON body;
 *   - function lookup in a schema cache of pg_proc: only schema public, only functions service_role may
 *     EXECUTE; a call is matched by its argument names (arguments with defaults may be left out);
 *     no match -> 404 PGRST202; the cache is reloaded on a miss (PostgREST needs NOTIFY pgrst);
 *   - each call runs in its own transaction with `set local role service_role`, the role's own settings
 *     (statement_timeout, lock_timeout...) and `request.jwt.claims`, `request.method`, `request.path`;
 *   - arguments are bound as typed parameters (`public.fn(p_a => $1::uuid, ...)`), never spliced in;
 *   - the result: the function's JSON value with 200 (sets and rows as JSON arrays / objects);
 *   - errors: PostgREST's body {code, message, details, hint} and its SQLSTATE -> HTTP status table
 *     (22023 and P0001 -> 400, 23505/23503 -> 409, other P0xxx such as P0002 -> 500, 57014 -> 500, ...).
 * Internal failures answer with a generic message; stack traces never leave the process.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

export interface RpcServerOptions {
  databaseUrl: string;
  /** The key callers must present (SUPABASE_SERVICE_ROLE_KEY in the Lambdas' configuration). */
  serviceKey: string;
  /** Default: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Largest accepted request body. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Pool size. Default 10. */
  maxConnections?: number;
  /** Called with unexpected (non-database) errors; they are never sent to the client. */
  onError?: (error: unknown) => void;
}

export interface RpcServer {
  /** The Supabase URL to give supabase-js (it appends /rest/v1). */
  url: string;
  /** Re-reads the functions from pg_proc (PostgREST: NOTIFY pgrst, 'reload schema'). */
  reloadSchemaCache(): Promise<void>;
  stop(): Promise<void>;
}

const EXPOSED_SCHEMA = 'public';
const API_ROLE = 'service_role';
const RPC_PREFIX = '/rest/v1/rpc/';

interface RoutineParam {
  name: string;
  /** format_type() of the parameter, e.g. "uuid[]", "timestamp with time zone". */
  type: string;
  required: boolean;
  isJson: boolean;
  isArray: boolean;
}

interface Routine {
  name: string;
  params: RoutineParam[];
  returnType: string;
  returnsSet: boolean;
  returnsComposite: boolean;
  returnsVoid: boolean;
  volatile: boolean;
}

interface ErrorBody {
  code: string | null;
  message: string;
  details: string | null;
  hint: string | null;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message));
  }
}

function pgrstError(
  status: number,
  code: string,
  message: string,
  details: string | null = null,
  hint: string | null = null,
) {
  const body: ErrorBody = { code, details, hint, message };
  return new HttpError(status, body as unknown as Record<string, unknown>);
}

/** PostgREST's SQLSTATE -> HTTP status table (src/PostgREST/Error.hs, mapSQLtoHTTP). */
export function httpStatusForSqlState(code: string, message = '', authenticated = true): number {
  const p2 = code.slice(0, 2);
  if (p2 === '08') return 503;
  if (p2 === '09') return 500;
  if (p2 === '0L' || p2 === '0P') return 403;
  if (code === '23503' || code === '23505') return 409;
  if (code === '25006') return 405;
  if (code === '21000') return message.endsWith('requires a WHERE clause') ? 400 : 500;
  if (code === '22023') return message.startsWith('role') && message.endsWith('does not exist') ? 401 : 400;
  if (['25', '2D', '38', '39', '3B', '40'].includes(p2)) return 500;
  if (p2 === '28') return 403;
  if (code === '53400') return 500;
  if (p2 === '53') return 503;
  if (p2 === '54' || p2 === '55') return 500;
  if (code === '57P01') return 503;
  if (['57', '58', 'F0', 'HV', 'XX'].includes(p2)) return 500;
  if (code === 'P0001') return 400;
  if (p2 === 'P0') return 500;
  if (code === '42883') return 404;
  if (code === '42P01') return 404;
  if (code === '42P17') return 500;
  if (code === '42501') return authenticated ? 403 : 401;
  if (p2 === 'PT') {
    const n = Number(code.slice(2));
    return Number.isInteger(n) && n >= 100 && n <= 599 ? n : 500;
  }
  return 400;
}

function constantTimeEquals(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Supabase's gateway checks the key before PostgREST sees the request; these are its 401 bodies. */
function authenticate(req: IncomingMessage, serviceKey: string): void {
  const apikey = req.headers['apikey'];
  const authorization = req.headers['authorization'];
  const presented: string[] = [];
  if (typeof apikey === 'string') presented.push(apikey);
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    presented.push(match ? match[1]! : '');
  }
  if (presented.length === 0) {
    throw new HttpError(401, {
      message: 'No API key found in request',
      hint: 'No `apikey` request header or url param was found.',
    });
  }
  if (!presented.every((key) => constantTimeEquals(key, serviceKey))) {
    throw new HttpError(
      401,
      { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' },
      { 'WWW-Authenticate': 'Bearer' },
    );
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    throw pgrstError(413, 'PGRST413', `Request body exceeds the limit of ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw pgrstError(413, 'PGRST413', `Request body exceeds the limit of ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

class SchemaCache {
  private routines = new Map<string, Routine[]>();
  private loadedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(private readonly pool: pg.Pool) {}

  async load(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const result = await this.pool.query<{
          name: string;
          arg_names: string[] | null;
          arg_types: string[];
          n_defaults: number;
          return_type: string;
          returns_set: boolean;
          returns_composite: boolean;
          volatile: boolean;
          has_out_args: boolean;
        }>(
          `select p.proname as name,
                  p.proargnames as arg_names,
                  array(select format_type(t, null) from unnest(p.proargtypes::oid[]) with ordinality as a(t, i) order by i) as arg_types,
                  p.pronargdefaults as n_defaults,
                  format_type(p.prorettype, null) as return_type,
                  p.proretset as returns_set,
                  (select typtype = 'c' from pg_type where oid = p.prorettype) as returns_composite,
                  p.provolatile = 'v' as volatile,
                  coalesce('o' = any(p.proargmodes::text[]) or 't' = any(p.proargmodes::text[]) or 'b' = any(p.proargmodes::text[]), false) as has_out_args
             from pg_proc p
             join pg_namespace n on n.oid = p.pronamespace
            where n.nspname = $1
              and p.prokind = 'f'
              and has_function_privilege($2, p.oid, 'execute')`,
          [EXPOSED_SCHEMA, API_ROLE],
        );
        const routines = new Map<string, Routine[]>();
        for (const row of result.rows) {
          const nargs = row.arg_types.length;
          const names = (row.arg_names ?? []).slice(0, nargs);
          // Unnamed or variadic-only parameters cannot be called by name: skip such functions.
          if (names.length !== nargs || names.some((n) => !n)) continue;
          const params = row.arg_types.map((type, i) => ({
            name: names[i]!,
            type,
            required: i < nargs - row.n_defaults,
            isJson: type === 'json' || type === 'jsonb',
            isArray: type.endsWith('[]'),
          }));
          const routine: Routine = {
            name: row.name,
            params,
            returnType: row.return_type,
            returnsSet: row.returns_set,
            returnsComposite: row.returns_composite || row.has_out_args || row.return_type === 'record',
            returnsVoid: row.return_type === 'void',
            volatile: row.volatile,
          };
          const list = routines.get(row.name) ?? [];
          list.push(routine);
          routines.set(row.name, list);
        }
        this.routines = routines;
        this.loadedAt = Date.now();
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  /** Finds the function `name` whose parameters fit `argNames`; reloads once on a miss. */
  async resolve(name: string, argNames: string[]): Promise<Routine> {
    let found = this.match(name, argNames);
    // Reload on a miss (throttled), so functions added by a later migration appear without a restart.
    if (found.length === 0 && Date.now() - this.loadedAt > 100) {
      await this.load();
      found = this.match(name, argNames);
    }
    if (found.length === 1) return found[0]!;
    if (found.length > 1) {
      throw pgrstError(
        300,
        'PGRST203',
        `Could not choose the best candidate function between: ${found
          .map(
            (r) => `${EXPOSED_SCHEMA}.${r.name}(${r.params.map((p) => `${p.name} => ${p.type}`).join(', ')})`,
          )
          .join(', ')}`,
        null,
        'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
      );
    }
    const sorted = [...argNames].sort();
    const signature = sorted.length ? `(${sorted.join(', ')})` : ' without parameters';
    const details = sorted.length
      ? `Searched for the function ${EXPOSED_SCHEMA}.${name} with parameter${sorted.length > 1 ? 's' : ''} ${sorted.join(', ')} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`
      : `Searched for the function ${EXPOSED_SCHEMA}.${name} without parameters, but no matches were found in the schema cache.`;
    const overloads = this.routines.get(name);
    const hint = overloads?.length
      ? `Perhaps you meant to call the function ${EXPOSED_SCHEMA}.${name}(${[...overloads[0]!.params.map((p) => p.name)].sort().join(', ')})`
      : null;
    throw pgrstError(
      404,
      'PGRST202',
      `Could not find the function ${EXPOSED_SCHEMA}.${name}${signature} in the schema cache`,
      details,
      hint,
    );
  }

  private match(name: string, argNames: string[]): Routine[] {
    const given = new Set(argNames);
    return (this.routines.get(name) ?? []).filter(
      (r) =>
        argNames.every((a) => r.params.some((p) => p.name === a)) &&
        r.params.every((p) => !p.required || given.has(p.name)),
    );
  }
}

/** JS value from the request -> a parameter for `$n::<type>`. */
function toParam(value: unknown, param: RoutineParam): unknown {
  if (value === null || value === undefined) return null;
  if (param.isJson) return JSON.stringify(value);
  if (param.isArray) {
    if (Array.isArray(value))
      return value.map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : v));
    return value; // a Postgres array literal such as '{a,b}' (GET query strings)
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

function quoteIdent(name: string): string {
  return pg.escapeIdentifier(name);
}

function buildCall(routine: Routine, args: Record<string, unknown>): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const named: string[] = [];
  for (const param of routine.params) {
    if (!(param.name in args)) continue; // left to its default
    values.push(toParam(args[param.name], param));
    // The type text comes from format_type() in the catalog, never from the request.
    named.push(`${quoteIdent(param.name)} => $${values.length}::${param.type}`);
  }
  const call = `${quoteIdent(EXPOSED_SCHEMA)}.${quoteIdent(routine.name)}(${named.join(', ')})`;
  let text: string;
  if (routine.returnsVoid) text = `select ${call}, null::text as body`;
  else if (routine.returnsSet) text = `select coalesce(json_agg(_r), '[]')::text as body from ${call} as _r`;
  else if (routine.returnsComposite) text = `select to_json(_r)::text as body from ${call} as _r`;
  else text = `select to_json(${call})::text as body`;
  return { text, values };
}

function send(
  res: ServerResponse,
  status: number,
  body: string | null,
  headers: Record<string, string> = {},
) {
  if (res.headersSent) return;
  const payload = body ?? '';
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(payload)),
    ...headers,
  });
  res.end(payload);
}

function errorFromDatabase(error: pg.DatabaseError): HttpError {
  const code = error.code ?? 'XX000';
  const body: ErrorBody = {
    code,
    details: error.detail ?? null,
    hint: error.hint ?? null,
    message: error.message,
  };
  return new HttpError(
    httpStatusForSqlState(code, error.message),
    body as unknown as Record<string, unknown>,
  );
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return (
    (typeof code === 'string' &&
      ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P03'].includes(code)) ||
    (error instanceof Error &&
      /Connection terminated|timeout exceeded when trying to connect/i.test(error.message))
  );
}

export async function startRpcServer(options: RpcServerOptions): Promise<RpcServer> {
  if (!options.serviceKey || options.serviceKey.length < 16) {
    throw new Error('startRpcServer: serviceKey must be at least 16 characters');
  }
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const onError = options.onError ?? ((error: unknown) => console.error('[rpc-server]', error));
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // Each call's four statements go out together and cost one round trip, as PostgREST's pipelined
    // connection does (https://node-postgres.com/features/pipelining): 1.3x the calls per second of
    // sending them one by one, measured on this machine with get_job at 16 concurrent callers.
    pipeline: true,
  } as pg.PoolConfig);
  pool.on('error', (error) => onError(error));

  const cache = new SchemaCache(pool);
  await cache.load();
  // PostgREST applies the impersonated role's own settings (ALTER ROLE ... SET) on every switch.
  const roleSettings = (
    await pool.query<{ name: string; value: string }>(
      `select split_part(s, '=', 1) as name, substr(s, strpos(s, '=') + 1) as value
         from pg_db_role_setting d, unnest(d.setconfig) as s
        where d.setrole = (select oid from pg_roles where rolname = $1)
          and d.setdatabase in (0, (select oid from pg_database where datname = current_database()))
        order by d.setdatabase`,
      [API_ROLE],
    )
  ).rows;
  const claims = JSON.stringify({ role: API_ROLE });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith(RPC_PREFIX)) {
      throw pgrstError(404, 'PGRST125', 'Invalid path specified in request URL');
    }
    const method = req.method ?? 'GET';
    if (method !== 'POST' && method !== 'GET' && method !== 'HEAD') {
      throw pgrstError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
    }
    authenticate(req, options.serviceKey);

    for (const header of ['content-profile', 'accept-profile'] as const) {
      const profile = req.headers[header];
      if (typeof profile === 'string' && profile !== EXPOSED_SCHEMA) {
        throw pgrstError(
          406,
          'PGRST106',
          `Invalid schema: ${profile}`,
          null,
          `Only the following schemas are exposed: ${EXPOSED_SCHEMA}`,
        );
      }
    }

    let fnName: string;
    try {
      fnName = decodeURIComponent(url.pathname.slice(RPC_PREFIX.length));
    } catch {
      throw pgrstError(404, 'PGRST125', 'Invalid path specified in request URL');
    }
    if (!fnName || fnName.includes('/'))
      throw pgrstError(404, 'PGRST125', 'Invalid path specified in request URL');

    let args: Record<string, unknown>;
    if (method === 'POST') {
      const raw = await readBody(req, maxBodyBytes);
      if (raw.trim() === '') {
        args = {};
      } else {
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          throw pgrstError(400, 'PGRST102', 'Empty or invalid json');
        }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw pgrstError(400, 'PGRST102', 'The request body must be a JSON object of named arguments');
        }
        args = parsed as Record<string, unknown>;
      }
    } else {
      args = Object.fromEntries(url.searchParams.entries());
    }

    const routine = await cache.resolve(fnName, Object.keys(args));
    const call = buildCall(routine, args);
    const readOnly = method !== 'POST';

    // The role's settings first (some may only be settable by the connecting user), the request's
    // claims, then the switch to the role (set_config arguments are evaluated left to right).
    const settings: [string, string][] = [
      ...roleSettings.map(({ name, value }): [string, string] => [name, value]),
      ['request.jwt.claims', claims],
      ['request.method', method],
      ['request.path', url.pathname],
      ['role', API_ROLE],
    ];
    const client = await pool.connect();
    // A connection that dies while checked out (the database killed) emits `error` on the client, and
    // the pool listens only to idle clients: unheard, it would end the whole process. The call fails
    // through its queries (503 below); the broken connection is dropped, not returned to the pool.
    let broken: Error | undefined;
    const onConnectionError = (error: Error) => {
      broken = error;
    };
    client.on('error', onConnectionError);
    let body: string | null;
    try {
      // Sent without waiting (the pool pipelines). A failing statement aborts the transaction, the
      // ones after it fail or (commit) roll back, so the first error in order is the one to report.
      const outcomes = await Promise.allSettled([
        client.query(readOnly ? 'begin isolation level read committed read only' : 'begin'),
        client.query(
          `select ${settings.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ')}`,
          settings.flat(),
        ),
        client.query<{ body: string | null }>(call.text, call.values),
        client.query('commit'),
      ]);
      const failed = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failed) {
        await client.query('rollback').catch(() => undefined);
        throw failed.reason;
      }
      const result = outcomes[2] as PromiseFulfilledResult<pg.QueryResult<{ body: string | null }>>;
      body = result.value.rows[0]?.body ?? null;
    } finally {
      client.off('error', onConnectionError);
      client.release(broken);
    }

    if (routine.returnsVoid) {
      res.writeHead(204).end();
      return;
    }
    const payload = body ?? 'null';
    if (method === 'HEAD') {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end();
      return;
    }
    send(res, 200, payload);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      let httpError: HttpError;
      if (error instanceof HttpError) {
        httpError = error;
      } else if (error instanceof pg.DatabaseError) {
        httpError = errorFromDatabase(error);
      } else if (isConnectionError(error)) {
        onError(error);
        httpError = pgrstError(503, 'PGRST000', 'Database connection error. Retrying the connection.');
      } else {
        onError(error);
        httpError = pgrstError(500, 'PGRSTX00', 'Internal server error');
      }
      const code = typeof httpError.body.code === 'string' ? httpError.body.code : 'error';
      send(res, httpError.status, JSON.stringify(httpError.body), {
        'Proxy-Status': `PostgREST; error=${code}`,
        ...httpError.headers,
      });
      // Drain an unread body so the connection can be reused or closed cleanly.
      req.resume();
    });
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let stopped = false;
  return {
    url: `http://${host}:${address.port}`,
    reloadSchemaCache: () => cache.load(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.end();
    },
  };
}
