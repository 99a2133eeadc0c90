/**
 * Builds the CDK app with Samsa's stack and the cdk-nag rule packs attached.
 * cdk/app.ts (the `cdk` CLI entry) and the tests both call this, so what the
 * tests check is what `cdk synth` produces.
 */
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { SamsaStack, type SamsaStackProps } from './stack';

export const STACK_NAME = 'Samsa';

export interface SamsaApp {
  app: App;
  stack: SamsaStack;
}

export function createSamsaApp(options: { app?: AppProps; stack?: SamsaStackProps } = {}): SamsaApp {
  const app = new App(options.app);
  const stack = new SamsaStack(app, STACK_NAME, options.stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}
