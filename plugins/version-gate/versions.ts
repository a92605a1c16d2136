import semver from 'semver'

/**
 * Client versions are semantic versions. Vendors often write `v1.4` or
 * `2.0`, so a leading `v` and missing minor or patch numbers (read as 0)
 * are accepted; everything else must be strict SemVer 2.0.
 */
const VERSION =
  /^v?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?(-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/

export const MAX_VERSION_LENGTH = 64

/**
 * The canonical form of a version (`v1.4` → `1.4.0`, build metadata kept),
 * or null when it is not one.
 */
export function normalizeVersion(input: string): string | null {
  const text = input.trim()
  if (text.length === 0 || text.length > MAX_VERSION_LENGTH) return null
  const match = VERSION.exec(text)
  if (!match) return null
  const [, major, minor = '0', patch = '0', prerelease = '', build = ''] = match
  const version = `${major}.${minor}.${patch}${prerelease}${build}`
  // semver.valid() would drop the build metadata; keep it as written.
  return semver.valid(version) ? version : null
}

/**
 * Orders two canonical versions: negative when `a` is older. Pre-releases
 * come before their release (`2.0.0-rc.1 < 2.0.0`); build metadata does
 * not count (`1.0.0+a` equals `1.0.0+b`).
 */
export function compareVersions(a: string, b: string): number {
  return semver.compare(a, b)
}
