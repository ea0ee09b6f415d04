/**
 * The embedded cluster's failure, in its own module so that `server start` can recognise it
 * without loading pg (it reaches it through src/server/index.ts, which stays light).
 */
export class EmbeddedPostgresError extends Error {
  constructor(
    message: string,
    /** What to do, when it is not "read PostgreSQL's log". */
    readonly hint?: string,
  ) {
    super(message)
  }
}
