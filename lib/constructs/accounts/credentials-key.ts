import { RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { PURPOSE } from '../../../lambdas/accounts/credential-vault';

/**
 * The KMS key directory account credentials are sealed under (lambdas/accounts/credential-vault.ts:
 * one data key per seal, only its encrypted copy stored beside the credentials).
 *
 * Retained when the stack is deleted: without it no stored password opens again, and every account
 * the submitter opened would have to be recovered by hand on each directory. Yearly automatic rotation
 * keeps old data keys decryptable (KMS keeps every key version).
 *
 * Functions are granted its use by IAM, never by the key policy, and only with the encryption context
 * the vault always sends (`purpose` = PURPOSE): a data key made for anything else is refused, so the
 * key cannot become a general-purpose encryption service for whoever holds the role.
 */
export class CredentialsKey extends Construct {
  static readonly ALIAS = 'alias/directorybolt/directory-account-credentials';
  /** The encryption context condition every grant carries. */
  static readonly CONDITION = { StringEquals: { 'kms:EncryptionContext:purpose': PURPOSE } };

  readonly key: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description:
        'DirectoryBolt: seals the passwords of the accounts the submitter opens on directories (envelope encryption)',
      alias: CredentialsKey.ALIAS,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * The submitter: seals the credentials of an account it opens (GenerateDataKey) and opens them to
   * sign up again or log in (Decrypt). It never needs Encrypt (the data key encrypts) or ReEncrypt.
   */
  static bindSealer(key: IKey, fn: LambdaFunction): void {
    CredentialsKey.grantUse(key, fn, ['kms:GenerateDataKey', 'kms:Decrypt']);
  }

  /** A route that reveals an account's credentials to an admin: Decrypt only, it never seals. */
  static bindOpener(key: IKey, fn: LambdaFunction): void {
    CredentialsKey.grantUse(key, fn, ['kms:Decrypt']);
  }

  /** The permission and the variable together (CREDENTIALS_KEY_ID, the key's ARN), so they never drift. */
  private static grantUse(key: IKey, fn: LambdaFunction, actions: string[]): void {
    fn.addEnvironment('CREDENTIALS_KEY_ID', key.keyArn);
    fn.addToRolePolicy(
      new PolicyStatement({ actions, resources: [key.keyArn], conditions: CredentialsKey.CONDITION }),
    );
  }
}
