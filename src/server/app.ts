import type {Server as HttpsServer} from 'node:https'
import fastifyCookie from '@fastify/cookie'
import Fastify, {type FastifyHttpsOptions, type FastifyInstance, type FastifyServerOptions, type onRouteHookHandler} from 'fastify'
import {registerCsrf} from './auth/csrf.js'
import {registerHsts} from './auth/hsts.js'
import type {ServerContext} from './context.js'
import {registerRequestHooks} from './observability/index.js'
import {frameworkErrors, registerProblemHandler} from './problem-handler.js'
import {routePlugins} from './routes/index.js'
import {loadTlsFiles} from './tls.js'

/**
 * The public API as a Fastify instance, not yet listening: tests `inject` into it directly.
 * `onRoute` sees every route as it is registered (the contract test walks them).
 */
export async function buildApp(ctx: ServerContext, observe: {onRoute?: onRouteHookHandler} = {}): Promise<FastifyInstance> {
  const options: FastifyServerOptions = {
    loggerInstance: ctx.log,
    bodyLimit: ctx.config.bodyLimitBytes,
    // One hop: the address the proxy in front of us saw (the last X-Forwarded-For entry), never
    // one a client wrote into the header itself. Without --trust-proxy the headers count for nothing.
    trustProxy: ctx.config.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
    // SIGTERM closes idle keep-alive sockets at once and lets in-flight requests finish.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    frameworkErrors,
  }
  const app = (ctx.config.tls ? Fastify({...options, https: loadTlsFiles(ctx.config.tls)} as FastifyHttpsOptions<HttpsServer>) : Fastify(options)) as unknown as FastifyInstance
  if (observe.onRoute) app.addHook('onRoute', observe.onRoute)
  registerProblemHandler(app)
  registerHsts(app)
  // Browser sessions and CSRF tokens, for the pages and the /v1 routes the console's scripts call.
  await app.register(fastifyCookie)
  await registerCsrf(app, ctx.secrets.signing)
  // Rate limits, the access log and incident notes; before the routes, which they attach to.
  registerRequestHooks(app, ctx)
  // Unknown fields in JSON are rejected by the route's strict schema, not silently dropped.
  for (const plugin of routePlugins) await plugin(app, ctx)
  return app
}
