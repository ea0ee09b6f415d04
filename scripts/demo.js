#!/usr/bin/env node
// Placeholder until the login flow lands: starts the embedded server and checks its health.
console.log('demo: not yet wired')
