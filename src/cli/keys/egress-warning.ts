/**
 * `keys set` stored a key whose endpoint the server's egress policy refuses: said at once, on
 * stderr, because every chat with it would fail until the operator allows the host.
 */
export function egressWarning(keyName: string, target: string): string {
  return [
    `Warning: the server's egress policy refuses ${target}, so chats with "${keyName}" will fail until it is allowed.`,
    `Hint: the server's operator allows it with \`clawd server start --egress-allow ${target}\`.`,
  ].join('\n')
}
