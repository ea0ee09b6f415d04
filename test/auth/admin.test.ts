import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {adminApproveResponseSchema, adminUserSchema} from '../../src/contract/auth.js'
import {adminRequest, startDeviceLogin} from '../helpers/auth.js'
import {startTestServer} from '../helpers/server.js'

describe('operator routes on the admin socket', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => server.dispose())

  const admin = (path: string, body: unknown) => adminRequest(server.adminSocket, 'POST', path, body)

  it('creates a user once; the email is unique regardless of case', async () => {
    const created = await admin('/admin/users', {email: 'op@example.com', password: 'operator-password'})
    expect(created.status).toBe(201)
    expect(adminUserSchema.parse(created.body)).toMatchObject({email: 'op@example.com', id: expect.stringMatching(/^usr_/)})
    expect(JSON.stringify(created.body)).not.toContain('operator-password')
    const again = await admin('/admin/users', {email: 'OP@example.com', password: 'another-password'})
    expect(again).toMatchObject({status: 409, body: {code: 'already_exists'}})
  })

  it('refuses short passwords, bad emails and unknown fields', async () => {
    expect((await admin('/admin/users', {email: 'short@example.com', password: 'short'})).status).toBe(400)
    expect((await admin('/admin/users', {email: 'nope', password: 'long enough'})).status).toBe(400)
    expect(await admin('/admin/users', {email: 'x@example.com', password: 'long enough', admin: true})).toMatchObject({status: 400, body: {code: 'validation_failed'}})
  })

  it('approves a pending code for a user and says what it approved', async () => {
    await admin('/admin/users', {email: 'approver@example.com', password: 'approver-password'})
    const grant = await startDeviceLogin(server.url, 'clawd-cli')
    const res = await admin('/admin/device/approve', {user_code: grant.user_code.replace('-', ' '), email: 'Approver@example.com'})
    expect(res.status).toBe(200)
    expect(adminApproveResponseSchema.parse(res.body)).toMatchObject({user_code: grant.user_code, client_id: 'clawd-cli', client_ip: '127.0.0.1', email: 'approver@example.com'})
    expect(await admin('/admin/device/approve', {user_code: grant.user_code, email: 'approver@example.com'})).toMatchObject({status: 409, body: {code: 'wrong_state'}})
  })

  it('says clearly when the code or the user does not exist', async () => {
    await admin('/admin/users', {email: 'someone@example.com', password: 'someone-password'})
    expect(await admin('/admin/device/approve', {user_code: 'BBBB-BBBB', email: 'someone@example.com'})).toMatchObject({status: 404, body: {code: 'not_found'}})
    const grant = await startDeviceLogin(server.url)
    expect(await admin('/admin/device/approve', {user_code: grant.user_code, email: 'ghost@example.com'})).toMatchObject({status: 404, body: {code: 'not_found'}})
    expect(await admin('/admin/device/approve', {user_code: 'AEIOU', email: 'someone@example.com'})).toMatchObject({status: 400, body: {code: 'validation_failed'}})
  })

  it('is not reachable on the network port', async () => {
    const res = await fetch(`${server.url}/admin/users`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({email: 'net@example.com', password: 'network-password'})})
    expect(res.status).toBe(404)
  })
})
