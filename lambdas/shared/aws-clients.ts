import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

// Created once per execution environment. Endpoints come from the SDK's standard settings
// (AWS_REGION, AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL_S3), so this code runs unchanged against
// AWS or any SQS/S3-compatible endpoint. Path-style S3 addressing is a configuration choice for
// endpoints without wildcard DNS.
export const sqs = new SQSClient({});
export const s3 = new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' });
