import {z} from 'zod'
import {healthResponseSchema, statusResponseSchema} from '../status.js'
import {ALWAYS, defineRoute} from './define.js'

/** The service itself: liveness, status, and the API's own description. No credentials. */
export const serviceApi = {
  health: defineRoute({method: 'GET', path: '/healthz', summary: 'Liveness and readiness: 200 only when the store answers.', auth: 'none', responses: {200: healthResponseSchema, 503: healthResponseSchema}, errors: []}),
  status: defineRoute({method: 'GET', path: '/v1/status', summary: 'How the parts of the service are doing, and the incidents operators posted.', auth: 'none', responses: {200: statusResponseSchema}, errors: ALWAYS}),
  openapi: defineRoute({method: 'GET', path: '/openapi.json', summary: 'This API as an OpenAPI 3.1 document, made from src/contract/routes.', auth: 'none', responses: {200: z.looseObject({openapi: z.string()})}, errors: []}),
} as const
