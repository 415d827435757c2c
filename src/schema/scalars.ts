import { GraphQLScalarType, Kind } from 'graphql';
import { MONEY_PATTERN } from '../shared/money';

export { DateTimeResolver as DateTimeScalar } from 'graphql-scalars';

function parseDecimal(value: unknown): string {
  if (typeof value === 'string' && MONEY_PATTERN.test(value)) return value;
  throw new TypeError('Decimal must be a string such as "19.90" (up to 12 integer digits and 2 decimals)');
}

/** Exact decimal amounts (money) as strings on the wire; never floats. */
export const DecimalScalar = new GraphQLScalarType({
  name: 'Decimal',
  description: 'An exact decimal amount as a string, e.g. "309.70". Never a float.',
  serialize: (value) => (typeof value === 'string' ? value : String(value)),
  parseValue: parseDecimal,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('Decimal literals must be strings');
    return parseDecimal(ast.value);
  },
});
