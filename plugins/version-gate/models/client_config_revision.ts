import { schema } from '#plugin_host/api'

/** One saved state of a client configuration, with who saved it. */
export default class ClientConfigRevision extends schema.VersionGateConfigRevisionSchema {
  static table = 'version_gate_config_revisions'
}
