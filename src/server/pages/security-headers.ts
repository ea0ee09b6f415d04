import fastifyHelmet, {type FastifyHelmetOptions} from '@fastify/helmet'
import type {FastifyInstance, FastifyReply} from 'fastify'

/**
 * Headers on every page, by @fastify/helmet: no script may run at all, styles only from us, forms
 * post only to us, no framing (clickjacking an Approve button), no referrer (the URL can hold a
 * user code). Only the directives written here: helmet's defaults are off.
 */
const PAGE_DIRECTIVES = {
  defaultSrc: ["'none'"],
  styleSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
}

/**
 * Console pages that need a script (sealing a key, chat, uploading a tar) may load our own module
 * files and fetch from us; still no inline script, no eval, nothing from elsewhere.
 */
const {defaultSrc, ...rest} = PAGE_DIRECTIVES
const SCRIPTED_PAGE_DIRECTIVES = {defaultSrc, scriptSrc: ["'self'"], connectSrc: ["'self'"], ...rest}

/**
 * The headers we send and no others: HSTS is auth/hsts.ts's, on every answer but only over TLS
 * (helmet would send it over plain http too); helmet's other defaults were never part of ours.
 */
const PAGE_HEADERS: FastifyHelmetOptions = {
  global: true,
  contentSecurityPolicy: {useDefaults: false, directives: PAGE_DIRECTIVES},
  xFrameOptions: {action: 'deny'},
  referrerPolicy: {policy: 'no-referrer'},
  crossOriginOpenerPolicy: {policy: 'same-origin'},
  strictTransportSecurity: false, crossOriginEmbedderPolicy: false, crossOriginResourcePolicy: false, originAgentCluster: false,
  xDnsPrefetchControl: false, xDownloadOptions: false, xPermittedCrossDomainPolicies: false, xPoweredBy: false, xXssProtection: false,
}

/** Security headers on every answer in this scope (the pages and their assets), and no caching. */
export async function registerPageSecurityHeaders(scope: FastifyInstance): Promise<void> {
  await scope.register(fastifyHelmet, PAGE_HEADERS)
  scope.addHook('onSend', async (_req, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
  })
}

/** Marks this answer as a page that loads our own scripts. */
export function allowOwnScripts(reply: FastifyReply): void {
  void reply.helmet({contentSecurityPolicy: {useDefaults: false, directives: SCRIPTED_PAGE_DIRECTIVES}})
}
