import { AdminRecoveryCodeSchema } from '#database/schema'

/**
 * One single-use two-factor recovery code, kept only as a SHA-256 digest.
 */
export default class AdminRecoveryCode extends AdminRecoveryCodeSchema {}
