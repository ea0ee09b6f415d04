import {accountExportSchema, deleteAccountRequestSchema, deleteAccountResponseSchema} from '../account.js'
import {logsQuerySchema, logsResponseSchema} from '../logs.js'
import {defineRoute, SIGNED_IN} from './define.js'

/** The account as a whole (src/contract/account.ts) and its access log (src/contract/logs.ts). */
export const accountApi = {
  export: defineRoute({method: 'GET', path: '/v1/account/export', summary: 'Everything the service holds on the account, secrets excepted.', auth: 'bearer', responses: {200: accountExportSchema}, errors: SIGNED_IN}),
  delete: defineRoute({
    method: 'DELETE', path: '/v1/account', summary: 'Delete the account and everything in it, for good (the email again, to confirm).', auth: 'bearer', body: deleteAccountRequestSchema,
    responses: {200: deleteAccountResponseSchema}, errors: [...SIGNED_IN, 'validation_failed'],
  }),
} as const

export const logsApi = {
  list: defineRoute({
    method: 'GET', path: '/v1/logs', summary: 'The account’s access log: its requests and its instances’ lifecycle events.', auth: 'bearer', query: logsQuerySchema,
    responses: {200: logsResponseSchema}, errors: [...SIGNED_IN, 'validation_failed', 'not_found'],
  }),
} as const
