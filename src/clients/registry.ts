import { banban } from './banban';
import { own } from '../shared/own';
import { ClientModule } from './client-module';

/** Every client module, by id. New clients are added here (the generator does it for you). */
export const CLIENTS: Record<string, ClientModule> = {
  [banban.id]: banban,
};

export function clientModule(id: string): ClientModule | undefined {
  return own(CLIENTS, id);
}
