/**
 * Builds the CDK app with Samsa's stack and the cdk-nag rule packs attached.
 * cdk/app.ts (the `cdk` CLI entry) and the tests both call this, so what the
 * tests check is what `cdk synth` produces: the feature flags of cdk.json are
 * applied here too (the CLI passes them as well; its values win).
 *
 * Stages: `-c samsa:stage=dev` names the stack `Samsa-dev`. Every resource
 * name derives from the stack name (CloudFormation-generated table, function,
 * log group and alarm names; the API, dashboard, SNS topic and metrics'
 * `service` dimension from stackName), so stages live side by side in one
 * account and region. Without a stage the stack keeps its original name,
 * `Samsa`, so deployments made before stages existed upgrade in place.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Tags, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { SamsaStack, type SamsaStackProps } from './stack';

export const STACK_NAME = 'Samsa';
export const STAGE_CONTEXT_KEY = 'samsa:stage';

export interface SamsaApp {
  app: App;
  stack: SamsaStack;
}

/** Letters, digits and hyphens, starting with a letter: safe in stack, function, log group and dashboard names. */
const STAGE_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,19}$/;

/** The stack name of a stage; no stage (or an empty one) is the original stack. */
export function stackNameOf(stage: string | undefined): string {
  if (stage === undefined || stage === '') return STACK_NAME;
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(`Context ${STAGE_CONTEXT_KEY} must be 1-20 letters, digits or hyphens, starting with a letter; got '${stage}'.`);
  }
  return `${STACK_NAME}-${stage}`;
}

/** The `context` of cdk.json (the feature flags and defaults), so that tests synthesise what the CLI does. */
export function cdkJsonContext(): Record<string, unknown> {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'cdk.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
}

export function createSamsaApp(options: { app?: AppProps; stack?: SamsaStackProps; stage?: string } = {}): SamsaApp {
  const app = new App({ ...options.app, context: { ...cdkJsonContext(), ...options.app?.context } });
  const raw = options.stage ?? app.node.tryGetContext(STAGE_CONTEXT_KEY);
  const stage = raw === undefined ? undefined : String(raw).trim();
  const stackName = stackNameOf(stage);
  const stack = new SamsaStack(app, stackName, {
    description: stage === undefined || stage === '' ? 'Samsa' : `Samsa (stage ${stage})`,
    ...options.stack,
  });
  // A named stage is tagged for cost allocation; the original stack is left untouched.
  if (stackName !== STACK_NAME) Tags.of(stack).add(STAGE_CONTEXT_KEY, stage!);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}
