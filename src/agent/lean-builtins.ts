import type * as Http from 'node:http'
import {createRequire} from 'node:module'
import type * as Tls from 'node:tls'
import type * as Zlib from 'node:zlib'

/**
 * Node built-ins the agent loads with require() rather than `import`, to stay small when idle.
 *
 * An ESM `import … from 'node:http'` builds a namespace of every export, which evaluates the lazy
 * ones (undici's WebSocket and friends, http2, workers): about 12 MB more RSS per agent, measured
 * on node 24. require() leaves them lazy. TLS (~4 MB) is loaded only by the first https fetch,
 * zlib only by the first compressed answer.
 */
const require = createRequire(import.meta.url)

export const http = require('node:http') as typeof Http

// require() caches each module: these load it on the first call only.
export const tls = (): typeof Tls => require('node:tls') as typeof Tls
export const zlib = (): typeof Zlib => require('node:zlib') as typeof Zlib
