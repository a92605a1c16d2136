export { LicenseClient } from './client.js'
export type {
  LicenseClientEvents,
  LicenseClientOptions,
  LicenseStatus,
  LicenseView,
  OfflineCode,
  Session,
  VerifyResult,
} from './client.js'
export { ApiError, LicenseError, NetworkError, isTransient } from './errors.js'
export type { ApiErrorDetails, ClientErrorCode, UpdateNotice } from './errors.js'
export { fingerprint, machineId } from './fingerprint.js'
export { trustedKeys, verifyLease, LeaseInvalid } from './lease.js'
export type { LeaseClaims, PublicKey } from './lease.js'
export { FileStore, MemoryStore, defaultStoreFolder } from './store.js'
export type { LeaseStore } from './store.js'
export type {
  EntitlementCheck,
  LicenseState,
  MeterUsage,
  TransferResult,
  UsageRecord,
} from './usage.js'
