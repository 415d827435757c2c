import type { ClientModule } from '../../src/clients/client-module';
// generator: flow imports

/** Per flow, how __Client__'s payloads become the canonical ones (`npm run new:flow -- __client__ <flow>` adds one). */
export const mappings: NonNullable<ClientModule['mappings']> = {
  // generator: flow entries
};
