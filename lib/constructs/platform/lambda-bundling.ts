/** An AWS SDK client bundled on its own into the function's node_modules (see deferredModules). */
function deferredSdkClient<Client extends string>(client: Client) {
  return {
    importPath: `@aws-sdk/client-${client}`,
    entry: `lambdas/platform/aws-sdk/client-${client}.ts`,
    file: `node_modules/@aws-sdk/client-${client}/index.js`,
  } as const;
}

/**
 * How every Lambda is bundled (esbuild), in one place: ServiceFunction passes it to NodejsFunction and
 * the cold-start benchmark (bench/suites/cold-start.ts) builds with it, so the figures are the
 * deployed bundles'.
 */
export const LAMBDA_BUNDLING = {
  // CommonJS on purpose: layer packages resolve through NODE_PATH (/opt/nodejs/node_modules), which
  // require() honours and ES module imports do not.
  format: 'cjs',
  target: 'node24',
  minify: true,
  /**
   * ES module builds first. Packages without an `exports` map (the AWS SDK, @smithy/*) ship a CommonJS
   * build as `main` and an ES module build as `module`; esbuild's default for Node picks `main`, which
   * it cannot tree-shake. With `module` first an SDK client is about 30% smaller and loads faster.
   */
  mainFields: ['module', 'main'],
  /**
   * The SDK's default credential chain tries the environment first, and Lambda always sets the role's
   * credentials there, so these later links (SSO, shared ini files, credential_process, web identity)
   * and the STS/SSO clients they carry (about 120 KiB) never run in a Lambda. Left out of the bundle;
   * should one ever be reached it resolves from the Lambda runtime's own SDK (/var/runtime/node_modules
   * is on NODE_PATH). The container/instance-metadata providers stay bundled (they are small).
   */
  sdkCredentialProvidersNotBundled: [
    '@aws-sdk/credential-provider-sso',
    '@aws-sdk/credential-provider-ini',
    '@aws-sdk/credential-provider-process',
    '@aws-sdk/credential-provider-web-identity',
  ],
  /**
   * Modules a handler imports with `await import(...)` on first use, shipped beside the bundle as
   * files of their own instead of inside it. Inside the bundle their code is parsed at every cold start
   * even when never run: the Secrets Manager read (the Powertools provider with the SDK client, about
   * 190 KiB) cost every API Lambda about 20 ms of Init (bench/RESULTS.md, "Cold start"). Marked
   * external by its import path and with dynamic import() compiled to require(), the bundle asks
   * for `./secrets` at run time and Node finds `secrets.js` next to `index.js` (ServiceFunction builds
   * it there); locally and in tests the same import finds the TypeScript module (or the package).
   */
  deferredModules: [
    { importPath: './secrets', entry: 'lambdas/platform/secrets.ts', file: 'secrets.js' },
    // The SDK clients a handler creates on first use (lazy-client.ts): inside the bundle they were
    // still parsed at every start (an SQS client about 190 KiB and 20 to 40 ms of Init). Bundled into
    // the function's own node_modules, so require() finds this version before the runtime's SDK.
    ...(['sqs', 's3', 'cloudwatch'] as const).map(deferredSdkClient),
  ],
  /**
   * Deferred SDK clients only some functions use, shipped only beside the functions that ask for them
   * (ServiceFunctionProps.deferredSdkClients): KMS (about 240 KiB) opens directory accounts'
   * credentials in the submitter and the routes that reveal them, and would otherwise sit unused in
   * every function's asset. A function that does not ask for one keeps it in its bundle should its code
   * ever reach it (esbuild bundles what is not external), so it never loads a missing file.
   */
  optionalDeferredSdkClients: { kms: deferredSdkClient('kms') },
  /** import() compiled to require(), so a deferred module resolves next to the bundle (see above). */
  supported: { 'dynamic-import': false },
} as const;

/** A deferred SDK client a function may ask for beyond those every function gets. */
export type OptionalDeferredSdkClient = keyof typeof LAMBDA_BUNDLING.optionalDeferredSdkClients;

export interface DeferredModule {
  readonly importPath: string;
  readonly entry: string;
  readonly file: string;
}

/** Every deferred module of a function that asks for `optional` besides what every function gets. */
export function deferredModulesOf(optional: readonly OptionalDeferredSdkClient[] = []): DeferredModule[] {
  return [
    ...LAMBDA_BUNDLING.deferredModules,
    ...[...new Set(optional)].map((client) => LAMBDA_BUNDLING.optionalDeferredSdkClients[client]),
  ];
}

/**
 * The optional deferred SDK clients an API route's function ships beside its bundle: KMS for the routes
 * that open credentials, and for those that drive a browser (the dry run reaches the sign-up steps'
 * code, never KMS itself), so that neither carries the client inside its bundle.
 */
export function routeDeferredSdkClients(route: {
  opensCredentials?: boolean;
  browser?: boolean;
}): readonly OptionalDeferredSdkClient[] {
  return route.opensCredentials || route.browser ? ['kms'] : [];
}
