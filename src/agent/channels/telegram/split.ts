import {TELEGRAM_MAX_MESSAGE_CHARS} from '../../../contract/channel-wire.js'
import {truncateUtf16Safe} from '../../prompt-trim.js'

/**
 * Cuts an answer into Telegram messages of at most `max` UTF-16 code units (how Telegram counts),
 * in order (Telegram refuses empty text, so whitespace-only pieces are left out). A cut prefers the last paragraph break, then line break, then space in the second half
 * of the piece, so words stay whole; it never splits a surrogate pair. Nothing else is dropped: the
 * pieces joined back (with the whitespace at each cut) are the answer.
 */
export function splitMessage(text: string, max = TELEGRAM_MAX_MESSAGE_CHARS): string[] {
  const pieces: string[] = []
  let rest = text
  while (rest.length > max) {
    let cut = -1
    for (const sep of ['\n\n', '\n', ' ']) {
      const at = rest.lastIndexOf(sep, max - sep.length)
      if (at >= max / 2) {
        cut = at + sep.length
        break
      }
    }
    if (cut < 0) cut = truncateUtf16Safe(rest, max).length
    pieces.push(rest.slice(0, cut))
    rest = rest.slice(cut)
  }
  if (rest.length > 0 || pieces.length === 0) pieces.push(rest)
  return pieces.filter((p) => p.trim().length > 0)
}
