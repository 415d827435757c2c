export { client } from './config';
export { connector } from './connector';
