import {describe, expect, it} from 'vitest'
import {readUpdate} from '../../src/agent/channels/telegram/policy.js'
import {splitMessage} from '../../src/agent/channels/telegram/split.js'
import {decodeByokAad, encodeByokAad} from '../../src/crypto/byok-aad.js'
import {generateKeyPair, kidFor, openKey, sealKey} from '../../src/crypto/hpke.js'

describe('splitMessage (Telegram’s 4,096-character limit)', () => {
  it('keeps short answers whole and cuts long ones in order, losing nothing', () => {
    expect(splitMessage('hi')).toEqual(['hi'])
    const words = Array.from({length: 2500}, (_, i) => `w${i}`).join(' ')
    const pieces = splitMessage(words)
    expect(pieces.length).toBeGreaterThan(1)
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(4096)
    expect(pieces.join('')).toBe(words)
    // Cut at a space, so no word is split across messages.
    for (const p of pieces.slice(0, -1)) expect(p.endsWith(' ')).toBe(true)
  })

  it('hard-cuts text without breaks, never inside a surrogate pair', () => {
    const text = 'a'.repeat(4095) + '😀' + 'b'.repeat(10)
    const pieces = splitMessage(text)
    expect(pieces[0]).toBe('a'.repeat(4095))
    expect(pieces.join('')).toBe(text)
    expect(splitMessage('x'.repeat(10_000)).map((p) => p.length)).toEqual([4096, 4096, 1808])
  })

  it('sends nothing for an empty or blank answer', () => {
    expect(splitMessage('')).toEqual([])
    expect(splitMessage('   ')).toEqual([])
  })
})

describe('readUpdate (what reaches the pairing and answer logic)', () => {
  const bot = {id: 99, username: 'my_bot'}
  const from = {id: 5, is_bot: false, first_name: 'Ann', username: 'ann'}
  const msg = (chat: Record<string, unknown>, text: unknown, extra: Record<string, unknown> = {}) => ({update_id: 1, message: {message_id: 1, chat, from, date: 1, text, ...extra}})

  it('reads a private text message', () => {
    expect(readUpdate(msg({id: 5, type: 'private'}, 'hello'), bot)).toEqual({
      kind: 'message',
      chatId: '5',
      chatType: 'private',
      chatTitle: '@ann',
      sender: {user_id: '5', username: 'ann', name: 'Ann'},
      text: 'hello',
    })
  })

  it('ignores what is not a text message from a person', () => {
    expect(readUpdate({update_id: 1, edited_message: {}}, bot).kind).toBe('ignore')
    expect(readUpdate(msg({id: 5, type: 'private'}, undefined, {photo: []}), bot).kind).toBe('ignore')
    expect(readUpdate({update_id: 1, message: {chat: {id: 5, type: 'private'}, from: {...from, is_bot: true}, text: 'hi'}}, bot).kind).toBe('ignore')
    expect(readUpdate(msg({id: -1, type: 'channel'}, 'post'), bot).kind).toBe('ignore')
  })

  it('in groups answers only a mention (case-insensitive, whole name) or a reply to the bot, without the mention', () => {
    const group = {id: -10, type: 'supergroup', title: 'G'}
    expect(readUpdate(msg(group, 'just talking'), bot).kind).toBe('ignore')
    expect(readUpdate(msg(group, 'ask @my_bot_fan'), bot).kind).toBe('ignore')
    expect(readUpdate(msg(group, 'mail me@my_bot'), bot).kind).toBe('ignore')
    expect(readUpdate(msg(group, '@My_Bot what time is it?'), bot)).toMatchObject({kind: 'message', chatType: 'group', chatTitle: 'G', text: 'what time is it?'})
    expect(readUpdate(msg(group, 'and you?', {reply_to_message: {from: {id: 99, is_bot: true}}}), bot)).toMatchObject({kind: 'message', text: 'and you?'})
  })
})

describe('the channel kind in the sealing AAD', () => {
  const fields = {userId: 'usr_1', instanceId: 'ins_1', keyName: 'telegram', baseUrl: '', version: 1}

  it('round-trips, and a key AAD and a channel AAD never share bytes', () => {
    const channel = encodeByokAad({...fields, kind: 'channel'})
    const key = encodeByokAad(fields)
    expect(Buffer.from(channel).equals(Buffer.from(key))).toBe(false)
    expect(decodeByokAad(channel)).toEqual({...fields, kind: 'channel'})
    expect(decodeByokAad(key)).toEqual(fields)
    expect(() => encodeByokAad({...fields, kind: 'other' as 'channel'})).toThrow()
  })

  it('a token sealed as a channel does not open as a key of the same name, nor the other way round', async () => {
    const pair = {...generateKeyPair(), kid: ''}
    pair.kid = kidFor(pair.publicKey)
    const asChannel = encodeByokAad({...fields, kind: 'channel'})
    const asKey = encodeByokAad(fields)
    const sealed = await sealKey({publicKey: pair.publicKey, kid: pair.kid, aad: asChannel, plaintext: Buffer.from('1:AAsecret')})
    await expect(openKey({privateKey: pair.privateKey, kid: pair.kid, aad: asKey, ...sealed})).rejects.toThrow()
    expect(Buffer.from(await openKey({privateKey: pair.privateKey, kid: pair.kid, aad: asChannel, ...sealed})).toString()).toBe('1:AAsecret')
  })
})
