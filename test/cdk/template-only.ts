/**
 * Synthesises the real Samsa app without esbuild bundling, for tests that
 * read the template only: the same resources and properties as `cdk synth`,
 * but for asset hashes, in a fraction of the time. cdk-nag runs and writes
 * its report; synthesis does not fail on findings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT } from 'aws-cdk-lib/cx-api';
import { createSamsaApp, type SamsaApp } from '../../cdk/samsa-app';
import type { SamsaSettings } from '../../cdk/settings';
import { readValidationReport, type ValidationReport } from './synth';

export interface TemplateOnly extends SamsaApp {
  template: Template;
  resources: Record<string, any>;
  report: ValidationReport;
}

/** `context` is what `-c key=value` would pass; `keep` leaves the cloud assembly in `outdir` for the caller. */
export function synthTemplate(
  settings: Partial<SamsaSettings> = {},
  options: { context?: Record<string, unknown>; outdir?: string } = {},
): TemplateOnly {
  const outdir = options.outdir ?? mkdtempSync(join(tmpdir(), 'samsa-tpl-'));
  try {
    const samsa = createSamsaApp({
      app: { outdir, context: { ...options.context, [FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT]: false, 'aws:cdk:bundling-stacks': [] } },
      stack: { settings },
    });
    const assembly = samsa.app.synth();
    const template = Template.fromStack(samsa.stack);
    return { ...samsa, template, resources: template.toJSON().Resources, report: readValidationReport(assembly) };
  } finally {
    if (options.outdir === undefined) rmSync(outdir, { recursive: true, force: true });
  }
}
