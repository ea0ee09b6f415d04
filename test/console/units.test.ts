import {describe, expect, it} from 'vitest'
import {redactUserCodes} from '../../src/server/auth/redact-url.js'
import {relative, shortAgent, stamp} from '../../src/server/console/format.js'
import {rewriteImports} from '../../src/server/console/static.js'
import {safeNext} from '../../src/server/pages/forms.js'

describe('console helpers', () => {
  it('safeNext takes only our own paths; anything else goes to the dashboard', () => {
    for (const ok of ['/', '/device', '/device?user_code=BCDF-GHJK', '/instances', '/instances/ins_abcdefghijklmnopqrst', '/instances/web-agent/keys', '/account', '/status']) {
      expect(safeNext(ok), ok).toBe(ok)
    }
    for (const bad of ['https://evil.example/', '//evil.example', '/\\evil.example', '/instances/../signout', '/instances/a/b/c', '/account?x=1', '/instances/x/keys#y', 'javascript:alert(1)', '', undefined, 42]) {
      expect(safeNext(bad), String(bad)).toBe('/')
    }
  })

  it('redacts user codes however they are spelled in a URL', () => {
    expect(redactUserCodes('/device?user_code=BCDF-GHJK')).toBe('/device?user_code=[redacted]')
    expect(redactUserCodes('/signin?next=%2Fdevice%3Fuser_code%3DBCDFGHJK&x=1')).toBe('/signin?next=%2Fdevice%3Fuser_code%3D[redacted]&x=1')
    expect(redactUserCodes('/device?USER_CODE=bcdf')).toBe('/device?USER_CODE=[redacted]')
    expect(redactUserCodes('/v1/instances')).toBe('/v1/instances')
  })

  it('rewrites only the bare @hpke imports the browser cannot resolve', () => {
    expect(rewriteImports(`import {a} from "@hpke/common";\nexport * from '@hpke/core'\nimport x from './local.js'`)).toBe(
      `import {a} from "/assets/vendor/hpke-common/mod.js";\nexport * from '/assets/vendor/hpke-core/mod.js'\nimport x from './local.js'`,
    )
  })

  it('formats dates in UTC with a relative hint, and shortens user agents', () => {
    const now = Date.parse('2030-01-01T12:00:00Z')
    expect(stamp('2030-01-01T11:58:30Z')).toBe('2030-01-01 11:58 UTC')
    expect(relative('2030-01-01T11:58:00Z', now)).toBe('2 minutes ago')
    expect(relative('2030-01-02T12:00:00Z', now)).toBe('in 1 day')
    expect(relative(null, now)).toBe('never')
    expect(shortAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36')).toBe('Chrome/131.0.0.0 on X11')
    expect(shortAgent('clawd/0.1.0 (linux; node 24)')).toBe('clawd/0.1.0 (linux; node 24)')
  })
})
