#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildDirectoryBoltApp } from '../lib/stacks/directorybolt-app';

const app = new App();
buildDirectoryBoltApp(app);
// cdk-nag runs as a validation plugin: synth fails on any AwsSolutions finding not acknowledged
// (with its reason) next to the construct it concerns.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
