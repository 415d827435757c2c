import { defineConnector } from '../../src/connectors/http.connector';
import { queries } from './queries';

/** __Client__'s ERP as the hub calls it: `connect(connector, { baseUrl, headers })` gives typed queries. */
export const connector = defineConnector({ name: '__client__-erp', queries });
