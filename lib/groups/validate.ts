/** Checks on group names, member ids and timeouts, shared by every group operation. */
import { SamsaError } from '../errors';
import { TOPIC_NAME_PATTERN } from '../limits';

const MEMBER_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export const SESSION_TIMEOUT = { min: 1_000, max: 3_600_000, default: 45_000 };
export const REBALANCE_TIMEOUT = { min: 1_000, max: 3_600_000, default: 60_000 };

export function validateGroupName(group: string): void {
  if (!TOPIC_NAME_PATTERN.test(group) || group === '.' || group === '..') {
    throw new SamsaError(
      'INVALID_GROUP_ID',
      `Invalid group ${JSON.stringify(group.slice(0, 300))}: use 1-249 characters from [A-Za-z0-9._-], not '.' or '..'.`,
    );
  }
}

export function validateMemberId(memberId: string): void {
  if (!MEMBER_ID.test(memberId)) {
    throw new SamsaError('INVALID_REQUEST', 'memberId must be 1-64 characters from [A-Za-z0-9._:-] (generate a UUID once per consumer).');
  }
}

export function boundedTimeout(value: number | undefined, bounds: { min: number; max: number; default: number }, name: string): number {
  const v = value ?? bounds.default;
  if (!Number.isSafeInteger(v) || v < bounds.min || v > bounds.max) {
    throw new SamsaError('INVALID_REQUEST', `${name} must be between ${bounds.min} and ${bounds.max} ms; got ${v}.`);
  }
  return v;
}
