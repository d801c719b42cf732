/**
 * Required context is required: a deployment names its Supabase project, both secrets, its runbook
 * URL and its mail domain, or synthesis stops and says which are missing. Placeholders only with
 * `-c demo=true`.
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { ContextError, DEMO_CONTEXT } from '../../lib/stacks/directorybolt-app';
import { buildTestApp, DEPLOY_CONTEXT } from './app-fixture';

const NONE = {
  supabaseUrl: undefined,
  supabaseServiceKeySecretName: undefined,
  slackWebhookSecretName: undefined,
  runbookBaseUrl: undefined,
  mailDomain: undefined,
};

describe('deployment context', () => {
  it('refuses to synthesize without the required values, naming each one', () => {
    // Act
    const error = (() => {
      try {
        buildTestApp({ context: NONE });
      } catch (e) {
        return e as Error;
      }
      throw new Error('synthesized without the required context');
    })();
    // Assess
    expect(error).toBeInstanceOf(ContextError);
    expect(error.message).toContain('Context: missing required values');
    for (const name of [
      'supabaseUrl',
      'supabaseServiceKeySecretName or supabaseServiceKeySecretArn',
      'slackWebhookSecretName or slackWebhookSecretArn',
      'runbookBaseUrl',
      'mailDomain',
    ]) {
      expect(error.message).toContain(`  - ${name}: `);
    }
    expect(error.message).toContain('-c demo=true');
  });

  it.each(Object.keys(NONE))('names only what is missing: without %s', (key) => {
    const message = (() => {
      try {
        buildTestApp({ context: { [key]: undefined } });
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message.match(/^ {2}- /gm)).toHaveLength(1);
    expect(message).toContain(`  - ${key}`);
  });

  it('takes secret ARNs instead of names', () => {
    const supabaseArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/supabase-AbCdEf';
    const slackArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/slack-AbCdEf';
    const testApp = buildTestApp({
      context: {
        supabaseServiceKeySecretName: undefined,
        slackWebhookSecretName: undefined,
        supabaseServiceKeySecretArn: supabaseArn,
        slackWebhookSecretArn: slackArn,
      },
    });
    try {
      testApp.template('api').hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ SUPABASE_SERVICE_KEY_SECRET_ARN: supabaseArn }) },
      });
      testApp.template('operations').hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ SLACK_WEBHOOK_SECRET_ARN: slackArn }) },
      });
    } finally {
      testApp.cleanup();
    }
  });

  it('synthesizes what a deployment gives, with no demo warning', () => {
    const testApp = buildTestApp();
    try {
      testApp.template('api').hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ SUPABASE_URL: DEPLOY_CONTEXT.supabaseUrl }) },
      });
      expect(
        Annotations.fromStack(testApp.stacks.api).findWarning('*', Match.stringLikeRegexp('demo=true')),
      ).toHaveLength(0);
    } finally {
      testApp.cleanup();
    }
  });

  it('with -c demo=true uses the placeholders and warns on every stack', () => {
    const testApp = buildTestApp({ context: { ...NONE, demo: 'true' } });
    try {
      testApp.template('api').hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ SUPABASE_URL: DEMO_CONTEXT.supabaseUrl }) },
      });
      for (const stack of Object.values(testApp.stacks)) {
        expect(
          Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('Do not deploy this')),
        ).toHaveLength(1);
      }
    } finally {
      testApp.cleanup();
    }
  });

  it('gives the mail domain to SES, the inbound-mail Lambda and the submitter', () => {
    const testApp = buildTestApp({ context: { mailDomain: 'Inbound.Example.ORG.' } });
    try {
      // Domain names are case-insensitive and a trailing dot is the root: one spelling everywhere.
      testApp.template('mail').hasResourceProperties('AWS::SES::ReceiptRule', {
        Rule: Match.objectLike({ Recipients: ['inbound.example.org'] }),
      });
      for (const stack of ['mail', 'submitter'] as const) {
        testApp.template(stack).hasResourceProperties('AWS::Lambda::Function', {
          Environment: { Variables: Match.objectLike({ MAIL_DOMAIN: 'inbound.example.org' }) },
        });
      }
    } finally {
      testApp.cleanup();
    }
  });

  it.each([
    'example',
    'mail example.com',
    'https://mail.example.com',
    '-mail.example.com',
    'mail..example.com',
  ])('refuses a mail domain that is not a domain name: %s', (mailDomain) => {
    expect(() => buildTestApp({ context: { mailDomain } })).toThrow(
      new ContextError(
        `Context: mailDomain must be a domain name like mail.example.com, got '${mailDomain}'`,
      ),
    );
  });

  it('with -c demo=true receives mail for the demo domain', () => {
    const testApp = buildTestApp({ context: { ...NONE, demo: 'true' } });
    try {
      expect(DEMO_CONTEXT.mailDomain).toBe('mail.example.com');
      testApp.template('mail').hasResourceProperties('AWS::SES::ReceiptRule', {
        Rule: Match.objectLike({ Recipients: ['mail.example.com'] }),
      });
    } finally {
      testApp.cleanup();
    }
  });

  it('refuses a demo value other than true or false', () => {
    expect(() => buildTestApp({ context: { demo: 'yes' } })).toThrow(/demo must be true or false/);
  });
});
