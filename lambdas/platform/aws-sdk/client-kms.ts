/**
 * The entry of @aws-sdk/client-kms's deferred module (lib/constructs/platform/lambda-bundling.ts): bundled on its
 * own into the function's node_modules, where the handler's require() finds it on first use.
 */
export * from '@aws-sdk/client-kms';
