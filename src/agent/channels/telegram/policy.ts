/**
 * What an incoming Telegram update is, before anything reaches the model (OpenClaw's rules):
 * only text messages count; in private chats the DM policy applies (the caller checks approval);
 * in groups the bot answers only when mentioned (`@bot` in the text, or a reply to the bot), and
 * the mention is taken out of the text the model sees. Pure: no I/O.
 */
export interface TelegramSender {
  user_id: string
  username: string | null
  name: string | null
}

export type Incoming =
  | {kind: 'ignore'; reason: string}
  | {kind: 'message'; chatId: string; chatType: 'private' | 'group'; chatTitle: string; sender: TelegramSender; text: string}

interface TgUser {
  id?: unknown
  is_bot?: unknown
  username?: unknown
  first_name?: unknown
  last_name?: unknown
}
interface TgMessage {
  chat?: {id?: unknown; type?: unknown; title?: unknown}
  from?: TgUser
  text?: unknown
  reply_to_message?: {from?: TgUser}
}

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : null)
const intId = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : null)

export function readUpdate(update: Record<string, unknown>, bot: {id: number; username: string}): Incoming {
  const message = update.message as TgMessage | undefined
  if (!message || typeof message !== 'object') return {kind: 'ignore', reason: 'not a new message'}
  const chatId = intId(message.chat?.id)
  const from = message.from
  const userId = intId(from?.id)
  const text = typeof message.text === 'string' ? message.text : undefined
  if (!chatId || !userId || text === undefined || text.trim() === '') return {kind: 'ignore', reason: 'not a text message'}
  if (from?.is_bot === true) return {kind: 'ignore', reason: 'from a bot'}
  const sender: TelegramSender = {
    user_id: userId,
    username: str(from?.username),
    name: [str(from?.first_name), str(from?.last_name)].filter(Boolean).join(' ') || null,
  }
  const type = message.chat?.type
  if (type === 'private') return {kind: 'message', chatId, chatType: 'private', chatTitle: sender.username ? `@${sender.username}` : (sender.name ?? userId), sender, text}
  if (type !== 'group' && type !== 'supergroup') return {kind: 'ignore', reason: 'not a private chat or a group'}
  const mention = new RegExp(`(^|[^A-Za-z0-9_])@${bot.username}(?![A-Za-z0-9_])`, 'i')
  const repliesToBot = intId(message.reply_to_message?.from?.id) === String(bot.id)
  if (!mention.test(text) && !repliesToBot) return {kind: 'ignore', reason: 'a group message that does not mention the bot'}
  const stripped = text.replace(new RegExp(mention.source, 'gi'), '$1').trim()
  return {kind: 'message', chatId, chatType: 'group', chatTitle: str(message.chat?.title) ?? chatId, sender, text: stripped || text}
}
