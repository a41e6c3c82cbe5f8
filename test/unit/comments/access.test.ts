import { describe, expect, it } from 'vitest';
import { CLI_ACTOR, isStaff, resolveSlackActor, type UsergroupMembership } from '../../../src/comments/access.ts';
import { GROUP_ID, STAFF_ID, testConfig } from '../../helpers/comments.ts';

const config = testConfig().comments;

describe('isStaff', () => {
  it('counts the CLI, listed ids and user-group members; never external users', () => {
    expect(isStaff(config, CLI_ACTOR)).toBe(true);
    expect(isStaff(config, { kind: 'slack', userId: STAFF_ID, external: false })).toBe(true);
    expect(isStaff(config, { kind: 'slack', userId: 'UX', external: false, inStaffUsergroup: true })).toBe(true);
    expect(isStaff(config, { kind: 'slack', userId: 'UX', external: false })).toBe(false);
    expect(isStaff(config, { kind: 'slack', userId: STAFF_ID, external: true })).toBe(false);
    expect(isStaff(config, { kind: 'slack', userId: 'UX', external: true, inStaffUsergroup: true })).toBe(false);
  });

  it('ignores a claimed group membership when no staff group is configured', () => {
    const noGroup = { ...config, staffUsergroupId: undefined };
    expect(isStaff(noGroup, { kind: 'slack', userId: 'UX', external: false, inStaffUsergroup: true })).toBe(false);
  });
});

describe('resolveSlackActor', () => {
  const calls: string[] = [];
  const membership: UsergroupMembership = {
    isMember: async (group, user) => {
      calls.push(`${group}:${user}`);
      return user === 'UMEMBER';
    },
  };

  it('looks the group up only for internal users not listed by id', async () => {
    expect(await resolveSlackActor(config, { userId: 'UMEMBER', external: false }, membership)).toMatchObject({ inStaffUsergroup: true });
    expect(await resolveSlackActor(config, { userId: 'UNOT', external: false }, membership)).toMatchObject({ inStaffUsergroup: false });
    await resolveSlackActor(config, { userId: STAFF_ID, external: false }, membership);
    await resolveSlackActor(config, { userId: 'UMEMBER', external: true }, membership);
    expect(calls).toEqual([`${GROUP_ID}:UMEMBER`, `${GROUP_ID}:UNOT`]);
  });
});
