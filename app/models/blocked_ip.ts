import { BlockedIpSchema } from '#database/schema'

/**
 * An address or network (CIDR) the panel refuses before anything else runs.
 */
export default class BlockedIp extends BlockedIpSchema {}
