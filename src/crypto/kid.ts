/** The shape of a key id (x25519.ts kidFor): no imports, so the browser and the instance share it. */
const KID_PATTERN = /^[0-9a-f]{16}$/

export function isKid(value: string): boolean {
  return KID_PATTERN.test(value)
}
