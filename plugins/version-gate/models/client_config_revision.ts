import { VersionGateConfigRevisionSchema } from '#database/schema'

/** One saved state of a client configuration, with who saved it. */
export default class ClientConfigRevision extends VersionGateConfigRevisionSchema {
  static table = 'version_gate_config_revisions'
}
