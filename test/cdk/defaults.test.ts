/**
 * Defaults a new AWS account can deploy, and the opt-in cost and capacity
 * settings: reserved concurrency (a new account's whole limit is 10
 * concurrent executions), the on-demand throughput cap per table.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_AREAS } from '../../cdk/function-areas';
import type { FunctionArea } from '../../functions/http/routes';
import { TABLES } from '../../lib/storage/schema';
import { statefulResources, upgradeFindings } from './stateful-resources';
import { synthTemplate, type TemplateOnly } from './template-only';

/** A new account's concurrency limit; Lambda keeps 10 unreserved, so nothing can be reserved there at all. */
const NEW_ACCOUNT_CONCURRENCY = 10;

const reservedTotal = (s: TemplateOnly) =>
  Object.values(s.resources)
    .filter((r: any) => r.Type === 'AWS::Lambda::Function')
    .reduce((sum: number, r: any) => sum + (r.Properties.ReservedConcurrentExecutions ?? 0), 0);

let plain: TemplateOnly;
beforeAll(() => {
  plain = synthTemplate();
}, 180_000);

describe('reserved concurrency', () => {
  it('reserves nothing by default, so a new account (limit 10) can deploy', () => {
    expect(reservedTotal(plain)).toBe(0);
    // What opting in would reserve is more than such an account has.
    const optIn = Object.values(FUNCTION_AREAS).reduce((sum, spec) => sum + spec.reservedConcurrency, 0);
    expect(optIn).toBeGreaterThan(NEW_ACCOUNT_CONCURRENCY);
  });

  it('reserves the area defaults with samsa:reservedConcurrency=true, and overrides with a JSON object', () => {
    const on = synthTemplate({}, { context: { 'samsa:reservedConcurrency': 'true' } });
    const areas = Object.keys(FUNCTION_AREAS) as FunctionArea[];
    for (const area of areas) {
      const id = on.stack.getLogicalId(on.stack.functions.byArea[area].node.defaultChild as never);
      expect(on.resources[id].Properties.ReservedConcurrentExecutions, area).toBe(FUNCTION_AREAS[area].reservedConcurrency);
    }
    const some = synthTemplate({}, { context: { 'samsa:reservedConcurrency': '{"fetch": 3}' } });
    const fetchId = some.stack.getLogicalId(some.stack.functions.byArea.fetch.node.defaultChild as never);
    expect(some.resources[fetchId].Properties.ReservedConcurrentExecutions).toBe(3);
    expect(() => synthTemplate({}, { context: { 'samsa:reservedConcurrency': '{"fetch": 0}' } })).toThrow(/positive integer/);
  }, 180_000);
});

describe('on-demand throughput cap per table (samsa:tableThroughputCap)', () => {
  it('is absent by default', () => {
    for (const def of Object.values(TABLES)) expect(plain.resources[def.logicalId].Properties.OnDemandThroughput).toBeUndefined();
  });

  it('caps the table and each of its indexes, and is an in-place change (no upgrade finding)', () => {
    const capped = synthTemplate({}, { context: { 'samsa:tableThroughputCap': '{"log":{"maxReadRequestUnits":4000,"maxWriteRequestUnits":1000},"meta":{"maxWriteRequestUnits":200}}' } });
    const log = capped.resources[TABLES.log.logicalId].Properties;
    expect(log.OnDemandThroughput).toEqual({ MaxReadRequestUnits: 4000, MaxWriteRequestUnits: 1000 });
    expect(log.GlobalSecondaryIndexes.length).toBeGreaterThan(0);
    for (const gsi of log.GlobalSecondaryIndexes) expect(gsi.OnDemandThroughput, gsi.IndexName).toEqual({ MaxReadRequestUnits: 4000, MaxWriteRequestUnits: 1000 });
    expect(capped.resources[TABLES.meta.logicalId].Properties.OnDemandThroughput).toEqual({ MaxWriteRequestUnits: 200 });
    expect(upgradeFindings(statefulResources(plain.resources), statefulResources(capped.resources))).toEqual([]);
  }, 180_000);

  it('refuses an unknown table, an unknown limit, and a limit below 1', () => {
    const cap = (json: string) => () => synthTemplate({}, { context: { 'samsa:tableThroughputCap': json } });
    expect(cap('{"logs":{"maxReadRequestUnits":1}}')).toThrow(/unknown table 'logs'/);
    expect(cap('{"log":{"maxReads":1}}')).toThrow(/unknown limit 'maxReads'/);
    expect(cap('{"log":{"maxReadRequestUnits":0}}')).toThrow(/positive integer/);
  }, 180_000);
});
