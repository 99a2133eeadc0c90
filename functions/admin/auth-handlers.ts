/** API key and ACL routes: validate, call lib/auth, shape the response. Part of the admin function. */
import { createAcl, deleteAcl, listAcls } from '../../lib/auth/acl-store';
import { issueApiKey, listApiKeys, revokeApiKey } from '../../lib/auth/keys';
import { parseInput } from '../../lib/protocol/parse';
import { aclBindingBody, createApiKeyBody } from '../../lib/protocol/auth';
import type { RouteHandlers } from '../http/app';
import { pathParam, readJson } from '../http/request';

const KEY_FIELD_CODES = { principal: 'INVALID_PRINCIPAL' } as const;
const ACL_FIELD_CODES = { principal: 'INVALID_PRINCIPAL', resourceName: 'INVALID_ACL' } as const;

export const authHandlers: RouteHandlers = {
  whoami: async (c, { principalOf }) => c.json({ principal: principalOf(c).name }),

  createApiKey: async (c, { lib, principalOf }) => {
    const body = parseInput(createApiKeyBody, await readJson(c, lib.limits), KEY_FIELD_CODES);
    const key = await issueApiKey(lib, principalOf(c), {
      principal: body.principal,
      ...(body.expiresInSeconds === undefined ? {} : { expiresAt: lib.clock.now() + body.expiresInSeconds * 1000 }),
      ...(body.description === undefined ? {} : { description: body.description }),
    });
    c.header('cache-control', 'no-store');
    return c.json(key, 201);
  },

  listApiKeys: async (c, { lib, principalOf }) => c.json({ keys: await listApiKeys(lib, principalOf(c), c.req.query('principal')) }),

  revokeApiKey: async (c, { lib, principalOf }) => c.json(await revokeApiKey(lib, principalOf(c), pathParam(c, 'keyId'))),

  createAcl: async (c, { lib, principalOf }) => {
    const body = parseInput(aclBindingBody, await readJson(c, lib.limits), ACL_FIELD_CODES);
    return c.json(await createAcl(lib, principalOf(c), body), 201);
  },

  listAcls: async (c, { lib, principalOf }) => {
    const filter = {
      ...(c.req.query('principal') === undefined ? {} : { principal: c.req.query('principal') }),
      ...(c.req.query('resourceType') === undefined ? {} : { resourceType: c.req.query('resourceType') }),
      ...(c.req.query('resourceName') === undefined ? {} : { resourceName: c.req.query('resourceName') }),
    };
    return c.json({ acls: await listAcls(lib, principalOf(c), filter) });
  },

  deleteAcl: async (c, { lib, principalOf }) => c.json(await deleteAcl(lib, principalOf(c), pathParam(c, 'aclId'))),
};
