/**
 * Hand-made tar entries for attack tests: the writer under test refuses to produce them, so the
 * tests build the bytes themselves, field by field, as an attacker would.
 */
export interface RawEntrySpec {
  name: string
  /** ustar typeflag: '0' file, '1' hard link, '2' symlink, '3' char device, '5' dir, '6' fifo, 'x' pax. */
  type: string
  data?: Uint8Array | string
  linkname?: string
  prefix?: string
}

function put(block: Buffer, offset: number, value: string): void {
  Buffer.from(value, 'utf8').copy(block, offset)
}

export function rawEntry(spec: RawEntrySpec): Buffer {
  const data = typeof spec.data === 'string' ? Buffer.from(spec.data) : Buffer.from(spec.data ?? new Uint8Array(0))
  const block = Buffer.alloc(512)
  put(block, 0, spec.name)
  put(block, 100, '0000644\0')
  put(block, 108, '0000000\0')
  put(block, 116, '0000000\0')
  put(block, 124, `${data.length.toString(8).padStart(11, '0')}\0`)
  put(block, 136, '00000000000\0')
  block.fill(0x20, 148, 156)
  put(block, 156, spec.type)
  put(block, 157, spec.linkname ?? '')
  put(block, 257, 'ustar\0')
  put(block, 263, '00')
  put(block, 345, spec.prefix ?? '')
  let sum = 0
  for (const b of block) sum += b
  put(block, 148, `${sum.toString(8).padStart(6, '0')}\0 `)
  const pad = (512 - (data.length % 512)) % 512
  return Buffer.concat([block, data, Buffer.alloc(pad)])
}

export function rawArchive(entries: RawEntrySpec[]): Buffer {
  return Buffer.concat([...entries.map(rawEntry), Buffer.alloc(1024)])
}

/** A pax extended header record set, as `<len> key=value\n` lines. */
export function paxData(records: Record<string, string>): string {
  let out = ''
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`
    let len = Buffer.byteLength(body) + 1
    while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body)
    out += `${len}${body}`
  }
  return out
}
