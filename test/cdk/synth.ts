/**
 * Synthesises the real Samsa app (cdk-nag plugins attached, esbuild bundling)
 * into a directory of the caller's choosing, as `cdk synth` would.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT, VALIDATION_REPORT_FILE, type CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Template } from 'aws-cdk-lib/assertions';
import { createSamsaApp, type SamsaApp } from '../../cdk/samsa-app';
import type { SecuritySettings } from '../../cdk/security-settings';
import type { SamsaSettings } from '../../cdk/settings';

export interface Synthesized extends SamsaApp {
  outdir: string;
  assembly: CloudAssembly;
  template: Template;
  /** Logical id of a construct's CloudFormation resource. */
  logicalId(construct: { node: { defaultChild?: unknown } }): string;
  cleanup(): void;
}

/**
 * Unlike `cdk synth`, does not fail on cdk-nag findings: it only writes the
 * validation report, so the cdk-nag test can list every open finding instead
 * of every test failing in beforeAll.
 */
export function synthesize(outdir: string, settings: Partial<SamsaSettings> = {}, security: Partial<SecuritySettings> = {}): Synthesized {
  mkdirSync(outdir, { recursive: true });
  const cleanup = () => rmSync(outdir, { recursive: true, force: true });
  try {
    const samsa = createSamsaApp({
      app: { outdir, context: { [FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT]: false } },
      stack: { settings, security },
    });
    const assembly = samsa.app.synth();
    return {
      ...samsa,
      outdir,
      assembly,
      template: Template.fromStack(samsa.stack),
      logicalId: (construct) => samsa.stack.getLogicalId(construct.node.defaultChild as never),
      cleanup,
    };
  } catch (err) {
    cleanup();
    throw err;
  }
}

export interface ValidationViolation {
  ruleName: string;
  severity: string;
  description: string;
  violatingConstructs: { constructPath: string }[];
}

export interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: ValidationViolation[];
    suppressedViolations?: (ValidationViolation & { reason: string })[];
  }[];
}

/** The report CDK's policy validation (where cdk-nag 3 reports) writes into the cloud assembly. */
export function readValidationReport(assembly: CloudAssembly): ValidationReport {
  return JSON.parse(readFileSync(join(assembly.directory, VALIDATION_REPORT_FILE), 'utf8')) as ValidationReport;
}
