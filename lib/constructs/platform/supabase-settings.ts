import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface SupabaseSettingsProps {
  /** The project's API URL, e.g. https://<ref>.supabase.co. Not a secret. */
  readonly url: string;
  /** The service-role key's secret: its complete ARN wins over its name; one of them is required. */
  readonly serviceKeySecretArn?: string;
  readonly serviceKeySecretName?: string;
}

/**
 * Where the Lambdas find Supabase. The service key stays in Secrets Manager: the template holds only
 * the secret's ARN, and each Lambda reads the value at cold start. The secret is created (and rotated)
 * outside this app, so a deploy never writes, replaces or deletes it.
 */
export class SupabaseSettings extends Construct {
  readonly url: string;
  readonly serviceKeySecret: ISecret;

  constructor(scope: Construct, id: string, props: SupabaseSettingsProps) {
    super(scope, id);
    if (!/^https?:\/\/[^\s/]+/.test(props.url)) {
      throw new Error(`supabaseUrl must be an http(s) URL, got '${props.url}'`);
    }
    this.url = props.url;
    if (props.serviceKeySecretArn) {
      this.serviceKeySecret = Secret.fromSecretCompleteArn(this, 'ServiceKey', props.serviceKeySecretArn);
    } else if (props.serviceKeySecretName) {
      this.serviceKeySecret = Secret.fromSecretNameV2(this, 'ServiceKey', props.serviceKeySecretName);
    } else {
      throw new Error('supabaseServiceKeySecretArn or supabaseServiceKeySecretName is required');
    }
  }

  /** Gives a function the settings and the right to read the key together, so they never drift apart. */
  bind(fn: IFunction & { addEnvironment(key: string, value: string): unknown }): void {
    fn.addEnvironment('SUPABASE_URL', this.url);
    fn.addEnvironment('SUPABASE_SERVICE_KEY_SECRET_ARN', this.serviceKeySecret.secretArn);
    this.serviceKeySecret.grantRead(fn);
  }
}
