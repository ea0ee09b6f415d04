import Fastify, {type FastifyInstance} from 'fastify'
import type {ServerContext} from './context.js'
import {frameworkErrors, registerProblemHandler} from './problem-handler.js'
import {routePlugins} from './routes/index.js'

/** The public API as a Fastify instance, not yet listening: tests `inject` into it directly. */
export async function buildApp(ctx: ServerContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log,
    bodyLimit: ctx.config.bodyLimitBytes,
    trustProxy: ctx.config.trustProxy,
    // SIGTERM closes idle keep-alive sockets at once and lets in-flight requests finish.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    frameworkErrors,
  })
  registerProblemHandler(app)
  // Unknown fields in JSON are rejected by the route's strict schema, not silently dropped.
  for (const plugin of routePlugins) await plugin(app, ctx)
  return app
}
