/**
 * PUT /keys/:name on the agent socket (server → agent only). The AAD is the API's own rebuild
 * from its records, so the instance checks the ciphertext against what the API believes, never
 * against what the client claimed. Plain types: the agent does not load zod.
 */
export interface AgentKeyUpload {
  provider: string
  kid: string
  enc: string
  ct: string
  /** base64url of encodeByokAad({userId, instanceId, keyName, baseUrl, version}). */
  aad: string
  version: number
  base_url: string | null
}
