/**
 * The pure decisions around one delivery: failure classes, deferral delays, verification lookups, and
 * the invariant between the app's retry budget and the queues' redrive.
 */
import { POLITENESS, QUEUES, TASKS } from '../../../lambdas/platform/system-config';
import { classifyFailure } from '../../../lambdas/tasks/failure-class';
import { SubmissionError } from '../../../lambdas/browser/submission-error';
import { messageDelaySeconds, rateLimitWaitSeconds, withJitter } from '../../../lambdas/tasks/requeue';
import { findListing, lookupUrlFor } from '../../../lambdas/tasks/listing-lookup';

describe('limits', () => {
  it('the app retry budget stays below maxReceiveCount, so the DLQ only gets what the handler could not process', () => {
    expect(TASKS.retryBudget).toBeLessThan(QUEUES.maxReceiveCount);
  });

  it('a deferral never asks SQS for more than its DelaySeconds limit', () => {
    expect(QUEUES.maxDelaySeconds).toBe(900);
    expect(messageDelaySeconds(POLITENESS.breakerCooldownSeconds * 10)).toBe(900);
    expect(messageDelaySeconds(12.2)).toBe(13);
    expect(messageDelaySeconds(-3)).toBe(0);
  });
});

describe('classifyFailure', () => {
  it('429 is rate_limited with its Retry-After; other errors keep their kind', () => {
    const limited = new SubmissionError('transient', 'rate_limited', 'HTTP 429', {
      status: 429,
      retryAfterSeconds: 7,
    });
    expect(classifyFailure(limited)).toEqual({ errorClass: 'rate_limited', retryAfterSeconds: 7 });
    expect(
      classifyFailure(new SubmissionError('transient', 'http_status', 'HTTP 429', { status: 429 })),
    ).toEqual({
      errorClass: 'rate_limited',
    });
    expect(
      classifyFailure(new SubmissionError('transient', 'http_status', 'HTTP 503', { status: 503 })),
    ).toEqual({
      errorClass: 'transient',
    });
    expect(
      classifyFailure(new SubmissionError('permanent', 'form_not_found', 'gone', { status: 404 })),
    ).toEqual({
      errorClass: 'permanent',
    });
  });
});

describe('rate-limit waits', () => {
  it('honours Retry-After, defaults without one, and caps it', () => {
    expect(rateLimitWaitSeconds(2)).toBe(2);
    expect(rateLimitWaitSeconds(0.2)).toBe(1);
    expect(rateLimitWaitSeconds(undefined)).toBe(TASKS.rateLimit.defaultRetryAfterSeconds);
    expect(rateLimitWaitSeconds(10 ** 9)).toBe(TASKS.rateLimit.maxRetryAfterSeconds);
  });

  it('jitter only lengthens a wait, by at most deferralJitterRatio', () => {
    expect(withJitter(100, () => 0)).toBe(100);
    expect(withJitter(100, () => 0.999999)).toBe(100 + 100 * POLITENESS.deferralJitterRatio);
    expect(withJitter(1, () => 0.999999)).toBe(2);
  });
});

describe('verification', () => {
  const facts = { business_name: 'Bolt Bakery & Café', email: 'owner+x@bolt.example', phone: null };

  it('fills the rule’s placeholders, URL-encoded', () => {
    expect(lookupUrlFor({ lookup_url: 'https://dir.example/listings?email={email}' }, facts)).toBe(
      'https://dir.example/listings?email=owner%2Bx%40bolt.example',
    );
    expect(() => lookupUrlFor({ lookup_url: 'https://dir.example/?p={phone}' }, facts)).toThrow(/\{phone\}/);
    expect(() => lookupUrlFor({ lookup_url: 'file:///etc/{email}' }, facts)).toThrow(/http/);
  });

  it('finds this business among the listings and resolves its URL', () => {
    const answer = {
      listings: [
        { id: '1', url: '/listings/1', business_name: 'Someone Else' },
        { id: '2', url: '/listings/2', business_name: 'bolt bakery café' },
      ],
    };
    expect(findListing(answer, facts.business_name, 'https://dir.example/listings?x=1')).toEqual({
      found: true,
      listingUrl: 'https://dir.example/listings/2',
      listingsSeen: 2,
    });
    expect(findListing({ listings: [] }, facts.business_name, 'https://dir.example/')).toEqual({
      found: false,
      listingsSeen: 0,
    });
    expect(
      findListing(
        { listings: [{ url: 'javascript:alert(1)' }] },
        facts.business_name,
        'https://dir.example/',
      ),
    ).toEqual({ found: true, listingUrl: undefined, listingsSeen: 1 });
    expect(() => findListing({ results: [] }, facts.business_name, 'https://dir.example/')).toThrow(
      /listings/,
    );
  });
});
