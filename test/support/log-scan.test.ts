import { API_ACCESS } from '../../lambdas/platform/system-config';
import { findLeaks } from './log-scan';

// The end-of-run scan itself must be able to fail: it is only as good as these cases.
it('finds a registered secret anywhere in a log', () => {
  const logs = new Map([
    ['worker-1.log', '{"level":"INFO","message":"calling rpc","key":"s3cr3t-service-key-123"}'],
  ]);

  expect(findLeaks(logs, ['s3cr3t-service-key-123'])).toEqual([
    { file: 'worker-1.log', what: 'a registered secret (s3cr3t...)' },
  ]);
});

it('finds anything shaped like a whole API key, registered or not', () => {
  const key = `${API_ACCESS.keyPrefix}${'A'.repeat(43)}`;
  const logs = new Map([['worker-2.log', `request with x-api-key ${key}`]]);

  expect(findLeaks(logs, [])).toHaveLength(1);
});

it('lets the displayable key prefix and ordinary logs through', () => {
  const logs = new Map([
    [
      'worker-3.log',
      `{"message":"request","api_key":"${API_ACCESS.keyPrefix}abcdef","correlation_id":"2c9f1b3e"}`,
    ],
  ]);

  expect(findLeaks(logs, ['another-secret-value'])).toEqual([]);
});
