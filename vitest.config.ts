import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // e2e tests spawn servers and CLI subprocesses on a shared 2-core machine: they wait for what
    // they start by watching it, and these bounds only stop a test that truly hangs.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
})
