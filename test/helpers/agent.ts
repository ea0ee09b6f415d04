import {join} from 'node:path'
import type {AgentConfig, AgentInit} from '../../src/contract/agent.js'

/**
 * The init message for an agent started in this process: it listens on `agent.sock` in `dir`, with
 * no egress proxy, no lifeline and no data key in the message (the caller passes the key).
 */
export function inProcessInit(instanceId: string, dir: string, secret: string, config: Partial<AgentConfig> = {}): AgentInit {
  return {
    v: 1,
    instance_id: instanceId,
    data_key: '',
    secret,
    dir,
    socket: join(dir, 'agent.sock'),
    egress_socket: null,
    lifeline_fd: null,
    config: {providerBaseUrls: {}, ...config},
  }
}
