/**
 * A stand-in for Secrets Manager's GetSecretValue, answering as the service does (JSON 1.1,
 * `X-Amz-Target: secretsmanager.GetSecretValue`, its error types), so the real SDK client (through
 * Powertools) talks HTTP to it: AWS_ENDPOINT_URL_SECRETS_MANAGER points the client here, the way the
 * SDK's own configuration allows, and nothing in lambdas/ changes. It can fail the first N requests.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Failure = 'http500' | 'throttled' | 'drop' | 'not-found';

export interface SecretsManagerStandIn {
  /** GetSecretValue requests per secret id. */
  requests: Map<string, number>;
  /** Fail the first `times` requests for `secretId` this way, then answer with `value`. */
  set(secretId: string, value: string, failure?: { kind: Failure; times: number }): void;
  url: string;
  close(): Promise<void>;
}

export async function startSecretsManagerStandIn(): Promise<SecretsManagerStandIn> {
  const secrets = new Map<string, { value: string; failure?: { kind: Failure; times: number } }>();
  const requests = new Map<string, number>();
  const body = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string };
  };
  const server: Server = createServer((request, response) => {
    void body(request).then(({ SecretId = '' }) => {
      const target = request.headers['x-amz-target'];
      const count = (requests.get(SecretId) ?? 0) + 1;
      requests.set(SecretId, count);
      const error = (status: number, type: string, message: string) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: type, Message: message }));
      };
      const secret = secrets.get(SecretId);
      if (target !== 'secretsmanager.GetSecretValue') return error(400, 'InvalidRequestException', 'target');
      if (!secret || (secret.failure?.kind === 'not-found' && count <= secret.failure.times)) {
        return error(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      }
      if (secret.failure && count <= secret.failure.times) {
        if (secret.failure.kind === 'drop') return request.socket.destroy();
        if (secret.failure.kind === 'throttled') return error(400, 'ThrottlingException', 'Rate exceeded');
        return error(500, 'InternalServiceError', 'An error occurred on the server side.');
      }
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(
        JSON.stringify({
          ARN: SecretId,
          Name: SecretId.split(':').pop(),
          SecretString: secret.value,
          VersionId: '00000000-0000-0000-0000-000000000001',
          VersionStages: ['AWSCURRENT'],
          CreatedDate: Date.now() / 1000,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    requests,
    set: (secretId, value, failure) => secrets.set(secretId, { value, failure }),
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
