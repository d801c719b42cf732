#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildDirectoryBoltApp, ContextError } from '../lib/stacks/directorybolt-app';

const app = new App();
try {
  buildDirectoryBoltApp(app);
} catch (error) {
  // A deployer's missing or wrong -c value: the message says what to pass; a stack trace would bury it.
  if (!(error instanceof ContextError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
// cdk-nag runs as a validation plugin: synth fails on any AwsSolutions finding not acknowledged
// (with its reason) next to the construct it concerns.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
