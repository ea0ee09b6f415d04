import {randomChars} from '../../crypto/tokens.js'

/** Row ids with a type prefix (`usr_…`, `tok_…`), random so they reveal no order or count. */
export function newId(prefix: 'usr' | 'tok' | 'fam' | 'dev'): string {
  return `${prefix}_${randomChars(20)}`
}
