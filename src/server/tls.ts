import {readFileSync} from 'node:fs'
import {createSecureContext} from 'node:tls'

/**
 * The certificate and key for `server start --tls-cert --tls-key`, read once at start-up and
 * checked as a pair, so a wrong file fails the start with a clear message instead of failing
 * every handshake later. The key's contents never reach a message.
 */
export function loadTlsFiles(files: {certFile: string; keyFile: string}): {cert: Buffer; key: Buffer} {
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path)
    } catch (error) {
      throw new Error(`Cannot read the TLS ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
    }
  }
  const cert = read(files.certFile, 'certificate')
  const key = read(files.keyFile, 'key')
  try {
    createSecureContext({cert, key})
  } catch (error) {
    const reason = (error as {code?: string}).code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH' ? 'the key does not belong to the certificate' : 'they are not a PEM certificate and its private key'
    throw new Error(`Cannot use ${files.certFile} and ${files.keyFile} for TLS: ${reason}.`)
  }
  return {cert, key}
}
