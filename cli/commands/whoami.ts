/** samsa whoami */
import { noMorePositionals } from '../args';
import type { Command } from '../command';

export const whoami: Command = {
  options: {},

  async run({ client, output, parsed }) {
    noMorePositionals(parsed, 0);
    const me = await client.whoami();
    output.out(output.json ? JSON.stringify(me) : me.principal);
  },
};
