export * from './auth.js'
export * from './problem.js'
export * from './stream.js'
