import {createServer, type RequestListener, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface LocalHttpServer {
  server: Server
  port: number
  /** http://127.0.0.1:PORT */
  url: string
  /** Closes it, open connections included. */
  close(): Promise<void>
}

/** An HTTP server on 127.0.0.1, on a port picked at run time (a "host on the internet" for a test). */
export async function localHttpServer(handler: RequestListener): Promise<LocalHttpServer> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
