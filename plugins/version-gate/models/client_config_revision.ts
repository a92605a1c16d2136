import { ClientConfigRevisionSchema } from '#database/schema'

/** One saved state of a client configuration, with who saved it. */
export default class ClientConfigRevision extends ClientConfigRevisionSchema {}
