/** Reads an SSE response body into {id, data} records as they arrive (tests only). */
export async function* readSse(res: Response): AsyncGenerator<{id: number | undefined; data: any}> {
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  for (;;) {
    const {value, done} = await reader.read()
    if (done) return
    buffer += decoder.decode(value, {stream: true})
    let end
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      let id: number | undefined
      let data = ''
      for (const line of block.split('\n')) {
        if (line.startsWith('id: ')) id = Number(line.slice(4))
        else if (line.startsWith('data: ')) data += line.slice(6)
      }
      if (data) yield {id, data: JSON.parse(data)}
    }
  }
}

export async function collectSse(res: Response): Promise<Array<{id: number | undefined; data: any}>> {
  const out = []
  for await (const e of readSse(res)) out.push(e)
  return out
}
